"""The benchmark suite (issues #7, #18): production server under load, raw PostgreSQL beside it, one table.

    uv run python bench/run.py                      # what `make bench` runs
    uv run python bench/run.py --scale medium --duration 10 --runs 1 --scenarios todo_page,status

Steps: create the PostgreSQL database (``yiwang_bench`` unless ``DATABASE_URL`` names another) when
missing; ``bench/prepare.py`` in its own process (migrate, demo data, ``bench_seed`` at the chosen
scale when the bench items are missing — a seeded database is reused —, tokens, log-in details,
fixture, pgbench scripts, EXPLAIN plans); gunicorn with ``yiwang/gunicorn_conf.py`` (workers sized to
the cores, access log off).  Then ``--runs`` runs (3 by default); in each, every scenario in turn:
locust (as a library, headless, closed loop, no think time) for a warm-up and a timed window, the
server's peak RSS (master + workers) and the machine's CPU use sampled during the window, and right
after it pgbench with the SQL that scenario's request needs (the same minute, not all at the end).
The HTML scenarios (to-do page, case page, 我的办件) use sessions logged in through the real log-in
and MFA pages (bench/browser.py), one per simulated user, kept across the runs.  Every figure is
reported as the median of the runs with its minimum and maximum; targets are judged on the median.
Prints the tables and writes ``bench/results/latest.json`` and ``latest.md`` (plus a dated copy).
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser import Account, LoginFailed, SessionPool, Totp

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/yiwang_bench"
SCALES = {"small": (2_000, 20_000), "medium": (10_000, 100_000), "large": (100_000, 1_000_000)}

# name → (label, raw baseline script, target description, check(median figures) → met?)
TARGETS: dict[str, tuple[str, str | None, str, Callable[[dict[str, float]], bool]]] = {
    "todo_page": (
        "clerk to-do page GET /workbench/ (HTML, session after log-in + MFA)",
        "todo_page",
        "p50 < 50 ms, p99 < 200 ms, ≥ 200 req/s",
        lambda f: f["p50_ms"] < 50 and f["p99_ms"] < 200 and f["rps"] >= 200,
    ),
    "case_page": (
        "clerk case page GET /workbench/cases/<id>/ (HTML, session)",
        "case_page",
        "p95 < 60 ms",
        lambda f: f["p95_ms"] < 60,
    ),
    "my_cases": (
        "applicant 我的办件 GET /my/cases/ (HTML, session after portal log-in)",
        "my_cases",
        "p50 < 50 ms, p99 < 200 ms",
        lambda f: f["p50_ms"] < 50 and f["p99_ms"] < 200,
    ),
    "guide": (
        "guide page GET /items/<id>/ (HTML, anonymous)",
        "guide",
        "p95 < 30 ms",
        lambda f: f["p95_ms"] < 30,
    ),
    "apply": ("citizen apply POST /api/v1/cases", "insert", "≥ 120 req/s", lambda f: f["rps"] >= 120),
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
    "status": (
        "status lookup GET /api/v1/cases/status",
        "status",
        "≥ 1000 req/s",
        lambda f: f["rps"] >= 1000,
    ),
    "licence": (
        "licence verification GET /api/v1/licences/verify/<id>",
        "licence",
        "≥ 500 req/s",
        lambda f: f["rps"] >= 500,
    ),
}
HTML_SESSIONS = {"todo_page": "staff", "case_page": "staff", "my_cases": "applicant"}
RAW_FACTOR = 3  # every scenario within 3× of its raw PostgreSQL baseline (req/s ≥ tx/s ÷ 3)


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
def user_class(
    name: str, fx: dict[str, Any], sessions: list[tuple[Account, Any]] | None = None
) -> type[FastHttpUser]:
    rng = random.Random()
    free_sessions = list(sessions or [])
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
            self.account: Account | None = None
            if free_sessions:
                # An HTML user: its own session, logged in through the real pages (browser.py);
                # the client's cookie jar keeps it (and whatever the server sets) from here on.
                self.account, jar = free_sessions.pop(0)
                for cookie in jar:
                    self.client.cookiejar.set_cookie(cookie)

        def page(self, path: str) -> None:
            """A page as a browser gets it: a redirect (to a log-in page) counts as a failure."""
            with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
                if response.status_code != 200:
                    response.failure(f"{response.status_code} {response.headers.get('Location', '')}")

        @task
        def hit(self) -> None:
            if name == "todo_page":
                self.page("/workbench/")
            elif name == "case_page":
                assert self.account is not None
                self.page(f"/workbench/cases/{rng.choice(self.account.extra['cases'])}/")
            elif name == "my_cases":
                self.page("/my/cases/")
            elif name == "apply":
                body, headers = rng.choice(apply_bodies)
                self.client.post("/api/v1/cases", data=body, headers=headers, name=name)  # type: ignore[arg-type]
            elif name == "todo":
                self.client.get("/api/v1/workbench/todo?limit=50", headers=self.clerk, name=name)
            elif name == "detail":
                self.client.get(f"/api/v1/cases/{rng.choice(fx['cases'])}", headers=citizen, name=name)
            elif name == "search":
                q = urlencode({"q": rng.choice(fx["queries"])})
                self.client.get(f"/api/v1/catalog/items?{q}", name=name)
            elif name == "guide":
                self.page(f"/items/{rng.choice(fx['items'])}/")
            elif name == "status":
                number, tail = rng.choice(fx["status"])
                query = urlencode({"number": number, "id_tail": tail})
                self.client.get(f"/api/v1/cases/status?{query}", name=name)
            elif name == "licence":
                self.client.get(f"/api/v1/licences/verify/{rng.choice(fx['licences'])}", name=name)

    Scenario.__name__ = f"Bench_{name}"
    return Scenario


def run_scenario(
    name: str,
    fx: dict[str, Any],
    host: str,
    users: int,
    warmup: float,
    duration: float,
    server_pid: int,
    sessions: list[tuple[Account, Any]] | None = None,
) -> dict[str, Any]:
    cls = user_class(name, fx, sessions)
    cls.host = host
    env = Environment(user_classes=[cls], host=host)
    runner = env.create_local_runner()
    sampler = RssSampler(server_pid)
    runner.start(users, spawn_rate=users)
    gevent.sleep(warmup)
    env.stats.reset_all()
    sampler.start()
    load = [round(x, 2) for x in os.getloadavg()]
    psutil.cpu_percent(None)
    started = time.monotonic()
    gevent.sleep(duration)
    total = env.stats.total
    elapsed = time.monotonic() - started
    cpu = psutil.cpu_percent(None)
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
        "cpu_percent": cpu,
        "load_average_at_start": load,
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


SPREAD = ("rps", "p50_ms", "p95_ms", "p99_ms", "mean_ms", "cpu_percent")
RAW_SPREAD = ("tps", "p50_ms", "p95_ms", "p99_ms", "ratio")


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    value = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    return round(value, 3 if isinstance(value, float) and abs(value) < 10 else 1)


def summarise(name: str, runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One scenario over the runs: the median of each figure (what the targets judge), with its
    minimum and maximum; errors and requests summed, the peak RSS the highest seen."""
    app = [r["scenarios"][name] for r in runs if name in r["scenarios"]]
    raw = [r["raw"][name] for r in runs if name in r.get("raw", {})]
    label, script, target, check = TARGETS[name]
    figures: dict[str, Any] = {key: median([f[key] for f in app]) for key in SPREAD}
    figures.update(
        {
            "min": {key: min(f[key] for f in app) for key in SPREAD},
            "max": {key: max(f[key] for f in app) for key in SPREAD},
            "requests": sum(f["requests"] for f in app),
            "errors": sum(f["errors"] for f in app),
            "error_samples": [e for f in app for e in f["error_samples"]][:3],
            "peak_rss_mib": max(f["peak_rss_mib"] for f in app),
            "runs": len(app),
            "label": label,
            "target": target,
        }
    )
    figures["target_met"] = bool(figures["requests"] and check(figures) and figures["errors"] == 0)
    if raw:
        ratios = [r["ratio"] for r in raw if r.get("ratio") is not None]
        figures["raw"] = {
            "script": script,
            "runs": len(raw),
            **{key: median([r[key] for r in raw if r.get(key) is not None] or [0]) for key in RAW_SPREAD},
            "min": {
                key: min((r[key] for r in raw if r.get(key) is not None), default=0) for key in RAW_SPREAD
            },
            "max": {
                key: max((r[key] for r in raw if r.get(key) is not None), default=0) for key in RAW_SPREAD
            },
            "errors": sum(max(r["errors"], 0) for r in raw),
        }
        figures["within_3x"] = bool(ratios) and median(ratios) >= 1 / RAW_FACTOR
    else:
        figures["raw"] = None
        figures["within_3x"] = None
    return figures


