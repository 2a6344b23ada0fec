"""Sharing gateway benchmark: the gateway's overhead (authorise + log + serve) against the same lookup
done directly, calls/s with concurrent clients over HTTP, and the subscription fan-out of 10,000
changes to 10 subscribers through the exchange delivery engine, checked for loss.

Usage:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_gateway uv run python bench/gateway.py
    uv run python bench/gateway.py              # a fresh SQLite file (HTTP figures then suffer locks)

The database must be fresh (``dropdb``/``createdb``): the script creates its world with the test
factories (fixed user names).

Options: ``--calls N`` (in-process samples, default 500), ``--http-calls N`` (sequential HTTP samples,
default 200), ``--clients 8,16`` (concurrent HTTP clients), ``--seconds S`` (per concurrency level,
default 10), ``--changes N`` (default 10000), ``--subscribers N`` (default 10), ``--workers N``
(gunicorn workers, default 2).  Starts its own gunicorn on a free port; prints a table and writes JSON
to bench/results/.  Not part of the test suite.
"""

from __future__ import annotations

import argparse
import base64
import json
import multiprocessing
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
os.environ.setdefault("YIWANG_PROFILE", "demo")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = "sqlite:///" + str(
        Path(tempfile.mkdtemp(prefix="yiwang-bench-gw-")) / "db.sqlite3"
    )

from webhooks import SECRET, serve_receivers  # noqa: E402 - the same verifying receivers

FIELDS = ["name", "gender", "household_region"]


def p(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))], 2)


