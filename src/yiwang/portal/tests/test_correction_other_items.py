"""补正其他事项: a correction notice may list an item that is not a material of the guide (其他); the
applicant can upload a file for it — before, the page offered no upload and the service asked for
"at least one file", so the applicant could not answer the notice at all."""

from __future__ import annotations

import pytest
from django.urls import reverse

from yiwang.cases.models import CaseMaterial, CaseStatus
from yiwang.cases.services import request_correction
from yiwang.portal.tests.factories import apply_for, pdf_upload
from yiwang.testing.fixtures import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_only_case(item, citizen, clerk):
    case = apply_for(item, citizen)
    request_correction(
        case, actor=clerk, items=[{"material_id": "", "name": "用途证明材料", "reason": "请补充用途说明"}]
    )
    case.refresh_from_db()
    return case


def test_the_page_offers_an_upload_for_an_other_item(other_only_case, citizen):
    html = logged_in(citizen).get(reverse("portal:case_detail", args=[other_only_case.public_id])).content
    assert b'name="material_other_0"' in html


def test_the_applicant_answers_with_a_file_for_the_other_item(other_only_case, citizen):
    url = reverse("portal:case_correction", args=[other_only_case.public_id])
    response = logged_in(citizen).post(
        url, {"material_other_0": pdf_upload("用途证明.pdf"), "comment": "已补充"}
    )
    assert response.status_code == 302
    other_only_case.refresh_from_db()
    assert other_only_case.status == CaseStatus.SUBMITTED
    stored = CaseMaterial.objects.get(case=other_only_case, material__isnull=True)
    assert stored.material_name == "用途证明材料" and stored.correction_round == 1


def test_a_file_for_an_item_the_notice_does_not_list_is_refused(other_only_case, citizen):
    url = reverse("portal:case_correction", args=[other_only_case.public_id])
    response = logged_in(citizen).post(url, {"material_other_3": pdf_upload("x.pdf")})
    assert response.status_code == 400
    other_only_case.refresh_from_db()
    assert other_only_case.status == CaseStatus.CORRECTION_REQUIRED
