from __future__ import annotations

import pytest
from django.core.cache import cache

from yiwang.sharing.tests.conftest import frozen, world  # noqa: F401 - the sharing world, frozen in time


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()
