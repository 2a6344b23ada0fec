"""Root test configuration shared by every app's tests."""

from __future__ import annotations

import os

os.environ.setdefault("YIWANG_PROFILE", "test")

# ``YIWANG_TEST_TODAY=2027-12-20`` runs the suite as if that were today (``make test-dates``): the
# suite must pass on any date, so tests that depend on "today" freeze time themselves.  Tests that
# travel elsewhere (time_machine) still do; this only moves the clock the others see.
if os.environ.get("YIWANG_TEST_TODAY"):
    import time_machine

    _today_traveller = time_machine.travel(f"{os.environ['YIWANG_TEST_TODAY']} 10:00:00+08:00", tick=True)
    _today_traveller.start()


import pytest
from hypothesis import settings as hypothesis_settings

# ``make test`` runs property tests derandomized (the same examples every run) and without deadlines
# (a loaded 2-core machine is no place for timings), so that what lands
# does not depend on luck; plain ``pytest`` explores new examples every run.
hypothesis_settings.register_profile("repeatable", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("YIWANG_HYPOTHESIS_PROFILE"):
    hypothesis_settings.load_profile(os.environ["YIWANG_HYPOTHESIS_PROFILE"])


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: a cached row from a rolled-back test must not leak."""
    from django.core.cache import cache

    from yiwang.sharing import call_reads

    cache.clear()
    call_reads.forget()  # per-process memory keyed by ids a rolled-back test may reuse (SQLite)
    yield
