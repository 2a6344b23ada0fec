"""Render and store the guide documents of published items (ADR 0014).

    yiwang render_guides                 every published item whose document is missing or stale
    yiwang render_guides --ids FILE      only these items (public ids, one per line)

A visit renders a missing document too; this command does it ahead of the visitors, after an upgrade
or a bulk import (docs/operations.md).  Safe to run again: current documents are skipped.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from yiwang.catalog import guide_documents
from yiwang.core.errors import DomainError
from yiwang.portal.views.catalog import guide_stamp, render_guide_body


class Command(BaseCommand):
    help = "Render and store the guide documents of published items (missing or stale ones)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--ids", type=Path, help="a file of item public ids, one per line")
        parser.add_argument("--language", action="append", help="only this language (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        languages = options["language"] or [code for code, _ in settings.LANGUAGES]
        ids = (
            [line.strip() for line in options["ids"].read_text().splitlines() if line.strip()]
            if options["ids"]
            else None
        )
        started = time.monotonic()
        rendered = 0
        for language in languages:
            with translation.override(language):
                targets = (
                    ids if ids is not None else list(guide_documents.missing_guides(language, guide_stamp))
                )
                for public_id in targets:
                    try:
                        stored = guide_documents.stored_guide(public_id, language)
                    except DomainError:
                        continue  # not published (any more)
                    stamp = guide_stamp(stored.version, stored.updated_at)
                    if stored.current(stamp):
                        continue
                    title, html = render_guide_body(public_id, {})
                    guide_documents.store_guide(stored.pk, language, stamp, title, html)
                    rendered += 1
        self.stdout.write(f"rendered {rendered} guide documents in {time.monotonic() - started:.1f} s")
