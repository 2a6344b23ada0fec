"""Queue counters (待办计数): the to-do total comes from counters that move with every case
transition (an explicit step of ``cases.transitions``), in the same transaction, and can be checked
and rebuilt from the cases table."""

from __future__ import annotations

import importlib
from io import StringIO

import pytest
from django.core.management import call_command

from yiwang.accounts.models import User
from yiwang.cases import queues
from yiwang.cases.models import Case, CaseStatus, QueueCounter
from yiwang.cases.services import (
    accept_case,
    decide_case,
    refuse_acceptance,
    request_correction,
    staff_todo,
    staff_todo_count,
    withdraw_case,
)
from yiwang.cases.tests.conftest import token_client
from yiwang.cases.tests.factories import submit_case
from yiwang.catalog.models import ServiceItem
from yiwang.core.models import Organisation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]


def actual(organisation: Organisation, *statuses: str) -> int:
    return Case.objects.filter(handling_organisation=organisation, status__in=statuses).count()


def test_counters_follow_every_transition(
    item: ServiceItem, citizen: User, clerk: User, approver: User, department: Organisation
) -> None:
    cases = [submit_case(item, citizen) for _ in range(6)]
    assert queues.total(department.pk, {CaseStatus.SUBMITTED}) == 6
    accept_case(cases[0], actor=clerk)
    accept_case(cases[1], actor=clerk)
    refuse_acceptance(cases[2], actor=clerk, reason="不属于本部门职权范围")
    request_correction(cases[3], actor=clerk, items=[{"name": "营业执照", "reason": "模糊"}])
    withdraw_case(cases[4], applicant=citizen, reason="不再需要")
    decide_case(Case.objects.get(pk=cases[1].pk), actor=approver, approve=True)
    for status in queues.QUEUE_STATUSES:
        assert queues.total(department.pk, {status}) == actual(department, status), status
    assert queues.total(department.pk, {CaseStatus.SUBMITTED}) == 1  # cases[5]
    assert queues.total(department.pk, {CaseStatus.ACCEPTED}) == 1  # cases[0]
    assert queues.total(department.pk, {CaseStatus.CORRECTION_REQUIRED}) == 1  # cases[3]
    assert queues.drift() == []
    # Terminal cases are not counted at all: a counter row exists only for open statuses.
    assert set(QueueCounter.objects.values_list("status", flat=True)) <= queues.QUEUE_STATUSES


def test_the_todo_total_is_the_counter(
    item: ServiceItem, citizen: User, clerk: User, approver: User, django_assert_max_num_queries: object
) -> None:
    for _ in range(3):
        submit_case(item, citizen)
    accept_case(Case.objects.first(), actor=clerk)  # type: ignore[arg-type]
    client = token_client(clerk)
    client.get("/api/v1/workbench/todo")  # the token's first use is recorded once
    # token + user + profile, roles, the page, the counter sum (no COUNT over the cases)
    with django_assert_max_num_queries(4) as captured:  # type: ignore[operator]
        body = client.get("/api/v1/workbench/todo").json()
    assert not any("COUNT(" in q["sql"].upper() for q in captured.captured_queries)
    assert body["count"] == len(body["items"]) == 2 == staff_todo(clerk).count() == staff_todo_count(clerk)
    assert token_client(approver).get("/api/v1/workbench/todo").json()["count"] == 1


def test_departments_are_counted_apart(
    item: ServiceItem, citizen: User, clerk: User, foreign_clerk: User, other_department: Organisation
) -> None:
    submit_case(item, citizen)
    assert staff_todo_count(clerk) == 1 and staff_todo_count(foreign_clerk) == 0
    assert queues.total(other_department.pk, {CaseStatus.SUBMITTED}) == 0


