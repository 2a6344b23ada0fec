from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from yiwang.core.models import Region
from yiwang.logistics import carriers
from yiwang.testing.fixtures import (  # noqa: F401 - fixtures shared with the page tests
    approver,
    calendar,
    citizen,
    clerk,
    department,
    foreign_clerk,
    item,
    media_root,
    other_citizen,
    other_department,
)
from yiwang.testing.logistics import FakeCarrier, make_regions

NOW = datetime(2026, 9, 21, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def frozen() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def regions(db: None) -> dict[str, Region]:
    return make_regions()


@pytest.fixture
def fake_carrier(monkeypatch: pytest.MonkeyPatch, regions: dict[str, Region]) -> type[FakeCarrier]:
    FakeCarrier.reset()
    monkeypatch.setitem(carriers._ADAPTERS, "sim", FakeCarrier)
    return FakeCarrier
