from __future__ import annotations

from yiwang.testing.proactive import NOW, make_world
from yiwang.testing.worlds import frozen_world_fixtures

media_root, frozen, world = frozen_world_fixtures(NOW, make_world, tick=False)
