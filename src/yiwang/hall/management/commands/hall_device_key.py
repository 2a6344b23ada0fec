"""``yiwang hall_device_key <hall_code> <window_number>``: issue a new key for the window's rating
device (评价器; the old key stops working) and print the device's address to configure it with."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from yiwang.core.public_url import public_url
from yiwang.hall.models import Window
from yiwang.hall.services.windows import issue_device_key


class Command(BaseCommand):
    help = "为窗口评价器签发新密钥（旧密钥随即失效），并输出评价器页面地址"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("hall_code", help="大厅编码，如 hefei")
        parser.add_argument("window_number", help="窗口号，如 01")

    def handle(self, *args: Any, **options: Any) -> None:
        window = (
            Window.objects.select_related("hall")
            .filter(hall__code=options["hall_code"], number=options["window_number"])
            .first()
        )
        if window is None:
            raise CommandError(f"没有该窗口：{options['hall_code']} {options['window_number']}")
        key = issue_device_key(window=window)
        path = reverse("hall_devices:rate", kwargs={"window_id": window.public_id})
        self.stdout.write(f"{window.hall.name} {window.number} {window.name}")
        self.stdout.write(public_url(f"{path}?{urlencode({'key': key})}"))
