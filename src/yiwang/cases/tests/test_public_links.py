"""The QR code on a notice or decision points at the public address, which follows PORT (issue 16
point 3): the embedded QR image is exactly the one that encodes ``http://127.0.0.1:18800/status/…``."""

from __future__ import annotations

from io import BytesIO

import pytest
import segno
from PIL import Image, ImageChops
from pypdf import PdfReader

from yiwang.cases.models import CaseDocument, DocumentKind
from yiwang.cases.services import accept_case
from yiwang.cases.tests.factories import submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]


def _qr_image(payload: str) -> Image.Image:
    png = BytesIO()
    segno.make(payload, error="m").save(png, kind="png", scale=4, border=1)
    png.seek(0)
    return Image.open(png).convert("L")


def test_notice_qr_code_points_at_the_configured_port(settings, tmp_path, item, citizen, clerk):
    settings.MEDIA_ROOT = tmp_path
    settings.YIWANG_PUBLIC_URL = "http://127.0.0.1:18800"
    case = accept_case(submit(item, citizen), actor=clerk)
    notice = CaseDocument.objects.get(case=case, kind=DocumentKind.ACCEPTANCE_NOTICE)
    images = PdfReader(BytesIO(notice.file.read())).pages[0].images
    assert len(images) >= 1
    embedded = images[0].image.convert("L")
    expected = _qr_image(f"http://127.0.0.1:18800/status/?number={case.number}")
    assert embedded.size == expected.size
    assert ImageChops.difference(embedded, expected).getbbox() is None
    # … and not the one for the default port.
    wrong = _qr_image(f"http://127.0.0.1:8000/status/?number={case.number}")
    assert wrong.size != embedded.size or ImageChops.difference(embedded, wrong).getbbox() is not None
