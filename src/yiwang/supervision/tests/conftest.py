from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine

from yiwang.supervision.services import install_defaults
from yiwang.testing.portal import seed_test_calendar
from yiwang.testing.supervision import NOW, World, make_world


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
