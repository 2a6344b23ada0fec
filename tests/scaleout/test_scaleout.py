"""2 web nodes + 2 task workers + 1 scheduler behind HAProxy on one PostgreSQL, one web node and one
worker killed with SIGKILL mid-run (issue 26; tests/scaleout/harness.py does the work).

Clerks logged in through the real log-in + MFA pages read the to-do page and case pages, citizens
apply through the API (with an Idempotency-Key), all through HAProxy (deploy/haproxy/yiwang.cfg).
Pass: no errors beyond retried in-flight requests; every acknowledged application is in the database
and nothing else is; every new case's notification tasks ran once in effect (one in-site message and
one SMS); the task queue drains with nothing failed or left running.

The normal suite runs a short load (``YIWANG_SCALEOUT_SECONDS``, 8 s, PostgreSQL pass only);
``make scaleout-test`` runs 30 s and prints the counts.
"""

from __future__ import annotations

import json
import os
import time

import pytest
from django.db import connection
from tests.scaleout.harness import Load, Nodes, check, haproxy, setup_data, wait_for_queue

SECONDS = float(os.environ.get("YIWANG_SCALEOUT_SECONDS", "8"))
pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="several nodes on one database: PostgreSQL only (make test's PostgreSQL pass)",
    ),
    pytest.mark.skipif(haproxy() is None, reason="HAProxy is not installed (apt-get install haproxy)"),
    pytest.mark.django_db(transaction=True),
]


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def test_two_web_nodes_and_two_workers_survive_a_kill_9_of_one_each(tmp_path, capsys):
    fixture = setup_data()
    url = _database_url()
    nodes = Nodes(url, tmp_path, web_concurrency=1)
    load = None
    try:
        nodes.start(webs=2, workers=2, scheduler=True)
        serving = nodes.wait_until_serving()
        load = Load(nodes.url, fixture)
        load.start()
        started = time.monotonic()
        time.sleep(SECONDS * 0.4)
        nodes.kill("web1")
        nodes.kill("worker1")
        killed_at = time.monotonic() - started
        time.sleep(max(0.0, SECONDS - (time.monotonic() - started)))
        load.stop()
        ran = time.monotonic() - started
        queue = wait_for_queue(url)
    finally:
        if load is not None:
            load.stop()
        nodes.stop()
    counts = check(url, load.ledger, fixture["cases"])
    with capsys.disabled():
        print(
            f"\n=== scale-out kill test: {ran:.0f} s of load, web1 + worker1 killed at {killed_at:.0f} s ==="
        )
        print(f"serving after {serving:.1f} s; queue after the run {queue}")
        print(json.dumps(counts, ensure_ascii=False, indent=1))
    logs = nodes.tails()
    assert counts["requests"] > 0 and counts["cases_applied_acknowledged"] > 0, logs
    assert counts["errors"] == {}, logs  # nothing beyond retried in-flight requests
    assert counts["cases_acknowledged_missing"] == 0, logs  # no acknowledged application lost
    assert counts["cases_in_database_not_acknowledged"] == 0, logs  # no doubled application
    assert set(counts["tasks"]) == {"SUCCESSFUL"}, logs  # drained, nothing failed or stuck
    assert counts["cases_without_exactly_one_message"] == 0, logs  # each task effect exactly once
    assert counts["cases_without_exactly_one_sms"] == 0, logs
    assert counts["messages"] == counts["notifying_events"] == counts["cases_in_database_new"]
