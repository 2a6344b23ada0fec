from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import time_machine

from yiwang.exchange.identity import NodeIdentity
from yiwang.federation.tests.factories import NOW, identity


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


@pytest.fixture
def province() -> NodeIdentity:
    return identity("340000-province")


@pytest.fixture
def city() -> NodeIdentity:
    return identity("340100-city")


@pytest.fixture
def as_node(settings: Any):  # type: ignore[no-untyped-def]
    """Make this process (and the live server in it) answer as ``ident``."""

    def switch(ident: NodeIdentity) -> NodeIdentity:
        settings.YIWANG_EXCHANGE_NODE_ID = ident.node_id
        settings.YIWANG_EXCHANGE_SM2_PRIVATE_KEY = ident.sm2_private_key
        return ident

    return switch
