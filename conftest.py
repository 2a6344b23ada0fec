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

from yiwang.testing import pgflush

pgflush.install()  # PostgreSQL: DELETE, not TRUNCATE, between transactional tests (docstring there)

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
    from yiwang.supervision import ruleset
    from yiwang.tickets import routing

    cache.clear()
    call_reads.forget()  # per-process memory keyed by ids a rolled-back test may reuse (SQLite)
    ruleset.CACHE.forget()  # the rules' generation is read again (a rolled-back test's rules are gone)
    # 派单规则 are kept a minute per process and forgotten on save/delete, but a transactional test's flush
    # sends no signal: a later test routed tickets to a department that no longer existed (FK error).
    routing.forget_rules()
    yield


# --- the migrated test database, made once (yiwang.testing.dbtemplate) -------------------------------
@pytest.fixture(scope="session")
def _yiwang_test_db_template(request, django_db_modify_db_settings, django_db_blocker):
    """Each worker's test database is a copy of the migrated template; Django's set-up then keeps it
    (``keepdb``) and only checks that nothing is left to migrate.  Off with --reuse-db, --no-migrations
    or YIWANG_TEST_DB_TEMPLATE=0."""
    from yiwang.testing import dbtemplate

    config = request.config
    if not dbtemplate.enabled() or config.getvalue("reuse_db") or config.getvalue("nomigrations"):
        return False
    with django_db_blocker.unblock():
        prepared = dbtemplate.prepare_test_databases()
    if not prepared:
        return False

    def drop() -> None:
        with django_db_blocker.unblock():
            dbtemplate.drop_test_databases(prepared)

    request.addfinalizer(drop)
    return True


@pytest.fixture(scope="session")
def django_db_keepdb(request, _yiwang_test_db_template):
    return bool(_yiwang_test_db_template or request.config.getvalue("reuse_db"))


@pytest.fixture(scope="session")
def django_db_createdb(request, _yiwang_test_db_template):
    return bool(request.config.getvalue("create_db") and not _yiwang_test_db_template)
