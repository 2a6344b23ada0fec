"""Who may see and act on the exchange system: one place for the pages and the API.

The exchange console (nodes, packages in and out, webhook deliveries and dead letters) is for the
system administrator (系统管理员, ``admin``) and the data officials (数据专员, ``data_official``):
they run the platform's data exchange. ``exchange`` sits below ``accounts`` (ADR 0013), so it reads
the stored role values through the user's ``staff_profile`` like the web kit reads ``kind``.
"""

from __future__ import annotations

from typing import Any

from yiwang.core.errors import DomainError
from yiwang.exchange.errors import ExchangeErrorCode
from yiwang.exchange.models import DeliveryState, OutgoingPackage, OutgoingState, WebhookDelivery

#: ``accounts.StaffRole.ADMIN`` and ``accounts.StaffRole.DATA_OFFICIAL``.
EXCHANGE_ROLES = frozenset({"admin", "data_official"})
STAFF_KIND = "staff"
ROLE_CACHE = "_yiwang_exchange_roles"


def exchange_roles(user: Any) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", "") != STAFF_KIND:
        return frozenset()
    cached = getattr(user, ROLE_CACHE, None)
    if cached is None:
        profile = getattr(user, "staff_profile", None)
        held = set(profile.roles.values_list("role", flat=True)) if profile is not None else set()
        cached = frozenset(held & EXCHANGE_ROLES)
        setattr(user, ROLE_CACHE, cached)
    return cached  # type: ignore[no-any-return]


def may_manage_exchange(user: Any) -> bool:
    return bool(exchange_roles(user))


def require_exchange_role(user: Any) -> None:
    if not may_manage_exchange(user):
        raise DomainError(ExchangeErrorCode.ROLE_REQUIRED, "仅系统管理员或数据专员可管理交换系统", status=403)


def allowed_actions(user: Any, obj: WebhookDelivery | OutgoingPackage) -> frozenset[str]:
    """``replay`` for a dead letter; ``retry`` for a package whose sending failed."""
    if not may_manage_exchange(user):
        return frozenset()
    if isinstance(obj, WebhookDelivery):
        return frozenset({"replay"}) if obj.state == DeliveryState.DEAD else frozenset()
    if isinstance(obj, OutgoingPackage):
        return frozenset({"retry"}) if obj.state == OutgoingState.FAILED else frozenset()
    return frozenset()
