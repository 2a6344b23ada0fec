"""The three fixtures most app test packages start from: files under a temporary media root, time
frozen at the package's "now", and the package's world built on the test calendar.

A conftest declares them in one line instead of repeating the three definitions::

    media_root, frozen, world = frozen_world_fixtures(NOW, make_world)

``tick``: whether the frozen clock moves on from ``now`` (time_machine's ``tick``); ``before_world``:
run first in ``world`` (e.g. clearing a cache).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine

from yiwang.testing.portal import seed_test_calendar


def frozen_world_fixtures(
    now: datetime,
    make_world: Callable[[], Any],
    *,
    tick: bool = True,
    before_world: Callable[[], Any] | None = None,
) -> tuple[Any, Any, Any]:
    @pytest.fixture(autouse=True)
    def media_root(settings: Any, tmp_path: Path) -> Path:
        settings.MEDIA_ROOT = tmp_path / "media"
        return tmp_path / "media"

    @pytest.fixture
    def frozen() -> Iterator[Any]:
        with time_machine.travel(now, tick=tick) as traveller:
            yield traveller

    @pytest.fixture
    def world(db: None, frozen: Any) -> Any:
        if before_world is not None:
            before_world()
        seed_test_calendar()
        return make_world()

    return media_root, frozen, world
