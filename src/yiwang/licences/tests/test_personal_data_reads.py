"""Staff look-up and use of e-licences (一证通办): holders' names masked on the look-up page, and
every look-up and use recorded in the holder's 个人信息查阅记录 (#19)."""

from __future__ import annotations

import pytest

from yiwang.core.masking import mask_name
from yiwang.core.models import PersonalDataAccess
from yiwang.licences.tests import factories
from yiwang.testing.clients import token_client
from yiwang.testing.fixtures import logged_in

pytestmark = pytest.mark.django_db


def test_lookup_masks_the_holder_and_records_the_read(licence, citizen, issuer):
    clerk = factories.make_staff(issuer, "lookup_clerk", ("window_clerk",))
    response = logged_in(clerk).get("/licences/staff/lookup/", {"holder_code": licence.holder_code})
    html = response.content.decode()
    assert response.status_code == 200
    assert licence.holder_name not in html and mask_name(licence.holder_name) in html
    access = PersonalDataAccess.objects.get()
    assert (access.subject_id, access.actor_id, access.object_type) == (citizen.pk, clerk.pk, "licence")
    assert access.unmasked is False and access.fields == ["name"]


def test_use_is_an_unmasked_read_with_its_purpose(licence, citizen, issuer):
    clerk = factories.make_staff(issuer, "use_clerk", ("window_clerk",))
    response = logged_in(clerk).post(
        f"/licences/staff/{licence.public_id}/use/", {"purpose": "办理开户", "legal_basis": "《条例》第十条"}
    )
    assert response.status_code == 200, response.content.decode()[:500]
    access = PersonalDataAccess.objects.get()
    assert access.unmasked and access.purpose == "办理开户" and access.subject_id == citizen.pk


def test_api_lookup_and_use_mask_and_record(licence, citizen, issuer):
    clerk = factories.make_staff(issuer, "api_clerk", ("window_clerk",))
    client = token_client(clerk)
    found = client.get("/api/v1/licences/lookup", {"holder_code": licence.holder_code}).json()
    assert [row["holder_name"] for row in found] == [mask_name(licence.holder_name)]
    used = client.post(
        f"/api/v1/licences/{licence.public_id}/use",
        {"purpose": "办理开户", "legal_basis": "《条例》第十条"},
        content_type="application/json",
    )
    assert used.status_code == 200, used.content
    rows = list(PersonalDataAccess.objects.filter(subject=citizen).order_by("id"))
    assert [(r.unmasked, r.channel, r.purpose) for r in rows] == [
        (False, "api", ""),
        (True, "api", "办理开户"),
    ]
