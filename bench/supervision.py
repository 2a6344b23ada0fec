"""Supervision benchmark (issue #22): (a) the periodic scan over N open cases (target: 1,000,000 in
< 60 s on PostgreSQL), run twice (the second run is the idempotent steady state), and (b) the cost
the event-time checks add to a case transition (target < 2 ms), measured in process.

Usage:

    createdb -h 127.0.0.1 -U postgres bench_supervision        # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_supervision uv run python bench/supervision.py --cases 100000

A quick check on a fresh SQLite file under /tmp (unless DATABASE_URL is set):

    uv run python bench/supervision.py --cases 5000

Seeding reuses ``yiwang bench_seed`` (items and cases written with COPY on PostgreSQL) after the demo
data; an existing seed is reused.  Every seeded case is then made an open, accepted case by one
UPDATE with due dates spread from 10 days ago to 30 days ahead (a quarter overdue, some due soon),
so every case is a candidate of the time rules.  Prints a table and writes JSON to bench/results/.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
os.environ.setdefault("YIWANG_PROFILE", "demo")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = "sqlite:///" + str(
        Path(tempfile.mkdtemp(prefix="yiwang-bench-sup-")) / "db.sqlite3"
    )


def seed(cases: int) -> tuple[int, float]:
    from django.core.management import call_command

    from yiwang.cases.models import Case
    from yiwang.catalog.models import ServiceItem
    from yiwang.demo.bench_seed import BENCH_PREFIX
    from yiwang.demo.bench_seed import seed as bench_seed

    started = time.perf_counter()
    if not ServiceItem.objects.exists():
        call_command("loaddemo", verbosity=0)
    if not ServiceItem.objects.filter(base_code__startswith=BENCH_PREFIX).exists():
        bench_seed(max(100, cases // 1000), cases, log=lambda _: None)
    return Case.objects.count(), time.perf_counter() - started


def open_all() -> float:
    """Every case becomes an open accepted case with a due date from -10 to +30 days."""
    from django.db import connection, transaction

    started = time.perf_counter()
    day = (
        "CURRENT_DATE + ((id %% 41) - 10)::integer"
        if connection.vendor == "postgresql"
        else ("date('now', ((id %% 41) - 10) || ' days')")
    )
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "UPDATE cases_case SET status = 'accepted', completed_at = NULL, clock_paused = %s,"
            f" accepted_at = submitted_at, due_date = {day}, extension_days = 0, paused_working_days = 0",
            [False],
        )
        cur.execute("DELETE FROM supervision_supervisionwarning")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE cases_case")
    return time.perf_counter() - started


# (event type, from status, comment, actor): transitions that raise nothing (the common case) and
# one that raises a warning (refusal without a reason, by someone without the approver role).
EVENTS = {
    "approved_auto": ("approved", "accepted", "", None),
    "refused_with_reason": ("refused", "accepted", "不符合条件", None),
    "accepted": ("accepted", "submitted", "", None),
    "correction_requested": ("correction_requested", "submitted", "", None),
    "completed": ("completed", "accepted", "", None),
    "raising_refusal": ("refused", "accepted", "", "staff"),
}


def event_check_cost(samples: int) -> dict[str, float]:
    """The receiver's own time per event (ms): what the checks add to a transition."""
    from django.db import transaction

    from yiwang.accounts.models import User
    from yiwang.cases.models import Case, CaseEvent
    from yiwang.supervision import checks, ruleset

    cases = list(Case.objects.select_related("handling_organisation", "item").order_by("id")[:samples])
    staff = User.objects.filter(kind="staff").first()
    results: dict[str, float] = {}
    for label, (etype, from_status, comment, who) in EVENTS.items():
        timings = []
        with transaction.atomic():
            ruleset.CACHE.snapshot()
            for n, case in enumerate(cases):
                event = CaseEvent(
                    case=case,
                    sequence=10_000 + n,
                    event_type=etype,
                    from_status=from_status,
                    to_status="accepted",
                    actor=staff if who else None,
                    actor_label="bench",
                    channel="online",
                    comment=comment,
                    occurred_at=case.submitted_at,
                )
                started = time.perf_counter()
                checks.on_case_event(None, case=case, event=event)
                timings.append((time.perf_counter() - started) * 1000)
            transaction.set_rollback(True)
        timings.sort()
        results[f"{label}_median_ms"] = round(statistics.median(timings), 3)
        results[f"{label}_p95_ms"] = round(timings[int(len(timings) * 0.95) - 1], 3)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=500, help="events for the event-time cost")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from yiwang.supervision.models import SupervisionWarning
    from yiwang.supervision.scan import run_scan

    call_command("migrate", verbosity=0)
    call_command("supervision_defaults", verbosity=0)
    seeded, seed_s = seed(args.cases)
    prepare_s = open_all()
    results: dict[str, Any] = {
        "database": connection.vendor,
        "open_cases": seeded,
        "seed_s": round(seed_s, 1),
        "prepare_s": round(prepare_s, 1),
        "cpus": os.cpu_count(),
        "load": round(os.getloadavg()[0], 2),
    }
    for label in ("scan_first", "scan_again"):
        started = time.perf_counter()
        outcome = run_scan()
        results[f"{label}_s"] = round(time.perf_counter() - started, 2)
        results[f"{label}_raised"] = outcome.total_raised
        results[f"{label}_closed"] = outcome.total_closed
    results["warnings"] = SupervisionWarning.objects.count()
    results["extrapolated_1m_first_s"] = round(results["scan_first_s"] * 1_000_000 / max(seeded, 1), 1)
    results["extrapolated_1m_again_s"] = round(results["scan_again_s"] * 1_000_000 / max(seeded, 1), 1)
    results.update(event_check_cost(min(args.samples, seeded)))
    width = max(len(k) for k in results)
    for key, value in results.items():
        print(f"{key:<{width}}  {value}")
    out = ROOT / "bench" / "results" / f"supervision-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
