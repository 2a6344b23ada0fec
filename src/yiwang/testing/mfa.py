"""Test helpers: a staff session that has passed MFA, TOTP codes for a device."""

from __future__ import annotations

from typing import Any

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from yiwang.accounts.models import User


def totp_device(user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return device


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def verify_mfa(client: Any, user: User) -> TOTPDevice:
    """Mark the client's session as having passed the second factor (like ``otp_login``)."""
    device = totp_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def staff_login(client: Any, user: User) -> Any:
    client.force_login(user)
    verify_mfa(client, user)
    return client
