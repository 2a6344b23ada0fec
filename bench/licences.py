"""E-licence benchmark: issue-and-stamp rate and verification rates.

    createdb -h 127.0.0.1 -U postgres yiwang_bench_lic   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yiwang_bench_lic uv run python bench/licences.py

Measures, each single-process and with one process per core:
* issue-and-stamp: validate, serial + identifier, render the fixed-layout PDF with its QR code, PAdES
  stamp with the body's seal (pyHanko), SM2 data signature, store file + rows + audit records;
* verification of the data record and status (what the QR page and the API answer by default);
* full verification including the PDF seal (pyHanko validation with the trust chain and CRL).
Targets (issue #6): issue ≥ 20/s, verification ≥ 500/s on the 2-core machine.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
MEDIA = Path(tempfile.gettempdir()) / "yiwang-bench-licences-media"


def _setup() -> None:
    import django
    from django.conf import settings

    django.setup()
    settings.MEDIA_ROOT = MEDIA


def _world() -> tuple[int, int, int]:
    """The issuing body (with its seal), the type and the holder; reused from an earlier run."""
    from yiwang.cases.tests.factories import make_citizen
    from yiwang.licences.models import Licence
    from yiwang.licences.tests import factories

    earlier = Licence.objects.filter(holder_user__isnull=False, issuer__isnull=False).order_by("-pk").first()
    if earlier is not None:
        assert earlier.issuer_id is not None and earlier.holder_user_id is not None
        return earlier.licence_type_id, earlier.issuer_id, earlier.holder_user_id

    issuer, _seal, _approver = factories.make_issuer(f"合肥市市场监督管理局{time.time_ns() % 100000}")
    licence_type = factories.make_type(f"{factories.MINISTRY}{time.time_ns() % 1000:03d}")
    citizen = make_citizen(f"bench{time.time_ns()}")
    return licence_type.pk, issuer.pk, citizen.pk


def _issue_worker(args: tuple[int, int, int, int]) -> float:
    _setup()
    from yiwang.accounts.models import User
    from yiwang.core.models import Organisation
    from yiwang.licences.models import LicenceType
    from yiwang.licences.tests import factories

    type_pk, issuer_pk, citizen_pk, count = args
    licence_type, issuer = LicenceType.objects.get(pk=type_pk), Organisation.objects.get(pk=issuer_pk)
    citizen = User.objects.get(pk=citizen_pk)
    factories.issue(licence_type, issuer, citizen)  # warm-up: font, key tables, connections
    start = time.perf_counter()
    for _ in range(count):
        factories.issue(licence_type, issuer, citizen)
    return time.perf_counter() - start


def _verify_worker(args: tuple[list[str], int, bool]) -> float:
    _setup()
    from yiwang.licences import services

    identifiers, rounds, document = args
    services.verify_identifier(identifiers[0], check_document=document)
    start = time.perf_counter()
    for _ in range(rounds):
        for identifier in identifiers:
            result = services.verify_identifier(identifier, check_document=document)
            assert result.ok, result
    return time.perf_counter() - start


def _parallel(worker, jobs):  # type: ignore[no-untyped-def]
    """Run one job per process; the rate counts from each worker's own timed loop (after its
    warm-up), all loops running at the same time, so the slowest worker's time is the wall time."""
    with mp.get_context("spawn").Pool(len(jobs)) as pool:
        return max(pool.map(worker, jobs))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--issue", type=int, default=100, help="licences to issue per process")
    parser.add_argument("--verify", type=int, default=2000, help="verifications per process")
    parser.add_argument("--full", type=int, default=100, help="full (PDF) verifications per process")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 2)
    options = parser.parse_args()
    _setup()
    from django.core.management import call_command
    from django.db import connection

    from yiwang.licences.models import Licence

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; cores: {os.cpu_count()}")
    call_command("migrate", verbosity=0)
    world = _world()
    connection.close()

    n, p = options.issue, options.processes
    single = _issue_worker((*world, n))
    print(f"issue-and-stamp, 1 process:  {n / single:7.1f} licences/s ({1000 * single / n:.1f} ms each)")
    elapsed = _parallel(_issue_worker, [(*world, n)] * p)
    print(f"issue-and-stamp, {p} processes: {p * n / elapsed:7.1f} licences/s")

    identifiers = list(
        Licence.objects.filter(licence_type_id=world[0]).values_list("identifier", flat=True)[:100]
    )
    rounds = max(1, options.verify // len(identifiers))
    single = _verify_worker((identifiers, rounds, False))
    total = rounds * len(identifiers)
    print(f"verify record+status, 1 process:  {total / single:7.1f} /s ({1000 * single / total:.2f} ms each)")
    elapsed = _parallel(_verify_worker, [(identifiers, rounds, False)] * p)
    print(f"verify record+status, {p} processes: {p * total / elapsed:7.1f} /s")

    full_ids = identifiers[: min(len(identifiers), options.full)]
    full_rounds = max(1, options.full // len(full_ids))
    single = _verify_worker((full_ids, full_rounds, True))
    total = full_rounds * len(full_ids)
    print(
        f"verify incl. PDF seal, 1 process:  {total / single:7.1f} /s ({1000 * single / total:.1f} ms each)"
    )
    elapsed = _parallel(_verify_worker, [(full_ids, full_rounds, True)] * p)
    print(f"verify incl. PDF seal, {p} processes: {p * total / elapsed:7.1f} /s")


if __name__ == "__main__":
    main()
