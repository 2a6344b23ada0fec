"""``yiwang hall_appointments_scan``: reminders due, no-shows, expired blocks (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yiwang.hall.services import appointments, blocks


class Command(BaseCommand):
    help = "发送到期的预约提醒、标记失约并按规则限制网上预约、结束到期的限制（可重复执行）"

    def handle(self, *args: Any, **options: Any) -> None:
        reminded = appointments.send_reminders()
        no_shows = appointments.mark_no_shows()
        expired = blocks.expire_blocks()
        self.stdout.write(
            f"hall appointments: {reminded} reminded, {no_shows} no-shows, {expired} blocks expired"
        )
