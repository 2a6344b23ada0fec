"""Webhook fan-out benchmark: 10,000 events to 10 endpoints (100,000 deliveries), no loss.

Usage:

    uv run python bench/webhooks.py                       # a fresh SQLite file under var/
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yiwang_bench_webhooks uv run python bench/webhooks.py

Options: ``--events N`` (default 10000), ``--endpoints N`` (default 10), ``--workers N`` (sending
threads, default 16), ``--batch N`` (rows claimed per round, default 1000), ``--fail-rate F`` (the
receivers answer 503 to this share of requests, so retries are measured too; backoff is set to 0).

Ten HTTP receivers (one ``ThreadingHTTPServer`` each, HTTP/1.1 keep-alive, in a child process so they
do not share the sender's interpreter) verify every signature and count the distinct event ids they
accepted. The run fails unless every endpoint received every event. Prints a table and writes JSON
to bench/results/. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
os.environ.setdefault("YIWANG_PROFILE", "demo")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = "sqlite:///" + str(
        Path(tempfile.mkdtemp(prefix="yiwang-bench-webhooks-")) / "db.sqlite3"
    )

SECRET = "bench-webhook-secret-0123456789"  # noqa: S105 - a benchmark's throwaway key


# --- the receivers (child process) -----------------------------------------------------------------
def serve_receivers(count: int, fail_rate: float, ports: Any, commands: Any, results: Any) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from yiwang.exchange.webhook_signing import verify_webhook

    seen: list[set[str]] = [set() for _ in range(count)]
    received = [0] * count
    bad_signatures = [0] * count
    lock = threading.Lock()

    def handler_for(index: int) -> type[BaseHTTPRequestHandler]:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = 503 if fail_rate and random.random() < fail_rate else 200
                ok = verify_webhook(SECRET, dict(self.headers.items()), body)
                with lock:
                    received[index] += 1
                    if not ok:
                        bad_signatures[index] += 1
                        status = 401
                    elif status == 200:
                        seen[index].add(self.headers["X-Yiwang-Event-Id"])
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    servers = []
    for index in range(count):
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(index))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    ports.put([server.server_address[1] for server in servers])
    commands.get()  # wait for "report"
    results.put({"distinct": [len(s) for s in seen], "received": received, "bad_signatures": bad_signatures})
    for server in servers:
        server.shutdown()


# --- the sender (this process) ---------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--endpoints", type=int, default=10)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--fail-rate", type=float, default=0.0)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from yiwang.exchange.models import DeliveryState, WebhookDelivery, WebhookEndpoint
    from yiwang.exchange.services import create_endpoint, deliver_due, fan_out

    settings.YIWANG_WEBHOOK_DELIVER_ON_COMMIT = False
    settings.YIWANG_WEBHOOK_BACKOFF_SECONDS = 0
    settings.YIWANG_WEBHOOK_MAX_ATTEMPTS = 50
    print(f"database: {connection.vendor} {settings.DATABASES['default']['NAME']}")
    call_command("migrate", verbosity=0)
    WebhookDelivery.objects.all().delete()
    WebhookEndpoint.objects.filter(owner__startswith="bench.").delete()

    context = multiprocessing.get_context("spawn")
    ports_q, commands_q, results_q = context.Queue(), context.Queue(), context.Queue()
    child = context.Process(
        target=serve_receivers, args=(args.endpoints, args.fail_rate, ports_q, commands_q, results_q)
    )
    child.start()
    ports = ports_q.get(timeout=60)
    endpoints = [
        create_endpoint(owner=f"bench.endpoint:{n}", url=f"http://127.0.0.1:{port}/hook", secret=SECRET)
        for n, port in enumerate(ports)
    ]

    started = time.perf_counter()
    for n in range(args.events):
        fan_out(
            endpoints,
            "bench.event",
            {"n": n, "name": "测试", "at": datetime.now(UTC).isoformat()},
            f"bench-{n}",
        )
    enqueue_seconds = time.perf_counter() - started
    total = args.events * len(endpoints)
    assert WebhookDelivery.objects.count() == total

    started = time.perf_counter()
    rounds = retried = 0
    while True:
        report = deliver_due(limit=args.batch, workers=args.workers)
        if not report.claimed:
            break
        rounds += 1
        retried += report.retried
    deliver_seconds = time.perf_counter() - started

    commands_q.put("report")
    receivers = results_q.get(timeout=60)
    child.join(timeout=30)
    states = dict(
        WebhookDelivery.objects.values_list("state")
        .annotate(n=django.db.models.Count("id"))
        .values_list("state", "n")
    )
    delivered = states.get(DeliveryState.DELIVERED, 0)
    result = {
        "when": datetime.now(UTC).isoformat(),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "database": connection.vendor,
        "events": args.events,
        "endpoints": len(endpoints),
        "deliveries": total,
        "workers": args.workers,
        "batch": args.batch,
        "fail_rate": args.fail_rate,
        "enqueue_seconds": round(enqueue_seconds, 2),
        "enqueue_per_second": round(total / enqueue_seconds),
        "deliver_seconds": round(deliver_seconds, 2),
        "deliveries_per_second": round(total / deliver_seconds),
        "rounds": rounds,
        "retried": retried,
        "states": states,
        "receivers": receivers,
        "lost": total - sum(receivers["distinct"]),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"webhooks-{datetime.now(UTC):%Y%m%dT%H%M%S}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2)
    )
    ok = delivered == total and result["lost"] == 0 and not any(receivers["bad_signatures"])
    print("OK: no loss" if ok else "FAILED: deliveries lost or refused")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
