"""The benchmark suite (issue #7): production server under load, raw PostgreSQL baseline, one table.

    uv run python bench/run.py                      # what `make bench` runs
    uv run python bench/run.py --scale medium --duration 10 --scenarios todo,status

Steps: create the PostgreSQL database (``yiwang_bench`` unless ``DATABASE_URL`` names another) when
missing; ``bench/prepare.py`` in its own process (migrate, demo data, ``bench_seed`` at the chosen
scale when the bench items are missing — a seeded database is reused —, tokens, fixture, pgbench
scripts, EXPLAIN plans); gunicorn with ``yiwang/gunicorn_conf.py`` (workers sized to the cores,
access log off); each scenario with locust (as a library, headless, closed loop, no think time):
warm-up, then a timed window; the server's peak RSS (master + workers) sampled during each window;
then pgbench with the same SQL the ORM sends.  Prints the table and writes
``bench/results/latest.json`` (plus a dated copy).
"""

from __future__ import annotations

# locust monkey-patches the standard library with gevent on import: keep it first.
import locust  # noqa: F401  isort: skip
import argparse
import contextlib
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

import gevent
import psutil
from locust import FastHttpUser, constant, task
from locust.env import Environment
from urllib3 import encode_multipart_formdata

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/yiwang_bench"
SCALES = {"small": (2_000, 20_000), "medium": (10_000, 100_000), "large": (100_000, 1_000_000)}

