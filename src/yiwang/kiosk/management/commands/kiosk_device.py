"""Register a self-service kiosk of a hall: prints the kiosk URL and the card reader's secret."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from yiwang.core.errors import DomainError
from yiwang.hall.models import Hall
from yiwang.kiosk.models import KioskDevice
from yiwang.kiosk.services import devices


class Command(BaseCommand):
    help = "kiosk_device HALL_CODE NAME: register a kiosk; prints its URL and the reader secret."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("hall_code")
        parser.add_argument("name")
        parser.add_argument(
            "--base-url",
            default=getattr(settings, "YIWANG_PUBLIC_URL", "") or "http://127.0.0.1:8000",
            help="the platform's address as the kiosk reaches it",
        )
        parser.add_argument(
            "--reader-config",
            default="",
            help="also write device, secret and origin to this JSON file (for scripts/card_reader_sim.py)",
        )
        parser.add_argument("--revoke", action="store_true", help="revoke the kiosk of that name instead")

    def handle(self, *args: Any, **options: Any) -> None:
        hall = Hall.objects.filter(code=options["hall_code"]).first()
        if hall is None:
            raise CommandError(f"no hall with code {options['hall_code']!r}")
        try:
            if options["revoke"]:
                device = hall_device(hall, options["name"])
                devices.revoke_device(device)
                self.stdout.write(f"revoked {device.public_id} {device.name}")
                return
            device, secret, token = devices.create_device(hall=hall, name=options["name"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        url = options["base_url"].rstrip("/") + reverse("kiosk:home") + f"?device={token}"
        self.stdout.write(f"device: {device.public_id}")
        self.stdout.write(f"kiosk URL: {url}")
        self.stdout.write(f"reader secret: {secret}")
        if options["reader_config"]:
            write_reader_config(
                Path(options["reader_config"]),
                {"device": str(device.public_id), "secret": secret, "origin": _origin(options["base_url"])},
            )
            self.stdout.write(f"reader config: {options['reader_config']}")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def write_reader_config(path: Path, config: dict[str, str]) -> None:
    """The reader's configuration, readable by its owner only (it holds the secret)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(config, handle, ensure_ascii=False)


def hall_device(hall: Hall, name: str) -> KioskDevice:
    device = KioskDevice.objects.filter(hall=hall, name=name).first()
    if device is None:
        raise CommandError(f"no kiosk named {name!r} in {hall.code}")
    return device
