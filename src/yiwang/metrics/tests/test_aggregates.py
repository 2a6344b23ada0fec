"""The aggregates are maintained incrementally and always equal a full recount."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yiwang.cases.models import Case, CaseOutcome, CaseStatus
from yiwang.metrics import aggregates
from yiwang.metrics.models import CaseAggregate, CaseAggregateMonth, CaseFact, DirtyCase
from yiwang.testing.metrics import World, at, make_case
from yiwang.testing.portal import apply_for

pytestmark = pytest.mark.django_db
START = date(2026, 9, 1)


def test_a_filing_marks_its_case_and_the_refresh_counts_it(world: World) -> None:
    case = apply_for(world.licence, world.applicant)
    assert DirtyCase.objects.filter(case_id=case.pk).exists()
    assert aggregates.refresh() == 1
    row = CaseAggregate.objects.get()
    assert (row.day, row.organisation_id, row.item_id, row.filed) == (
        date(2026, 9, 21),
        world.market.pk,
        world.licence.pk,
        1,
    )
    assert not DirtyCase.objects.exists()
    assert aggregates.drift() == []


def test_a_moved_due_date_and_department_leave_no_stale_key(world: World) -> None:
    case = make_case(
        world,
        world.licence,
        at(START),
        status=CaseStatus.ACCEPTED,
        accepted_at=at(START),
        due_date=date(2026, 9, 4),
    )
    aggregates.mark_cases([case.pk])
    aggregates.refresh()
    assert CaseAggregate.objects.filter(day=date(2026, 9, 4), open_due=1).exists()
    Case.objects.filter(pk=case.pk).update(due_date=date(2026, 9, 10), handling_organisation=world.police)
    aggregates.mark_cases([case.pk])
    aggregates.refresh()
    assert not CaseAggregate.objects.filter(day=date(2026, 9, 4)).exists()
    assert CaseAggregate.objects.get(day=date(2026, 9, 10)).organisation_id == world.police.pk
    assert aggregates.drift() == []


def test_recount_command_rebuilds_and_check_passes(world: World) -> None:
    make_case(world, world.passport, at(START), channel="window", delivery_method="window")
    make_case(
        world,
        world.licence,
        at(START + timedelta(days=1)),
        status=CaseStatus.NOT_ACCEPTED,
        completed_at=at(START + timedelta(days=2)),
    )
    call_command("recount_aggregates")
    assert CaseFact.objects.count() == 3
    assert sum(CaseAggregate.objects.values_list("filed", flat=True)) == 2
    call_command("recount_aggregates", "--check")
    CaseAggregate.objects.update(filed=5)
    with pytest.raises(SystemExit):
        call_command("recount_aggregates", "--check")


STEP = st.tuples(
    st.sampled_from(["file", "accept", "complete", "refuse", "not_accept", "extend", "withdraw", "move"]),
    st.integers(0, 30),  # day offset
    st.integers(0, 10),  # which case
    st.sampled_from(["web", "mobile", "window", "api"]),
)


def _apply(world: World, step: tuple[str, int, int, str]) -> int | None:
    action, offset, pick, channel = step
    day = START + timedelta(days=offset)
    items = [world.licence, world.instant, world.passport]
    if action == "file":
        item = items[offset % 3]
        delivery = "window" if offset % 2 else "electronic"
        return make_case(world, item, at(day), channel=channel, delivery_method=delivery).pk
    cases = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    if not cases:
        return None
    pk = cases[pick % len(cases)]
    qs = Case.objects.filter(pk=pk)
    if action == "accept":
        qs.update(status=CaseStatus.ACCEPTED, accepted_at=at(day), due_date=day + timedelta(days=5))
    elif action in ("complete", "refuse"):
        outcome = CaseOutcome.APPROVED if action == "complete" else CaseOutcome.REFUSED
        qs.update(status=CaseStatus.COMPLETED, outcome=outcome, completed_at=at(day, 16))
    elif action == "not_accept":
        qs.update(status=CaseStatus.NOT_ACCEPTED, completed_at=at(day, 16))
    elif action == "extend":
        qs.update(
            due_date=day + timedelta(days=10), paused_working_days=offset % 3, clock_paused=offset % 4 == 0
        )
    elif action == "withdraw":
        qs.update(status=CaseStatus.WITHDRAWN, completed_at=at(day, 17))
    else:
        qs.update(handling_organisation=world.police if offset % 2 else world.market)
    return pk


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=1, max_size=25), refresh_every=st.integers(1, 6))
def test_incremental_aggregates_equal_a_full_recount(world: World, steps, refresh_every: int) -> None:
    """A mixed history, refreshed at random points, leaves the aggregates a recount would give."""
    for index, step in enumerate(steps, start=1):
        pk = _apply(world, step)
        if pk is not None:
            aggregates.mark_cases([pk])
        if index % refresh_every == 0:
            aggregates.refresh(limit=3)
    aggregates.refresh(limit=3)
    expected = aggregates.expected()
    assert aggregates.snapshot() == expected
    assert aggregates.snapshot(CaseAggregateMonth) == aggregates.by_month(expected)
