"""Indicators on a small known world, and the sources registered for assessment."""

from __future__ import annotations

from datetime import date, timedelta

from yiwang.metrics import sources as registry
from yiwang.metrics.sources import Period
from yiwang.ratings import reads, services
from yiwang.ratings.models import RatingDirtyDay, Rectification
from yiwang.ratings.services.aggregates import recount_dirty_days
from yiwang.testing.ratings import NOW, World, complete_case


def make_known_world(world: World) -> None:
    """Six services: 5, 4, 3 (active), a default 5, a bad 2 rectified and revisited (satisfied),
    a bad 1 not replied; and one still pending (15 days not yet passed)."""
    for level in (5, 4, 3):
        services.rate(complete_case(world.item, world.citizen), level=level, channel="pc")
    complete_case(world.item, world.citizen, completed_at=NOW - timedelta(days=16))
    services.give_default_ratings()
    services.rate(complete_case(world.item, world.citizen), level=2, channel="pc", reasons=["bad_slow"])
    services.rate(complete_case(world.item, world.citizen), level=1, channel="pc")
    complete_case(world.item, world.citizen)
    rect = Rectification.objects.get(rating__level=2)
    rect = services.call_back(rect, actor=world.handler, genuine=True, note="属实")
    rect = services.rectify(rect, actor=world.handler, text="已整改")
    rect = services.reply(rect, actor=world.handler, text="答复")
    services.revisit(rect, actor=world.handler, satisfied=True)


def test_indicators_by_department(world: World) -> None:
    make_known_world(world)
    [row] = reads.indicators(date(2026, 9, 1), date(2026, 9, 30), "department")
    assert (row.invited, row.rated, row.active, row.bad) == (7, 6, 5, 2)
    assert row.good_rate == 66.67  # 4 good of 6 rated
    assert row.active_good_rate == 60.0  # 3 of 5 active
    assert row.unrated_rate == 28.57  # 2 (default + pending) of 7
    assert row.bad_reply_rate == 50.0
    assert row.bad_rectify_rate == 50.0
    assert row.revisit_satisfaction_rate == 100.0
    assert row.key == str(world.department.public_id)


def test_good_rate_is_a_metrics_source(world: World) -> None:
    make_known_world(world)
    source = registry.get("rating_good_rate")
    assert source is not None and source.higher_is_better
    values = source.fn(Period(date(2026, 9, 1), date(2026, 9, 30)), "department")
    assert values == {str(world.department.public_id): 66.67}
    assert source.fn(Period(date(2026, 9, 1), date(2026, 9, 30)), "region") == {
        world.department.region.code: 66.67
    }


def test_daily_counts_give_the_same_indicators(world: World) -> None:
    make_known_world(world)
    live = reads.indicators(date(2026, 9, 1), date(2026, 9, 30), "department")
    assert recount_dirty_days() >= 2
    assert not RatingDirtyDay.objects.exists()
    assert reads.indicators(date(2026, 9, 1), date(2026, 9, 30), "department") == live
    by_month = reads.indicators(date(2026, 9, 1), date(2026, 9, 30), "month")
    assert [(r.key, r.invited) for r in by_month] == [("2026-09", 7)]
    # a change after the recount marks its day dirty again and is counted live
    services.rate(complete_case(world.item, world.citizen), level=1, channel="pc")
    [row] = reads.indicators(date(2026, 9, 1), date(2026, 9, 30), "department")
    assert (row.invited, row.bad) == (8, 3)
