"""allowed_actions(user, case) and the services agree: every action it offers a user on a case, the
service accepts from that user; every action it does not offer, the service refuses.  And the
read-only API that exposes it (GET /api/v1/workbench/cases/{id}/actions) is authorised like the
other staff case endpoints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from yiwang.accounts.models import User
from yiwang.cases import variants
from yiwang.cases.actions import CaseAction, allowed_actions
from yiwang.cases.delivery import record_handover
from yiwang.cases.models import Case, CaseStatus
from yiwang.cases.services import (
    accept_case,
    decide_case,
    refuse_acceptance,
    request_correction,
    supply_correction,
    verify_material,
    withdraw_case,
)
from yiwang.cases.tests.conftest import token_client
from yiwang.cases.tests.factories import ServiceItemFactory, make_citizen, make_staff, pdf_upload, submit_case
from yiwang.catalog.models import ServiceItem
from yiwang.core.errors import DomainError
from yiwang.licences.models import TrustLevel

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]


class _RolledBack(Exception):
    """Raised to undo an attempt that succeeded."""


def _attempt(run: Callable[[], Any]) -> DomainError | None:
    """Run one service call in a savepoint that is always rolled back; the refusal, if any."""
    try:
        with transaction.atomic():
            run()
            raise _RolledBack
    except _RolledBack:
        return None
    except DomainError as exc:
        return exc


def _first_material_id(case: Case) -> str:
    return str(case.item.materials.order_by("order").first().public_id)  # type: ignore[union-attr]


def _service_call(action: CaseAction, case: Case, user: User) -> Callable[[], Any] | None:
    """The service call that performs ``action`` (None: nothing to try it on in this case)."""
    material_id = _first_material_id(case)
    if action == CaseAction.VERIFY_MATERIAL:
        material = case.materials.filter(trust_level__in=[TrustLevel.C, TrustLevel.D]).first()
        if material is None:
            return None
        return lambda: verify_material(case, material.public_id, actor=user)
    if action == CaseAction.SUPPLY_CORRECTION:
        notice = case.correction_notices.filter(resolved_at__isnull=True).first()
        wanted = [e["material_id"] for e in (notice.items if notice else []) if e.get("material_id")]
        files = {key: [pdf_upload()] for key in wanted or [material_id]}
        return lambda: supply_correction(case, applicant=user, files=files)
    if action == CaseAction.SUPPLY_GAP:
        files = {e["material_id"]: [pdf_upload()] for e in case.gap_items or []} or {
            material_id: [pdf_upload()]
        }
        return lambda: variants.supply_gap_materials(case, applicant=user, files=files)
    calls: dict[CaseAction, Callable[[], Any]] = {
        CaseAction.ACCEPT: lambda: accept_case(case, actor=user),
        CaseAction.REFUSE: lambda: refuse_acceptance(case, actor=user, reason="不属于本机关职权"),
        CaseAction.REQUEST_CORRECTION: lambda: request_correction(
            case, actor=user, items=[{"material_id": material_id, "reason": "不清晰"}]
        ),
        CaseAction.GAP_ACCEPT: lambda: variants.accept_with_gap(
            case, actor=user, items=[{"material_id": material_id, "reason": "后补"}], days=5
        ),
        CaseAction.DECIDE: lambda: decide_case(case, actor=user, approve=True, comment="同意"),
        CaseAction.APPROVE_ON_COMMITMENT: lambda: variants.approve_on_commitment(case, actor=user),
        CaseAction.VERIFY_COMMITMENT: lambda: variants.verify_commitment(case, actor=user, truthful=True),
        CaseAction.REQUEST_EXTENSION: lambda: variants.request_extension(
            case, actor=user, days=1, reason="复杂"
        ),
        CaseAction.DECIDE_EXTENSION: lambda: variants.decide_extension(case, actor=user, approve=True),
        CaseAction.START_SPECIAL: lambda: variants.start_special_procedure(
            case, actor=user, kind="hearing", reason="听证"
        ),
        CaseAction.END_SPECIAL: lambda: variants.end_special_procedure(case, actor=user, result="结束"),
        CaseAction.TERMINATE: lambda: variants.terminate_case(case, actor=user, reason="申请人死亡"),
        CaseAction.HANDOVER: lambda: record_handover(
            case, actor=user, recipient_name="张伟", recipient_signature="张伟", tracking_number="SF1001"
        ),
        CaseAction.WITHDRAW: lambda: withdraw_case(case, applicant=user),
    }
    return calls[action]


@pytest.fixture
def world(item: ServiceItem, department, other_department, citizen, other_citizen, clerk, approver):
    """Cases in every state a page can show, and the people who look at them."""
    approver2 = make_staff(department, "approver2", ("approver",))
    handler = make_staff(department, "handler", ("handler",))
    outsider = make_staff(other_department, "outsider", ("window_clerk", "handler", "approver"))
    commitment_item = ServiceItemFactory(implementing_body=department, commitment_approval=True)
    instant_item = ServiceItemFactory(implementing_body=department, case_kind="1")
    names = {}
    names["submitted"] = submit_case(item, citizen)
    names["instant"] = submit_case(instant_item, citizen)
    corrected = submit_case(item, citizen)
    request_correction(
        corrected, actor=clerk, items=[{"material_id": _first_material_id(corrected), "reason": "x"}]
    )
    names["correction_required"] = corrected
    names["accepted"] = accept_case(submit_case(item, citizen), actor=clerk)
    extended = accept_case(submit_case(item, citizen), actor=clerk)
    variants.request_extension(extended, actor=approver, days=3, reason="复杂")
    names["extension_pending"] = extended
    special = accept_case(submit_case(item, citizen), actor=clerk)
    variants.start_special_procedure(special, actor=handler, kind="hearing", reason="听证")
    names["special_open"] = special
    names["gap"] = variants.accept_with_gap(
        submit_case(item, citizen),
        actor=clerk,
        items=[{"material_id": _first_material_id(names["submitted"]), "reason": "后补"}],
    )
    names["commitment_accepted"] = accept_case(submit_case(commitment_item, citizen), actor=clerk)
    names["commitment_completed"] = variants.approve_on_commitment(
        accept_case(submit_case(commitment_item, citizen), actor=clerk), actor=approver
    )
    names["completed"] = decide_case(
        accept_case(submit_case(item, citizen), actor=clerk), actor=approver, approve=True, comment="同意"
    )
    names["completed_window"] = decide_case(
        accept_case(submit_case(item, citizen, delivery_method="window"), actor=clerk),
        actor=approver,
        approve=True,
        comment="同意",
    )
    names["not_accepted"] = refuse_acceptance(submit_case(item, citizen), actor=clerk, reason="不属于本机关")
    names["withdrawn"] = withdraw_case(submit_case(item, citizen), applicant=citizen)
    names = {name: Case.objects.get(pk=case.pk) for name, case in names.items()}
    users = {
        "clerk": clerk,
        "approver": approver,
        "approver2": approver2,
        "handler": handler,
        "outsider": outsider,
        "citizen": citizen,
        "other_citizen": other_citizen,
    }
    return names, users


def test_allowed_actions_agree_with_the_services(world):
    names, users = world
    disagreements = []
    offered_somewhere: set[CaseAction] = set()
    for case_name, stored in names.items():
        for user_name, user in users.items():
            fresh_user = User.objects.get(pk=user.pk)
            allowed = allowed_actions(fresh_user, Case.objects.get(pk=stored.pk))
            offered_somewhere |= allowed
            for action in CaseAction:
                case = Case.objects.select_related("item", "handling_organisation").get(pk=stored.pk)
                call = _service_call(action, case, fresh_user)
                if call is None:
                    continue
                refusal = _attempt(call)
                if (action in allowed) != (refusal is None):
                    disagreements.append(
                        (case_name, user_name, str(action), action in allowed, refusal and refusal.code)
                    )
    assert disagreements == []
    assert offered_somewhere == set(CaseAction)  # every action is exercised by at least one pair


def test_expected_offers(world):
    names, users = world
    assert allowed_actions(users["clerk"], names["submitted"]) == {
        CaseAction.ACCEPT,
        CaseAction.REFUSE,
        CaseAction.REQUEST_CORRECTION,
        CaseAction.GAP_ACCEPT,
        CaseAction.VERIFY_MATERIAL,
    }
    assert CaseAction.GAP_ACCEPT not in allowed_actions(users["clerk"], names["instant"])
    assert allowed_actions(users["citizen"], names["correction_required"]) == {
        CaseAction.WITHDRAW,
        CaseAction.SUPPLY_CORRECTION,
    }
    # the requester of an extension does not approve it; another approver does
    assert CaseAction.DECIDE_EXTENSION not in allowed_actions(users["approver"], names["extension_pending"])
    assert CaseAction.DECIDE_EXTENSION in allowed_actions(users["approver2"], names["extension_pending"])
    # no decision while 容缺 material is missing or a 特别程序 runs
    assert CaseAction.DECIDE not in allowed_actions(users["approver"], names["gap"])
    assert CaseAction.DECIDE not in allowed_actions(users["approver"], names["special_open"])
    assert allowed_actions(users["outsider"], names["accepted"]) == frozenset()
    assert allowed_actions(users["other_citizen"], names["submitted"]) == frozenset()
    assert names["commitment_completed"].status == CaseStatus.COMPLETED


# --- GET /api/v1/workbench/cases/{id}/actions -----------------------------------------------------
def _url(case: Case) -> str:
    return f"/api/v1/workbench/cases/{case.public_id}/actions"


def test_actions_api_anonymous_is_401(client, item, citizen):
    case = submit_case(item, citizen)
    response = client.get(_url(case))
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_actions_api_applicant_is_403(item, citizen):
    case = submit_case(item, citizen)
    response = token_client(citizen).get(_url(case))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_actions_api_clerk_of_another_department_is_404(item, citizen, foreign_clerk):
    case = submit_case(item, citizen)
    response = token_client(foreign_clerk).get(_url(case))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_actions_api_answers_the_right_clerk(item, citizen, clerk, approver):
    case = submit_case(item, citizen)
    response = token_client(clerk).get(_url(case))
    assert response.status_code == 200
    assert response.json() == {
        "actions": sorted(["accept", "refuse", "request_correction", "gap_accept", "verify_material"])
    }
    assert token_client(approver).get(_url(case)).json() == {"actions": ["terminate", "verify_material"]}


def test_actions_api_unknown_case_is_404(clerk):
    response = token_client(clerk).get("/api/v1/workbench/cases/00000000-0000-0000-0000-000000000000/actions")
    assert response.status_code == 404


def test_a_new_citizen_sees_no_staff_actions(item):
    applicant = make_citizen("citizen_new")
    case = submit_case(item, applicant)
    assert allowed_actions(applicant, case) == {CaseAction.WITHDRAW}
