"""Factories for the space tests: stored materials (材料库) and a frozen clock."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from django.core.files.base import ContentFile

from yiwang.accounts.models import User
from yiwang.catalog.models import Material
from yiwang.licences.models import TrustLevel
from yiwang.space.models import MaterialEntrySource, StoredMaterial
from yiwang.testing.cases import PDF_BYTES
from yiwang.testing.clients import SHANGHAI

# A Monday in a year the calendar covers.
NOW = datetime(2026, 9, 21, 10, 0, tzinfo=SHANGHAI)


def stored_material(
    owner: User,
    name: str = "营业执照",
    *,
    material: Material | None = None,
    source: str = MaterialEntrySource.UPLOADED,
    trust_level: str = TrustLevel.C,
    valid_until: date | None = None,
    content: bytes = PDF_BYTES,
) -> StoredMaterial:
    """An entry of ``owner``'s store with a real stored file (as an upload to the store would make)."""
    entry = StoredMaterial(
        owner=owner,
        name=name,
        material=material,
        licence_type_code=material.licence_type_code if material else "",
        source=source,
        trust_level=trust_level,
        valid_until=valid_until,
        original_name=f"{name}.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=owner,
    )
    entry.file.save("stored.pdf", ContentFile(content), save=False)
    entry.save()
    return entry
