from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from yiwang.testing.fixtures import (  # noqa: F401 - pytest fixtures
    approver,
    approver_client,
    calendar,
    citizen,
    citizen_client,
    clerk,
    clerk_client,
    department,
    foreign_clerk,
    item,
    media_root,
    other_citizen,
    other_department,
)
from yiwang.testing.space import NOW


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller
