"""Cross-process tests of 省市协同: a province and a city platform as real processes, paired
(yiwang.testing.federation).  One pair for the whole package: starting two platforms (web server,
task worker and console of each: six Django processes) is the cost, some 15 s of CPU.

PostgreSQL pass only.  The platform runs on PostgreSQL in production and in the province reference
deployment; on SQLite the two instances' processes would only add file-lock waits between their own
web server, worker and console that no deployment has, and the SQLite pass already runs the
in-process federation and 跨域通办 tests (src/yiwang/federation/tests, src/yiwang/crossregion/tests:
the same services, the exchange over a live server).  ``YIWANG_FEDERATION_SQLITE=1`` runs them on
SQLite files anyway (the harness supports both).

The interruption test kills the city's processes: it runs last (``pytest_collection_modifyitems``)
so that no test after it pays for starting them again."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from yiwang.testing.federation import Federation, federation

HERE = Path(__file__).resolve().parent
LAST = ("test_exchange_interruption.py",)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "federation: cross-process tests of a province and a city instance")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests that kill instances run after the other tests of this folder (right after them: the
    package's pair is shared, not started twice)."""
    last = [item for item in items if item.path.parent == HERE and item.path.name in LAST]
    if not last:
        return
    kept = [item for item in items if item not in last]
    ours = [i for i, item in enumerate(kept) if item.path.parent == HERE]
    at = ours[-1] + 1 if ours else len(kept)
    items[:] = kept[:at] + last + kept[at:]


@pytest.fixture(scope="package")
def fed(tmp_path_factory: pytest.TempPathFactory, django_db_setup: None) -> Iterator[Federation]:
    """A province and its city, started and paired (the migrated template exists after django_db_setup)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("process groups and kill -9: Linux")
    if os.environ.get("YIWANG_TEST_TODAY"):
        pytest.skip("the instances run on the real clock; not a date-sensitive test")
    url = os.environ.get("DATABASE_URL", "")
    if (
        not url.startswith(("postgres://", "postgresql://"))
        and os.environ.get("YIWANG_FEDERATION_SQLITE") != "1"
    ):
        pytest.skip("two instances as processes: PostgreSQL pass only (see tests/federation/conftest.py)")
    with federation(tmp_path_factory.mktemp("federation")) as pair:
        yield pair
