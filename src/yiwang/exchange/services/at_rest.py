"""Encrypting archives stored before encryption at rest (存量交换包加密): the migration path.

New archives are written encrypted (``yiwang.exchange.storage``); older plain ones are still read as
they are (lazy), and :func:`encrypt_legacy_archives` (``manage.py exchange_encrypt_archives``) rewrites
them encrypted, one row at a time under its lock, so it can run while the platform runs and again
after an interruption."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from yiwang.core import audit
from yiwang.exchange.models import IncomingPackage, OutgoingPackage
from yiwang.exchange.storage import encrypt_stored_archive


def encrypt_legacy_archives(*, actor: Any = None) -> int:
    """Rewrite every plain stored archive encrypted; returns how many were rewritten."""
    rewritten = 0
    for model in (OutgoingPackage, IncomingPackage):
        ids = list(model.objects.exclude(archive="").order_by("pk").values_list("pk", flat=True))
        for pk in ids:
            with transaction.atomic():
                package = model.objects.select_for_update().get(pk=pk)  # type: ignore[attr-defined]
                if not package.archive or not package.archive.storage.exists(package.archive.name or ""):
                    continue
                if encrypt_stored_archive(package.archive, str(package.public_id), package.size):
                    rewritten += 1
    if rewritten:
        audit.record(
            "exchange.archives_encrypted",
            actor=actor,
            object_type="exchange.Archive",
            object_id="legacy",
            detail={"rewritten": rewritten},
        )
    return rewritten
