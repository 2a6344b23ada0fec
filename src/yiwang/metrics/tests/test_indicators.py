"""Every metric on a known history, with frozen time (today: Monday 2026-09-21)."""

from __future__ import annotations

from datetime import date

import pytest

from yiwang.cases.models import CaseOutcome, CaseStatus
from yiwang.metrics import aggregates, indicators, reads, sources
from yiwang.metrics.sources import Period
from yiwang.testing.metrics import World, at, make_case

pytestmark = pytest.mark.django_db
SEPT = Period(date(2026, 9, 1), date(2026, 9, 21))


def d(day: int) -> date:
    return date(2026, 9, day)


def history(w: World) -> None:
    done = {"status": CaseStatus.COMPLETED, "outcome": CaseOutcome.APPROVED}
    make_case(w, w.licence, at(d(1)), accepted_at=at(d(1)), due_date=d(4), completed_at=at(d(3)), **done)
    make_case(
        w,
        w.licence,
        at(d(2)),
        channel="window",
        delivery_method="window",
        accepted_at=at(d(2)),
        due_date=d(7),
        completed_at=at(d(9)),
        **done,
    )
    make_case(
        w,
        w.instant,
        at(d(8)),
        channel="window",
        delivery_method="window",
        accepted_at=at(d(8)),
        due_date=d(11),
        completed_at=at(d(8), 11),
        **done,
    )
    make_case(w, w.passport, at(d(9)), status=CaseStatus.NOT_ACCEPTED, completed_at=at(d(10)))
    make_case(
        w,
        w.passport,
        at(d(14)),
        channel="mobile",
        status=CaseStatus.ACCEPTED,
        accepted_at=at(d(14)),
        due_date=d(16),
    )
    make_case(
        w,
        w.licence,
        at(d(18)),
        channel="api",
        status=CaseStatus.ACCEPTED,
        accepted_at=at(d(18)),
        due_date=d(23),
    )
    make_case(
        w,
        w.licence,
        at(d(10)),
        accepted_at=at(d(10)),
        due_date=d(15),
        completed_at=at(d(15)),
        status=CaseStatus.COMPLETED,
        outcome=CaseOutcome.REFUSED,
    )
    make_case(
        w,
        w.licence,
        at(date(2026, 8, 20)),
        accepted_at=at(date(2026, 8, 20)),
        completed_at=at(date(2026, 8, 25)),
        **done,
    )
    aggregates.recount()


def test_totals_of_the_period(world: World) -> None:
    history(world)
    t = reads.totals(SEPT)
    assert {k: t[k] for k in ("filed", "online", "zero_visit", "one_visit", "immediate", "visits_saved")} == {
        "filed": 7,
        "online": 5,
        "zero_visit": 5,
        "one_visit": 6,
        "immediate": 1,
        "visits_saved": 11,
    }
    assert {
        k: t[k] for k in ("accepted", "completed", "decided", "refused", "with_due", "on_time", "late")
    } == {
        "accepted": 6,
        "completed": 4,
        "decided": 5,
        "refused": 2,
        "with_due": 4,
        "on_time": 3,
        "late": 1,
    }
    assert (
        t["timed"],
        t["handling_days"],
        t["committed_days"],
        t["statutory_days"],
        t["time_saved_days"],
    ) == (4, 10, 12, 60, 50)
    assert (t["open_due"], t["overdue_open"]) == (1, 1)
    assert reads.overdue_now() == 1


def test_every_metric_of_the_period(world: World) -> None:
    history(world)
    values = indicators.evaluate(reads.totals(SEPT), sum(reads.published_items("all").values()))
    assert values == {
        "filed_count": 7.0,
        "completed_count": 4.0,
        "operation_rate": 75.0,  # 3 of 4 published items had cases
        "on_time_rate": 75.0,
        "overdue_rate": 40.0,  # (1 late + 1 open overdue) / (4 with a date + 1)
        "refusal_rate": 40.0,
        "avg_handling_days": 2.5,
        "avg_committed_days": 3.0,
        "avg_statutory_days": 15.0,
        "online_share": 71.43,
        "zero_visit_share": 71.43,
        "one_visit_share": 85.71,
        "visits_saved": 11.0,
        "immediate_share": 14.29,
        "time_saved_days": 12.5,
        "time_saved_rate": 83.33,
    }


def test_metrics_per_department_and_item_through_the_registry(world: World) -> None:
    history(world)
    by_dept = sources.values("on_time_rate", SEPT, "department")
    assert by_dept == {str(world.market.public_id): 75.0, str(world.police.public_id): None}
    rates = sources.values("operation_rate", SEPT, "department")
    assert rates[str(world.market.public_id)] == pytest.approx(66.67)  # licence + instant of 3 items
    assert rates[str(world.police.public_id)] == 100.0
    refusals = sources.values("refusal_rate", SEPT, "item")
    assert refusals[world.passport.implementation_code] == 100.0
    assert refusals[world.idle.implementation_code] is None
    regions = sources.values("filed_count", SEPT, "region")
    assert regions == {world.market.region.code: 7.0}


def test_every_metric_is_a_registered_source() -> None:
    for metric in indicators.METRICS:
        source = sources.get(metric.name)
        assert source is not None and source.context == "metrics" and source.unit == metric.unit


def test_an_empty_period_has_no_rates(world: World) -> None:
    history(world)
    values = indicators.evaluate(reads.totals(Period(d(25), d(30))), 4)
    assert values["on_time_rate"] is None and values["filed_count"] == 0.0 and values["operation_rate"] == 0.0


def test_whole_past_months_are_read_from_the_monthly_rows(world: World) -> None:
    history(world)
    long = Period(date(2026, 8, 1), d(21))
    assert [monthly for _qs, monthly in reads.segments(long)] == [True, False]
    assert [monthly for _qs, monthly in reads.segments(Period(date(2026, 8, 15), d(21)))] == [False]
    assert [monthly for _qs, monthly in reads.segments(SEPT)] == [False]  # the current month: daily rows
    t = reads.totals(long)
    assert (t["filed"], t["completed"], t["overdue_open"], t["items_used"]) == (8, 5, 1, 3)
    daily_only = reads.totals(Period(date(2026, 8, 2), d(21)))  # not a whole month: daily rows only
    assert (daily_only["filed"], daily_only["completed"]) == (8, 5)
