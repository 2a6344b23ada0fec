from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from yiwang.exchange import handlers
from yiwang.exchange.handlers import ReceivedPackage
from yiwang.testing.cases import OrganisationFactory, make_staff
from yiwang.testing.exchange import as_node, city, province  # noqa: F401 - pytest fixtures


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.YIWANG_EXCHANGE_PUSH_ON_COMMIT = False
    settings.YIWANG_WEBHOOK_DELIVER_ON_COMMIT = False
    return tmp_path / "media"


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
