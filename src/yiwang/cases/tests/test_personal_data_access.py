"""Staff reads of an applicant's personal data: masked by default, unmasked only with the permission
and a purpose (audited), and every read recorded in the access log the applicant sees (#19)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from yiwang.accounts.models import User
from yiwang.cases.models import Case
from yiwang.cases.tests.factories import submit_case
from yiwang.core.masking import mask_name
from yiwang.core.models import AuditEvent, PersonalDataAccess
from yiwang.testing.clients import token_client
from yiwang.testing.fixtures import logged_in

pytestmark = pytest.mark.django_db

ID = "34010419900101123X"
PHONE = "13912345678"


@pytest.fixture
def case(item, citizen) -> Case:
    case = submit_case(item, citizen)
    Case.objects.filter(pk=case.pk).update(
        form_data={"shop_name": "小店", "contact_phone": PHONE, "note": f"经营者身份证 {ID}"}
    )
    case.refresh_from_db()
    return case


def url(case: Case, query: str = "") -> str:
    return f"/api/v1/workbench/cases/{case.public_id}{query}"


def grant_unmask(user: User) -> User:
    user.user_permissions.add(Permission.objects.get(codename="view_personal_data_unmasked"))
    return User.objects.get(pk=user.pk)


def test_staff_detail_is_masked_and_recorded(case, clerk):
    response = token_client(clerk).get(url(case))
    assert response.status_code == 200
    body = response.json()
    text = response.content.decode()
    assert body["applicant_name"] == mask_name(case.applicant_name) != case.applicant_name
    assert PHONE not in text and ID not in text and case.applicant_id_number not in text
    assert body["form_data"]["contact_phone"] == "139****5678"
    assert body["form_data"]["shop_name"] == "小店"
    access = PersonalDataAccess.objects.get()
    assert (access.subject_id, access.actor_id, access.unmasked) == (case.applicant_id, clerk.pk, False)
    assert access.object_label == case.number and access.object_id == str(case.public_id)
    assert access.channel == "api" and access.purpose == ""
    assert access.organisation_id == clerk.staff_profile.organisation_id and access.actor_role


def test_every_read_is_a_row_even_when_served_from_the_snapshot(case, clerk):
    client = token_client(clerk)
    for _ in range(3):
        assert client.get(url(case)).status_code == 200
    assert PersonalDataAccess.objects.filter(subject=case.applicant).count() == 3


def test_unmask_needs_the_permission(case, clerk):
    response = token_client(clerk).get(url(case, "?unmask=true&purpose=核对身份"))
    assert response.status_code == 403
    assert PHONE not in response.content.decode()
    assert AuditEvent.objects.filter(action="personal_data.unmask_refused", actor=clerk).exists()
    assert not PersonalDataAccess.objects.exists()


def test_unmask_needs_a_purpose(case, clerk):
    response = token_client(grant_unmask(clerk)).get(url(case, "?unmask=true"))
    assert response.status_code == 400
    assert response.json()["fields"] == {"purpose": ["请填写查看事由"]}


def test_permitted_unmask_shows_everything_and_is_logged_twice(case, clerk):
    response = token_client(grant_unmask(clerk)).get(url(case, "?unmask=true&purpose=核对身份"))
    assert response.status_code == 200
    body = response.json()
    assert body["applicant_name"] == case.applicant_name
    assert body["form_data"]["contact_phone"] == PHONE
    access = PersonalDataAccess.objects.get()
    assert access.unmasked and access.purpose == "核对身份"
    event = AuditEvent.objects.get(action="personal_data.unmasked")
    assert event.actor_id == clerk.pk and event.object_id == str(case.public_id)
    assert event.detail["purpose"] == "核对身份"


def test_other_department_reads_nothing_and_leaves_no_row(case, foreign_clerk):
    assert token_client(foreign_clerk).get(url(case)).status_code == 404
    assert not PersonalDataAccess.objects.exists()


def test_action_answers_are_masked(case, clerk):
    response = token_client(clerk).post(
        url(case, "/accept"), {"lock_version": case.lock_version}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert PHONE not in response.content.decode()
    assert response.json()["applicant_name"] == mask_name(case.applicant_name)


def test_the_applicant_sees_his_own_data_in_full_and_is_not_logged(case, citizen):
    response = token_client(citizen).get(f"/api/v1/cases/{case.public_id}")
    assert response.status_code == 200
    assert response.json()["form_data"]["contact_phone"] == PHONE
    assert response.json()["applicant_name"] == case.applicant_name
    assert not PersonalDataAccess.objects.exists()


# --- the workbench case page ---------------------------------------------------------------------
def page(case: Case, query: str = "") -> str:
    return reverse("workbench:case_detail", args=[case.public_id]) + query


def test_case_page_is_masked_and_offers_unmasking(case, clerk):
    html = logged_in(clerk).get(page(case)).content.decode()
    assert PHONE not in html and ID not in html and case.applicant_phone not in html
    assert f'<dd id="applicant-name">{mask_name(case.applicant_name)}</dd>' in html
    assert 'name="unmask"' in html and 'name="purpose"' in html
    access = PersonalDataAccess.objects.get()
    assert access.channel == "window" and not access.unmasked and access.subject_id == case.applicant_id


def test_case_page_unmask_refused_without_permission(case, clerk):
    response = logged_in(clerk).get(page(case, "?unmask=1&purpose=核对"))
    assert response.status_code == 403
    assert case.applicant_id_number not in response.content.decode()
    assert not PersonalDataAccess.objects.exists()


def test_case_page_unmask_with_permission(case, clerk):
    response = logged_in(grant_unmask(clerk)).get(page(case, "?unmask=1&purpose=窗口核对原件"))
    html = response.content.decode()
    assert response.status_code == 200
    assert case.applicant_id_number in html and PHONE in html
    assert 'id="unmasked-note"' in html
    access = PersonalDataAccess.objects.get()
    assert access.unmasked and access.purpose == "窗口核对原件"
    assert AuditEvent.objects.filter(action="personal_data.unmasked", actor=clerk).exists()
