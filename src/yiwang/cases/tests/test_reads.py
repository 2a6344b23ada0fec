"""The read path's own rules (cases/reads.py): wire rows follow the response model by field name,
and each optimisation can be switched off with the same answers (docs/adr/0002–0004)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from yiwang.accounts.models import User
from yiwang.cases import reads
from yiwang.cases.models import CaseDetailSnapshot
from yiwang.cases.schemas import CaseSummaryOut
from yiwang.cases.tests.conftest import token_client
from yiwang.cases.tests.factories import submit_case
from yiwang.catalog.models import ServiceItem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]


def test_every_summary_field_has_one_source() -> None:
    columns, plan = reads.summary_plan()
    assert [name for name, _index, _wire in plan] == list(CaseSummaryOut.model_fields)
    assert columns == reads.SUMMARY_COLUMNS and len(set(columns)) == len(columns)
    for name, index, _wire in plan:
        if index >= 0:
            assert columns[index] == reads.SUMMARY_SOURCES[name]


def test_a_schema_field_without_a_source_stops_the_import() -> None:
    class Wider(CaseSummaryOut):
        priority: int = 0

    with pytest.raises(TypeError, match="unmapped \\['priority'\\]"):
        reads.summary_plan(Wider)


def test_a_row_is_mapped_by_name_not_position(item: ServiceItem, citizen: User) -> None:
    case = submit_case(item, citizen)
    row = reads.summary_row(case)
    assert row["id"] == str(case.public_id) and row["item_id"] == str(item.public_id)
    assert row["item_name"] == item.name and row["applicant_name"] == case.applicant_name
    assert row["handling_organisation"] == case.handling_organisation.name
    assert CaseSummaryOut.model_validate(row).number == case.number


def test_detail_snapshots_switched_off_give_the_same_body_and_store_nothing(
    item: ServiceItem, citizen: User, settings: Any
) -> None:
    case = submit_case(item, citizen)
    client = token_client(citizen)
    stored = client.get(f"/api/v1/cases/{case.public_id}").json()
    settings.YIWANG_DETAIL_SNAPSHOTS = False
    CaseDetailSnapshot.objects.update(body="", built_revision=-1)
    fresh = client.get(f"/api/v1/cases/{case.public_id}")
    assert fresh.status_code == 200 and json.loads(fresh.content) == stored
    assert not CaseDetailSnapshot.objects.exclude(body="").exists()


def test_queue_counters_switched_off_count_the_cases(
    item: ServiceItem, citizen: User, clerk: User, settings: Any
) -> None:
    for _ in range(2):
        submit_case(item, citizen)
    with_counters = (reads.todo_total(clerk), reads.todo_counts(clerk))
    settings.YIWANG_QUEUE_COUNTERS = False
    assert (reads.todo_total(clerk), reads.todo_counts(clerk)) == with_counters == (2, {"submitted": 2})