def _spread(f: dict[str, Any], key: str) -> str:
    if f.get("runs", 1) <= 1:
        return f"{f[key]}"
    return f"{f[key]} [{f['min'][key]}–{f['max'][key]}]"


def print_table(results: dict[str, Any]) -> None:
    runs = results["settings"]["runs"]
    print(f"\nmedian of {runs} run(s) [min–max]; targets judged on the median")
    head = (
        f"{'scenario':<10} {'req/s':>20} {'p50 ms':>18} {'p95 ms':>18} {'p99 ms':>18} {'errors':>6}  target"
    )
    print(head + "\n" + "-" * (len(head) + 30))
    for name, f in results["scenarios"].items():
        met = "met" if f["target_met"] else "NOT met"
        print(
            f"{name:<10} {_spread(f, 'rps'):>20} {_spread(f, 'p50_ms'):>18} {_spread(f, 'p95_ms'):>18} "
            f"{_spread(f, 'p99_ms'):>18} {f['errors']:>6}  {f['target']} — {met}"
        )
    raws = {name: f for name, f in results["scenarios"].items() if f.get("raw")}
    if raws:
        print(
            f"\n{'raw SQL':<10} {'script':<10} {'tx/s':>20} {'p50 ms':>10} {'app/raw req/s':>22}  within {RAW_FACTOR}× of raw"
        )
        for name, f in raws.items():
            r = f["raw"]
            print(
                f"{name:<10} {r['script']:<10} {_spread(r, 'tps'):>20} {r['p50_ms']:>10} "
                f"{_spread(r, 'ratio'):>22}  {'yes' if f['within_3x'] else 'NO'}"
            )
    print(f"\n{'run':<4} {'load avg at start':<20} {'load avg at end':<20} {'CPU % during run':>16}")
    for i, run in enumerate(results["runs"], 1):
        print(
            f"{i:<4} {' '.join(map(str, run['load_average_at_start'])):<20} "
            f"{' '.join(map(str, run['load_average_at_end'])):<20} {run['cpu_percent']:>16}"
        )
    peak = max((f["peak_rss_mib"] for f in results["scenarios"].values()), default=0)
    print(f"\npeak server RSS (master + {results['server']['workers']} workers, all runs): {peak} MiB")
    hits = sum(1 for f in results["scenarios"].values() if f["target_met"])
    within = [f["within_3x"] for f in results["scenarios"].values() if f["within_3x"] is not None]
    print(
        f"targets met: {hits} of {len(results['scenarios'])}; within {RAW_FACTOR}× of raw: "
        f"{sum(within)} of {len(within)}"
    )


