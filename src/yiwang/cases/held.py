"""暂存材料 Uploads kept across a refused application form.

A form page (single item or 一件事) carries a random draft key.  On submit every file chosen is
checked (:func:`yiwang.cases.uploads.check_upload`) and held for (applicant, draft key, material
slot), replacing what that slot held; the application is then filed from the held files.  If the
service refuses it (a missing field, a wrong value), the page shows each held file as already
uploaded, with a way to replace it (choose another file) or remove it, and the next submit uses
it without a new upload.  Filing discards the draft's files.  Nothing is held longer than
``YIWANG_HELD_UPLOAD_HOURS`` (default 24): :func:`clear_expired` removes older rows and their files
(a little of it on every hold, all of it from ``yiwang clear_held_uploads``, run hourly).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.cases.models import HeldUpload
from yiwang.cases.uploads import check_upload
from yiwang.core.errors import DomainError

DRAFT_RE = re.compile(r"^[0-9a-f]{32}$")
REMOVE_FIELD = "held_remove"


def hold_hours() -> int:
    return int(getattr(settings, "YIWANG_HELD_UPLOAD_HOURS", 24))


def draft_key(value: str | None) -> str:
    """The draft key of a form's key (its idempotency key): the key itself when it is 32 hex
    digits, else a digest of it; a new key when there is none."""
    value = (value or "").strip()[:100]
    if DRAFT_RE.match(value):
        return value
    return hashlib.sha256(value.encode()).hexdigest()[:32] if value else uuid.uuid4().hex


def held(owner: User, draft: str) -> dict[str, list[HeldUpload]]:
    """What the draft holds, by slot (only unexpired files)."""
    if not getattr(owner, "pk", None) or not DRAFT_RE.match(draft or ""):
        return {}
    slots: dict[str, list[HeldUpload]] = {}
    rows = HeldUpload.objects.filter(owner=owner, draft=draft, expires_at__gt=timezone.now())
    for row in rows:
        slots.setdefault(row.slot, []).append(row)
    return slots


def _delete(rows: Iterable[HeldUpload]) -> int:
    count = 0
    for row in list(rows):
        name, storage = row.file.name, row.file.storage
        row.delete()
        if name:
            transaction.on_commit(partial(storage.delete, name))
        count += 1
    return count


def release(owner: User, draft: str, slots: Iterable[str]) -> int:
    """Drop the files held in ``slots`` (the applicant removed them)."""
    wanted = [str(slot)[:200] for slot in slots][:100]
    if not wanted or not DRAFT_RE.match(draft or ""):
        return 0
    return _delete(HeldUpload.objects.filter(owner=owner, draft=draft, slot__in=wanted))


def discard(owner: User, draft: str) -> int:
    """Drop everything the draft holds (the application was filed)."""
    if not DRAFT_RE.match(draft or ""):
        return 0
    return _delete(HeldUpload.objects.filter(owner=owner, draft=draft))


def hold(owner: User, draft: str, slot: str, uploads: Sequence[UploadedFile]) -> list[HeldUpload] | None:
    """Hold ``uploads`` for the slot, replacing what it held.  ``None`` when a file fails the upload
    checks: nothing is held for the slot then, and the service reports the file."""
    try:
        checked = [check_upload(upload, slot) for upload in uploads]
    except DomainError:
        release(owner, draft, [slot])
        return None
    clear_expired(limit=20)
    expires = timezone.now() + timedelta(hours=hold_hours())
    release(owner, draft, [slot])
    rows = []
    for item in checked:
        row = HeldUpload(
            owner=owner,
            draft=draft,
            slot=slot[:200],
            original_name=item.original_name,
            content_type=item.content_type,
            size=item.size,
            sha256=item.sha256,
            expires_at=expires,
        )
        item.upload.seek(0)
        row.file.save(item.storage_name, ContentFile(item.upload.read()), save=False)
        item.upload.seek(0)
        row.save()
        rows.append(row)
    return rows


def as_uploads(rows: Sequence[HeldUpload]) -> list[UploadedFile]:
    """The held files as uploads the application services take."""
    uploads: list[UploadedFile] = []
    for row in rows:
        with row.file.open("rb") as handle:
            data = handle.read()
        uploads.append(SimpleUploadedFile(row.original_name, data, row.content_type))
    return uploads


def collect(
    owner: User, draft: str, chosen: Mapping[str, Sequence[UploadedFile]], removed: Iterable[str] = ()
) -> tuple[dict[str, list[UploadedFile]], dict[str, list[HeldUpload]]]:
    """One submit: drop the removed slots, hold the newly chosen files (each replaces its slot) and
    return ``(files to file the application with, by slot; what is held now, by slot)``.  A slot
    whose new file fails the checks passes that file on, so the service names the problem."""
    release(owner, draft, removed)
    files: dict[str, list[UploadedFile]] = {}
    for slot, uploads in chosen.items():
        if uploads and hold(owner, draft, slot, uploads) is None:
            files[slot] = list(uploads)
    now_held = held(owner, draft)
    for slot, rows in now_held.items():
        files.setdefault(slot, as_uploads(rows))
    return files, now_held


def clear_expired(*, now: datetime | None = None, limit: int | None = None) -> int:
    """Remove held files past their time (``limit``: at most that many, oldest first)."""
    rows = HeldUpload.objects.filter(expires_at__lte=now or timezone.now()).order_by("expires_at")
    return _delete(rows[:limit] if limit else rows)
