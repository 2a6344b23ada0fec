"""Federation exchange benchmark: 100,000 case records from a city to its province through the real
exchange (signed packages pushed in chunks over real HTTP, applied exactly once, receipts checked).

Usage:

    uv run python bench/federation_exchange.py                 # a fresh SQLite file in a temp dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yiwang_bench_federation uv run python bench/federation_exchange.py

Options: ``--cases N`` (default 100000), ``--batch N`` (records per package, default 5000),
``--mode two|one`` (default ``two``), ``--province-database-url URL`` (mode two).

``--mode two`` (two real instances on separate databases): this process is the city on
``DATABASE_URL`` (it holds the cases, packs and pushes them with ``federation_sync``'s
``push_changes``); the province is its own instance, a gunicorn server (``yiwang.gunicorn_conf``,
2 workers x 2 threads) on its own database — ``--province-database-url``, by default the city's URL
with ``_province`` added to the database name (a SQLite file beside the city's on SQLite), migrated
by ``manage.py migrate`` in a process of its own while the city migrates, the city registered there
with ``manage.py exchange_node``.  On PostgreSQL both databases are dropped and created afresh (their
names must contain ``bench``).  The province's counts are read from its database by a process on its
settings.

``--mode one`` (the earlier figure): one database plays both nodes (the exchange keeps the sender's and
the receiver's tables apart: one ``ExchangeNode`` row each, outgoing and incoming packages): the
gunicorn server answers as the province (``YIWANG_EXCHANGE_NODE_ID``) on the city's database.

The cases are inserted in bulk with one ``applied`` event each (the GB/T 39046 application + process
records and the case summary); the run fails unless the province holds every case once.  Prints the
times, the machine's load average and the counts, and writes JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
os.environ.setdefault("YIWANG_PROFILE", "demo")
WORK = Path(tempfile.mkdtemp(prefix="yiwang-bench-federation-"))
os.environ.setdefault("YIWANG_VAR_DIR", str(WORK / "var"))
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = "sqlite:///" + str(WORK / "db.sqlite3")
os.environ["YIWANG_FEDERATION_ROLE"] = "city"
os.environ["YIWANG_FEDERATION_LAG_SECONDS"] = "0"
os.environ["YIWANG_EXCHANGE_PUSH_ON_COMMIT"] = "0"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed(cases: int) -> None:
    """One item, one applicant and ``cases`` cases with one applied event each, in bulk."""
    from django.db import transaction

    from yiwang.cases.models import Case, CaseEvent
    from yiwang.testing.cases import ServiceItemFactory, make_citizen

    item = ServiceItemFactory(materials=[])
    citizen = make_citizen("bench_citizen")
    start = datetime(2026, 12, 1, tzinfo=UTC)
    step = 1000
    for first in range(0, cases, step):
        with transaction.atomic():
            rows = [
                Case(
                    number=f"{item.implementation_code}20261201{n:07d}",
                    item=item,
                    item_version=1,
                    item_snapshot={},
                    handling_organisation=item.implementing_body,
                    applicant=citizen,
                    applicant_name="张伟",
                    applicant_id_type="身份证",
                    applicant_id_number="340104198803150011",
                    channel="web",
                    status="submitted",
                    submitted_at=start + timedelta(seconds=n),
                )
                for n in range(first, min(cases, first + step))
            ]
            Case.objects.bulk_create(rows)
            CaseEvent.objects.bulk_create(
                CaseEvent(
                    case=case,
                    sequence=1,
                    event_type="applied",
                    to_status="submitted",
                    actor_label="张伟",
                    channel="web",
                    occurred_at=case.submitted_at,
                )
                for case in rows
            )


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own local server
            return
        except OSError as exc:
            if getattr(exc, "code", None):  # an HTTP answer: the server is up
                return
            time.sleep(0.3)
    raise RuntimeError(f"server at {url} did not start")


def province_url(city_url: str) -> str:
    """The city's database URL with ``_province`` added to the name (SQLite: the file's stem)."""
    if city_url.startswith("sqlite"):
        path = Path(city_url.removeprefix("sqlite:///"))
        return "sqlite:///" + str(path.with_name(path.stem + "_province" + path.suffix))
    head, _, name = city_url.rpartition("/")
    return f"{head}/{name.split('?')[0]}_province"


def recreate_postgres(url: str) -> None:
    """Drop and create the PostgreSQL database of ``url`` (its name must contain ``bench``)."""
    import psycopg

    head, _, name = url.rpartition("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to recreate {name!r}: a benchmark database's name contains 'bench'")
    with psycopg.connect(f"{head}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def province_env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "YIWANG_VAR_DIR": str(WORK / "province-var"),
        "YIWANG_FEDERATION_ROLE": "province",
    }


def manage(env: dict[str, str], *argv: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), *argv],
        env=env,
        cwd=str(ROOT),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def finished(process: subprocess.Popen[bytes], what: str) -> str:
    out, _ = process.communicate(timeout=900)
    text = out.decode(errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"{what} failed: {text[-3000:]}")
    return text


PROVINCE_COUNTS = (
    "import json\n"
    "from yiwang.exchange.models import IncomingPackage\n"
    "from yiwang.federation.models import FederatedCase\n"
    "print(json.dumps({'federated_cases': FederatedCase.objects.count(), "
    "'distinct_cases': FederatedCase.objects.values('number').distinct().count(), "
    "'applied_at_province': IncomingPackage.objects.filter(state='applied').count()}))\n"
)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--mode", choices=["two", "one"], default="two")
    parser.add_argument("--province-database-url", default="")
    args = parser.parse_args()
    two = args.mode == "two"
    city_url = os.environ["DATABASE_URL"]
    p_url = args.province_database_url or province_url(city_url)
    if two and city_url.startswith("postgres"):
        recreate_postgres(city_url)
        recreate_postgres(p_url)
    load_before = os.getloadavg()
    os.environ["YIWANG_FEDERATION_BATCH"] = str(args.batch)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from yiwang.exchange.identity import acting_as, generate_identity, write_key_file
    from yiwang.exchange.models import IncomingPackage, OutgoingPackage
    from yiwang.exchange.services import register_node
    from yiwang.federation.models import FederatedCase
    from yiwang.federation.services import push_changes

    settings.YIWANG_FEDERATION_BATCH = args.batch
    settings.YIWANG_FEDERATION_LAG_SECONDS = 0
    settings.YIWANG_EXCHANGE_PUSH_ON_COMMIT = False
    t0 = time.perf_counter()
    province_migrate = manage(province_env(p_url), "migrate", "--verbosity", "0") if two else None
    call_command("migrate", verbosity=0)
    if province_migrate is not None:
        finished(province_migrate, "the province's migrate")
    print(f"migrated in {time.perf_counter() - t0:.1f} s" + (" (city and province at once)" if two else ""))
    province, city = generate_identity("340000-province"), generate_identity("340100-city")
    key_file = WORK / "province-key.json"
    write_key_file(key_file, province)
    t0 = time.perf_counter()
    port = free_port()
    register_node(
        node_id=province.node_id,
        name="省平台",
        base_url=f"http://127.0.0.1:{port}",
        sm2_public_key=province.sm2_public_key,
        role="parent",
    )
    city_at_province = (
        city.node_id,
        "http://127.0.0.1:9",  # the province never calls the city in this run
        "--name=市平台",
        "--role=child",
        f"--sm2-public-key={city.sm2_public_key}",
    )
    if two:
        finished(manage(province_env(p_url), "exchange_node", *city_at_province), "exchange_node")
    else:
        register_node(
            node_id=city.node_id,
            name="市平台",
            base_url="http://127.0.0.1:9",
            sm2_public_key=city.sm2_public_key,
            role="child",
        )
    seed(args.cases)
    seeded = time.perf_counter() - t0
    print(f"seeded {args.cases} cases in {seeded:.1f} s ({os.environ['DATABASE_URL'].split(':')[0]})")

    env = {
        **(province_env(p_url) if two else os.environ),
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "2",
        "YIWANG_EXCHANGE_NODE_ID": province.node_id,
        "YIWANG_EXCHANGE_KEY_FILE": str(key_file),
        "YIWANG_FEDERATION_ROLE": "province",
        "GUNICORN_TIMEOUT": "300",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "python:yiwang.gunicorn_conf",
            "yiwang.wsgi:application",
        ],
        env=env,
        cwd=str(ROOT),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/api/v1/exchange/outbox")
        start = time.perf_counter()
        with acting_as(city):
            packages = push_changes(kind="federation.cases")
        elapsed = time.perf_counter() - start
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    load_after = os.getloadavg()
    if two:
        counted = subprocess.run(
            [sys.executable, "-c", "import django; django.setup()\n" + PROVINCE_COUNTS],
            env=province_env(p_url),
            cwd=str(ROOT),
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        at_province = json.loads(counted.stdout.strip().splitlines()[-1])
    else:
        at_province = {
            "federated_cases": FederatedCase.objects.count(),
            "distinct_cases": FederatedCase.objects.values("number").distinct().count(),
            "applied_at_province": IncomingPackage.objects.filter(state="applied").count(),
        }
    held = at_province["federated_cases"]
    states = sorted({p.state for p in packages})
    result: dict[str, Any] = {
        "benchmark": "federation_exchange",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": os.environ["DATABASE_URL"].split(":")[0],
        "mode": "two instances, separate databases" if two else "one database plays both nodes",
        "machine": f"{platform.machine()} {os.cpu_count()} cores",
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "cases": args.cases,
        "batch": args.batch,
        "packages": len(packages),
        "package_states": states,
        "bytes": sum(p.size for p in OutgoingPackage.objects.all()),
        **at_province,
        "seconds": round(elapsed, 1),
        "records_per_second": round(args.cases / elapsed) if elapsed else None,
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"federation_exchange_{result['database']}{'_two' if two else ''}.json").write_text(
        json.dumps(result, indent=2)
    )
    ok = (
        held == at_province["distinct_cases"] == args.cases
        and states == ["applied"]
        and at_province["applied_at_province"] == len(packages)
        and elapsed < 300
    )
    print("OK" if ok else "FAILED", f"{held} of {args.cases} cases at the province in {elapsed:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
