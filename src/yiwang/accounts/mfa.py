"""Multi-factor authentication for staff (多因素认证); the use cases are in :mod:`yiwang.accounts.services.mfa`."""

from __future__ import annotations

from yiwang.accounts.services.mfa import (
    RECOVERY_CODE_COUNT,
    RECOVERY_CODES_LOW,
    RECOVERY_DEVICE_NAME,
    TOTP_DEVICE_NAME,
    check_token,
    confirm_enrolment,
    delete_devices,
    ensure_demo_device,
    has_confirmed_device,
    is_verified,
    mfa_required,
    qr_svg,
    recovery_codes_running_low,
    regenerate_recovery_codes,
    remaining_recovery_codes,
    secret_base32,
    start_enrolment,
    verify,
)

__all__ = [
    "RECOVERY_CODES_LOW",
    "RECOVERY_CODE_COUNT",
    "RECOVERY_DEVICE_NAME",
    "TOTP_DEVICE_NAME",
    "check_token",
    "confirm_enrolment",
    "delete_devices",
    "ensure_demo_device",
    "has_confirmed_device",
    "is_verified",
    "mfa_required",
    "qr_svg",
    "recovery_codes_running_low",
    "regenerate_recovery_codes",
    "remaining_recovery_codes",
    "secret_base32",
    "start_enrolment",
    "verify",
]
