"""Create, list or revoke the display keys of the hall's screens (大屏显示密钥)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from yiwang.core.errors import DomainError
from yiwang.metrics import screen
from yiwang.metrics.models import DisplayKey


class Command(BaseCommand):
    help = "create NAME: print the /screen/ URL of a new display key; list; revoke PUBLIC_ID."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "list", "revoke"])
        parser.add_argument("value", nargs="?", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        action, value = options["action"], options["value"]
        try:
            if action == "create":
                key, token = screen.create_key(value)
                self.stdout.write(f"{key.public_id} {reverse('screen:index')}?key={token}")
            elif action == "revoke":
                key = screen.revoke_key(UUID(value))
                self.stdout.write(f"revoked {key.public_id} {key.name}")
            else:
                for key in DisplayKey.objects.all():
                    state = "revoked" if key.revoked_at else "active"
                    self.stdout.write(f"{key.public_id} {state} {key.name}")
        except (DomainError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
