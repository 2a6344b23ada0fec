"""Ratings benchmark (issue 23): seeds N rated invitations (default 1,000,000) in bulk and times the
好差评 indicator queries (one GROUP BY each) by department, item, region and month over a month, a
quarter and a year, per department scope and for the whole platform (target p95 < 200 ms on
PostgreSQL at 1,000,000).

Usage:

    createdb -h 127.0.0.1 -U postgres bench_ratings        # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_ratings uv run python bench/ratings.py --ratings 1000000

A quick check on a fresh SQLite file under /tmp (unless DATABASE_URL is set):

    uv run python bench/ratings.py --ratings 5000 --repeat 5

The seed writes the invitations only (they carry every column the indicators read: level, default,
reply, rectification and revisit flags), spread over 2026 across the demo departments and items,
with 85 % rated (10 % of those by default), 6 % bad, and most bad ones answered.  An existing seed
of the same size is reused.  The daily counts (``RatingDay``) of the 365 days are then recounted
(timed), so the queries read the daily counts, as they do in production once
``yiwang ratings_aggregate`` has run.  Prints a table and writes JSON to bench/results/.  Not part of the
test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
os.environ.setdefault("YIWANG_PROFILE", "demo")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = "sqlite:///" + str(
        Path(tempfile.mkdtemp(prefix="yiwang-bench-ratings-")) / "db.sqlite3"
    )

BATCH = 10_000
SUBJECT_PREFIX = "bench-"


def seed(n: int) -> float:
    from django.core.management import call_command
    from django.db import transaction

    from yiwang.catalog.models import ServiceItem
    from yiwang.ratings.models import RatingInvitation

    started = time.perf_counter()
    if not ServiceItem.objects.exists():
        call_command("loaddemo", verbosity=0)
    have = RatingInvitation.objects.filter(subject_label__startswith=SUBJECT_PREFIX).count()
    if have >= n:
        return 0.0
    items = list(ServiceItem.objects.select_related("implementing_body__region")[:500])
    rng = random.Random(23)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for offset in range(have, n, BATCH):
        rows = []
        for i in range(offset, min(n, offset + BATCH)):
            item = items[i % len(items)]
            org = item.implementing_body
            rated = rng.random() < 0.85
            default = rated and rng.random() < 0.10
            level = (5 if default else rng.choice((5, 5, 5, 4, 4, 3, 2, 1))) if rated else None
            bad = level is not None and level <= 2
            replied = bad and rng.random() < 0.9
            rows.append(
                RatingInvitation(
                    subject_kind="case",
                    subject_id=uuid.uuid4(),
                    subject_label=f"{SUBJECT_PREFIX}{i}",
                    organisation_id=org.pk,
                    item_id=item.pk,
                    region_code=org.region.full_code,
                    served_at=start + timedelta(seconds=rng.randrange(365 * 86400)),
                    token=uuid.uuid4().hex + uuid.uuid4().hex,
                    status=("defaulted" if default else "rated") if rated else "pending",
                    level=level,
                    is_default=default,
                    bad_replied=replied,
                    bad_rectified=replied and rng.random() < 0.9,
                    revisit_satisfied=(rng.random() < 0.8) if replied else None,
                )
            )
        with transaction.atomic():
            RatingInvitation.objects.bulk_create(rows, batch_size=2000)
    return time.perf_counter() - started


def aggregate() -> float:
    """The daily counts of every seeded day (what ``yiwang ratings_aggregate`` keeps current)."""
    from yiwang.ratings.models import RatingDay
    from yiwang.ratings.services.aggregates import recount_day

    started = time.perf_counter()
    if not RatingDay.objects.exists():
        day = date(2026, 1, 1)
        while day.year == 2026:
            recount_day(day)
            day += timedelta(days=1)
    return time.perf_counter() - started


def time_queries(repeat: int) -> dict[str, float]:
    from yiwang.core.models import Organisation
    from yiwang.ratings.reads import indicators

    department = Organisation.objects.order_by("pk").values_list("pk", flat=True).first()
    periods = {
        "month": (date(2026, 9, 1), date(2026, 9, 30)),
        "quarter": (date(2026, 7, 1), date(2026, 9, 30)),
        "year": (date(2026, 1, 1), date(2026, 12, 31)),
    }
    results: dict[str, float] = {}
    for period, (first, last) in periods.items():
        for by in ("department", "item", "region", "month"):
            for scope, organisations in (("all", None), ("dept", [department])):
                timings = []
                for _ in range(repeat):
                    t = time.perf_counter()
                    indicators(first, last, by, organisations=organisations)
                    timings.append((time.perf_counter() - t) * 1000)
                timings.sort()
                label = f"{period}_{by}_{scope}"
                results[f"{label}_median_ms"] = round(statistics.median(timings), 2)
                results[f"{label}_p95_ms"] = round(timings[max(0, int(len(timings) * 0.95) - 1)], 2)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--ratings", type=int, default=1_000_000, help="invitations to seed (default 1,000,000)"
    )
    parser.add_argument("--repeat", type=int, default=20, help="runs of each query (default 20)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    seconds = seed(args.ratings)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE ratings_ratinginvitation")
    recount = aggregate()
    results: dict[str, Any] = {
        "vendor": connection.vendor,
        "ratings": args.ratings,
        "seed_s": round(seconds, 1),
        "recount_365_days_s": round(recount, 1),
        **time_queries(args.repeat),
    }
    worst = max(v for k, v in results.items() if k.endswith("_p95_ms"))
    results["worst_p95_ms"] = worst
    for key, value in results.items():
        print(f"{key:40} {value}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"ratings-{datetime.now(UTC):%Y%m%dT%H%M%S}.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
