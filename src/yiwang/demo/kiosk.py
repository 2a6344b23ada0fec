"""演示自助终端 The demo's self-service kiosk in the demo hall and its simulated card reader.

``load_kiosk_demo`` registers the kiosk once and (re)writes the reader's configuration
(``VAR_DIR/kiosk_reader.json``: device, secret, the kiosk's origin) that ``scripts/card_reader_sim.py``
reads when ``yiwang demo`` starts it on ``PORT+5``.  ``demo_kiosk_path`` is the kiosk's address with
its device token, printed by the banner."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.urls import reverse

from yiwang.core.public_url import public_base_url
from yiwang.demo.hall import HALL_CODE
from yiwang.hall.models import Hall
from yiwang.kiosk.management.commands.kiosk_device import write_reader_config
from yiwang.kiosk.models import KioskDevice
from yiwang.kiosk.services import devices

KIOSK_NAME = "演示自助终端"


def reader_config_path() -> Path:
    return Path(settings.VAR_DIR) / "kiosk_reader.json"


def load_kiosk_demo() -> KioskDevice:
    hall = Hall.objects.get(code=HALL_CODE)
    device = KioskDevice.objects.filter(hall=hall, name=KIOSK_NAME).first()
    if device is None:
        device, _secret, _token = devices.create_device(hall=hall, name=KIOSK_NAME)
    base = public_base_url()
    write_reader_config(
        reader_config_path(),
        {"device": str(device.public_id), "secret": devices.reader_secret(device), "origin": base},
    )
    return device


def demo_kiosk_path() -> str:
    """``/kiosk/?device=<token>`` of the demo kiosk, or ``/kiosk/`` before the demo is loaded."""
    device = KioskDevice.objects.filter(name=KIOSK_NAME, hall__code=HALL_CODE).first()
    path = reverse("kiosk:home")
    return f"{path}?device={devices.token_for(device)}" if device is not None else path