def timed(fn: Any, n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as exc:
        exc.read()
        return int(exc.code)


def http_get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
        response.read()
        return int(response.status)


def wrk_post(url: str, body: bytes, headers: dict[str, str], clients: int, seconds: float) -> dict[str, Any]:
    """``clients`` connections posting ``body`` for ``seconds`` with wrk (one thread, so the load
    generator takes a small share of the two cores); latency percentiles from wrk's own histogram."""
    lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(body.decode())}"]
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
    script = Path(tempfile.mkdtemp(prefix="yiwang-wrk-")) / "post.lua"
    script.write_text("\n".join(lines) + "\n")
    done = subprocess.run(
        ["wrk", "-t1", f"-c{clients}", f"-d{int(seconds)}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    )
    out = done.stdout
    per_s = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)

    def latency(share: str) -> float:
        found = re.search(rf"^\s+{share}%\s+([\d.]+)(us|ms|s)", out, re.M)
        if not found:
            return float("nan")
        value, unit = float(found.group(1)), found.group(2)
        return round(value / 1000 if unit == "us" else value * 1000 if unit == "s" else value, 2)

    return {
        "clients": clients,
        "calls_per_second": per_s,
        "ok": total - (int(bad.group(1)) if bad else 0),
        "errors": int(bad.group(1)) if bad else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "load": "wrk",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--http-calls", type=int, default=200)
    parser.add_argument("--clients", default="8,16")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--subscribers", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--load",
        choices=["wrk", "python"],
        default="wrk" if shutil.which("wrk") else "python",
        help="load generator for the concurrent runs (wrk: Debian's, one thread, little CPU)",
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    settings.YIWANG_WEBHOOK_DELIVER_ON_COMMIT = False
    settings.YIWANG_WEBHOOK_BACKOFF_SECONDS = 0
    settings.YIWANG_WEBHOOK_MAX_ATTEMPTS = 50
    print(f"database: {connection.vendor} {settings.DATABASES['default']['NAME']}")
    call_command("migrate", verbosity=0)

    from yiwang.bases.models import BaseChange
    from yiwang.exchange.models import WebhookDelivery
    from yiwang.exchange.services import deliver_due
    from yiwang.sharing import services
    from yiwang.sharing.models import GatewayCall
    from yiwang.sharing.providers import provider_for
    from yiwang.sharing.services.gateway import subject_digest
    from yiwang.sharing.tests.factories import ask, make_world
    from yiwang.sharing.tests.gateway_factories import GatewayWorld, population_resource
    from yiwang.testing import bases as bases_factories
    from yiwang.testing.portal import seed_test_calendar

    # --- a world: provider, consumer with a grant, a person ------------------------------------
    seed_test_calendar()
    world = make_world()
    today = timezone.localdate()
    resource = population_resource(world)
    request = ask(world.market_official, resource, FIELDS, start=today, end=today + timedelta(days=365))
    services.decide_request(request, actor=world.police_official, decision="approve")
    consumer, secrets = services.register_consumer(
        actor=world.market_official, organisation=world.market, name="基准测试系统", rate_per_minute=100_000
    )
    gw = GatewayWorld(world, resource, consumer, secrets, bases_factories.person(name="李娜").id_number)
    code, subject = gw.resource.code, gw.subject
    fields = FIELDS
    caches["default"].clear()
    result: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "database": connection.vendor,
    }

    # --- 1. in process: the gateway vs the provider's lookup ------------------------------------
    lookup = provider_for("bases.population")
    assert lookup is not None
    direct = timed(lambda: lookup(subject, fields), args.calls)
    through = timed(
        lambda: services.call_resource(gw.consumer, code, subject, fields, "基准测试", "BENCH-1"), args.calls
    )
    result["in_process_ms"] = {
        "direct_p50": p(direct, 0.5),
        "direct_p95": p(direct, 0.95),
        "gateway_p50": p(through, 0.5),
        "gateway_p95": p(through, 0.95),
        "overhead_p50": round(p(through, 0.5) - p(direct, 0.5), 2),
    }
    print("in process (ms):", result["in_process_ms"])

    # --- 2. over HTTP with the real token -------------------------------------------------------
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "yiwang.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.workers),
            "--threads",
            "8",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                http_get(f"{base}/healthz")
                break
            except OSError:
                time.sleep(0.5)
        basic = base64.b64encode(f"{gw.secrets.client_id}:{gw.secrets.client_secret}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310
            f"{base}/o/token/",
            data=b"grant_type=client_credentials",
            headers={"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            token = json.loads(response.read())["access_token"]
        url = f"{base}/api/v1/sharing/gateway/{code}/query"
        body = json.dumps(
            {"subject": subject, "fields": fields, "purpose": "基准测试", "case_number": "B-1"}
        ).encode()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        assert http_post(url, body, headers) == 200
        floor = timed(lambda: http_get(f"{base}/healthz"), args.http_calls)
        over_http = timed(lambda: http_post(url, body, headers), args.http_calls)
        result["http_ms"] = {
            "healthz_p50": p(floor, 0.5),
            "gateway_p50": p(over_http, 0.5),
            "gateway_p95": p(over_http, 0.95),
            "gateway_minus_healthz_p50": round(p(over_http, 0.5) - p(floor, 0.5), 2),
        }
        print("over HTTP (ms):", result["http_ms"])

        result["concurrency"] = []
        for clients in [int(c) for c in args.clients.split(",") if c]:
            if args.load == "wrk":
                row = wrk_post(url, body, headers, clients, args.seconds)
                result["concurrency"].append(row)
                print("concurrent (wrk):", row)
                continue
            counts, errors, latencies = [0] * clients, [0] * clients, [[] for _ in range(clients)]
            stop = time.perf_counter() + args.seconds

            def run(
                i: int,
                stop: float = stop,
                counts: list = counts,
                errors: list = errors,
                lat: list = latencies,
            ) -> None:
                while time.perf_counter() < stop:
                    started = time.perf_counter()
                    status = http_post(url, body, headers)
                    lat[i].append((time.perf_counter() - started) * 1000)
                    if status == 200:
                        counts[i] += 1
                    else:
                        errors[i] += 1

            threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
            started = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - started
            flat = [x for row in latencies for x in row]
            row = {
                "clients": clients,
                "calls_per_second": round(sum(counts) / elapsed, 1),
                "ok": sum(counts),
                "errors": sum(errors),
                "p50_ms": p(flat, 0.5),
                "p95_ms": p(flat, 0.95),
            }
            result["concurrency"].append(row)
            print("concurrent:", row)
    finally:
        server.terminate()
        server.wait(timeout=30)
    result["calls_logged"] = GatewayCall.objects.filter(consumer=gw.consumer).count()

    # --- 3. subscription fan-out ------------------------------------------------------------------
    context = multiprocessing.get_context("spawn")
    ports_q, commands_q, results_q = context.Queue(), context.Queue(), context.Queue()
    child = context.Process(
        target=serve_receivers, args=(args.subscribers, 0.0, ports_q, commands_q, results_q)
    )
    child.start()
    ports = ports_q.get(timeout=60)
    subscriptions = [
        services.subscribe(
            actor=world.market_official,
            consumer=gw.consumer,
            resource=gw.resource,
            url=f"http://127.0.0.1:{port}/hook",
            secret=SECRET,
        )[0]
        for port in ports
    ]
    services.fan_out_changes(lag_seconds=0)  # move the cursor past older changes
    at = timezone.now() - timedelta(seconds=30)
    digest = subject_digest(subject)
    BaseChange.objects.bulk_create(
        BaseChange(base="population", subject_digest=digest, fields=["name"], version=n + 2, at=at)
        for n in range(args.changes)
    )
    started = time.perf_counter()
    queued = 0
    while True:
        report = services.fan_out_changes(lag_seconds=1)
        queued += report.queued
        if not report.changes:
            break
    fan_out_seconds = time.perf_counter() - started
    expected = args.changes * len(subscriptions)
    started = time.perf_counter()
    while deliver_due(limit=1000, workers=16).claimed:
        pass
    deliver_seconds = time.perf_counter() - started
    commands_q.put("report")
    receivers = results_q.get(timeout=60)
    child.join(timeout=30)
    endpoints = [s.endpoint_id for s in subscriptions]
    delivered = WebhookDelivery.objects.filter(endpoint_id__in=endpoints, state="delivered").count()
    result["fan_out"] = {
        "changes": args.changes,
        "subscribers": len(subscriptions),
        "queued": queued,
        "expected": expected,
        "fan_out_seconds": round(fan_out_seconds, 2),
        "queued_per_second": round(queued / fan_out_seconds) if fan_out_seconds else None,
        "deliver_seconds": round(deliver_seconds, 2),
        "deliveries_per_second": round(delivered / deliver_seconds) if deliver_seconds else None,
        "delivered": delivered,
        "received_distinct": sum(receivers["distinct"]),
        "bad_signatures": sum(receivers["bad_signatures"]),
        "lost": expected - sum(receivers["distinct"]),
    }
    print("fan-out:", result["fan_out"])
    print(json.dumps(result, ensure_ascii=False, indent=2))
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"gateway-{datetime.now(UTC):%Y%m%dT%H%M%S}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2)
    )
    ok = queued == expected and result["fan_out"]["lost"] == 0 and delivered == expected
    print("OK: no loss" if ok else "FAILED: changes lost")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