def markdown(results: dict[str, Any]) -> str:
    """The figures as the Markdown tables kept in docs/benchmarks.md (misses marked as such)."""
    m, db, srv = results["machine"], results["database"], results["server"]
    runs = results["settings"]["runs"]
    lines = [
        f"Run {results['date']} — {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB, {m['platform']}, "
        f"Python {m['python']}; PostgreSQL {db['postgresql']} with {db['items']:,} published items and "
        f"{db['cases']:,} cases; gunicorn {srv['workers']} workers × {srv['threads']} threads, pool "
        f"{srv['db_pool']}; {results['settings']['users']} users, {results['settings']['duration_s']:.0f} s "
        f"per scenario; {runs} run(s), figures are the median [min–max]; load average at start "
        f"{m['load_average_at_start']}.",
        "",
        "| scenario | req/s | p50 ms | p95 ms | p99 ms | errors | peak RSS MiB | target | met |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, f in results["scenarios"].items():
        lines.append(
            f"| {name} | {_spread(f, 'rps')} | {_spread(f, 'p50_ms')} | {_spread(f, 'p95_ms')} | "
            f"{_spread(f, 'p99_ms')} | {f['errors']} | {f['peak_rss_mib']} | {f['target']} | "
            f"{'yes' if f['target_met'] else '**no**'} |"
        )
    raws = {name: f for name, f in results["scenarios"].items() if f.get("raw")}
    if raws:
        lines += [
            "",
            f"| raw SQL beside it (pgbench) | script | tx/s | p50 ms | p99 ms | errors | app/raw req/s | within {RAW_FACTOR}× |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for name, f in raws.items():
            r = f["raw"]
            lines.append(
                f"| {name} | {r['script']} | {_spread(r, 'tps')} | {r['p50_ms']} | "
                f"{r['p99_ms']} | {r['errors']} | {_spread(r, 'ratio')} | "
                f"{'yes' if f['within_3x'] else '**no**'} |"
            )
    lines += ["", "| run | load average at start | at end | CPU % during the run |", "|---|---|---|---|"]
    for i, run in enumerate(results["runs"], 1):
        lines.append(
            f"| {i} | {run['load_average_at_start']} | {run['load_average_at_end']} | {run['cpu_percent']} |"
        )
    return "\n".join(lines) + "\n"


def wait_for_load(limit: float, patience: float = 600) -> float:
    """Wait until the 1-minute load average is below ``limit`` (at most ``patience`` seconds)."""
    started = time.monotonic()
    while os.getloadavg()[0] >= limit and time.monotonic() - started < patience:
        log(f"load average {os.getloadavg()[0]:.2f} ≥ {limit}: waiting")
        time.sleep(15)
    return round(time.monotonic() - started, 1)


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
    parser.add_argument("--runs", type=int, default=3, help="runs of every scenario (median, min, max)")
    parser.add_argument(
        "--wait-load",
        type=float,
        default=0,
        help="before each run wait (up to 10 min) until the 1-minute load average is below this (0: no wait)",
    )
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
        # The load comes from one address with few accounts: the edge's rate limits (docs/security.md)
        # would answer 429 to most of it.  Off unless set in the environment.
        **{
            f"YIWANG_RATE_LIMIT_{name}": os.environ.get(f"YIWANG_RATE_LIMIT_{name}", "0/60")
            for name in ("LOGIN", "SMS", "REGISTRATION", "TOKEN", "API_WRITE_USER", "API_WRITE_IP")
        },
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
            "runs": args.runs,
            "raw_duration_s": 0 if args.no_raw else args.raw_duration,
        },
        "prepare_seconds": prepare_seconds,
        "clerks": fx.get("clerks", []),
        "excluded_empty_queues": fx.get("excluded_empty_queues", []),
        "scenarios": {},
        "runs": [],
        "explain": fx["explain"],
    }
    if results["excluded_empty_queues"]:
        log(f"left out of the to-do mix (empty queue): {', '.join(results['excluded_empty_queues'])}")
    host = f"http://127.0.0.1:{args.port}"
    accounts = {
        "staff": [
            Account(
                s["username"], s["password"], staff=True, totp=Totp(**s["totp"]), extra={"cases": s["cases"]}
            )
            for s in fx.get("staff_logins", [])
        ],
        "applicant": [Account(fx["citizen_login"]["username"], fx["citizen_login"]["password"], staff=False)],
    }
    server = start_server(env, args.port)
    pool = SessionPool(host)
    log(
        f"gunicorn ready (pid {server.pid}); {args.runs} run(s) × {len(names)} scenarios × "
        f"{args.duration:.0f} s, {args.users} users"
    )
    try:
        for number in range(1, args.runs + 1):
            waited = wait_for_load(args.wait_load) if args.wait_load else 0.0
            run: dict[str, Any] = {
                "waited_for_load_s": waited,
                "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
                "scenarios": {},
                "raw": {},
            }
            log(f"run {number} of {args.runs}: load average {run['load_average_at_start']}")
            psutil.cpu_percent(None)
            for name in names:
                sessions = None
                if name in HTML_SESSIONS:
                    kind = HTML_SESSIONS[name]
                    try:
                        sessions = pool.get(kind, accounts[kind], args.users)
                    except (LoginFailed, OSError) as error:
                        raise SystemExit(f"{name}: log-in through the pages failed: {error}") from error
                figures = run_scenario(
                    name, fx, host, args.users, args.warmup, args.duration, server.pid, sessions
                )
                run["scenarios"][name] = figures
                line = (
                    f"{name}: {figures['rps']} req/s, p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, "
                    f"errors {figures['errors']}"
                )
                raw_script = TARGETS[name][1]
                if not args.no_raw and raw_script is not None:
                    # The raw baseline right after the scenario, in the same minute (server idle).
                    raw = pgbench(url, fx["pgbench"][raw_script], args.users, args.raw_duration)
                    raw.update(
                        script=raw_script,
                        ratio=round(figures["rps"] / raw["tps"], 3) if raw["tps"] else None,
                    )
                    run["raw"][name] = raw
                    line += f"; raw {raw_script}: {raw['tps']} tx/s, p50 {raw['p50_ms']} ms, app/raw {raw['ratio']}"
                log(line)
            run["cpu_percent"] = psutil.cpu_percent(None)
            run["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
            results["runs"].append(run)
    finally:
        server.terminate()
        server.wait(30)
        if not args.no_raw:
            psql(
                url,
                "DELETE FROM cases_caseevent WHERE case_id IN (SELECT id FROM cases_case WHERE number LIKE 'RAWBENCH%');"
                "DELETE FROM cases_case WHERE number LIKE 'RAWBENCH%';",
            )
    results["scenarios"] = {name: summarise(name, results["runs"]) for name in names}
    results["logins"] = {"count": pool.logins, "seconds": round(pool.login_seconds, 1)}
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
