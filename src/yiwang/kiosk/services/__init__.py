"""The kiosk's use cases: devices, signed ID-card reads, QR log-in, and the hall functions."""

from yiwang.kiosk.services.card import CardRead, canonical_message, sign_card, verify_card
from yiwang.kiosk.services.devices import create_device, device_for_token, revoke_device, token_for
from yiwang.kiosk.services.qr import confirm, consume, create_request, pending_request

__all__ = [
    "CardRead",
    "canonical_message",
    "confirm",
    "consume",
    "create_device",
    "create_request",
    "device_for_token",
    "pending_request",
    "revoke_device",
    "sign_card",
    "token_for",
    "verify_card",
]
