"""Hall benchmark (issue #24): taking a ticket and calling the next (target ≥ 200/s), the queue
screen's refresh (target < 20 ms of server time) and the slot search over 30 days (target p95 < 50 ms).

Usage:

    uv run python bench/hall.py                                    # fresh SQLite file under /tmp
    createdb -h 127.0.0.1 -U postgres bench_hall                    # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_hall uv run python bench/hall.py --tickets 3000

Seeds the demo (``loaddemo``: the hall 合肥市政务服务中心 with its categories, windows, schedules and
the next 30 days of slots).  Measures, in this process (the services and the views as the web
server runs them, without the network):

(a) ``take_ticket`` one after another, then (b) ``call_next`` + ``finish`` by three clerks at three
general windows in turn until the queue is empty (each call is one locked pick, an event and an audit
record); (c) the queue screen's board fragment ``/hall/queue/<hall>/board/`` through the Django test
client (middleware, view, template: the server's time for one refresh) while the queue holds the
tickets of (a); (d) the free slots of every appointment item of the hall for the next 30 days.

``--parallel N`` (PostgreSQL) then takes the same number of tickets again and lets N general windows call
and finish them at the same time, one process per window, as a hall's windows do: calls per second
over the whole hall (``SKIP LOCKED`` keeps two windows from calling the same ticket; the audit
record's chain head is the one row they all queue on).

``--http N`` also runs the production server (gunicorn, ``yiwang/gunicorn_conf.py``) and posts
tickets with ``wrk`` (N connections, bearer token of the demo citizen, ``--http-seconds``; Debian's
``wrk`` needed).  Prints a table and writes JSON to bench/results/.  Not part of the test suite.
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
sys.path.insert(0, str(ROOT / "bench"))
from wrkload import serve_and_wrk  # noqa: E402 - the sibling module, found through the path above

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
os.environ.setdefault("YIWANG_PROFILE", "demo")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = "sqlite:///" + str(
        Path(tempfile.mkdtemp(prefix="yiwang-bench-hall-")) / "db.sqlite3"
    )
HALL_CODE = "hefei"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def summary(timings: list[float], elapsed: float) -> dict[str, Any]:
    return {
        "count": len(timings),
        "per_second": round(len(timings) / elapsed, 1) if elapsed else 0.0,
        "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(percentile(timings, 0.95), 2),
    }


def clerks(hall: Any, count: int) -> list[tuple[Any, Any]]:
    """(window, clerk) pairs: general windows opened by bench clerks of the service centre."""
    from yiwang.accounts.models import User
    from yiwang.hall.models import Window
    from yiwang.hall.services import windows as window_service
    from yiwang.testing.people import make_staff

    pairs = []
    for index, window in enumerate(
        Window.objects.filter(hall=hall, is_general=True).order_by("number")[:count]
    ):
        username = f"bench_hall_clerk{index}"
        clerk = User.objects.filter(username=username).first() or make_staff(
            hall.organisation, username, ["window_clerk"]
        )
        if window.clerk_id not in (None, clerk.pk):
            window_service.close_window(window=window, clerk=window.clerk)
        window.refresh_from_db()
        if window.clerk_id != clerk.pk:
            window_service.open_window(window=window, clerk=clerk)
        window.refresh_from_db()
        pairs.append((window, clerk))
    return pairs


def bench_queue(hall: Any, tickets: int) -> dict[str, Any]:
    from django.test import Client

    from yiwang.core.errors import DomainError
    from yiwang.hall.models import BusinessCategory, QueueStatus, QueueTicket
    from yiwang.hall.services import queue

    categories = list(BusinessCategory.objects.filter(hall=hall, is_active=True).order_by("sort_order"))
    QueueTicket.objects.filter(hall=hall, status__in=[QueueStatus.WAITING, QueueStatus.CALLED]).update(
        status=QueueStatus.CANCELLED
    )
    queue.take_ticket(hall=hall, category=categories[0], source="kiosk")  # warm-up
    take: list[float] = []
    started = time.perf_counter()
    for i in range(tickets):
        green = "elderly" if i % 17 == 0 else ""
        t = time.perf_counter()
        queue.take_ticket(
            hall=hall, category=categories[i % len(categories)], source="kiosk", green_reason=green
        )
        take.append((time.perf_counter() - t) * 1000)
    take_elapsed = time.perf_counter() - started

    board: list[float] = []
    client = Client()
    client.get(f"/hall/queue/{HALL_CODE}/board/")
    for _ in range(200):
        t = time.perf_counter()
        response = client.get(f"/hall/queue/{HALL_CODE}/board/")
        board.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200

    pairs = clerks(hall, 3)
    call: list[float] = []
    finish: list[float] = []
    started = time.perf_counter()
    served = 0
    while served < tickets:
        progressed = False
        for window, clerk in pairs:
            t = time.perf_counter()
            try:
                ticket = queue.call_next(window=window, clerk=clerk)
            except DomainError:  # nobody waiting for this window
                continue
            call.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            queue.finish(ticket=ticket, clerk=clerk)
            finish.append((time.perf_counter() - t) * 1000)
            served += 1
            progressed = True
        if not progressed:
            break
    call_elapsed = time.perf_counter() - started
    return {
        "take": summary(take, take_elapsed),
        "board_ms": {"median": round(statistics.median(board), 2), "p95": round(percentile(board, 0.95), 2)},
        # call_next alone (its own time), and the whole cycle at three windows (call, then finish)
        "call_next": {
            **summary(call, sum(call) / 1000),
            "finish_median_ms": round(statistics.median(finish), 2),
            "cycles_per_second": round(len(call) / call_elapsed, 1),
        },
    }


def _window_loop(window_pk: int, clerk_pk: int, out: Any) -> None:
    """One window's process: call and finish until the queue is empty; sends its call timings."""
    from yiwang.accounts.models import User
    from yiwang.core.errors import DomainError
    from yiwang.hall.models import Window
    from yiwang.hall.services import queue

    window, clerk = Window.objects.get(pk=window_pk), User.objects.get(pk=clerk_pk)
    timings: list[float] = []
    while True:
        t = time.perf_counter()
        try:
            ticket = queue.call_next(window=window, clerk=clerk)
        except DomainError:
            break
        timings.append((time.perf_counter() - t) * 1000)
        queue.finish(ticket=ticket, clerk=clerk)
    out.send(timings)
    out.close()


