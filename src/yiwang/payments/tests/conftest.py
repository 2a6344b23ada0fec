from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from yiwang.core.crypto import sm2_generate_keypair
from yiwang.testing.paygate_stub import StubState, running_stub
from yiwang.testing.payments import make_world
from yiwang.testing.worlds import frozen_world_fixtures

#: A Monday; National Day (Oct 1-7) falls inside the 7 working days to pay.
NOW = datetime(2026, 9, 21, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

media_root, frozen, world = frozen_world_fixtures(NOW, make_world)


@pytest.fixture(scope="session")
def paygate_keys() -> dict[str, dict[str, str]]:
    pairs = {side: sm2_generate_keypair() for side in ("gateway", "platform")}
    return {side: {"private": kp.private_key_hex, "public": kp.public_key_hex} for side, kp in pairs.items()}


@pytest.fixture
def stub(settings, tmp_path: Path, paygate_keys) -> Iterator[StubState]:
    """The stub gateway, and the settings that point the platform at it."""
    keys_file = tmp_path / "paygate-keys.json"
    keys_file.write_text(json.dumps(paygate_keys))
    with running_stub(paygate_keys["gateway"]["private"], paygate_keys["platform"]["public"]) as state:
        settings.YIWANG_PAYGATE_URL = state.base_url
        settings.YIWANG_PAYGATE_KEYS_FILE = str(keys_file)
        settings.YIWANG_PAYGATE_TIMEOUT_S = "2"
        yield state