# name → (label, raw baseline script, target description, check(figures) → met?)
TARGETS: dict[str, tuple[str, str | None, str, Callable[[dict[str, float]], bool]]] = {
    "apply": ("citizen apply POST /api/v1/cases", "insert", "≥ 100 req/s", lambda f: f["rps"] >= 100),
    "todo": (
        "clerk to-do GET /api/v1/workbench/todo",
        "todo",
        "p50 < 50 ms, p99 < 200 ms",
        lambda f: f["p50_ms"] < 50 and f["p99_ms"] < 200,
    ),
    "detail": (
        "case detail + timeline GET /api/v1/cases/<id>",
        "detail",
        "p95 < 50 ms",
        lambda f: f["p95_ms"] < 50,
    ),
    "search": (
        "item search GET /api/v1/catalog/items?q=",
        "search",
        "p95 < 50 ms",
        lambda f: f["p95_ms"] < 50,
    ),
    "guide": ("guide page GET /items/<id>/", None, "p95 < 30 ms", lambda f: f["p95_ms"] < 30),
    "status": (
        "status lookup GET /api/v1/cases/status",
        "status",
        "≥ 1000 req/s",
        lambda f: f["rps"] >= 1000,
    ),
    "licence": (
        "licence verification GET /api/v1/licences/verify/<id>",
        None,
        "≥ 500 req/s",
        lambda f: f["rps"] >= 500,
    ),
}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- database and server -------------------------------------------------------------------------
def ensure_database(url: str) -> None:
    parts = urlparse(url)
    name = parts.path.lstrip("/")
    if name in ("postgres", "template1", "test", ""):
        raise SystemExit(f"refusing to benchmark on the '{name}' database")
    conn = [
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        parts.username or "postgres",
    ]
    env = {**os.environ, **({"PGPASSWORD": parts.password} if parts.password else {})}
    listed = subprocess.run(
        ["psql", *conn, "-d", "postgres", "-Atc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    if listed.stdout.strip() != "1":
        log(f"creating database {name}")
        subprocess.run(["createdb", *conn, name], check=True, env=env)


def psql(url: str, sql: str) -> str:
    parts = urlparse(url)
    env = {**os.environ, **({"PGPASSWORD": parts.password} if parts.password else {})}
    return subprocess.run(
        ["psql", url.replace("postgres://", "postgresql://", 1), "-Atc", sql],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "python:yiwang.gunicorn_conf",
            "yiwang.wsgi:application",
        ],
        env={**env, "PORT": str(port), "HOST": "127.0.0.1", "GUNICORN_ACCESS_LOG": ""},
        cwd=ROOT,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as response:
                if response.status == 200:
                    return server
        except OSError:
            pass
        if server.poll() is not None:
            raise SystemExit("gunicorn exited during start-up")
        time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not become ready within 90 s")


class RssSampler:
    """Peak resident memory of the gunicorn master plus its workers, sampled every 0.25 s."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0
        self._greenlet: gevent.Greenlet | None = None

    def _total(self) -> int:
        total = 0
        for proc in [self.process, *self.process.children(recursive=True)]:
            with contextlib.suppress(psutil.NoSuchProcess):
                total += proc.memory_info().rss
        return total

    def _loop(self) -> None:
        while True:
            self.peak = max(self.peak, self._total())
            gevent.sleep(0.25)

    def start(self) -> None:
        self.peak = self._total()
        self._greenlet = gevent.spawn(self._loop)

    def stop(self) -> int:
        if self._greenlet is not None:
            self._greenlet.kill()
        return self.peak


# --- scenarios -----------------------------------------------------------------------------------
def user_class(name: str, fx: dict[str, Any]) -> type[FastHttpUser]:
    rng = random.Random()
    citizen = {"Authorization": f"Bearer {fx['citizen_token']}"}
    clerk_tokens = fx["clerk_tokens"]
    apply_bodies: list[tuple[bytes, dict[str, str]]] = []
    if name == "apply":
        for payload in fx["apply"].get("payloads") or [fx["apply"]]:
            fields: list[tuple[str, Any]] = [
                ("item_id", payload["item_id"]),
                ("form_data", payload["form_data"]),
            ]
            fields += [
                (
                    f"material_{m}",
                    (f"{m[:8]}.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf"),
                )
                for m in payload["materials"]
            ]
            body, content_type = encode_multipart_formdata(fields)
            apply_bodies.append((body, {**citizen, "Content-Type": content_type}))

    class Scenario(FastHttpUser):
        wait_time = constant(0)
        host = ""

        def on_start(self) -> None:
            # Each simulated clerk keeps one account (16 users spread over the staff accounts).
            self.clerk = {"Authorization": f"Bearer {rng.choice(clerk_tokens)}"}

        @task
        def hit(self) -> None:
            if name == "apply":
                body, headers = rng.choice(apply_bodies)
                self.client.post("/api/v1/cases", data=body, headers=headers, name=name)
            elif name == "todo":
                self.client.get("/api/v1/workbench/todo?limit=50", headers=self.clerk, name=name)
            elif name == "detail":
                self.client.get(f"/api/v1/cases/{rng.choice(fx['cases'])}", headers=citizen, name=name)
            elif name == "search":
                q = urlencode({"q": rng.choice(fx["queries"])})
                self.client.get(f"/api/v1/catalog/items?{q}", name=name)
            elif name == "guide":
                self.client.get(f"/items/{rng.choice(fx['items'])}/", name=name)
            elif name == "status":
                number, tail = rng.choice(fx["status"])
                query = urlencode({"number": number, "id_tail": tail})
                self.client.get(f"/api/v1/cases/status?{query}", name=name)
            elif name == "licence":
                self.client.get(f"/api/v1/licences/verify/{rng.choice(fx['licences'])}", name=name)

    Scenario.__name__ = f"Bench_{name}"
    return Scenario


def run_scenario(
    name: str, fx: dict[str, Any], host: str, users: int, warmup: float, duration: float, server_pid: int
) -> dict[str, Any]:
    cls = user_class(name, fx)
    cls.host = host
    env = Environment(user_classes=[cls], host=host)
    runner = env.create_local_runner()
    sampler = RssSampler(server_pid)
    runner.start(users, spawn_rate=users)
    gevent.sleep(warmup)
    env.stats.reset_all()
    sampler.start()
    started = time.monotonic()
    gevent.sleep(duration)
    total = env.stats.total
    elapsed = time.monotonic() - started
    figures = {
        "requests": total.num_requests,
        "rps": round(total.num_requests / elapsed, 1),
        "p50_ms": total.get_response_time_percentile(0.50),
        "p95_ms": total.get_response_time_percentile(0.95),
        "p99_ms": total.get_response_time_percentile(0.99),
        "mean_ms": round(total.avg_response_time, 1),
        "errors": total.num_failures,
        "error_samples": [str(e.error)[:200] for e in list(env.stats.errors.values())[:3]],
        "peak_rss_mib": round(sampler.stop() / 2**20),
        "users": users,
        "seconds": round(elapsed, 1),
    }
    runner.quit()
    return figures


# --- raw baseline --------------------------------------------------------------------------------
def pgbench(url: str, scripts: list[str], clients: int, duration: int) -> dict[str, Any]:
    parts = urlparse(url)
    env = {**os.environ, **({"PGPASSWORD": parts.password} if parts.password else {})}
    logdir = Path(tempfile.mkdtemp(prefix="yiwang-pgbench-"))
    args = [
        "pgbench",
        "-n",
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        parts.username or "postgres",
        "-c",
        str(clients),
        "-j",
        str(min(clients, os.cpu_count() or 1)),
        "-T",
        str(duration),
        "-l",
        "--log-prefix",
        str(logdir / "tx"),
        *[arg for script in scripts for arg in ("-f", script)],
        parts.path.lstrip("/"),
    ]
    done = subprocess.run(args, capture_output=True, text=True, env=env, cwd=logdir)
    latencies: list[float] = []
    for path in logdir.glob("tx*"):
        for line in path.read_text().splitlines():
            cols = line.split()
            if len(cols) >= 3 and cols[2].isdigit():
                latencies.append(int(cols[2]) / 1000)
    shutil.rmtree(logdir, ignore_errors=True)
    tps = re.search(r"tps = ([\d.]+)", done.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", done.stdout)
    latencies.sort()

    def pct(q: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 2) if latencies else 0.0

    return {
        "tps": round(float(tps.group(1)), 1) if tps else 0.0,
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "transactions": len(latencies),
        "errors": int(failed.group(1)) if failed else (0 if done.returncode == 0 else -1),
        "clients": clients,
        "stderr": done.stderr[-500:] if done.returncode else "",
    }


# --- report --------------------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def print_table(results: dict[str, Any]) -> None:
    head = f"{'scenario':<9} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6} {'RSS MiB':>7}  target"
    print("\n" + head + "\n" + "-" * (len(head) + 24))
    for name, f in results["scenarios"].items():
        met = "met" if f["target_met"] else "NOT met"
        print(
            f"{name:<9} {f['rps']:>8} {f['p50_ms']:>7} {f['p95_ms']:>7} {f['p99_ms']:>7} {f['errors']:>6} "
            f"{f['peak_rss_mib']:>7}  {f['target']} — {met}"
        )
    if results["raw"]:
        print(
            f"\n{'raw SQL':<9} {'tx/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6}  app/raw throughput"
        )
        for name, r in results["raw"].items():
            print(
                f"{name:<9} {r['tps']:>8} {r['p50_ms']:>7} {r['p95_ms']:>7} {r['p99_ms']:>7} {r['errors']:>6}  "
                f"{r.get('app_scenario', '')} {r.get('ratio', '')}"
            )


def markdown(results: dict[str, Any]) -> str:
    """The figures as the Markdown tables kept in docs/benchmarks.md."""
    m, db, srv = results["machine"], results["database"], results["server"]
    lines = [
        f"Run {results['date']} — {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB, {m['platform']}, "
        f"Python {m['python']}; PostgreSQL {db['postgresql']} with {db['items']:,} published items and "
        f"{db['cases']:,} cases; gunicorn {srv['workers']} workers × {srv['threads']} threads, pool "
        f"{srv['db_pool']}; {results['settings']['users']} users, {results['settings']['duration_s']:.0f} s "
        f"per scenario; load average at start {m['load_average_at_start']}.",
        "",
        "| scenario | req/s | p50 ms | p95 ms | p99 ms | errors | peak RSS MiB | target | met |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, f in results["scenarios"].items():
        lines.append(
            f"| {name} | {f['rps']} | {f['p50_ms']} | {f['p95_ms']} | {f['p99_ms']} | {f['errors']} | "
            f"{f['peak_rss_mib']} | {f['target']} | {'yes' if f['target_met'] else '**no**'} |"
        )
    if results["raw"]:
        lines += [
            "",
            "| raw SQL (pgbench) | tx/s | p50 ms | p95 ms | p99 ms | errors | app scenario | app/raw req/s |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for name, r in results["raw"].items():
            lines.append(
                f"| {name} | {r['tps']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['errors']} | "
                f"{r.get('app_scenario', '')} | {r.get('ratio', '')} |"
            )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default=os.environ.get("BENCH_SCALE", "large"))
    parser.add_argument("--users", type=int, default=16, help="concurrent users per scenario (closed loop)")
    parser.add_argument("--duration", type=float, default=30, help="timed seconds per scenario")
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--raw-duration", type=int, default=15, help="seconds per pgbench run")
    parser.add_argument("--scenarios", default=",".join(TARGETS))
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default cores + 1)")
    parser.add_argument("--threads", type=int, default=None, help="threads per worker (default 2)")
    parser.add_argument("--no-raw", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_DB
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("the benchmark needs PostgreSQL: set BENCH_DATABASE_URL=postgres://…")
    names = [n.strip() for n in args.scenarios.split(",") if n.strip()]
    unknown = set(names) - set(TARGETS)
    if unknown:
        raise SystemExit(f"unknown scenarios: {', '.join(sorted(unknown))}")
    started = time.monotonic()
    out = ROOT / "var" / "bench"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "yiwang.settings",
        "YIWANG_PROFILE": os.environ.get("YIWANG_PROFILE", "demo"),
        "YIWANG_DB_POOL": os.environ.get("YIWANG_DB_POOL", "1"),
        "YIWANG_CATALOG_CACHE_SECONDS": os.environ.get("YIWANG_CATALOG_CACHE_SECONDS", "60"),
        "YIWANG_DEMO_DEPT": "0",
        "LOG_LEVEL": "WARNING",
    }
    if args.workers:
        env["WEB_CONCURRENCY"] = str(args.workers)
    if args.threads:
        env["GUNICORN_THREADS"] = str(args.threads)
    ensure_database(url)
    items, cases = SCALES[args.scale]
    prep_started = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "prepare.py"),
            "--out",
            str(out),
            "--items",
            str(items),
            "--cases",
            str(cases),
        ],
        env=env,
        check=True,
        cwd=ROOT,
    )
    prepare_seconds = round(time.monotonic() - prep_started)
    fx = json.loads((out / "fixture.json").read_text())
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "database": {"name": fx["database"], "postgresql": fx["postgresql"], **fx["counts"]},
        "server": {
            "workers": int(env.get("WEB_CONCURRENCY", max(2, (os.cpu_count() or 1) + 1))),
            "threads": int(env.get("GUNICORN_THREADS", 2)),
            "db_pool": env["YIWANG_DB_POOL"],
            "catalog_cache_seconds": env["YIWANG_CATALOG_CACHE_SECONDS"],
            "profile": env["YIWANG_PROFILE"],
        },
        "settings": {
            "scale": args.scale,
            "users": args.users,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
        },
        "prepare_seconds": prepare_seconds,
        "scenarios": {},
        "raw": {},
        "explain": fx["explain"],
    }
    server = start_server(env, args.port)
    log(
        f"gunicorn ready (pid {server.pid}); {len(names)} scenarios × {args.duration:.0f} s, {args.users} users"
    )
    try:
        for name in names:
            figures = run_scenario(
                name, fx, f"http://127.0.0.1:{args.port}", args.users, args.warmup, args.duration, server.pid
            )
            label, _raw, target, check = TARGETS[name]
            figures.update(
                label=label,
                target=target,
                target_met=bool(figures["requests"] and check(figures) and figures["errors"] == 0),
            )
            results["scenarios"][name] = figures
            log(
                f"{name}: {figures['rps']} req/s, p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, errors {figures['errors']}"
            )
    finally:
        server.terminate()
        server.wait(30)
    if not args.no_raw:
        for name in names:
            raw = TARGETS[name][1]
            if raw is None:
                continue
            figures = pgbench(url, fx["pgbench"][raw], args.users, args.raw_duration)
            app = results["scenarios"][name]
            figures.update(
                app_scenario=name, ratio=round(app["rps"] / figures["tps"], 3) if figures["tps"] else None
            )
            results["raw"][raw] = figures
            log(f"raw {raw}: {figures['tps']} tx/s, p50 {figures['p50_ms']} ms")
        psql(
            url,
            "DELETE FROM cases_caseevent WHERE case_id IN (SELECT id FROM cases_case WHERE number LIKE 'RAWBENCH%');"
            "DELETE FROM cases_case WHERE number LIKE 'RAWBENCH%';",
        )
    results["total_seconds"] = round(time.monotonic() - started)
    print_table(results)
    target_dir = ROOT / "bench" / "results"
    target_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, ensure_ascii=False, indent=2)
    (target_dir / "latest.json").write_text(text)
    (target_dir / "latest.md").write_text(markdown(results))
    (target_dir / f"run-{datetime.now(UTC):%Y%m%dT%H%M%S}.json").write_text(text)
    log(f"written bench/results/latest.json; whole run {results['total_seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
