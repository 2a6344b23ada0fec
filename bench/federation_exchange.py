"""Federation exchange benchmark: 100,000 case records from a city to its province through the real
exchange (signed packages pushed in chunks over real HTTP, applied exactly once, receipts checked).

Usage:

    uv run python bench/federation_exchange.py                 # a fresh SQLite file in a temp dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yiwang_bench_federation uv run python bench/federation_exchange.py

Options: ``--cases N`` (default 100000), ``--batch N`` (records per package, default 5000).

One database plays both nodes (the exchange keeps the sender's and the receiver's tables apart: one
``ExchangeNode`` row each, outgoing and incoming packages): a gunicorn server started here answers as
the province (``YIWANG_EXCHANGE_NODE_ID``), this process packs and pushes as the city
(``federation_sync``'s ``push_changes``).  The cases are inserted in bulk with one ``applied`` event
each (the GB/T 39046 application + process records and the case summary); the run fails unless the
province holds every case once.  Prints the times and counts and writes JSON to bench/results/.
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5000)
    args = parser.parse_args()
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
    call_command("migrate", verbosity=0)
    print(f"migrated in {time.perf_counter() - t0:.1f} s")
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
        **os.environ,
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
    held = FederatedCase.objects.count()
    states = sorted({p.state for p in packages})
    result: dict[str, Any] = {
        "benchmark": "federation_exchange",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": os.environ["DATABASE_URL"].split(":")[0],
        "machine": f"{platform.machine()} {os.cpu_count()} cores",
        "cases": args.cases,
        "batch": args.batch,
        "packages": len(packages),
        "package_states": states,
        "bytes": sum(p.size for p in OutgoingPackage.objects.all()),
        "applied_at_province": IncomingPackage.objects.filter(state="applied").count(),
        "federated_cases": held,
        "seconds": round(elapsed, 1),
        "records_per_second": round(args.cases / elapsed) if elapsed else None,
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"federation_exchange_{result['database']}.json").write_text(json.dumps(result, indent=2))
    ok = held == args.cases and states == ["applied"] and elapsed < 300
    print("OK" if ok else "FAILED", f"{held} of {args.cases} cases at the province in {elapsed:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
