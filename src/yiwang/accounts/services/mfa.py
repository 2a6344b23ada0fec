"""Multi-factor authentication for staff (多因素认证): TOTP devices and recovery codes (django-otp).

Enrolment creates an unconfirmed TOTP device and shows its QR code; the first right code confirms
it and issues ten single-use recovery codes (a django-otp static device).  At every workbench login
a TOTP or recovery code verifies the session (``otp_login``).  Wrong codes count towards the same
per-account lockout as wrong passwords.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from yiwang.accounts.errors import AccountErrorCode
from yiwang.accounts.models import AccountKind, LoginChannel, User
from yiwang.accounts.services.login import check_login_allowed, register_login_failure
from yiwang.core import audit
from yiwang.core.errors import DomainError

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "身份验证器"
RECOVERY_DEVICE_NAME = "恢复码"


def mfa_required(user: Any) -> bool:
    """Staff accounts must pass a second factor (等保三级)."""
    return bool(getattr(user, "is_authenticated", False) and user.kind == AccountKind.STAFF)


def is_verified(request: HttpRequest) -> bool:
    user = request.user
    return bool(getattr(user, "is_verified", lambda: False)())


def has_confirmed_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def start_enrolment(user: User) -> TOTPDevice:
    """The unconfirmed TOTP device to show as a QR code (the same one until it is confirmed)."""
    if has_confirmed_device(user):
        raise DomainError(AccountErrorCode.MFA_ALREADY_ENROLLED, "已绑定身份验证器", status=409)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URI as an inline SVG QR code (segno), with a text title for screen readers."""
    return str(segno.make(device.config_url, error="m").svg_inline(scale=4, title="身份验证器绑定二维码"))


def secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def _new_recovery_codes(user: User) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def confirm_enrolment(request: HttpRequest, user: User, token: str) -> list[str]:
    """绑定: the first right code confirms the device, verifies the session and returns recovery codes."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        raise DomainError(AccountErrorCode.MFA_ALREADY_ENROLLED, "没有待绑定的身份验证器", status=409)
    if not device.verify_token(token.strip()):
        audit.record("auth.mfa_enrol_failed", actor=user, obj=user)
        register_login_failure(user.username, user=user, channel=LoginChannel.WORKBENCH, reason="mfa")
        raise DomainError(AccountErrorCode.MFA_INVALID, "动态验证码不正确", {"token": ["动态验证码不正确"]})
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        audit.record("auth.mfa_enrolled", actor=user, obj=user)
    otp_login(request, device)
    return codes


def verify(request: HttpRequest, user: User, token: str) -> None:
    """二次验证 A TOTP code or an unused recovery code verifies this session."""
    check_login_allowed(user.username)
    token = token.strip().replace(" ", "")
    for device in devices_for_user(user, confirmed=True):
        if device.verify_token(token):
            otp_login(request, device)
            audit.record(
                "auth.mfa_verified",
                actor=user,
                obj=user,
                detail={"method": "recovery_code" if isinstance(device, StaticDevice) else "totp"},
            )
            return
    audit.record("auth.mfa_failed", actor=user, obj=user)
    locked = register_login_failure(user.username, user=user, channel=LoginChannel.WORKBENCH, reason="mfa")
    if locked:
        raise DomainError(AccountErrorCode.ACCOUNT_LOCKED, "验证失败次数过多，账户已临时锁定", status=429)
    raise DomainError(AccountErrorCode.MFA_INVALID, "动态验证码或恢复码不正确", {"token": ["验证码不正确"]})


def check_token(user: User, token: str) -> bool:
    """For the API token endpoint: a TOTP or recovery code, without a session."""
    token = token.strip().replace(" ", "")
    return any(device.verify_token(token) for device in devices_for_user(user, confirmed=True))


def regenerate_recovery_codes(user: User) -> list[str]:
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit.record("auth.mfa_recovery_codes_regenerated", actor=user, obj=user)
    return codes


def remaining_recovery_codes(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE_NAME).count()


RECOVERY_CODES_LOW = 2


def recovery_codes_running_low(user: User) -> bool:
    """Codes were issued (enrolment or regeneration) and at most ``RECOVERY_CODES_LOW`` are left.

    An account that never had codes (the demo staff's fixed authenticator) is not "running low"."""
    if not StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME).exists():
        return False
    return remaining_recovery_codes(user) <= RECOVERY_CODES_LOW


def delete_devices(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def ensure_demo_device(user: User, key_hex: str) -> TOTPDevice:
    """Demo only: a confirmed TOTP device with a fixed, documented secret (`yiwang totp <user>`)."""
    if not settings.YIWANG_DEMO or settings.IS_PRODUCTION:
        raise RuntimeError("fixed TOTP secrets exist only in demo mode")
    device, _ = TOTPDevice.objects.update_or_create(
        user=user, name="演示身份验证器", defaults={"key": key_hex, "confirmed": True}
    )
    return device
