from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import time_machine

from yiwang.federation.tests.factories import NOW
from yiwang.testing.exchange import as_node, city, province  # noqa: F401 - pytest fixtures


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.YIWANG_EXCHANGE_PUSH_ON_COMMIT = False
    settings.YIWANG_FEDERATION_LAG_SECONDS = 5
    return tmp_path / "media"


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller
