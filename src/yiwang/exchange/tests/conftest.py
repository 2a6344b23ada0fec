from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from yiwang.exchange import handlers
from yiwang.exchange.handlers import ReceivedPackage
from yiwang.exchange.identity import NodeIdentity
from yiwang.exchange.tests.factories import identity
from yiwang.testing.cases import OrganisationFactory, make_staff


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.YIWANG_EXCHANGE_PUSH_ON_COMMIT = False
    settings.YIWANG_WEBHOOK_DELIVER_ON_COMMIT = False
    return tmp_path / "media"


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


@pytest.fixture
def applied() -> Iterator[list[ReceivedPackage]]:
    """A handler for ``test.feed`` that records what it applied."""
    seen: list[ReceivedPackage] = []

    def handle(package: ReceivedPackage) -> dict[str, Any]:
        seen.append(package)
        return {"rows": len(package.entries)}

    handlers.register("test.feed", handle)
    yield seen
    handlers.unregister("test.feed")


@pytest.fixture
def admin_actor(db: None) -> Any:
    return make_staff(OrganisationFactory(), "exchange_admin", ("admin",))
