"""The public status lookup (GET /api/v1/cases/status): one compiled statement, the same answer as
the ORM read the portal page uses, and the ID-tail check (no existence leak)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from yiwang.cases import services
from yiwang.cases.services import access
from yiwang.cases.tests.conftest import token_client
from yiwang.cases.tests.factories import pdf_upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]


def _file(item, citizen) -> str:
    materials = {str(m.name): str(m.public_id) for m in item.materials.all()}
    response = token_client(citizen).post(
        "/api/v1/cases",
        {
            "item_id": str(item.public_id),
            "form_data": json.dumps({"shop_name": "小店"}),
            f"material_{materials['营业执照']}": pdf_upload(),
            f"material_{materials['经营场所证明']}": pdf_upload(),
        },
    )
    assert response.status_code == 201, response.content
    return str(response.json()["number"])


def test_status_lookup_is_one_statement_and_matches_the_orm_read(item, citizen, django_assert_num_queries):
    number = _file(item, citizen)
    tail = citizen.natural_person.id_number[-4:]
    client = Client()
    client.get("/api/v1/cases/status", {"number": number, "id_tail": tail})  # compiles the shape
    with django_assert_num_queries(1):
        response = client.get("/api/v1/cases/status", {"number": f" {number} ", "id_tail": tail.lower()})
    assert response.status_code == 200
    case = services.status_lookup(number, tail)
    body = response.json()
    assert body["number"] == case.number
    assert body["item_name"] == case.item.name
    assert body["status"] == case.status == "submitted"
    assert body["status_label"]
    assert body["submitted_at"] is not None
    assert body["due_date"] == (case.due_date.isoformat() if case.due_date else None)
    assert body["completed_at"] is None
    assert access.public_status(number, tail) == services.PublicStatus(
        case.number, case.item.name, case.status, case.submitted_at, case.due_date, case.completed_at
    )
    assert set(access.public_status_compiled().shapes().values()) == {True}


@pytest.mark.parametrize("tail", ["0000", "12", "", "12345"])
def test_wrong_or_short_tail_is_not_found(item, citizen, tail):
    number = _file(item, citizen)
    if tail == "0000" and citizen.natural_person.id_number.endswith("0000"):
        tail = "1111"
    response = Client().get("/api/v1/cases/status", {"number": number, "id_tail": tail})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_unknown_number_is_not_found(db, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = Client().get("/api/v1/cases/status", {"number": "NOPE", "id_tail": "1234"})
    assert response.status_code == 404


def test_compiled_rows_off_gives_the_same_answer(item, citizen, settings):
    number = _file(item, citizen)
    tail = citizen.natural_person.id_number[-4:]
    compiled = access.public_status(number, tail)
    settings.YIWANG_COMPILED_ROWS = False
    assert access.public_status(number, tail) == compiled
