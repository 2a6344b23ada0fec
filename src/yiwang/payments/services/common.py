"""What every payments service shares: locking, events (with their audit record), the gateway."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.accounts.roles import in_scope
from yiwang.core import audit
from yiwang.core.errors import DomainError, NotFound
from yiwang.payments.errors import PaymentErrorCode
from yiwang.payments.gateways.base import PaymentGateway
from yiwang.payments.gateways.fiscal import FiscalGateway
from yiwang.payments.models import PAID_STATUSES, PaymentEvent, PaymentOrder

FINANCE_ROLE = "finance"
WINDOW_ROLES = ("window_clerk", FINANCE_ROLE)


def fiscal_gateway() -> PaymentGateway:
    """The online gateway of this deployment (the fiscal gateway of YIWANG_PAYGATE_URL)."""
    return FiscalGateway.from_settings()


def locked_order(order: PaymentOrder | int) -> PaymentOrder:
    pk = order.pk if isinstance(order, PaymentOrder) else order
    found = next(iter(PaymentOrder.objects.select_for_update().filter(pk=pk)[:1]), None)
    if found is None:
        raise NotFound("缴款单不存在", code=PaymentErrorCode.NOT_FOUND)
    return found


def locked_order_by_code(code: str) -> PaymentOrder | None:
    """The order with this 缴款码, its row locked, annotated with ``other_paid_code``: the code of
    another paid order of the same subject, or None (what ``apply_paid`` checks for a duplicate
    payment), read in the same statement."""
    others = (
        PaymentOrder.objects.filter(
            subject_type=OuterRef("subject_type"), subject_id=OuterRef("subject_id"), status__in=PAID_STATUSES
        )
        .exclude(pk=OuterRef("pk"))
        .values("code")[:1]
    )
    rows = (
        PaymentOrder.objects.select_for_update(of=("self",))
        .filter(code=code)
        .annotate(other_paid_code=Subquery(others))[:1]
    )
    return next(iter(rows), None)


def record_event(
    order: PaymentOrder,
    event_type: str,
    *,
    from_status: str,
    actor: User | None = None,
    source: str = "",
    amount_fen: int | None = None,
    data: dict[str, Any] | None = None,
) -> PaymentEvent:
    """The immutable event of a transition and its audit entry (last: the audit lock is shared)."""
    event = PaymentEvent.objects.create(
        order=order,
        event_type=event_type,
        from_status=from_status,
        to_status=order.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        source=source,
        amount_fen=amount_fen,
        data=data or {},
        occurred_at=timezone.now(),
    )
    audit.record(
        f"payments.{event_type}",
        actor=actor,
        obj=order,
        detail={
            "code": order.code,
            "from": from_status,
            "to": order.status,
            "amount_fen": amount_fen,
            "source": source,
            **({"data": data} if data else {}),
        },
    )
    return event


def save_order(order: PaymentOrder, *fields: str) -> None:
    order.lock_version += 1
    order.save(update_fields=["status", "lock_version", "updated_at", *fields])


def require_staff_of(actor: User, order: PaymentOrder, roles: tuple[str, ...], action: str) -> None:
    """The actor holds one of ``roles`` with the order's department in his data scope (403 + audit)."""
    if in_scope(actor, order.organisation_id, roles):
        return
    audit.record("payments.refused", actor=actor, obj=order, detail={"action": action, "roles": list(roles)})
    raise DomainError(PaymentErrorCode.ROLE_REQUIRED, "您没有处理该缴款单的权限", status=403)
