"""Scale-out benchmark (issue 26): one web node vs two on separate CPU sets, behind HAProxy.

    uv run python bench/scaleout.py                    # what `make bench-scaleout` runs
    uv run python bench/scaleout.py --seconds 20 --clients 8

For each scenario — ``todo`` (clerk to-do page, session after log-in + MFA), ``detail`` (clerk case
page), ``apply`` (citizen application through the API) — and each layout — one web node pinned to
CPU 0 (``taskset -c 0``), then two web nodes pinned to CPU 0 and CPU 1 — it starts the nodes and
HAProxy (deploy/haproxy/yiwang.cfg) with tests/scaleout/harness.py, runs closed-loop client threads
for a warm-up and a timed window, and reports requests per second, p50/p95 and the ratio two/one.

The database is ``SCALEOUT_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/yiwang_scaleout``),
created and migrated when missing; the data of the run is made by the harness.  PostgreSQL, HAProxy, the
task worker and the load generator run unpinned on the same machine: on a 2-core machine they share
the two CPUs with the web nodes, so the ratio measures the whole machine, not the web tier alone
(docs/benchmarks.md "Scale-out" says what was measured).  Writes bench/results/scaleout-latest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.scaleout.harness import Load, Nodes, haproxy  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/yiwang_scaleout"
SCENARIOS = ("todo", "detail", "apply")


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def env_for(url: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
        "DATABASE_URL": url,
        "YIWANG_PROFILE": "test",
        "DJANGO_SETTINGS_MODULE": "yiwang.settings",
        "PYTHONPATH": str(ROOT / "src"),
    }


def prepare(url: str, out: Path) -> dict[str, Any]:
    """A fresh database copied from a migrated template (made on the first run), then the run's data."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    template = f"{name}_template"
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (template,)).fetchone():
            conn.execute(f'CREATE DATABASE "{template}"')
            log("migrating the template database (first run: a few minutes)")
            subprocess.run(
                [sys.executable, "-m", "yiwang.cli", "migrate", "--no-input", "-v", "0"],
                env=env_for(url.rsplit("/", 1)[0] + "/" + template),
                check=True,
                cwd=ROOT,
            )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    log("migrating (new migrations only) and making the data")
    subprocess.run(
        [sys.executable, "-m", "yiwang.cli", "migrate", "--no-input", "-v", "0"],
        env=env_for(url),
        check=True,
        cwd=ROOT,
    )
    code = (
        "import django, json, sys; django.setup(); "
        "from tests.scaleout.harness import setup_data; "
        "open(sys.argv[1], 'w').write(json.dumps(setup_data(citizens=8, clerks=4, cases=20)))"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(out)],
        env={**env_for(url), "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"},
        check=True,
        cwd=ROOT,
    )
    return dict(json.loads(out.read_text()))


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def measure(
    url: str, fixture: dict[str, Any], webs: int, scenario: str, args: argparse.Namespace
) -> dict[str, Any]:
    logs = Path(tempfile.mkdtemp(prefix=f"yiwang-scaleout-{webs}-"))
    cpus: list[str | None] = ["0", "1"] if webs == 2 else ["0"]
    nodes = Nodes(url, logs, web_cpus=cpus, web_concurrency=args.web_concurrency)
    try:
        nodes.start(webs=webs, workers=1, scheduler=False)
        nodes.wait_until_serving(limit=180)
        load = Load(
            nodes.url,
            fixture,
            clerk_threads=args.clients,
            citizen_threads=args.clients,
            scenarios=(scenario,),
        )
        load.start()
        time.sleep(args.warmup)
        with load.ledger.lock:
            load.ledger.requests.clear()
            load.ledger.latencies.clear()
        load_avg = [round(x, 2) for x in os.getloadavg()]
        started = time.monotonic()
        time.sleep(args.seconds)
        with load.ledger.lock:
            done = sum(load.ledger.requests.values())
            latencies = list(load.ledger.latencies.get(scenario, []))
        elapsed = time.monotonic() - started
        load.stop()
        return {
            "rps": round(done / elapsed, 1),
            "requests": done,
            "p50_ms": percentile(latencies, 0.5),
            "p95_ms": percentile(latencies, 0.95),
            "errors": dict(load.ledger.errors),
            "load_average_at_start": load_avg,
        }
    finally:
        nodes.stop()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--clients", type=int, default=6, help="client threads per scenario")
    parser.add_argument("--web-concurrency", type=int, default=2, help="gunicorn workers per node")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    args = parser.parse_args()
    if haproxy() is None:
        print("haproxy is not installed (apt-get install haproxy)", file=sys.stderr)
        return 2
    url = os.environ.get("SCALEOUT_DATABASE_URL", DEFAULT_DB)
    fixture = prepare(url, Path(tempfile.mkdtemp()) / "fixture.json")
    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "node": platform.node()},
        "settings": vars(args),
        "scenarios": {},
    }
    for scenario in args.scenarios.split(","):
        one = measure(url, fixture, 1, scenario, args)
        log(f"{scenario}: one node {one['rps']} req/s")
        two = measure(url, fixture, 2, scenario, args)
        log(f"{scenario}: two nodes {two['rps']} req/s")
        ratio = round(two["rps"] / one["rps"], 2) if one["rps"] else None
        results["scenarios"][scenario] = {"one_node": one, "two_nodes": two, "ratio": ratio}
    print(f"\n{'scenario':<8} {'1 node req/s':>13} {'2 nodes req/s':>14} {'ratio':>6}  p50 1→2 (ms)")
    for name, r in results["scenarios"].items():
        print(
            f"{name:<8} {r['one_node']['rps']:>13} {r['two_nodes']['rps']:>14} {r['ratio']!s:>6}  "
            f"{r['one_node']['p50_ms']} → {r['two_nodes']['p50_ms']}"
        )
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "scaleout-latest.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
