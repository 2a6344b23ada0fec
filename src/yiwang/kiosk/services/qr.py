"""扫码登录 The kiosk shows a one-time QR code; the citizen confirms on his phone; the kiosk logs in.

A request lives :data:`LIFETIME` (two minutes) and is used once: confirming marks it confirmed by
the citizen, and the kiosk's next poll consumes it (``consumed_at``) and logs in as him."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import AccountKind, User
from yiwang.core import audit
from yiwang.core.errors import DomainError
from yiwang.kiosk.errors import KioskErrorCode
from yiwang.kiosk.models import KioskDevice, KioskLoginRequest

LIFETIME = timedelta(minutes=2)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _not_found() -> DomainError:
    return DomainError(KioskErrorCode.QR_NOT_FOUND, "二维码已失效，请在自助终端上重新获取", status=404)


def create_request(device: KioskDevice) -> tuple[KioskLoginRequest, str]:
    """A new log-in request of ``device`` and the token its QR code carries (not stored)."""
    token = secrets.token_urlsafe(24)
    request = KioskLoginRequest.objects.create(
        device=device, token_digest=_digest(token), expires_at=timezone.now() + LIFETIME
    )
    return request, token


def pending_request(token: str) -> KioskLoginRequest:
    """The open request a token names (for the confirmation page); 404 when expired or used."""
    if not token or len(token) > 64:
        raise _not_found()
    found = (
        KioskLoginRequest.objects.select_related("device__hall").filter(token_digest=_digest(token)).first()
    )
    if (
        found is None
        or found.expires_at <= timezone.now()
        or found.confirmed_at is not None
        or found.device.revoked_at is not None
    ):
        raise _not_found()
    return found


def confirm(token: str, user: User) -> KioskLoginRequest:
    """The citizen confirms the log-in on his own device (applicants only)."""
    if not user.is_authenticated or user.kind == AccountKind.STAFF:
        raise DomainError(KioskErrorCode.QR_FORBIDDEN, "请使用个人或法人账户确认登录", status=403)
    with transaction.atomic():
        found = pending_request(token)
        locked = KioskLoginRequest.objects.select_for_update().get(pk=found.pk)
        if locked.confirmed_at is not None:
            raise _not_found()
        locked.confirmed_by = user
        locked.confirmed_at = timezone.now()
        locked.save(update_fields=["confirmed_by", "confirmed_at", "updated_at"])
        audit.record(
            "kiosk.qr_confirmed", actor=user, obj=locked, detail={"device": str(found.device.public_id)}
        )
    return locked


def consume(request_id: str | UUID, device: KioskDevice) -> tuple[str, User | None]:
    """The kiosk's poll: ("waiting", None), ("expired", None) or ("confirmed", user) — once."""
    try:
        public_id = UUID(str(request_id))
    except (ValueError, TypeError):
        return "expired", None
    with transaction.atomic():
        locked = (
            KioskLoginRequest.objects.select_for_update().filter(public_id=public_id, device=device).first()
        )
        if locked is None or locked.consumed_at is not None:
            return "expired", None
        now = timezone.now()
        if locked.confirmed_at is None:
            return ("expired", None) if locked.expires_at <= now else ("waiting", None)
        if locked.expires_at <= now:
            return "expired", None
        locked.consumed_at = now
        locked.save(update_fields=["consumed_at", "updated_at"])
        user = locked.confirmed_by
        if user is None or not user.is_active:
            return "expired", None
    return "confirmed", user
