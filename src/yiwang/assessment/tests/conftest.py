from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from yiwang.assessment.tests.factories import World, make_world, register_test_sources
from yiwang.metrics import sources
from yiwang.testing.portal import seed_test_calendar

NOW = datetime(2026, 10, 12, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture
def frozen() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def world(db: None, frozen) -> World:
    seed_test_calendar()
    return make_world()


@pytest.fixture
def test_sources(world: World) -> Iterator[list[str]]:
    """Deterministic sources registered for the test and removed afterwards."""
    names = register_test_sources(world)
    yield names
    for name in names:
        sources.unregister(name)
