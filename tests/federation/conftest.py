"""Cross-process tests of 省市协同: a province and a city platform as real processes, paired
(yiwang.testing.federation).  One pair for the whole package: starting two platforms costs ~15 s of CPU."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import pytest

from yiwang.testing.federation import Federation, federation


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "federation: cross-process tests of a province and a city instance")


@pytest.fixture(scope="package")
def fed(tmp_path_factory: pytest.TempPathFactory, django_db_setup: None) -> Iterator[Federation]:
    """A province and its city, started and paired (the migrated template exists after django_db_setup)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("process groups and kill -9: Linux")
    if os.environ.get("YIWANG_TEST_TODAY"):
        pytest.skip("the instances run on the real clock; not a date-sensitive test")
    with federation(tmp_path_factory.mktemp("federation")) as pair:
        yield pair
