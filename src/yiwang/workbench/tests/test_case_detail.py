"""The staff case page: masked applicant data, form data, materials, timeline, per-role actions."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from yiwang.cases.services import accept_case, decide_case
from yiwang.core.models import AuditEvent
from yiwang.testing.fixtures import logged_in
from yiwang.testing.portal import apply_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(item, citizen):
    return apply_for(item, citizen)


def test_clerk_sees_the_case_with_masked_id_and_actions(clerk_client, case, django_assert_max_num_queries):
    # + documents and delivery, + the case's process (流程), + the access-log row
    with django_assert_max_num_queries(24):
        response = clerk_client.get(reverse("workbench:case_detail", args=[case.public_id]))
    assert response.status_code == 200
    html = response.content.decode()
    id_number = case.applicant_id_number
    assert id_number not in html
    assert "*" * 14 + id_number[-4:] in html
    assert case.applicant_phone not in html
    assert "合肥徽创科技有限公司" in html and "企业名称" in html
    for material in case.materials.all():
        assert reverse("workbench:material", args=[case.public_id, material.public_id]) in html
    assert 'class="timeline"' in html
    for action in ("accept", "refuse", "correction"):
        assert reverse(f"workbench:{action}", args=[case.public_id]) in html
    assert reverse("workbench:decide", args=[case.public_id]) not in html  # not yet accepted
    assert (
        html.count(f'name="lock_version" value="{case.lock_version}"') == 4
    )  # accept, correction, refuse, 容缺受理
    # Every checklist entry of the correction form is labelled.
    for material in case.item.materials.all():
        assert f'<label for="corr_{material.public_id}">' in html
        assert f'<label class="visually-hidden" for="id_reason_{material.public_id}">' in html


def test_viewing_personal_data_is_audited(clerk_client, clerk, case):
    clerk_client.get(reverse("workbench:case_detail", args=[case.public_id]))
    assert AuditEvent.objects.filter(
        action="case.viewed", actor=clerk, object_id=str(case.public_id)
    ).exists()


def test_approver_gets_the_decision_form_only_when_accepted(approver_client, case, clerk):
    html = approver_client.get(reverse("workbench:case_detail", args=[case.public_id])).content.decode()
    assert reverse("workbench:decide", args=[case.public_id]) not in html
    assert reverse("workbench:accept", args=[case.public_id]) not in html
    accept_case(case, actor=clerk)
    html = approver_client.get(reverse("workbench:case_detail", args=[case.public_id])).content.decode()
    assert reverse("workbench:decide", args=[case.public_id]) in html
    assert "批准" in html and "不予批准" in html


def test_other_department_cannot_see_the_case(foreign_clerk, case):
    client = logged_in(foreign_clerk)
    material = case.materials.first()
    for url in (
        reverse("workbench:case_detail", args=[case.public_id]),
        reverse("workbench:material", args=[case.public_id, material.public_id]),
        reverse("workbench:result", args=[case.public_id]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("workbench:case_detail", args=[uuid.uuid4()])).status_code == 404


def test_material_and_result_downloads(clerk_client, case, clerk, approver):
    material = case.materials.first()
    response = clerk_client.get(reverse("workbench:material", args=[case.public_id, material.public_id]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="case.material_downloaded").exists()
    assert clerk_client.get(reverse("workbench:result", args=[case.public_id])).status_code == 404
    accept_case(case, actor=clerk)
    decide_case(case, actor=approver, approve=True)
    response = clerk_client.get(reverse("workbench:result", args=[case.public_id]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert (
        clerk_client.get(reverse("workbench:material", args=[case.public_id, uuid.uuid4()])).status_code
        == 404
    )
