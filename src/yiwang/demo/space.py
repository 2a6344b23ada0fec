"""演示材料库 A few materials in the demo citizen's 材料库, so that the apply page of 临时居民身份证办理
offers "使用材料库中已有的材料" for 居民户口簿 (docs/space.md).  Idempotent: an entry of the same name is
not uploaded twice."""

from __future__ import annotations

import io
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from yiwang.accounts.models import User
from yiwang.catalog.models import Material
from yiwang.space.models import StoredMaterial
from yiwang.space.services import upload_material

#: (name, catalogue material name, valid until)
DEMO_MATERIALS: tuple[tuple[str, str, date | None], ...] = (
    ("居民户口簿", "居民户口簿", None),
    ("居民身份证复印件", "", date(2036, 12, 31)),
    ("学历证书", "", None),
)


def _pdf(title: str) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setTitle(title)
    page.drawString(72, 770, "Yiwang demo material")
    page.save()
    return buffer.getvalue()


def load_space_demo() -> int:
    """Upload the demo citizen's materials that are not there yet; returns how many were added."""
    citizen = User.objects.filter(username="citizen").first()
    if citizen is None:
        return 0
    added = 0
    for name, material_name, valid_until in DEMO_MATERIALS:
        if StoredMaterial.objects.filter(owner=citizen, name=name, deleted_at__isnull=True).exists():
            continue
        material = (
            Material.objects.filter(name=material_name, item__revision_of__isnull=True).order_by("pk").first()
            if material_name
            else None
        )
        upload = SimpleUploadedFile(f"{name}.pdf", _pdf(name), content_type="application/pdf")
        upload_material(
            owner=citizen,
            actor=citizen,
            name=name,
            upload=upload,
            material_id=material.public_id if material is not None else None,
            valid_until=valid_until,
        )
        added += 1
    return added
