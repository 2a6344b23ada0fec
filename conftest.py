"""Root test configuration shared by every app's tests."""

from __future__ import annotations

import os

os.environ.setdefault("YIWANG_PROFILE", "test")


import pytest


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: a cached row from a rolled-back test must not leak."""
    from django.core.cache import cache

    cache.clear()
    yield
