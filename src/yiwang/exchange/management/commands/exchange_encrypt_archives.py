"""Encrypt the exchange archives stored before encryption at rest (run once after upgrading)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yiwang.exchange.services.at_rest import encrypt_legacy_archives


class Command(BaseCommand):
    help = "Rewrite plain exchange package archives encrypted with SM4-GCM (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        rewritten = encrypt_legacy_archives()
        self.stdout.write(f"exchange: {rewritten} archive(s) encrypted")
