"""Scale-out benchmark (issue 26): one web node vs two on separate CPU sets, behind HAProxy.

    uv run python bench/scaleout.py                    # what `make bench-scaleout` runs
    uv run python bench/scaleout.py --seconds 20 --clients 8

For each scenario — ``todo`` (clerk to-do page, session after log-in + MFA), ``detail`` (clerk case
page), ``apply`` (citizen application through the API) — and each layout — one web node pinned to
CPU 0 (``taskset -c 0``), then two web nodes pinned to CPU 0 and CPU 1 — it starts the nodes and
HAProxy (deploy/haproxy/yiwang.cfg) with tests/scaleout/harness.py, drives a closed loop for a warm-up
and a timed window, and reports requests per second, p50/p95 and the ratio two/one.

The load generator is Debian's ``wrk`` by default (``--load wrk``): C, a fraction of a millisecond of
CPU per request, so on a small machine the second CPU set is left to the second node and PostgreSQL
rather than to the client.  The clerks still log in through the real log-in and MFA pages first; wrk
then sends their session cookies (a Lua script cycles sessions, cases and citizens' tokens, gives each
application its own ``Idempotency-Key`` and counts every response whose status is not the expected
one as an error).  ``--load python`` keeps the harness's Python client threads (what the kill test
uses).

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
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.scaleout.harness import PDF, Load, Nodes, haproxy  # noqa: E402

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


def lua_list(values: list[str]) -> str:
    return "{" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "}"


WRK_COMMON = """
bad = 0
counter = 0
local threads = {}
setup = function(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
response = function(status, headers, body)
  if status ~= EXPECTED then bad = bad + 1 end
end
done = function(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("bad") end
  io.write(string.format("UNEXPECTED %d\\n", total))
end
"""


def wrk_script(scenario: str, fixture: dict[str, Any], cookies: list[str], run: str) -> str:
    """The Lua script of one scenario (see the module)."""
    if scenario in ("todo", "detail"):
        paths = (
            ["/workbench/"] if scenario == "todo" else [f"/workbench/cases/{c}/" for c in fixture["cases"]]
        )
        return (
            f"EXPECTED = 200\nlocal cookies = {lua_list(cookies)}\nlocal paths = {lua_list(paths)}\n"
            + WRK_COMMON
            + """
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1], {["Cookie"] = cookies[(counter % #cookies) + 1]})
end
"""
        )
    boundary = "yiwangscaleoutboundary"
    form = json.dumps(
        {"company_name": "合肥徽创科技有限公司", "registered_capital": "100", "company_type": "有限责任公司"},
        ensure_ascii=False,
    )
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="item_id"\r\n\r\n{fixture["item"]}\r\n',
        f'--{boundary}\r\nContent-Disposition: form-data; name="form_data"\r\n\r\n{form}\r\n',
    ]
    parts += [
        f'--{boundary}\r\nContent-Disposition: form-data; name="material_{m}"; filename="m.pdf"\r\n'
        f"Content-Type: application/pdf\r\n\r\n{PDF.decode()}\r\n"
        for m in fixture["materials"]
    ]
    body = "".join(parts) + f"--{boundary}--\r\n"
    return (
        f"EXPECTED = 201\nlocal tokens = {lua_list(fixture['citizens'])}\nlocal body = {json.dumps(body, ensure_ascii=False)}\n"
        + WRK_COMMON
        + f"""
request = function()
  counter = counter + 1
  return wrk.format("POST", "/api/v1/cases", {{
    ["Authorization"] = "Bearer " .. tokens[(counter % #tokens) + 1],
    ["Content-Type"] = "multipart/form-data; boundary={boundary}",
    ["Idempotency-Key"] = "{run}-" .. tid .. "-" .. counter,
  }}, body)
end
"""
    )


def wrk_measure(
    nodes: Nodes, fixture: dict[str, Any], scenario: str, args: argparse.Namespace
) -> dict[str, Any]:
    """Log the clerks in (real pages), then wrk through HAProxy: a warm-up, then the timed window."""
    load = Load(
        nodes.url, fixture, clerk_threads=len(fixture["clerks"]), citizen_threads=0, scenarios=(scenario,)
    )
    cookies = (
        ["; ".join(f"{c.name}={c.value}" for c in session.cookies) for session in load.sessions()]
        if scenario in ("todo", "detail")
        else []
    )
    folder = Path(tempfile.mkdtemp(prefix="yiwang-scaleout-wrk-"))
    results = {}
    for phase, seconds in (("warm", args.warmup), ("timed", args.seconds)):
        script = folder / f"{scenario}-{phase}.lua"
        script.write_text(wrk_script(scenario, fixture, cookies, f"{phase}{time.time_ns()}"))
        load_avg = [round(x, 2) for x in os.getloadavg()]
        done = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{args.clients}",
                f"-d{max(1, round(seconds))}s",
                "--latency",
                "-s",
                str(script),
                nodes.url,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        results[phase] = (done.stdout, load_avg)
    out, load_avg = results["timed"]
    total = re.search(r"(\d+) requests in", out)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    unexpected = re.search(r"UNEXPECTED (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)

    def latency(share: str) -> float:
        found = re.search(rf"^\s+{share}%\s+([\d.]+)(us|ms|s)", out, re.M)
        if not found:
            return 0.0
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]
        return round(float(found.group(1)) * scale, 1)

    return {
        "rps": float(rate.group(1)) if rate else 0.0,
        "requests": int(total.group(1)) if total else 0,
        "p50_ms": latency("50"),
        "p95_ms": latency("90"),  # wrk prints 50/75/90/99: the 90th stands in for the 95th
        "p99_ms": latency("99"),
        "errors": {"unexpected status": int(unexpected.group(1)) if unexpected else -1}
        | ({"socket": socket_errors.group(1).strip()} if socket_errors else {}),
        "load_average_at_start": load_avg,
    }


def measure(
    url: str, fixture: dict[str, Any], webs: int, scenario: str, args: argparse.Namespace
) -> dict[str, Any]:
    logs = Path(tempfile.mkdtemp(prefix=f"yiwang-scaleout-{webs}-"))
    cpus: list[str | None] = ["0", "1"] if webs == 2 else ["0"]
    nodes = Nodes(url, logs, web_cpus=cpus, web_concurrency=args.web_concurrency)
    try:
        nodes.start(webs=webs, workers=1, scheduler=False)
        nodes.wait_until_serving(limit=180)
        if args.load == "wrk":
            return wrk_measure(nodes, fixture, scenario, args)
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
    parser.add_argument(
        "--clients", type=int, default=8, help="connections (wrk) or client threads per scenario"
    )
    parser.add_argument("--load", choices=("wrk", "python"), default="wrk", help="the load generator")
    parser.add_argument("--web-concurrency", type=int, default=2, help="gunicorn workers per node")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument(
        "--rounds", type=int, default=3, help="one/two-node pairs per scenario (median ratio)"
    )
    args = parser.parse_args()
    if args.load == "wrk" and shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
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
        rounds: list[dict[str, Any]] = []
        for index in range(args.rounds):
            # Alternate which layout goes first, so a drift of the machine does not favour one.
            order = (1, 2) if index % 2 == 0 else (2, 1)
            pair = {}
            for webs in order:
                pair[webs] = measure(url, fixture, webs, scenario, args)
                log(f"{scenario} round {index + 1}: {webs} node(s) {pair[webs]['rps']} req/s")
            ratio = round(pair[2]["rps"] / pair[1]["rps"], 2) if pair[1]["rps"] else None
            rounds.append({"one_node": pair[1], "two_nodes": pair[2], "ratio": ratio})
        ratios = sorted(float(r["ratio"]) for r in rounds if r["ratio"] is not None)
        results["scenarios"][scenario] = {
            "rounds": rounds,
            "ratio_median": statistics.median(ratios) if ratios else None,
            "ratio_min": ratios[0] if ratios else None,
            "ratio_max": ratios[-1] if ratios else None,
        }
    print(
        f"\n{'scenario':<8} {'round':>5} {'1 node req/s (p50 ms)':>22} {'2 nodes req/s (p50 ms)':>23} {'ratio':>6}  errors"
    )
    for name, r in results["scenarios"].items():
        for index, one_round in enumerate(r["rounds"], 1):
            one, two = one_round["one_node"], one_round["two_nodes"]
            errors = {**one["errors"], **{f"2:{k}": v for k, v in two["errors"].items()}}
            first = f"{one['rps']} ({one['p50_ms']})"
            second = f"{two['rps']} ({two['p50_ms']})"
            print(f"{name:<8} {index:>5} {first:>22} {second:>23} {one_round['ratio']!s:>6}  {errors}")
        print(f"{name:<8} ratio median {r['ratio_median']} [{r['ratio_min']}–{r['ratio_max']}]")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "scaleout-latest.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
