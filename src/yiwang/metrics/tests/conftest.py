from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache

from yiwang.metrics import sources
from yiwang.testing.metrics import World, make_world
from yiwang.testing.portal import seed_test_calendar

NOW = datetime(2026, 9, 21, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    return tmp_path / "media"


@pytest.fixture
def frozen() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db: None, frozen) -> World:
    seed_test_calendar()
    return make_world()


@pytest.fixture
def own_sources_only() -> Iterator[None]:
    """Only the sources of metrics (others, e.g. supervision's warning_count, run their own queries)."""
    foreign = [s for s in sources.all_sources() if s.context != "metrics"]
    for source in foreign:
        sources.unregister(source.name)
    yield
    for source in foreign:
        sources.register(source)
