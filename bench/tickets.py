"""Tickets benchmark (issue 23): ticket creation throughput through the service
(``yiwang.tickets.services.create_ticket``: classification with jieba, routing, numbering, the event,
the audit record and the queued notification), target ≥ 100 tickets/s.

Usage:

    uv run python bench/tickets.py --tickets 2000                 # fresh SQLite file under /tmp
    createdb -h 127.0.0.1 -U postgres bench_tickets                # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_tickets uv run python bench/tickets.py --tickets 5000

Seeds three Hefei departments, a citizen and the default rules (``install_defaults``) when missing;
jieba is loaded before timing.  Prints a table and writes JSON to bench/results/.  Not part of the
test suite.
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
        Path(tempfile.mkdtemp(prefix="yiwang-bench-tickets-")) / "db.sqlite3"
    )

TEXTS = [
    ("complaint", "超市销售过期食品", "我在某超市买到过期食品，商家拒绝退换，投诉。"),
    ("consultation", "居住证办理", "请问居住证需要什么材料，在哪里办理？"),
    ("suggestion", "窗口延时服务", "建议政务中心周末开放部分窗口，方便上班族。"),
    ("help", "社保转移", "求助：社保关系转移一直没有办好，请帮忙。"),
    ("praise", "表扬窗口人员", "感谢市场监管局窗口工作人员耐心指导营业执照办理。"),
]


def seed() -> Any:
    from yiwang.accounts.models import User
    from yiwang.core.models import Organisation
    from yiwang.testing.people import make_citizen
    from yiwang.testing.portal import make_department
    from yiwang.tickets.services import install_defaults

    for name, short in (
        ("合肥市政务服务管理局", "市政务服务管理局"),
        ("合肥市市场监督管理局", "市市场监管局"),
        ("合肥市公安局", "市公安局"),
    ):
        if not Organisation.objects.filter(name=name).exists():
            make_department(name, short)
    install_defaults()
    citizen = User.objects.filter(username="bench_ticket_citizen").first()
    return citizen or make_citizen("bench_ticket_citizen")


def run(n: int, citizen: Any) -> dict[str, Any]:
    from yiwang.tickets.services import create_ticket

    create_ticket(actor=citizen, category="help", title="预热", content="预热 jieba", channel="web")
    timings: list[float] = []
    started = time.perf_counter()
    for i in range(n):
        category, title, content = TEXTS[i % len(TEXTS)]
        t = time.perf_counter()
        create_ticket(
            actor=citizen,
            category=category,
            title=title,
            content=f"{content}（{i}）",
            channel="web",
            region_code="340104",
        )
        timings.append((time.perf_counter() - t) * 1000)
    elapsed = time.perf_counter() - started
    timings.sort()
    return {
        "tickets": n,
        "seconds": round(elapsed, 2),
        "per_second": round(n / elapsed, 1),
        "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 2),
    }


def worker(n: int) -> dict[str, Any]:
    """One of ``--workers`` processes (spawned): warm up, then file ``n`` tickets; its timings and
    wall-clock window, so the parent measures the throughput of the processes together."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    citizen = get_user_model().objects.get(username="bench_ticket_citizen")
    from yiwang.tickets.services import create_ticket

    create_ticket(actor=citizen, category="help", title="预热", content="预热 jieba", channel="web")
    timings: list[float] = []
    started = time.time()
    for i in range(n):
        category, title, content = TEXTS[i % len(TEXTS)]
        t = time.perf_counter()
        create_ticket(
            actor=citizen,
            category=category,
            title=title,
            content=f"{content}（{os.getpid()}-{i}）",
            channel="web",
            region_code="340104",
        )
        timings.append((time.perf_counter() - t) * 1000)
    return {"timings": timings, "start": started, "end": time.time()}


def run_concurrent(n: int, workers: int) -> dict[str, Any]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        parts = list(pool.map(worker, [n // workers] * workers))
    timings = sorted(t for part in parts for t in part["timings"])
    elapsed = max(p["end"] for p in parts) - min(p["start"] for p in parts)
    return {
        "workers": workers,
        "tickets": len(timings),
        "seconds": round(elapsed, 2),
        "per_second": round(len(timings) / elapsed, 1),
        "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tickets", type=int, default=2000, help="tickets to create (default 2000)")
    parser.add_argument(
        "--workers", type=int, default=1, help="processes filing at once (default 1: one after another)"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    citizen = seed()
    measured = run(args.tickets, citizen) if args.workers <= 1 else run_concurrent(args.tickets, args.workers)
    results: dict[str, Any] = {"vendor": connection.vendor, **measured}
    results["target_met"] = results["per_second"] >= 100
    for key, value in results.items():
        print(f"{key:20} {value}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"tickets-{datetime.now(UTC):%Y%m%dT%H%M%S}.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
