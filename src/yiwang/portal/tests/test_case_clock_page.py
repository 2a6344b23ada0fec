"""The applicant's case page shows the clock (due flags, pauses, special procedures) and takes the
容缺 materials."""

from __future__ import annotations

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from yiwang.cases import variants
from yiwang.cases.services import accept_case
from yiwang.portal.tests.factories import apply_for
from yiwang.testing.fixtures import logged_in

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel("2026-09-21 10:00:00+08:00", tick=False) as traveller:
        yield traveller


def test_paused_clock_and_special_procedure_shown(item, citizen, clerk, approver):
    case = accept_case(apply_for(item, citizen), actor=clerk)
    variants.start_special_procedure(case, actor=approver, kind="hearing", reason="听证")
    html = logged_in(citizen).get(reverse("portal:case_detail", args=[case.public_id])).content.decode()
    assert "计时暂停" in html and "听证" in html and "进行中" in html


def test_due_soon_flag_shown(item, citizen, clerk, frozen):
    case = accept_case(apply_for(item, citizen), actor=clerk)
    frozen.move_to(case.due_date.isoformat() + " 10:00:00+08:00")
    html = logged_in(citizen).get(reverse("portal:case_detail", args=[case.public_id])).content.decode()
    assert "即将到期" in html


def test_gap_materials_supplied_from_the_case_page(item, citizen, clerk):
    case = apply_for(item, citizen)
    material = item.materials.first()
    variants.accept_with_gap(case, actor=clerk, items=[{"material_id": str(material.public_id)}], days=3)
    client = logged_in(citizen)
    html = client.get(reverse("portal:case_detail", args=[case.public_id])).content.decode()
    assert "容缺受理：待补齐的材料" in html and material.name in html
    response = client.post(
        reverse("portal:case_gap", args=[case.public_id]),
        {f"material_{material.public_id}": SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.gap_resolved_at is not None
    assert logged_in(citizen).post(reverse("portal:case_gap", args=[case.public_id]), {}).status_code == 409
