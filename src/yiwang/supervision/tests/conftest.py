from __future__ import annotations

import pytest

from yiwang.supervision.services import install_defaults
from yiwang.testing.supervision import NOW, World, make_world
from yiwang.testing.worlds import frozen_world_fixtures

media_root, frozen, world = frozen_world_fixtures(NOW, make_world, tick=False)


@pytest.fixture
def rules(world: World) -> None:
    """The default rule set, as ``yiwang supervision_defaults`` installs it."""
    install_defaults()
