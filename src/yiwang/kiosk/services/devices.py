"""Registering kiosks (自助终端) and recognising the kiosk a browser is."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.core import signing
from django.db import transaction
from django.utils import timezone

from yiwang.core import audit
from yiwang.core.errors import DomainError
from yiwang.core.keyring import decrypt_text, encrypt_text
from yiwang.hall.models import Hall
from yiwang.kiosk.errors import KioskErrorCode
from yiwang.kiosk.models import KioskDevice

SALT = "kiosk.device"
SEEN_EVERY = timedelta(minutes=1)  # last_seen_at is written at most once a minute


def token_for(device: KioskDevice) -> str:
    """The signed token that binds a browser to ``device`` (it names the row, it is no secret key)."""
    return signing.dumps(str(device.public_id), salt=SALT)


def _unknown() -> DomainError:
    return DomainError(
        KioskErrorCode.DEVICE_UNKNOWN, "本终端尚未登记或已停用，请联系大厅工作人员", status=403
    )


def device_for_token(token: str) -> KioskDevice:
    """The active kiosk a token names; refuses a forged token or a revoked device."""
    try:
        public_id = UUID(str(signing.loads(token, salt=SALT)))
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise _unknown() from exc
    device = KioskDevice.objects.select_related("hall").filter(public_id=public_id).first()
    if device is None or device.revoked_at is not None or not device.hall.is_active:
        raise _unknown()
    return device


def device_by_id(public_id: str | UUID) -> KioskDevice:
    """The active kiosk with this public id (the reader names its device by it)."""
    try:
        device = KioskDevice.objects.select_related("hall").filter(public_id=UUID(str(public_id))).first()
    except (ValueError, TypeError) as exc:
        raise _unknown() from exc
    if device is None or device.revoked_at is not None:
        raise _unknown()
    return device


def reader_secret(device: KioskDevice) -> str:
    """The reader bridge's HMAC key (decrypted)."""
    return decrypt_text(device.secret_encrypted)


def mark_seen(device: KioskDevice) -> None:
    now = timezone.now()
    if device.last_seen_at is None or now - device.last_seen_at >= SEEN_EVERY:
        KioskDevice.objects.filter(pk=device.pk).update(last_seen_at=now)
        device.last_seen_at = now


def create_device(*, hall: Hall, name: str, actor: Any = None) -> tuple[KioskDevice, str, str]:
    """Register a kiosk in ``hall``: the row, its reader secret (shown once) and its browser token."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise DomainError(KioskErrorCode.INVALID_INPUT, "请填写 1–100 字的设备名称", {"name": ["长度不符"]})
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        if KioskDevice.objects.filter(hall=hall, name=name).exists():
            raise DomainError(
                KioskErrorCode.INVALID_INPUT, "本大厅已有同名终端", {"name": ["已存在"]}, status=409
            )
        device = KioskDevice.objects.create(
            hall=hall, name=name, secret_encrypted=encrypt_text(secret), created_by=actor
        )
        audit.record(
            "kiosk.device_created", actor=actor, obj=device, detail={"hall": hall.code, "name": name}
        )
    return device, secret, token_for(device)


def revoke_device(device: KioskDevice, *, actor: Any = None) -> KioskDevice:
    with transaction.atomic():
        locked = KioskDevice.objects.select_for_update().get(pk=device.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at", "updated_at"])
            audit.record("kiosk.device_revoked", actor=actor, obj=locked, detail={"name": locked.name})
    return locked
