"""Proactive services benchmark (issue #25): evaluate the rules for 1,000,000 people over a day's events.

    uv run python bench/proactive_bench.py                       # SQLite file under /tmp, reused
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_proactive uv run python bench/proactive_bench.py

Seeds (once; later runs reuse the database) the population base with ``--persons`` people and the
legal-person base with ``--companies`` companies (``bases.generate``), then "today's events": ``--births``
newborns and ``--new-companies`` companies registered today, each with its change-log row, and platform
accounts for ``--accounts`` of the newborns (so the scan delivers inbox messages too).  The six demo rules
(``proactive.defaults``: birth notice, 育儿补贴 grant, company opening, licence expiry, retirement, the
software-industry policy with its first backfill over every company) are active.  Each run forgets the
previous run's pushes, moves the watermark back before today's events and times ``run_scan`` (the
daily job: every rule, opt-outs, delivery), then a second scan (idempotent: writes nothing), and the
reach count of every rule.  Target: < 10 minutes on this 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
os.environ.setdefault("YIWANG_PROFILE", "demo")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = "sqlite:///" + str(
        Path(tempfile.gettempdir()) / "yiwang-bench-proactive.sqlite3"
    )


def seed(args: argparse.Namespace) -> dict[str, float]:
    from django.db import transaction
    from django.utils import timezone

    from yiwang.accounts.models import NaturalPerson, User
    from yiwang.bases.generate import DISTRICTS, PersonSpec, generate_companies, insert_persons, seed_bases
    from yiwang.bases.models import BaseChange, BaseKind, Company, Person
    from yiwang.core.identifiers import make_id_number
    from yiwang.core.protected import protected_digest

    timings: dict[str, float] = {}
    if Person.objects.count() < args.persons:
        started = time.monotonic()
        report = seed_bases(persons=args.persons, companies=args.companies, seed=7)
        timings["seed_bases_s"] = round(time.monotonic() - started, 1)
        print(f"seeded {report.persons} persons, {report.companies} companies", flush=True)
    if not BaseChange.objects.filter(batch_id="bench-today").exists():
        started = time.monotonic()
        today = timezone.localdate()
        births: list[PersonSpec] = []
        for n in range(args.births):
            district = DISTRICTS[n % len(DISTRICTS)]
            day = today - timedelta(days=1 + (n // len(DISTRICTS)) % 30)
            sequence = (n // (len(DISTRICTS) * 30)) % 998
            number = make_id_number(district.code, day, sequence)
            births.append(
                PersonSpec(
                    id_number=number,
                    name="新生儿",
                    gender="male" if sequence % 2 else "female",
                    birth_date=day,
                    ethnicity="01",
                    household_region=district.code,
                    address="",
                )
            )
        insert_persons(births)
        representatives = births[: min(len(births), 1000)]
        fresh = list(generate_companies(args.new_companies, seed=99, representatives=representatives))
        for spec in fresh:
            object.__setattr__(spec, "established_on", today)
        with transaction.atomic():
            Company.objects.bulk_create([Company(**vars(spec)) for spec in fresh], ignore_conflicts=True)
            now = timezone.now() - timedelta(minutes=5)
            changes = [
                BaseChange(
                    base=BaseKind.POPULATION,
                    subject_digest=protected_digest(p.id_number, "code"),
                    created=True,
                    version=1,
                    at=now,
                    batch_id="bench-today",
                )
                for p in births
            ] + [
                BaseChange(
                    base=BaseKind.LEGAL_PERSON,
                    subject_digest=protected_digest(c.credit_code, "code"),
                    created=True,
                    version=1,
                    at=now,
                    batch_id="bench-today",
                )
                for c in fresh
            ]
            BaseChange.objects.bulk_create(changes, batch_size=2000)
            users = User.objects.bulk_create(
                [
                    User(username=f"bench-parent-{n}", kind="natural", display_name="家长")
                    for n in range(min(args.accounts, len(births)))
                ],
                batch_size=1000,
            )
            NaturalPerson.objects.bulk_create(
                [
                    NaturalPerson(user=user, real_name="新生儿", id_number=births[n].id_number)
                    for n, user in enumerate(users)
                ],
                batch_size=1000,
            )
        timings["seed_events_s"] = round(time.monotonic() - started, 1)
    return timings


def manager():  # type: ignore[no-untyped-def]
    from yiwang.accounts.models import StaffRole, User
    from yiwang.testing.accounts import organisation
    from yiwang.testing.people import make_staff

    found = User.objects.filter(username="bench-proactive-manager").first()
    return found or make_staff(
        organisation("合肥市数据资源局", "3401"), "bench-proactive-manager", [StaffRole.SERVICE_MANAGER]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--companies", type=int, default=50_000)
    parser.add_argument("--births", type=int, default=10_000)
    parser.add_argument("--new-companies", type=int, default=500)
    parser.add_argument("--accounts", type=int, default=2_000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from yiwang.bases.models import BaseChange, Person
    from yiwang.proactive import reads
    from yiwang.proactive.defaults import ensure_demo_rules
    from yiwang.proactive.models import Push, Rule, ScanState
    from yiwang.proactive.services import run_scan

    timings = seed(args)
    ensure_demo_rules(manager())
    first_today = BaseChange.objects.filter(batch_id="bench-today").order_by("sequence").first()
    assert first_today is not None
    from yiwang.accounts.models import InboxMessage

    InboxMessage.objects.filter(user__username__startswith="bench-parent-").delete()
    Push.objects.all().delete()
    Rule.objects.update(backfilled=False)
    ScanState.objects.update_or_create(
        name="daily",
        defaults={
            "last_sequence": first_today.sequence - 1,
            "last_day": timezone.localdate() - timedelta(days=1),
        },
    )
    started = time.monotonic()
    report = run_scan()
    first = time.monotonic() - started
    started = time.monotonic()
    again = run_scan()
    second = time.monotonic() - started
    reach_times = {}
    for rule in Rule.objects.order_by("pk"):
        t0 = time.monotonic()
        matching = reads.reach(rule).matching
        reach_times[rule.name] = {"matching": matching, "seconds": round(time.monotonic() - t0, 2)}
    result = {
        "database": connection.vendor,
        "persons": Person.objects.count(),
        "births_today": args.births,
        "new_companies_today": args.new_companies,
        **timings,
        "scan_seconds": round(first, 1),
        "pushes_written": report.total,
        "per_rule": {Rule.objects.get(public_id=k).name: v for k, v in report.written.items()},
        "sent": report.sent,
        "no_account": report.no_account,
        "second_scan_seconds": round(second, 1),
        "second_scan_written": again.total,
        "reach": reach_times,
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
