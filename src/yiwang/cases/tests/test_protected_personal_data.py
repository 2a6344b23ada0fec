"""Personal data of cases at rest (core.protected): the hot lists decrypt nothing, the stored case
detail body is ciphertext too, and the public status lookup still matches the ID number's tail."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from yiwang.accounts.models import User
from yiwang.cases.models import Case, CaseDetailSnapshot
from yiwang.cases.tests.conftest import token_client
from yiwang.cases.tests.factories import submit_case
from yiwang.catalog.models import ServiceItem
from yiwang.core import protected

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]


def _raw(sql: str, params: list) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@pytest.fixture
def decryptions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = protected.decrypt_text

    def counting(stored: str) -> str:
        seen.append(stored)
        return real(stored)

    monkeypatch.setattr(protected, "decrypt_text", counting)
    return seen


def test_the_todo_list_decrypts_nothing(item: ServiceItem, citizen: User, clerk: User, decryptions) -> None:
    cases = [submit_case(item, citizen) for _ in range(3)]
    table = connection.ops.quote_name(Case._meta.db_table)
    stored = {
        value
        for case in cases
        for value in _raw(
            f"SELECT applicant_id_number, applicant_phone, form_data FROM {table} WHERE id = %s",  # noqa: S608
            [case.pk],
        )[0]
    }
    decryptions.clear()
    body = token_client(clerk).get("/api/v1/workbench/todo").json()
    assert body["count"] == 3
    # The list selects only the columns it shows: no case value is decrypted (the clerk's own
    # account row, loaded by the authentication, may be).
    assert not stored & set(decryptions)


def test_case_columns_are_ciphertext(item: ServiceItem, citizen: User) -> None:
    case = submit_case(item, citizen)
    id_number = citizen.natural_person.id_number
    table = connection.ops.quote_name(Case._meta.db_table)
    sql = f"SELECT applicant_id_number, applicant_phone, form_data FROM {table} WHERE id = %s"  # noqa: S608
    row = _raw(sql, [case.pk])[0]
    assert all(value.startswith("yw1$") for value in row)
    assert id_number not in "".join(row) and "小店" not in "".join(row)


# Committed transactions: on PostgreSQL a case filed in the reader's own transaction is never stored
# (test_detail_snapshots.py).
@pytest.mark.django_db(transaction=True)
def test_the_stored_case_detail_is_ciphertext(item: ServiceItem, citizen: User, clerk: User) -> None:
    case = submit_case(item, citizen)
    client = token_client(clerk)
    first = client.get(f"/api/v1/workbench/cases/{case.public_id}").json()
    second = client.get(f"/api/v1/workbench/cases/{case.public_id}").json()  # served from the stored body
    assert first == second and first["number"] == case.number
    body = CaseDetailSnapshot.objects.get(case_id=case.pk).body
    assert body.startswith("yw1$") and case.number not in body


def test_public_status_lookup_reads_the_encrypted_id_number(item: ServiceItem, citizen: User) -> None:
    case = submit_case(item, citizen)
    tail = citizen.natural_person.id_number[-4:]
    ok = Client().get("/api/v1/cases/status", {"number": case.number, "id_tail": tail})
    assert ok.status_code == 200
    wrong = Client().get(
        "/api/v1/cases/status", {"number": case.number, "id_tail": "0000" if tail != "0000" else "1111"}
    )
    assert wrong.status_code == 404