def bench_parallel_calls(hall: Any, tickets: int, windows: int) -> dict[str, Any]:
    """``windows`` general windows calling at once, one process each (see the module)."""
    import multiprocessing

    from django.db import connections

    from yiwang.hall.models import BusinessCategory
    from yiwang.hall.services import queue

    categories = list(BusinessCategory.objects.filter(hall=hall, is_active=True).order_by("sort_order"))
    for i in range(tickets):
        queue.take_ticket(hall=hall, category=categories[i % len(categories)], source="kiosk")
    pairs = clerks(hall, windows)
    connections.close_all()  # each forked process opens its own connection
    context = multiprocessing.get_context("fork")
    pipes, processes = [], []
    started = time.perf_counter()
    for window, clerk in pairs:
        receiving, sending = context.Pipe(duplex=False)
        process = context.Process(target=_window_loop, args=(window.pk, clerk.pk, sending))
        process.start()
        pipes.append(receiving)
        processes.append(process)
    per_window = [pipe.recv() for pipe in pipes]
    elapsed = time.perf_counter() - started
    for process in processes:
        process.join()
    calls = [t for timings in per_window for t in timings]
    return {
        "windows": len(pairs),
        "calls": len(calls),
        "calls_per_window": [len(t) for t in per_window],
        # calls per second over the hall, each window calling then finishing as fast as it can
        "calls_per_second": round(len(calls) / elapsed, 1),
        "call_median_ms": round(statistics.median(calls), 2) if calls else None,
        "call_p95_ms": round(percentile(calls, 0.95), 2) if calls else None,
    }


