from __future__ import annotations

import pytest

from yiwang.ratings.services import install_defaults
from yiwang.testing.ratings import NOW, make_world
from yiwang.testing.worlds import frozen_world_fixtures

media_root, frozen, world = frozen_world_fixtures(NOW, make_world, tick=False)


@pytest.fixture(autouse=True)
def defaults(db: None) -> None:
    """The reasons and deadline rules, as ``yiwang ratings_defaults`` installs them."""
    install_defaults()
