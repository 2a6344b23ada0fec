"""Two clerks accepting the same application at once: exactly one wins, the other gets a conflict."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection

from yiwang.cases.models import Case, CaseEvent
from yiwang.cases.services import accept_case
from yiwang.cases.tests.conftest import token_client
from yiwang.cases.tests.factories import pdf_upload
from yiwang.core.errors import Conflict

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("frozen_time")]


def test_two_clerks_accept_at_once(item, citizen, clerk, clerk2):
    materials = {m.name: str(m.public_id) for m in item.materials.all()}
    case_id = (
        token_client(citizen)
        .post(
            "/api/v1/cases",
            {
                "item_id": str(item.public_id),
                "form_data": json.dumps({"shop_name": "小店"}),
                f"material_{materials['营业执照']}": pdf_upload(),
                f"material_{materials['经营场所证明']}": pdf_upload(),
            },
        )
        .json()["id"]
    )
    case = Case.objects.get(public_id=case_id)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(user):
        try:
            barrier.wait(timeout=10)
            accept_case(Case.objects.get(pk=case.pk), actor=user, expected_version=case.lock_version)
            outcomes.append("won")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(user,)) for user in (clerk, clerk2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(outcomes) == 2
    assert outcomes.count("won") == 1
    assert set(outcomes) - {"won"} <= {"invalid_transition", "stale_case"}
    assert CaseEvent.objects.filter(case=case, event_type="accepted").count() == 1
    assert Case.objects.get(pk=case.pk).status == "accepted"


def test_same_idempotency_key_from_two_requests_at_once(item, citizen):
    materials = {m.name: str(m.public_id) for m in item.materials.all()}
    barrier = threading.Barrier(2)
    numbers: list[str] = []

    def submit():
        try:
            client = token_client(citizen)
            barrier.wait(timeout=10)
            response = client.post(
                "/api/v1/cases",
                {
                    "item_id": str(item.public_id),
                    "form_data": json.dumps({"shop_name": "小店"}),
                    f"material_{materials['营业执照']}": pdf_upload(),
                    f"material_{materials['经营场所证明']}": pdf_upload(),
                },
                headers={"Idempotency-Key": "double-click"},
            )
            numbers.append(response.json()["number"])
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(numbers) == 2
    assert numbers[0] == numbers[1]
    assert Case.objects.count() == 1
