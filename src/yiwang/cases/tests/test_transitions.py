"""The transition helper (cases/transitions.py): one lock → check → save → counters → event → notify
path for every state change; files stored by a failed transition are removed."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from yiwang.accounts.models import User
from yiwang.cases import queues
from yiwang.cases.models import Case, CaseEventType, CaseStatus
from yiwang.cases.tests.factories import submit_case
from yiwang.cases.transitions import actor_label, transition
from yiwang.catalog.models import ServiceItem
from yiwang.core.errors import Conflict, PermissionDenied
from yiwang.core.models import Organisation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]


def test_a_transition_saves_counts_records_and_bumps_the_version(
    item: ServiceItem, citizen: User, clerk: User, department: Organisation
) -> None:
    case = submit_case(item, citizen)
    with transition(case, {CaseStatus.SUBMITTED}, actor=clerk, roles=["window_clerk"]) as t:
        t.case.status = CaseStatus.CORRECTION_REQUIRED
        t.save()
        event = t.record(CaseEventType.CORRECTION_REQUESTED, comment="补正")
    stored = Case.objects.get(pk=case.pk)
    assert stored.status == CaseStatus.CORRECTION_REQUIRED and stored.lock_version == case.lock_version + 1
    assert (event.from_status, event.to_status) == (CaseStatus.SUBMITTED, CaseStatus.CORRECTION_REQUIRED)
    assert event.actor_label == actor_label(clerk)
    assert queues.total(department.pk, {CaseStatus.SUBMITTED}) == 0
    assert queues.total(department.pk, {CaseStatus.CORRECTION_REQUIRED}) == 1
    assert queues.drift() == []


def test_a_plain_save_moves_no_counter(item: ServiceItem, citizen: User, department: Organisation) -> None:
    case = submit_case(item, citizen)
    case.status = CaseStatus.ACCEPTED
    case.save(update_fields=["status", "updated_at"])  # not a transition: the counters stay
    assert queues.total(department.pk, {CaseStatus.SUBMITTED}) == 1
    assert [(d.status, d.counted, d.actual) for d in queues.drift()] == [
        (CaseStatus.ACCEPTED, 0, 1),
        (CaseStatus.SUBMITTED, 1, 0),
    ]


def test_state_version_and_role_are_checked(
    item: ServiceItem, citizen: User, clerk: User, approver: User
) -> None:
    case = submit_case(item, citizen)
    with pytest.raises(Conflict) as wrong_state, transition(case, {CaseStatus.ACCEPTED}, actor=clerk):
        pass
    assert wrong_state.value.code == "invalid_transition"
    with (
        pytest.raises(Conflict) as stale,
        transition(case, {CaseStatus.SUBMITTED}, actor=clerk, expected_version=case.lock_version + 1),
    ):
        pass
    assert stale.value.code == "stale_case"
    with (
        pytest.raises(PermissionDenied),
        transition(case, {CaseStatus.SUBMITTED}, actor=approver, roles=["window_clerk"]),
    ):
        pass


def test_files_stored_by_a_failed_transition_are_removed(
    item: ServiceItem, citizen: User, clerk: User
) -> None:
    case = submit_case(item, citizen)
    with pytest.raises(RuntimeError), transition(case, {CaseStatus.SUBMITTED}, actor=clerk) as t:
        name = default_storage.save("cases/test/orphan.txt", ContentFile(b"x"))
        t.stored.append(name)
        t.case.status = CaseStatus.WITHDRAWN
        t.save("completed_at")
        raise RuntimeError("crash after the file was written")
    assert not default_storage.exists(name)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED
