"""压测数据生成 Benchmark data generator: many published implementation items and cases.

Items are copies of the existing published items (the demo catalogue) spread over their
implementing bodies; each gets a synthetic base code ``BN`` + 10 digits so its 31-character
implementation code (credit code + level + base code) is valid and unique.  Cases are spread over
items (skewed: a few popular items get most cases), over the last year and over statuses, each
with the CaseEvents its status implies and a unified case number (code + yyyyMMdd + serial).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.cases import detail_cache, queues
from yiwang.cases.models import Case, CaseEvent, CaseEventType, CaseNumberSequence, CaseOutcome, CaseStatus
from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.core.errors import Conflict
from yiwang.core.models import Channel
from yiwang.demo.errors import DemoErrorCode

BENCH_PREFIX = "BN"
BATCH = 5000
SKIP_FIELDS = {"id", "public_id", "created_at", "updated_at", "revision_of", "search_text"}
# (status, weight, events after "applied")
STATUS_MIX: list[tuple[str, int, list[tuple[str, str, str]]]] = [
    (
        CaseStatus.COMPLETED,
        60,
        [
            (CaseEventType.ACCEPTED, CaseStatus.SUBMITTED, CaseStatus.ACCEPTED),
            (CaseEventType.APPROVED, CaseStatus.ACCEPTED, CaseStatus.ACCEPTED),
            (CaseEventType.COMPLETED, CaseStatus.ACCEPTED, CaseStatus.COMPLETED),
        ],
    ),
    (CaseStatus.ACCEPTED, 15, [(CaseEventType.ACCEPTED, CaseStatus.SUBMITTED, CaseStatus.ACCEPTED)]),
    (CaseStatus.SUBMITTED, 10, []),
    (
        CaseStatus.CORRECTION_REQUIRED,
        6,
        [
            (CaseEventType.CORRECTION_REQUESTED, CaseStatus.SUBMITTED, CaseStatus.CORRECTION_REQUIRED),
        ],
    ),
    (
        CaseStatus.NOT_ACCEPTED,
        4,
        [
            (CaseEventType.NOT_ACCEPTED, CaseStatus.SUBMITTED, CaseStatus.NOT_ACCEPTED),
        ],
    ),
    (CaseStatus.WITHDRAWN, 5, [(CaseEventType.WITHDRAWN, CaseStatus.SUBMITTED, CaseStatus.WITHDRAWN)]),
]
SCALES = {"small": (50, 400), "medium": (10_000, 100_000), "large": (100_000, 1_000_000)}


@dataclass
class SeedResult:
    items: int
    cases: int
    events: int


def bench_code(index: int) -> str:
    return f"{BENCH_PREFIX}{index:010d}"


def _batches(total: int, size: int) -> Iterator[range]:
    for start in range(0, total, size):
        yield range(start, min(start + size, total))


def _copy_insert(objs: list[Any]) -> None:
    """PostgreSQL ``COPY … FROM STDIN`` for model instances (no signals, no returned ids)."""
    if not objs:
        return
    model = type(objs[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    # The rows are prepared before the COPY starts: encrypting a protected field may load a data
    # key from the database, which would wait forever on the connection the COPY holds.
    rows = []
    for obj in objs:
        row = []
        for f in fields:
            value = f.pre_save(obj, add=True)
            if isinstance(f, models.JSONField) and not getattr(f, "protected", False):
                row.append(json.dumps(value, ensure_ascii=False))
            else:
                row.append(f.get_db_prep_save(value, connection))
        rows.append(row)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _insert_cases(new_cases: list[Case]) -> list[Case]:
    if connection.vendor != "postgresql":
        return Case.objects.bulk_create(new_cases)
    _copy_insert(new_cases)
    ids = dict(Case.objects.filter(number__in=[c.number for c in new_cases]).values_list("number", "id"))
    for case in new_cases:
        case.pk = ids[case.number]
    return new_cases


def _insert_events(events: list[CaseEvent]) -> None:
    if connection.vendor != "postgresql":
        CaseEvent.objects.bulk_create(events)
    else:
        _copy_insert(events)


def seed(items: int, cases: int, *, seed_value: int = 7, log: Callable[[str], None] = print) -> SeedResult:
    """Create ``items`` bench items and ``cases`` cases; refuse if bench items already exist."""
    if ServiceItem.objects.filter(base_code__startswith=BENCH_PREFIX).exists():
        raise Conflict("压测数据已存在；请先清空数据库", code=DemoErrorCode.BENCH_DATA_EXISTS)
    templates = list(
        ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, revision_of__isnull=True)
        .exclude(base_code__startswith=BENCH_PREFIX)
        .select_related("implementing_body")
    )
    if not templates:
        raise Conflict("没有已发布事项可作模板；请先运行 loaddemo", code=DemoErrorCode.NO_TEMPLATE_ITEMS)
    applicants = list(User.objects.order_by("id").values_list("id", "username")[:1000])
    if not applicants:
        raise Conflict("没有用户可作申请人；请先运行 loaddemo", code=DemoErrorCode.NO_USERS)
    rng = random.Random(seed_value)  # noqa: S311 - reproducible test data, not security
    now = timezone.now()
    bodies = list({t.implementing_body_id: t.implementing_body for t in templates}.values())

    item_rows: list[tuple[int, str, int, int, int]] = []  # id, code, org, version, committed days
    for batch in _batches(items, BATCH):
        new: list[ServiceItem] = []
        for i in batch:
            template = templates[i % len(templates)]
            body = bodies[(i // len(templates)) % len(bodies)]
            values: dict[str, Any] = {
                f.attname: getattr(template, f.attname)
                for f in ServiceItem._meta.concrete_fields
                if f.name not in SKIP_FIELDS
            }
            code = bench_code(i)
            values.update(
                name=f"{template.name}（压测{i}）",
                base_code=code,
                implementation_code=f"{body.credit_code}{template.exercise_level}{code}",
                implementing_body_id=body.pk,
                region_id=body.region_id,
                status=ItemStatus.PUBLISHED,
                version=max(template.version, 1),
                published_at=now,
                result_sample="",
            )
            new.append(ServiceItem(**values))
        with transaction.atomic():
            created = ServiceItem.objects.bulk_create(new)
        item_rows += [
            (it.pk, it.implementation_code, it.implementing_body_id, it.version, it.committed_limit_days)
            for it in created
        ]
        log(f"items {batch.stop}/{items}")

    total_events = insert_cases(
        item_rows, applicants, cases, rng=rng, now=now, span=timedelta(days=365), log=log
    )
    sync_number_sequences()
    # Bulk inserts bypass Case.save, so the queue counters are recounted once at the end.
    queues.rebuild()
    return SeedResult(items=len(item_rows), cases=cases, events=total_events)


def insert_cases(
    item_rows: list[tuple[int, str, int, int, int]],
    applicants: list[tuple[int, str]],
    cases: int,
    *,
    rng: random.Random,
    now: datetime,
    span: timedelta,
    log: Callable[[str], None] = print,
) -> int:
    """Bulk-insert ``cases`` cases of ``item_rows`` (id, code, organisation, version, committed days)
    by ``applicants`` (id, name), submitted over the ``span`` before ``now``, each with the events its
    status implies (``STATUS_MIX``); the number of events.  The caller recounts the queue counters."""
    statuses = [s for s, _, _ in STATUS_MIX]
    weights = [w for _, w, _ in STATUS_MIX]
    follow_ups = {s: ev for s, _, ev in STATUS_MIX}
    serials: dict[str, int] = {}
    total_events = 0
    n_items = len(item_rows)
    # New cases have no stored detail: their bulk load skips the detail snapshot triggers.
    with detail_cache.triggers_suspended():
        for batch in _batches(cases, BATCH):
            new_cases: list[Case] = []
            plans: list[tuple[str, datetime]] = []
            for _ in batch:
                # Pareto-ish popularity: low indexes are the popular items.
                item_id, code, org_id, version, days = item_rows[
                    min(int(rng.paretovariate(1.2)) - 1, n_items - 1)
                    if rng.random() < 0.5
                    else rng.randrange(n_items)
                ]
                submitted = now - timedelta(seconds=rng.randrange(int(span.total_seconds())))
                prefix = f"{code}{timezone.localtime(submitted):%Y%m%d}"
                serial = serials.get(prefix, 0) + 1
                if serial > 9999:
                    submitted, prefix, serial = (
                        now,
                        f"{code}{timezone.localtime(now):%Y%m%d}",
                        serials.get(f"{code}{timezone.localtime(now):%Y%m%d}", 0) + 1,
                    )
                serials[prefix] = serial
                status = rng.choices(statuses, weights)[0]
                applicant_id, username = applicants[rng.randrange(len(applicants))]
                accepted = (
                    submitted + timedelta(hours=4)
                    if status in (CaseStatus.ACCEPTED, CaseStatus.COMPLETED)
                    else None
                )
                completed = (
                    submitted + timedelta(days=min(days, 5)) if status == CaseStatus.COMPLETED else None
                )
                new_cases.append(
                    Case(
                        number=f"{prefix}{serial:04d}",
                        item_id=item_id,
                        item_version=version,
                        item_snapshot={"implementation_code": code, "version": version},
                        handling_organisation_id=org_id,
                        applicant_id=applicant_id,
                        applicant_name=username,
                        applicant_id_type="身份证",
                        applicant_id_number="340104199005120015",
                        channel=Channel.WEB if rng.random() < 0.7 else Channel.WINDOW,
                        status=status,
                        outcome=CaseOutcome.APPROVED if completed else "",
                        submitted_at=submitted,
                        accepted_at=accepted,
                        due_date=(submitted + timedelta(days=days + 2)).date(),
                        completed_at=completed,
                    )
                )
                plans.append((status, submitted))
            with transaction.atomic():
                created_cases = _insert_cases(new_cases)
                events: list[CaseEvent] = []
                for case, (status, submitted) in zip(created_cases, plans, strict=True):
                    events.append(
                        CaseEvent(
                            case_id=case.pk,
                            sequence=1,
                            event_type=CaseEventType.APPLIED,
                            from_status="",
                            to_status=CaseStatus.SUBMITTED,
                            actor_id=case.applicant_id,
                            actor_label=case.applicant_name,
                            channel=case.channel,
                            occurred_at=submitted,
                        )
                    )
                    for seq, (etype, before, after) in enumerate(follow_ups[status], start=2):
                        events.append(
                            CaseEvent(
                                case_id=case.pk,
                                sequence=seq,
                                event_type=etype,
                                from_status=before,
                                to_status=after,
                                actor_label="压测",
                                channel=Channel.WINDOW,
                                occurred_at=submitted + timedelta(hours=seq),
                            )
                        )
                _insert_events(events)
            total_events += len(events)
            log(f"cases {batch.stop}/{cases}")
    return total_events


def sync_number_sequences() -> int:
    """Advance today's case-number counters past the seeded numbers of today.

    Seeded cases of today carry serials the counters (:class:`CaseNumberSequence`) do not know;
    without this a real submission today would be given a number already taken.  Returns the
    number of counters touched.
    """
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    today = f"{midnight:%Y%m%d}"
    highest: dict[str, int] = {}
    for number in Case.objects.filter(submitted_at__gte=midnight).values_list("number", flat=True).iterator():
        prefix, tail = number[:39], number[39:]
        if prefix.endswith(today) and tail.isdigit():
            highest[prefix] = max(highest.get(prefix, 0), int(tail))
    with transaction.atomic():
        known = dict(
            CaseNumberSequence.objects.select_for_update()
            .filter(prefix__in=list(highest))
            .values_list("prefix", "last_value")
        )
        for prefix, serial in highest.items():
            if prefix not in known:
                CaseNumberSequence.objects.create(prefix=prefix, last_value=serial)
            elif known[prefix] < serial:
                CaseNumberSequence.objects.filter(prefix=prefix).update(last_value=serial)
    return len(highest)
