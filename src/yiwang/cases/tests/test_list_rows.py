"""The hot read paths render rows straight from column values (no model instances, no second
validation pass).  These tests hold them to the schema: the body validates against the declared
response model and equals what the model-instance path renders, including the side tables the
detail view only reads when the timeline shows they have rows."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from ninja.responses import NinjaJSONEncoder

from yiwang.accounts.models import User
from yiwang.cases import variants
from yiwang.cases.models import Case, CaseDetailSnapshot, CorrectionNotice
from yiwang.cases.reads import detail, summary
from yiwang.cases.schemas import CaseDetailOut, CasePageOut
from yiwang.cases.services import accept_case, request_correction, staff_todo
from yiwang.cases.tests.conftest import token_client
from yiwang.cases.tests.factories import make_staff, submit_case
from yiwang.catalog.models import ServiceItem
from yiwang.core.models import Organisation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]


def rendered(value: Any) -> Any:
    """What django-ninja puts on the wire for ``value`` (its own encoder), parsed back."""
    return json.loads(json.dumps(value, cls=NinjaJSONEncoder))


@pytest.fixture
def handler(department: Organisation) -> User:
    return make_staff(department, "handler", ("handler", "approver"))


def test_todo_rows_equal_the_model_rendering(item: ServiceItem, citizen: User, clerk: User) -> None:
    cases = [submit_case(item, citizen) for _ in range(3)]
    body = token_client(clerk).get("/api/v1/workbench/todo").json()
    CasePageOut.model_validate(body)
    expected = [summary(case).model_dump() for case in staff_todo(clerk)]
    assert body == rendered({"items": expected, "count": 3})
    assert [row["id"] for row in body["items"]] == [str(c.public_id) for c in cases]
    assert body["items"][0]["status_label"] == "待受理" and body["items"][0]["working_days_left"] is None


def test_accepted_rows_carry_the_clock(item: ServiceItem, citizen: User, clerk: User, handler: User) -> None:
    accept_case(submit_case(item, citizen), actor=clerk)
    body = token_client(handler).get("/api/v1/workbench/todo").json()
    (row,) = body["items"]
    case = Case.objects.get(public_id=row["id"])
    assert rendered(summary(case).model_dump()) == row
    assert row["due_date"] == case.due_date.isoformat() and isinstance(row["working_days_left"], int)


def test_my_cases_page_equals_the_model_rendering(item: ServiceItem, citizen: User) -> None:
    submit_case(item, citizen)
    body = token_client(citizen).get("/api/v1/cases").json()
    CasePageOut.model_validate(body)
    case = Case.objects.get(applicant=citizen)
    assert body == rendered({"items": [summary(case).model_dump()], "count": 1})


def test_detail_of_a_plain_case_skips_the_empty_side_tables(item: ServiceItem, citizen: User) -> None:
    case = submit_case(item, citizen)
    client = token_client(citizen)
    client.get(f"/api/v1/cases/{case.public_id}")  # the token's first use is recorded once
    CaseDetailSnapshot.objects.all().delete()  # rendered afresh (test_detail_snapshots.py: the rest)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/api/v1/cases/{case.public_id}")
    rendering = [
        q["sql"]
        for q in captured.captured_queries
        if "cases_casedetailsnapshot" not in q["sql"]
        and not q["sql"].startswith(("SAVEPOINT", "RELEASE", "SET"))
    ]
    # token + user, case with item, body and delivery, events, materials, documents
    assert len(rendering) <= 5, rendering
    body = response.json()
    CaseDetailOut.model_validate(body)
    assert body == rendered(detail(Case.objects.get(pk=case.pk)).model_dump())
    assert body["correction_notice"] is None and body["extensions"] == [] and body["special_procedures"] == []
    assert body["delivery"]["method"] == case.delivery_method


def test_detail_shows_the_notice_the_timeline_announces(
    item: ServiceItem, citizen: User, clerk: User
) -> None:
    case = submit_case(item, citizen)
    request_correction(case, actor=clerk, items=[{"name": "营业执照", "reason": "模糊"}])
    body = token_client(citizen).get(f"/api/v1/cases/{case.public_id}").json()
    notice = CorrectionNotice.objects.get(case=case)
    assert body["correction_notice"]["round"] == notice.round == 1
    assert body["correction_notice"]["items"][0]["name"] == "营业执照"
    assert body == rendered(detail(Case.objects.get(pk=case.pk)).model_dump())


def test_detail_shows_extensions_and_special_procedures(
    item: ServiceItem, citizen: User, clerk: User, handler: User
) -> None:
    case = accept_case(submit_case(item, citizen), actor=clerk)
    variants.request_extension(case, actor=handler, days=5, reason="需现场核查")
    variants.start_special_procedure(
        Case.objects.get(pk=case.pk), actor=handler, kind="hearing", reason="听证"
    )
    bodies = [
        token_client(citizen).get(f"/api/v1/cases/{case.public_id}").json(),
        token_client(handler).get(f"/api/v1/workbench/cases/{case.public_id}").json(),
    ]
    expected = rendered(detail(Case.objects.get(pk=case.pk)).model_dump())
    for body in bodies:
        CaseDetailOut.model_validate(body)
        assert [x["days"] for x in body["extensions"]] == [5]
        assert [p["kind"] for p in body["special_procedures"]] == ["hearing"] and body["clock_paused"] is True
    own, staff = bodies
    assert own == expected  # the applicant sees his own data in full
    # Staff see the same case with the personal data masked (#19); nothing else differs.
    differing = {key for key in expected if staff.get(key) != expected[key]}
    assert differing and differing <= {
        "applicant_name",
        "applicant_id_number",
        "applicant_phone",
        "form_data",
    }
    assert staff["applicant_name"] != expected["applicant_name"]
    assert staff["applicant_name"][0] == expected["applicant_name"][0]
