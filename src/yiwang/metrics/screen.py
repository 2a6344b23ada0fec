"""The big screen (视窗系统): access and its data.

Access: staff with the supervisor, service manager or admin role, or a hall's screen device that
opens ``/screen/?key=<token>``.  The token is ``django.core.signing`` over the public id of a
:class:`~yiwang.metrics.models.DisplayKey` row (salt ``metrics.screen``); an admin creates it with
``manage.py screen_display_key create "<device name>"`` and revokes it with ``… revoke <id>``.

Data: the whole platform's figures of today (the service centre's screen, not a personal scope),
computed from the aggregates in a few indexed queries and kept in the cache for
``SNAPSHOT_SECONDS``; every screen polls :func:`payload`, so the cost is paid once per interval.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from yiwang.accounts import staff as staff_scope
from yiwang.accounts.models import User
from yiwang.core import audit
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.metrics import dashboards, screen_panels
from yiwang.metrics.errors import MetricsErrorCode
from yiwang.metrics.models import DisplayKey

SCREEN_ROLES = frozenset({"supervisor", "service_manager", "admin"})
SALT = "metrics.screen"
SNAPSHOT_SECONDS = 15
CACHE_KEY = "metrics:screen:v1"
REFRESH_MILLISECONDS = SNAPSHOT_SECONDS * 1000


def token_for(key: DisplayKey) -> str:
    return signing.dumps(str(key.public_id), salt=SALT)


def display_key(token: str) -> DisplayKey:
    """The active display key the token names; 403 when forged or revoked."""
    try:
        public_id = UUID(str(signing.loads(token, salt=SALT)))
    except (signing.BadSignature, ValueError, TypeError):
        public_id = None
    key = (
        DisplayKey.objects.filter(public_id=public_id, revoked_at__isnull=True).first() if public_id else None
    )
    if key is None:
        raise PermissionDenied("大屏显示密钥无效或已停用", code=MetricsErrorCode.BAD_DISPLAY_KEY)
    return key


def check_access(user: Any, token: str) -> None:
    """Staff with a screen role, or a valid display key (raises 403 otherwise)."""
    if token:
        display_key(token)
        return
    if getattr(user, "is_authenticated", False) and staff_scope.roles_of(user) & SCREEN_ROLES:
        return
    raise PermissionDenied(
        "大屏仅限监察人员、事项管理员、系统管理员或已登记的大屏设备", code=MetricsErrorCode.NO_SCREEN_ACCESS
    )


def create_key(name: str, actor: User | None = None) -> tuple[DisplayKey, str]:
    name = name.strip()[:100]
    if not name:
        raise DomainError(MetricsErrorCode.BAD_FILTER, "请填写设备名称", {"name": ["必填"]}, status=422)
    with transaction.atomic():
        key = DisplayKey.objects.create(name=name, created_by=actor)
        audit.record("metrics.display_key_created", actor=actor, obj=key, detail={"name": name})
    return key, token_for(key)


def revoke_key(public_id: UUID, actor: User | None = None) -> DisplayKey:
    with transaction.atomic():
        key = DisplayKey.objects.select_for_update().filter(public_id=public_id).first()
        if key is None:
            raise DomainError(MetricsErrorCode.BAD_DISPLAY_KEY, "没有该显示密钥", status=404)
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at", "updated_at"])
            audit.record("metrics.display_key_revoked", actor=actor, obj=key, detail={"name": key.name})
    return key


def compute() -> dict[str, Any]:
    """The screen's figures, fresh (a few grouped queries over today's aggregate rows)."""
    started = time.perf_counter()
    day = timezone.localdate()
    figures = dashboards.today(None, day=day)
    month = dashboards.Query(dashboards.default_period(day), dashboards.reads.Filters())
    return {
        "day": day.isoformat(),
        "by_status": figures["by_status"],
        "by_department": figures["by_department"][:12],
        "by_channel": figures["by_channel"],
        "by_region": figures["by_region"],
        "overdue_now": figures["overdue_now"],
        "warning_count": figures["warning_count"],
        "top_items": dashboards.top_items(None, month, limit=10),
        "panels": screen_panels.panels(),
        "computed_at": timezone.localtime().isoformat(timespec="seconds"),
        "compute_ms": round((time.perf_counter() - started) * 1000, 1),
    }


def rendered_fragment(language: str, render: Callable[[], str]) -> str:
    """The figures fragment as HTML, rendered at most once per snapshot and language."""
    key = f"{CACHE_KEY}:html:{language}"
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, SNAPSHOT_SECONDS)
    return str(html)


def payload() -> dict[str, Any]:
    """The snapshot, recomputed at most once per ``SNAPSHOT_SECONDS``."""
    hit = cache.get(CACHE_KEY)
    if hit is not None:
        return dict(hit)
    data = compute()
    cache.set(CACHE_KEY, data, SNAPSHOT_SECONDS)
    return data