def bench_slots(hall: Any, rounds: int) -> dict[str, Any]:
    from django.utils import timezone

    from yiwang.hall.models import BusinessCategory
    from yiwang.hall.reads_appointments import free_slots

    items = {
        item
        for c in BusinessCategory.objects.filter(hall=hall)
        for item in c.items.filter(appointment_supported=True)
    }
    today = timezone.localdate()
    timings: list[float] = []
    found = 0
    for _ in range(rounds):
        for item in items:
            t = time.perf_counter()
            rows = list(free_slots(hall=hall, item=item, start=today, days=30, kind="visit"))
            timings.append((time.perf_counter() - t) * 1000)
            found += len(rows)
    return {
        "items": len(items),
        "searches": len(timings),
        "slots_per_search": round(found / max(1, len(timings)), 1),
        "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(percentile(timings, 0.95), 2),
    }


def bench_http(hall: Any, clients: int, seconds: int) -> dict[str, Any]:
    from yiwang.accounts.models import User
    from yiwang.accounts.services import issue_api_token

    token = issue_api_token(User.objects.get(username="citizen"))
    script = Path(tempfile.mkdtemp(prefix="yiwang-bench-hall-wrk-")) / "take.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        'wrk.body = \'{"category": "Z"}\'\n'
        f'wrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = "Bearer {token}"\n'
    )
    # One citizen's token from one address: the edge's write limits (docs/security.md) would answer
    # 429 to most of it (as in bench/run.py, off unless set in the environment).
    limits = {
        f"YIWANG_RATE_LIMIT_{name}": os.environ.get(f"YIWANG_RATE_LIMIT_{name}", "0/60")
        for name in ("API_WRITE_USER", "API_WRITE_IP")
    }
    return serve_and_wrk(
        f"/api/v1/hall/halls/{hall.public_id}/tickets", script, clients=clients, seconds=seconds, env=limits
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tickets", type=int, default=2000, help="tickets to take and call (default 2000)")
    parser.add_argument(
        "--slot-rounds", type=int, default=5, help="searches per appointment item (default 5)"
    )
    parser.add_argument(
        "--parallel", type=int, default=0, help="windows calling at once (PostgreSQL; 0: skip)"
    )
    parser.add_argument("--http", type=int, default=0, help="wrk connections posting tickets (0: skip)")
    parser.add_argument("--http-seconds", type=int, default=15)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from yiwang.hall.models import Hall

    call_command("migrate", verbosity=0)
    call_command("loaddemo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - closed at exit
    hall = Hall.objects.get(code=HALL_CODE)
    now = timezone.localtime()
    results: dict[str, Any] = {"vendor": connection.vendor, "at": now.isoformat()}
    results["slots"] = bench_slots(hall, args.slot_rounds)
    results["queue"] = bench_queue(hall, args.tickets)
    if args.parallel and connection.vendor == "postgresql":
        results["parallel_calls"] = bench_parallel_calls(hall, args.tickets, args.parallel)
    if args.http:
        results["http_take"] = bench_http(hall, args.http, args.http_seconds)
    results["targets"] = {
        "take_per_s_ge_200": results["queue"]["take"]["per_second"] >= 200,
        "call_next_per_s_ge_200": results["queue"]["call_next"]["per_second"] >= 200,
        "board_p95_lt_20ms": results["queue"]["board_ms"]["p95"] < 20,
        "slots_p95_lt_50ms": results["slots"]["p95_ms"] < 50,
    }
    if args.http:
        results["targets"]["http_take_ge_200"] = results["http_take"]["per_s"] >= 200
    print(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"hall-{datetime.now(UTC):%Y%m%dT%H%M%S}.json").write_text(
        json.dumps(results, indent=2, default=str)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
