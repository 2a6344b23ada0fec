"""Payments benchmark (issue #21): (a) gateway notifications processed idempotently with 1M orders in
the database, (b) reconciliation of a 100,000-line statement.

Usage (the full run; the seed of 1M orders takes a few minutes):

    createdb -h 127.0.0.1 -U postgres yiwang_bench_pay        # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yiwang_bench_pay uv run python bench/payments.py

A quick check with small sizes (a fresh SQLite file under /tmp unless DATABASE_URL is set):

    uv run python bench/payments.py --orders 20000 --statement 5000 --notifications 1000 --http 0

Options: ``--orders N`` (orders seeded, default 1,000,000; an existing seed of the same size is
reused), ``--statement N`` (orders paid yesterday and lines of the statement, default 100,000),
``--notifications N`` (distinct ``paid`` notifications, default 3,000; each is delivered twice, so
2N are processed and N orders change), ``--http N`` (wrk connections posting the same kind of notifications,
each twice, to ``/api/v1/payments/notify/fiscal`` of the production gunicorn configuration for
``--http-seconds`` (15); 0 = skip, default 8; needs Debian's ``wrk``).

(a) in process: each notification is signed beforehand with the gateway's test key; the measured
path is ``services.receive_notification`` (SM2 verification, nonce, order lock, idempotency by
notification id, transition, event, audit). (b) the statement is signed and served by an in-process
adapter (no HTTP), the measured path is ``services.reconcile`` (verification, parsing, matching,
bulk insert of the items), run twice (the second run replaces the open items). Prints a table and
writes JSON to bench/results/. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
from wrkload import serve_and_wrk  # noqa: E402 - the sibling module, found through the path above

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
os.environ.setdefault("YIWANG_PROFILE", "demo")
TMP = Path(tempfile.mkdtemp(prefix="yiwang-bench-pay-"))
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = "sqlite:///" + str(TMP / "db.sqlite3")
KEYS_FILE = TMP / "paygate-keys.json"
os.environ["YIWANG_PAYGATE_KEYS_FILE"] = str(KEYS_FILE)
CODE_BASE = 34010026_0000000000  # region 340100, year 26, then the serial (no check digits needed here)
SUBJECT = "bench.Payment"


def seed(orders: int, paid: int, day: Any) -> tuple[int, float]:
    """``orders`` orders of one department (the first ``paid`` paid on ``day`` through the fiscal
    gateway, the others paying), bulk inserted; an existing seed of the same size is kept."""
    from django.utils import timezone

    from yiwang.payments.models import OrderStatus, PaymentOrder
    from yiwang.testing import portal

    existing = PaymentOrder.objects.filter(subject_type=SUBJECT).count()
    if existing == orders:
        return existing, 0.0
    PaymentOrder.objects.filter(subject_type=SUBJECT).delete()
    department = portal.make_department("合肥市财政局", "市财政局")
    payer = portal.make_citizen(f"bench_payer_{uuid.uuid4().hex[:6]}")
    started = time.perf_counter()
    now = timezone.now()
    paid_at = timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=10)
    expires = now + timedelta(days=30)
    batch: list[PaymentOrder] = []
    for n in range(orders):
        is_paid = n < paid
        batch.append(
            PaymentOrder(
                code=f"{CODE_BASE + n:020d}",
                subject_type=SUBJECT,
                subject_id=str(n),
                reference=f"B{n}",
                subject_title="基准测试缴费",
                organisation=department,
                payer=payer,
                payer_name="张伟",
                lines=[],
                amount_fen=5000,
                paid_fen=5000 if is_paid else 0,
                status=OrderStatus.PAID if is_paid else OrderStatus.PAYING,
                due_date=expires.date(),
                expires_at=expires,
                gateway="fiscal",
                gateway_trade_no=f"PG{n:020d}",
                paid_at=paid_at if is_paid else None,
                paying_since=now,
            )
        )
        if len(batch) == 5000:
            PaymentOrder.objects.bulk_create(batch)
            batch = []
    PaymentOrder.objects.bulk_create(batch)
    return orders, time.perf_counter() - started


def signed(keys: dict[str, Any], body: dict[str, Any]) -> tuple[dict[str, str], bytes]:
    from yiwang.payments.gateways import signing

    payload = signing.canonical_json(body)
    return signing.sign_headers(keys["gateway"]["private"], payload), payload


def notifications(
    keys: dict[str, Any], first: int, count: int, lag: int = 64
) -> list[tuple[dict[str, str], bytes]]:
    """``count`` paid notifications for paying orders from ``first`` on, each delivered twice (new
    signature): the second delivery of one comes ``lag`` notifications after its first, as a
    gateway's retry comes later (adjacent copies would race each other on the order lock, which
    the tests cover but a gateway does not do at this rate)."""
    bodies = []
    for n in range(first, first + count):
        bodies.append(
            {
                "notification_id": str(uuid.uuid4()),
                "type": "payment",
                "order_no": f"{CODE_BASE + n:020d}",
                "gateway_trade_no": f"PG{n:020d}",
                "status": "paid",
                "amount_fen": 5000,
                "paid_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "channel": "pc",
            }
        )
    out = []
    for n, body in enumerate(bodies):
        out.append(signed(keys, body))
        if n >= lag:
            out.append(signed(keys, bodies[n - lag]))
    out.extend(signed(keys, body) for body in bodies[max(0, len(bodies) - lag) :])
    return out


def bench_in_process(keys: dict[str, Any], first: int, count: int) -> dict[str, Any]:
    from yiwang.payments import services
    from yiwang.payments.gateways.fiscal import FiscalGateway

    gateway = FiscalGateway.from_settings()
    signed_list = notifications(keys, first, count)
    statuses: dict[int, int] = {}
    started = time.perf_counter()
    for headers, body in signed_list:
        answer = services.receive_notification(headers, body, gateway)
        statuses[answer.status] = statuses.get(answer.status, 0) + 1
    elapsed = time.perf_counter() - started
    return {
        "processed": len(signed_list),
        "seconds": round(elapsed, 2),
        "per_s": round(len(signed_list) / elapsed, 1),
        "statuses": statuses,
    }


WARM_ORDERS = 1_500


def write_lua(signed_list: list[tuple[dict[str, str], bytes]], name: str) -> Path:
    """A wrk script posting the pre-signed notifications in turn (wrapping round: replays, refused)."""
    lua = ["local requests = {}"]
    for n, (headers, body) in enumerate(signed_list, start=1):
        head = ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items())
        lua.append(
            f'requests[{n}] = wrk.format("POST", nil, {{["Content-Type"] = "application/json", {head}}}, '
            f"{json.dumps(body.decode())})"
        )
    lua += [
        "local i = 0",
        "request = function()",
        "  i = i + 1",
        "  if i > #requests then i = 1 end",
        "  return requests[i]",
        "end",
    ]
    script = TMP / name
    script.write_text("\n".join(lua) + "\n")
    return script


def bench_http(keys: dict[str, Any], first: int, count: int, clients: int, seconds: int) -> dict[str, Any]:
    """The production server (gunicorn with ``yiwang/gunicorn_conf.py``) under wrk: ``clients``
    connections post the pre-signed notifications (each distinct one twice) for ``seconds``."""
    warm = write_lua(notifications(keys, first, WARM_ORDERS), "warm.lua")
    signed_list = notifications(keys, first + WARM_ORDERS, count)
    script = write_lua(signed_list, "notify.lua")
    figures = serve_and_wrk(
        "/api/v1/payments/notify/fiscal", script, clients=clients, seconds=seconds, warm_script=warm
    )
    return {
        "processed": figures["requests"],
        "clients": clients,
        "distinct_available": len(signed_list),
        "per_s": figures["per_s"],
        "errors": figures["errors"],
        "latency": figures["latency"],
        "wrapped": figures["requests"] > len(signed_list),
    }


def bench_reconcile(keys: dict[str, Any], day: Any, lines: int) -> dict[str, Any]:
    from yiwang.payments import services
    from yiwang.payments.gateways import signing
    from yiwang.payments.gateways.base import STATEMENT_HEADER
    from yiwang.payments.gateways.fiscal import FiscalGateway

    rows = [STATEMENT_HEADER]
    for n in range(lines):
        if n % 1000 == 1:
            continue  # missing theirs
        amount = 4999 if n % 1000 == 2 else 5000  # amount mismatch
        row = f"{day.isoformat()},{CODE_BASE + n:020d},PG{n:020d},pay,{amount},pc,{day.isoformat()}T10:00:00+08:00"
        rows.append(row)
        if n % 1000 == 3:
            rows.append(row)  # duplicate
    rows.append(f"{day.isoformat()},99999999999999999999,PG0,pay,100,pc,{day.isoformat()}T11:00:00+08:00")
    raw = ("\n".join(rows) + "\n").encode()

    class Served(FiscalGateway):
        def _call(self, method: str, path: str, body: Any = None) -> tuple[int, bytes, Any]:
            return 200, raw, signing.sign_headers(keys["gateway"]["private"], raw)

    gateway = Served.from_settings()
    timings = []
    run = None
    for _ in range(2):
        started = time.perf_counter()
        run = services.reconcile(day, gateway=gateway)
        timings.append(round(time.perf_counter() - started, 2))
    assert run is not None
    return {
        "lines": run.statement_lines,
        "first_s": timings[0],
        "rerun_s": timings[1],
        "counts": run.counts(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--statement", type=int, default=100_000)
    parser.add_argument("--notifications", type=int, default=3_000)
    parser.add_argument("--http", type=int, default=8)
    parser.add_argument("--http-seconds", type=int, default=15)
    args = parser.parse_args()
    http_orders = args.http_seconds * 600 if args.http else 0  # enough distinct ones for 1,200 posts/s
    if args.orders < args.statement + args.notifications + http_orders:
        parser.error("--orders must exceed --statement + the notified orders")

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from yiwang.payments.gateways.keys import load_or_create

    call_command("migrate", verbosity=0)
    keys = load_or_create(KEYS_FILE)
    day = timezone.localdate() - timedelta(days=1)
    seeded, seed_s = seed(args.orders, args.statement, day)
    from django.db.models import Max

    from yiwang.payments.models import OrderStatus, PaymentOrder

    # the paid orders are the statement's and those notified by earlier runs: start after them, so
    # every run pays orders that are still paying (an already paid one takes the cheaper path)
    last_paid = PaymentOrder.objects.filter(subject_type=SUBJECT, status=OrderStatus.PAID).aggregate(
        m=Max("code")
    )["m"]
    start = int(last_paid) - CODE_BASE + 1 if last_paid else args.statement
    if seeded < start + args.notifications + http_orders + (WARM_ORDERS if args.http else 0):
        parser.error("no more paying orders left in the seed: drop the database or raise --orders")
    results: dict[str, Any] = {
        "database": os.environ["DATABASE_URL"].split("://")[0],
        "orders": seeded,
        "seed_s": round(seed_s, 1),
        "cpus": os.cpu_count(),
        "load": os.getloadavg()[0],
    }
    results["in_process"] = bench_in_process(keys, start, args.notifications)
    if args.http:
        results["http"] = bench_http(
            keys, start + args.notifications, http_orders, args.http, args.http_seconds
        )
    results["reconcile"] = bench_reconcile(keys, day, args.statement)

    print(f"orders in the database: {seeded:,} ({results['database']}; seeded in {seed_s:.1f} s)")
    p = results["in_process"]
    print(
        f"(a) notifications in process: {p['processed']:,} in {p['seconds']} s = {p['per_s']}/s (target >= 300/s) {p['statuses']}"
    )
    if "http" in results:
        h = results["http"]
        print(
            f"(a) notifications over HTTP (wrk, {h['clients']} connections, production gunicorn): "
            f"{h['processed']:,} = {h['per_s']}/s (target >= 300/s), errors {h['errors']}, latency {h['latency']}"
            + (" [list wrapped: replays refused]" if h["wrapped"] else "")
        )
    r = results["reconcile"]
    print(
        f"(b) reconciliation of {r['lines']:,} lines: {r['first_s']} s, re-run {r['rerun_s']} s (target < 30 s) {r['counts']}"
    )
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    name = out / f"payments-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{platform.node()}.json"
    name.write_text(json.dumps(results, indent=2, default=str))
    print(f"written {name.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
