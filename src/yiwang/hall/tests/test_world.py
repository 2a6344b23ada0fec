"""The shared hall world builds (the other hall tests start from it)."""

from __future__ import annotations

from typing import Any

from yiwang.hall.access import halls_for_staff, is_hall_manager, is_hall_staff, region_prefix_of


def test_world_and_access(world: Any) -> None:
    assert world.hall.categories.count() == 3
    assert is_hall_staff(world.clerk, world.hall)
    assert is_hall_staff(world.general_clerk, world.hall)
    assert not is_hall_staff(world.manager, world.hall)
    assert is_hall_manager(world.manager, world.hall)
    assert not is_hall_manager(world.citizen, world.hall)
    assert halls_for_staff(world.clerk) == [world.hall]
    assert region_prefix_of("340100") == "3401"
