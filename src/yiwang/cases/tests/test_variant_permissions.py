"""No one outside the role and data scope acts on a case variant; stale forms and illegal
transitions get a 409 with the cases error codes."""

from __future__ import annotations

import pytest

from yiwang.cases.services import accept_case
from yiwang.cases.tests.conftest import token_client
from yiwang.cases.tests.factories import make_staff, submit_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]

STAFF_ACTIONS = [
    ("extension", {"days": 5, "reason": "理由"}),
    ("extension/decide", {"approve": True}),
    ("special-procedures", {"kind": "hearing", "reason": "听证"}),
    ("special-procedures/end", {"result": "结束"}),
    ("terminate", {"reason": "理由"}),
    ("approve-on-commitment", {}),
    ("verify-commitment", {"truthful": True}),
]


@pytest.mark.parametrize(("action", "payload"), STAFF_ACTIONS)
def test_other_department_cannot_act(item, citizen, clerk, other_department, action, payload):
    case = accept_case(submit_case(item, citizen), actor=clerk)
    outsider = make_staff(other_department, "outsider", ("handler", "approver"))
    response = token_client(outsider).post(
        f"/api/v1/workbench/cases/{case.public_id}/{action}", payload, content_type="application/json"
    )
    assert response.status_code == 404  # not even its existence is disclosed


@pytest.mark.parametrize(("action", "payload"), STAFF_ACTIONS)
def test_applicant_cannot_use_staff_actions(item, citizen, clerk, action, payload):
    case = accept_case(submit_case(item, citizen), actor=clerk)
    response = token_client(citizen).post(
        f"/api/v1/workbench/cases/{case.public_id}/{action}", payload, content_type="application/json"
    )
    assert response.status_code == 403


def test_clerk_lacks_handling_roles(item, citizen, clerk):
    case = accept_case(submit_case(item, citizen), actor=clerk)
    for action, payload in STAFF_ACTIONS[:3]:
        response = token_client(clerk).post(
            f"/api/v1/workbench/cases/{case.public_id}/{action}", payload, content_type="application/json"
        )
        assert response.status_code == 403, action
        assert response.json()["code"] == "role_required"


def test_gap_acceptance_needs_window_clerk(item, citizen, approver):
    case = submit_case(item, citizen)
    material = item.materials.first()
    response = token_client(approver).post(
        f"/api/v1/workbench/cases/{case.public_id}/accept-with-gap",
        {"items": [{"material_id": str(material.public_id)}]},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_illegal_transitions_are_409(item, citizen, clerk, approver):
    case = submit_case(item, citizen)  # not accepted yet
    client = token_client(approver)
    for action, payload in STAFF_ACTIONS[:4]:
        response = client.post(
            f"/api/v1/workbench/cases/{case.public_id}/{action}", payload, content_type="application/json"
        )
        assert response.status_code == 409, action
        assert response.json()["code"] == "invalid_transition"
    gap = token_client(clerk).post(
        f"/api/v1/cases/{case.public_id}/gap-materials", {}, content_type="application/json"
    )
    assert gap.status_code in (404, 409)


def test_stale_version_is_409(item, citizen, clerk, approver):
    case = accept_case(submit_case(item, citizen), actor=clerk)
    response = token_client(approver).post(
        f"/api/v1/workbench/cases/{case.public_id}/special-procedures",
        {"kind": "hearing", "reason": "听证", "lock_version": case.lock_version - 1},
        content_type="application/json",
    )
    assert response.status_code == 409 and response.json()["code"] == "stale_case"
    assert not case.special_procedures.exists()


def test_verifications_list_is_staff_only(
    department, calendar, citizen, clerk, approver, django_assert_max_num_queries
):
    from yiwang.cases.tests.factories import ServiceItemFactory
    from yiwang.cases.variants import approve_on_commitment

    item = ServiceItemFactory(implementing_body=department, commitment_approval=True)
    for _ in range(3):
        approve_on_commitment(accept_case(submit_case(item, citizen), actor=clerk), actor=approver)
    assert token_client(citizen).get("/api/v1/workbench/verifications").status_code == 403
    client = token_client(approver)
    with django_assert_max_num_queries(16):  # constant: no query per row
        assert client.get("/api/v1/workbench/verifications").json()["count"] == 3
