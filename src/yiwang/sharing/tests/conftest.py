from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from yiwang.sharing.tests.factories import SharingWorld, make_world
from yiwang.testing.portal import seed_test_calendar

#: A Monday before the National Day holiday (the due date of a request crosses it).
NOW = datetime(2026, 9, 21, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db: None, frozen) -> SharingWorld:
    seed_test_calendar()
    return make_world()