def test_a_filing_that_fails_after_the_insert_counts_nothing(
    item: ServiceItem, citizen: User, department: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    submit_case(item, citizen)

    def crash(*args: object) -> str:
        raise RuntimeError("worker crash while numbering")

    # The number is taken after the case row (and its counter) were written: the whole filing rolls back.
    monkeypatch.setattr("yiwang.cases.services.filing.next_case_number", crash)
    with pytest.raises(RuntimeError):
        submit_case(item, citizen)
    assert Case.objects.count() == 1
    assert queues.total(department.pk, {CaseStatus.SUBMITTED}) == 1 and queues.drift() == []


def test_a_case_loaded_without_its_status_still_moves(
    item: ServiceItem, citizen: User, department: Organisation, other_department: Organisation
) -> None:
    case = submit_case(item, citizen)
    partial = Case.objects.only("pk", "lock_version").get(pk=case.pk)
    partial.handling_organisation = other_department
    partial.save(update_fields=["handling_organisation", "updated_at"])
    # Case.save is plain: whoever moves a case to another department moves its counter too.
    queues.move(partial, (department.pk, CaseStatus.SUBMITTED))
    assert queues.total(department.pk, {CaseStatus.SUBMITTED}) == 0
    assert queues.total(other_department.pk, {CaseStatus.SUBMITTED}) == 1
    assert queues.drift() == []


def test_saves_that_touch_neither_status_nor_department_write_no_counter(
    item: ServiceItem, citizen: User, django_assert_num_queries: object
) -> None:
    case = submit_case(item, citizen)
    case.applicant_phone = "13800000000"
    with django_assert_num_queries(1):  # type: ignore[operator]
        case.save(update_fields=["applicant_phone", "updated_at"])


def test_drift_is_reported_and_rebuilt(item: ServiceItem, citizen: User, department: Organisation) -> None:
    cases = [submit_case(item, citizen) for _ in range(3)]
    # A bulk update bypasses Case.save (as a bulk load does): the counters no longer agree.
    Case.objects.filter(pk=cases[0].pk).update(status=CaseStatus.ACCEPTED)
    (difference,) = [d for d in queues.drift() if d.status == CaseStatus.SUBMITTED]
    assert (difference.counted, difference.actual) == (3, 2)
    out = StringIO()
    with pytest.raises(SystemExit) as exit_code:
        call_command("recount_queues", "--check", stdout=out)
    assert exit_code.value.code == 1 and "不一致" in out.getvalue()
    call_command("recount_queues", stdout=StringIO())
    assert queues.drift() == []
    assert queues.total(department.pk, {CaseStatus.SUBMITTED}) == 2
    assert queues.total(department.pk, {CaseStatus.ACCEPTED}) == 1
    out = StringIO()
    call_command("recount_queues", "--check", stdout=out)
    assert "一致" in out.getvalue()


def test_only_open_statuses_can_be_summed(department: Organisation) -> None:
    with pytest.raises(ValueError, match="completed"):
        queues.total(department.pk, {CaseStatus.COMPLETED})
    assert queues.total(department.pk, set()) == 0


def test_the_migration_fills_the_same_statuses() -> None:
    migration = importlib.import_module("yiwang.cases.migrations.0009_queue_counters")
    assert sorted(migration.OPEN_STATUSES) == sorted(queues.QUEUE_STATUSES)
    assert migration.SHARDS == queues.QUEUE_COUNTER_SHARDS


def test_a_filing_takes_its_counter_late(item: ServiceItem, citizen: User, department: Organisation) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        case = submit_case(item, citizen)
    statements = [q["sql"] for q in captured.captured_queries]
    counter = next(i for i, sql in enumerate(statements) if "cases_queuecounter" in sql)
    numbering = next(i for i, sql in enumerate(statements) if "cases_casenumbersequence" in sql)
    case_insert = next(i for i, sql in enumerate(statements) if sql.startswith('INSERT INTO "cases_case"'))
    # Locked only for the last statements of the filing: after the number, not at the case insert.
    assert case_insert < numbering < counter
    assert queues.total(department.pk, {CaseStatus.SUBMITTED}) == 1
    case.applicant_phone = "13800000001"
    case.save(update_fields=["applicant_phone", "updated_at"])
    assert queues.drift() == []
