"""Dashboards benchmark: the aggregate rows 1,000,000 cases make, then the dashboard queries and the
big screen's refresh, in process on PostgreSQL.

Usage:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_dashboards uv run python bench/dashboards.py

Options: ``--cases N`` (default 1,000,000), ``--days N`` (history, default 365), ``--departments N``
(default 40), ``--items N`` (default 1000), ``--repeat N`` (timed calls per query, default 30),
``--keep`` (reuse the rows of an earlier run with the same options).

The cases are not written: for every generated case the script adds what it contributes (filing,
acceptance, closing and open-due day roles, :mod:`yiwang.metrics.facts`) to the (day, department,
item, channel) sums in memory and bulk-inserts the aggregate rows.  Then it times, for the whole
platform and for one department's scope: the summary (this month, last 365 days), today's figures,
the top items, the metrics table per department and per item, and the screen: the fragment
``/screen/figures/`` through the Django stack (cached snapshot) and the snapshot's recomputation.
Prints a table and writes JSON to bench/results/.  Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
os.environ.setdefault("YIWANG_PROFILE", "demo")
CHANNELS = ("web", "mobile", "window", "api")
CHANNEL_WEIGHTS = (45, 30, 20, 5)


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def make_units(departments: int, items: int) -> tuple[list[Any], list[Any]]:
    from yiwang.catalog.models import ServiceItem
    from yiwang.core.models import Organisation, Region
    from yiwang.testing.portal import make_department, make_item, make_region

    city = make_region()
    regions = []
    for n in range(6):
        code = f"3401{n + 2:02d}"
        region, _ = Region.objects.get_or_create(
            code=code,
            defaults={"full_code": code + "000000", "name": f"区{n + 1}", "level": 4, "parent": city},
        )
        regions.append(region)
    orgs = list(Organisation.objects.filter(name__startswith="基准部门").order_by("pk"))
    for n in range(len(orgs), departments):
        org = make_department(f"基准部门{n:03d}", f"部门{n:03d}")
        org.region = regions[n % len(regions)]
        org.save(update_fields=["region"])
        orgs.append(org)
    existing = list(ServiceItem.objects.filter(name__startswith="基准事项").order_by("pk"))
    for n in range(len(existing), items):
        existing.append(
            make_item(
                orgs[n % departments],
                name=f"基准事项{n:04d}",
                materials=[],
                case_kind="1" if n % 7 == 0 else "2",
            )
        )
    return orgs, existing


def generate(
    cases: int, days: int, orgs: list[Any], items: list[Any], today: date
) -> dict[tuple[Any, ...], list[int]]:
    """Sum what ``cases`` random cases contribute per (day, organisation, item, channel)."""
    from yiwang.metrics.models import COUNTERS

    index = {name: i for i, name in enumerate(COUNTERS)}
    rng = random.Random(2026)
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(items))]  # a few items are busy
    org_of = {item.pk: item.implementing_body_id for item in items}
    region_of = {org.pk: org.region_id for org in orgs}
    sums: dict[tuple[Any, ...], list[int]] = {}

    def add(day: date, item: Any, channel: str, **counts: int) -> None:
        key = (day, org_of[item.pk], item.pk, channel)
        row = sums.get(key)
        if row is None:
            row = sums[key] = [0] * len(COUNTERS)
        for name, value in counts.items():
            row[index[name]] += value

    picked_items = rng.choices(items, weights=weights, k=cases)
    channels = rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS, k=cases)
    for n in range(cases):
        item, channel = picked_items[n], channels[n]
        filed = today - timedelta(days=int(rng.random() * days))
        instant = item.case_kind == "1"
        visits = (channel == "window") + (rng.random() < 0.2 and not (channel == "window" and instant))
        add(
            filed,
            item,
            channel,
            filed=1,
            online=int(channel != "window"),
            zero_visit=int(visits == 0),
            one_visit=int(visits <= 1),
            immediate=int(instant),
            visits_saved=2 - visits,
        )
        fate = rng.random()
        if fate < 0.01:
            continue  # never accepted (withdrawn before acceptance)
        accepted = filed + timedelta(days=rng.randint(0, 2))
        if accepted > today:
            continue
        add(accepted, item, channel, accepted=1)
        due = accepted + timedelta(days=item.committed_limit_days + 2)
        closed = accepted + timedelta(days=rng.randint(0, 12))
        if fate < 0.015 or closed > today:  # still open: recent ones, and a few stuck
            add(due, item, channel, open_due=1)
            continue
        handling = max(0, (closed - accepted).days * 5 // 7)
        refused = rng.random() < 0.03
        add(
            closed,
            item,
            channel,
            completed=1,
            decided=1,
            refused=int(refused),
            with_due=1,
            on_time=int(closed <= due),
            late=int(closed > due),
            timed=1,
            handling_days=handling,
            committed_days=item.committed_limit_days,
            statutory_days=item.statutory_limit_days,
            time_saved_days=item.statutory_limit_days - handling,
        )
    return {(*key, region_of[key[1]]): row for key, row in sums.items()}


def load(sums: dict[tuple[Any, ...], list[int]]) -> None:
    """COPY the daily rows in day order (as days pass, rows are written day after day), then the
    monthly rows they make."""
    from django.db import connection

    from yiwang.metrics.models import COUNTERS, CaseAggregate, CaseAggregateMonth

    months: dict[tuple[Any, ...], list[int]] = {}
    for (day, *rest), row in sums.items():
        total = months.setdefault((day.replace(day=1), *rest), [0] * len(COUNTERS))
        for i, value in enumerate(row):
            total[i] += value
    columns = ["day", "organisation_id", "item_id", "channel", "region_id", *COUNTERS]
    with connection.cursor() as cursor:
        for model, data in ((CaseAggregate, sums), (CaseAggregateMonth, months)):
            table = model._meta.db_table
            cursor.execute(f"TRUNCATE {table}")
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for key in sorted(data, key=lambda k: (k[0], k[1], k[2], k[3])):
                    copy.write_row([*key, *data[key]])
            cursor.execute(f"VACUUM ANALYZE {table}")


def timed(fn: Callable[[], Any], repeat: int) -> dict[str, float]:
    fn()  # warm
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))], 2),
        "max_ms": round(samples[-1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--departments", type=int, default=40)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("set DATABASE_URL=postgres://…/bench_dashboards")
    ensure_database(url)
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from yiwang.core.models import Organisation
    from yiwang.metrics import dashboards, indicators, reads, screen
    from yiwang.metrics.models import CaseAggregate, CaseAggregateMonth
    from yiwang.metrics.sources import Period
    from yiwang.testing.portal import seed_test_calendar

    call_command("migrate", verbosity=0)
    seed_test_calendar()
    today = timezone.localdate()
    started = time.perf_counter()
    orgs, items = make_units(args.departments, args.items)
    if not (args.keep and CaseAggregate.objects.exists()):
        sums = generate(args.cases, args.days, orgs, items, today)
        load(sums)
    rows = CaseAggregate.objects.count()
    month_rows = CaseAggregateMonth.objects.count()
    setup_s = round(time.perf_counter() - started, 1)

    month = Period(today.replace(day=1), today)
    year = Period(today - timedelta(days=364), today)
    one = Organisation.objects.filter(pk=orgs[0].pk).values("pk")
    flt = reads.Filters()

    def summary(period: Period, scope: Any) -> Callable[[], Any]:
        def run() -> Any:
            sums = reads.totals(period, scope, flt)
            items_n = sum(reads.published_items("all", scope, flt).values())
            return indicators.evaluate(sums, items_n), reads.overdue_now(scope, flt)

        return run

    def today_fig(scope: Any) -> Callable[[], Any]:
        def run() -> Any:
            day = Period(today, today)
            return [
                reads.grouped(day, level, scope, flt, items_used=False)
                for level in ("department", "channel", "region")
            ], reads.overdue_now(scope, flt)

        return run

    q_month = dashboards.Query(month, flt, "department")
    results: dict[str, dict[str, float]] = {
        "summary, this month, all": timed(summary(month, None), args.repeat),
        "summary, last 365 days, all": timed(summary(year, None), args.repeat),
        "summary, this month, one department": timed(summary(month, one), args.repeat),
        "summary, last 365 days, one department": timed(summary(year, one), args.repeat),
        "today by department/channel/region, all": timed(today_fig(None), args.repeat),
        "top items, this month, all": timed(lambda: dashboards.top_items(None, q_month), args.repeat),
        "metrics per department, this month": timed(
            lambda: indicators.per_unit(month, "department"), args.repeat
        ),
        "metrics per item, this month": timed(lambda: indicators.per_unit(month, "item"), args.repeat),
        "metrics per department, last 365 days": timed(
            lambda: indicators.per_unit(year, "department"), args.repeat
        ),
        "screen snapshot recomputed": timed(screen.compute, args.repeat),
    }
    key, token = screen.create_key("bench")
    client = Client()
    cache.clear()

    def screen_refresh() -> None:
        response = client.get("/screen/figures/", {"key": token})
        assert response.status_code == 200, response.status_code

    results["screen refresh /screen/figures/ (cached snapshot)"] = timed(screen_refresh, args.repeat * 3)
    screen.revoke_key(key.public_id)
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "cases": args.cases,
        "aggregate_rows": rows,
        "month_rows": month_rows,
        "setup_s": setup_s,
        "results": results,
    }
    print(
        f"{rows:,} daily + {month_rows:,} monthly aggregate rows for {args.cases:,} cases (setup {setup_s} s)"
    )
    print(f"{'query':58} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for name, figures in results.items():
        print(f"{name:58} {figures['p50_ms']:8.2f} {figures['p95_ms']:8.2f} {figures['max_ms']:8.2f}")
    out = ROOT / "bench" / "results" / f"dashboards-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
