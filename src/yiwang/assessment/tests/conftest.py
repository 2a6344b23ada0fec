from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from yiwang.assessment.tests.factories import World, make_world, register_test_sources
from yiwang.metrics import sources
from yiwang.testing.worlds import frozen_world_fixtures

NOW = datetime(2026, 10, 12, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

media_root, frozen, world = frozen_world_fixtures(NOW, make_world)


@pytest.fixture
def test_sources(world: World) -> Iterator[list[str]]:
    """Deterministic sources registered for the test and removed afterwards."""
    names = register_test_sources(world)
    yield names
    for name in names:
        sources.unregister(name)
