"""Indicator sources registered in metrics: rates and counts on known data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from yiwang.metrics.sources import Period, values
from yiwang.supervision import services
from yiwang.supervision.scan import run_scan
from yiwang.testing.supervision import NOW, World, make_case

pytestmark = pytest.mark.usefixtures("rules")
SEPT = Period(date(2026, 9, 1), date(2026, 9, 30))


def test_rates_and_counts(world: World) -> None:
    make_case(world.item, world.citizen, submitted_at=NOW - timedelta(days=9), due_date=date(2026, 9, 18))
    make_case(world.item, world.citizen, submitted_at=NOW - timedelta(days=9), due_date=date(2026, 9, 30))
    make_case(world.far_item, world.citizen, submitted_at=NOW - timedelta(days=9), due_date=date(2026, 9, 30))
    run_scan()
    dept, far = str(world.department.public_id), str(world.far_department.public_id)
    assert values("warning_rate", SEPT, "department") == {dept: 50.0, far: 0.0}
    assert values("red_warning_rate", SEPT, "region")["3401"] == 50.0
    assert values("anomaly_rate", SEPT, "item")[world.item.implementation_code] == 0.0
    assert values("warning_count", SEPT, "department") == {dept: 1.0}
    services.issue_card(
        world.department,
        actor=world.supervisor,
        colour="red",
        period_start=date(2026, 9, 1),
        period_end=date(2026, 9, 30),
        reason="超期",
    )
    assert values("cards_red", SEPT, "department") == {dept: 1.0}
    assert values("cards_yellow", SEPT, "department") == {}
    with pytest.raises(ValueError):
        values("cards_red", SEPT, "item")
