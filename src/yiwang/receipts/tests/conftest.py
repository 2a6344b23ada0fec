from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from yiwang.receipts.tests.factories import ReceiptWorld, make_finance_seal, make_world
from yiwang.testing.worlds import frozen_world_fixtures

NOW = datetime(2026, 9, 21, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

media_root, frozen, world = frozen_world_fixtures(NOW, make_world)


@pytest.fixture
def seal(world: ReceiptWorld):
    return make_finance_seal(world)
