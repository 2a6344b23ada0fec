"""窗口 A clerk signs in to a window (one clerk per window, one window per clerk), pauses and closes
it; the window's rating device (评价器) holds a key whose digest only is stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.core import audit
from yiwang.core.errors import DomainError
from yiwang.hall.access import is_hall_staff
from yiwang.hall.errors import HallErrorCode
from yiwang.hall.models import QueueStatus, QueueTicket, Window, WindowStatus


def _require_staff(window: Window, clerk: User) -> None:
    if not is_hall_staff(clerk, window.hall):
        raise DomainError(HallErrorCode.FORBIDDEN, "只有本大厅的窗口人员可以登录窗口", status=403)


def open_window(*, window: Window, clerk: User) -> Window:
    """登录窗口 The clerk takes the window (or resumes it after a pause)."""
    _require_staff(window, clerk)
    with transaction.atomic():
        held = list(
            Window.objects.select_for_update()
            .filter(clerk=clerk)
            .exclude(status=WindowStatus.CLOSED)
            .exclude(pk=window.pk)
            .order_by("pk")
        )
        locked = Window.objects.select_for_update().get(pk=window.pk)
        if held:
            raise DomainError(
                HallErrorCode.WINDOW_BUSY,
                f"您已登录 {held[0].number} 号窗口，请先关闭该窗口",
                {"window": [held[0].number]},
                status=409,
            )
        if locked.clerk_id not in (None, clerk.pk) and locked.status != WindowStatus.CLOSED:
            raise DomainError(
                HallErrorCode.WINDOW_BUSY,
                "该窗口已有其他工作人员登录",
                {"window": [locked.number]},
                status=409,
            )
        if locked.clerk_id != clerk.pk or locked.clerk_since is None:
            locked.clerk_since = timezone.now()
        locked.clerk = clerk
        locked.status = WindowStatus.OPEN
        locked.save(update_fields=["clerk", "clerk_since", "status", "updated_at"])
        audit.record("hall.window.opened", actor=clerk, obj=locked, detail={"number": locked.number})
    return locked


def _own(window: Window, clerk: User) -> Window:
    locked = Window.objects.select_for_update().get(pk=window.pk)
    if locked.clerk_id != clerk.pk or locked.status == WindowStatus.CLOSED:
        raise DomainError(
            HallErrorCode.WINDOW_BUSY, "您没有登录该窗口", {"window": [locked.number]}, status=409
        )
    return locked


def pause_window(*, window: Window, clerk: User) -> Window:
    """暂停服务 No new calls; the current ticket may still be finished."""
    with transaction.atomic():
        locked = _own(window, clerk)
        locked.status = WindowStatus.PAUSED
        locked.save(update_fields=["status", "updated_at"])
        audit.record("hall.window.paused", actor=clerk, obj=locked, detail={})
    return locked


def close_window(*, window: Window, clerk: User) -> Window:
    """关闭窗口 The clerk signs out; a ticket still at the window must be finished or transferred."""
    with transaction.atomic():
        locked = _own(window, clerk)
        if QueueTicket.objects.filter(
            window=locked, status__in=(QueueStatus.CALLED, QueueStatus.SERVING)
        ).exists():
            raise DomainError(HallErrorCode.WINDOW_BUSY, "请先办结、过号或转移当前号码", status=409)
        locked.status = WindowStatus.CLOSED
        locked.clerk = None
        locked.clerk_since = None
        locked.save(update_fields=["status", "clerk", "clerk_since", "updated_at"])
        audit.record("hall.window.closed", actor=clerk, obj=locked, detail={})
    return locked


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_device_key(*, window: Window, actor: User | None = None) -> str:
    """A new key for the window's rating device (the old one stops working); only its digest is kept."""
    key = secrets.token_urlsafe(24)
    with transaction.atomic():
        Window.objects.filter(pk=window.pk).update(device_key_digest=_digest(key), updated_at=timezone.now())
        window.device_key_digest = _digest(key)
        audit.record(
            "hall.window.device_key_issued", actor=actor, obj=window, detail={"number": window.number}
        )
    return key


def device_key_valid(window: Window, key: str) -> bool:
    return bool(window.device_key_digest) and hmac.compare_digest(
        window.device_key_digest, _digest(key or "")
    )
