from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from yiwang.supervision.services import install_defaults
from yiwang.supervision.tests.factories import World, make_world
from yiwang.testing.portal import seed_test_calendar

# Monday 21 September 2026, 10:00 in Hefei.
NOW = datetime(2026, 9, 21, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture
def frozen() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db: None, frozen: time_machine.Coordinates) -> World:
    seed_test_calendar()
    return make_world()


@pytest.fixture
def rules(world: World) -> None:
    """The default rule set, as ``yiwang supervision_defaults`` installs it."""
    install_defaults()
