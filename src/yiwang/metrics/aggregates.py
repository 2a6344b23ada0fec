"""Incremental maintenance of the case aggregates (see :mod:`yiwang.metrics.models.aggregates`).

* Hot path: :func:`mark_dirty`, the receiver of ``cases.signals.case_event_recorded``, writes one
  row (``INSERT … ON CONFLICT DO NOTHING``) into :class:`DirtyCase` inside the transition's
  transaction: a rolled-back transition leaves nothing to do.
* :func:`refresh` (task ``refresh_case_aggregates``, scheduled every minute) takes the dirty cases,
  replaces their facts, and recomputes the aggregate rows of every key their old or new facts
  touch, from the facts.  Marking cases rather than keys means a moved due date or department
  also clears the key the case left.
* :func:`recount` rebuilds everything from the cases (``manage.py recount_aggregates``);
  :func:`drift` compares the aggregates with what a recount would give.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum
from django.db.models.functions import TruncMonth

from yiwang.cases.models import Case
from yiwang.metrics import facts
from yiwang.metrics.models import COUNTERS, CaseAggregate, CaseAggregateMonth, CaseFact, DirtyCase

Key = tuple[date, int, int, str]  # day, organisation id, item id, channel
BATCH = 2000
_ADVISORY_LOCK = 742_022  # one refresher at a time (PostgreSQL); SQLite serialises writers anyway


def mark_dirty(sender: object, case: Case, **kwargs: Any) -> None:
    """Receiver of ``case_event_recorded``: one upsert, no reads."""
    DirtyCase.objects.bulk_create([DirtyCase(case_id=case.pk)], ignore_conflicts=True)


def mark_cases(case_ids: Iterable[int]) -> None:
    """Mark cases changed outside a transition (a bulk load, a repair) for the next refresh."""
    DirtyCase.objects.bulk_create([DirtyCase(case_id=pk) for pk in case_ids], ignore_conflicts=True)


def _serialise() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK])


def _key(fact: CaseFact) -> Key:
    return (fact.day, fact.organisation_id, fact.item_id, fact.channel)


def refresh(limit: int = BATCH) -> int:
    """Process up to ``limit`` dirty cases per transaction until none is left; returns how many."""
    done = 0
    while True:
        count = _refresh_batch(limit)
        done += count
        if count < limit:
            return done


def _refresh_batch(limit: int) -> int:
    with transaction.atomic():
        _serialise()
        ids = list(DirtyCase.objects.order_by("case_id").values_list("case_id", flat=True)[:limit])
        if not ids:
            return 0
        old = CaseFact.objects.filter(case_id__in=ids)
        keys: set[Key] = set(old.values_list("day", "organisation_id", "item_id", "channel"))
        old.delete()
        new = facts.facts_of_many(facts.case_rows().filter(pk__in=ids).order_by())
        CaseFact.objects.bulk_create(new, batch_size=1000)
        keys |= {_key(f) for f in new}
        recompute(keys)
        DirtyCase.objects.filter(case_id__in=ids).delete()
    return len(ids)


def recompute(keys: Iterable[Key]) -> None:
    """Rewrite the aggregate rows of ``keys`` as the sums of their facts (inside a transaction).

    Grouped per item: the rows of the item on the touched days are deleted and summed again (a
    superset of ``keys``, equally correct, two statements per item)."""
    days_by_item: dict[int, set[date]] = defaultdict(set)
    for day, _org, item, _channel in keys:
        days_by_item[item].add(day)
    for item_id in sorted(days_by_item):
        days = sorted(days_by_item[item_id])
        CaseAggregate.objects.filter(item_id=item_id, day__in=days).delete()
        _insert_sums(CaseFact.objects.filter(item_id=item_id, day__in=days))
        for month in sorted({day.replace(day=1) for day in days}):
            CaseAggregateMonth.objects.filter(item_id=item_id, day=month).delete()
            daily = CaseAggregate.objects.filter(item_id=item_id, day__gte=month, day__lt=next_month(month))
            _insert_sums(daily.annotate(month=TruncMonth("day")), CaseAggregateMonth, "month")


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def _insert_sums(source_qs: Any, model: Any = CaseAggregate, day_field: str = "day") -> int:
    rows = (
        source_qs.order_by()
        .values(day_field, "organisation_id", "item_id", "region_id", "channel")
        .annotate(**{f"s_{name}": Sum(name) for name in COUNTERS})
    )
    objs = [
        model(
            day=row[day_field],
            organisation_id=row["organisation_id"],
            item_id=row["item_id"],
            region_id=row["region_id"],
            channel=row["channel"],
            **{name: row[f"s_{name}"] or 0 for name in COUNTERS},
        )
        for row in rows
    ]
    model.objects.bulk_create(objs, batch_size=1000)
    return len(objs)


def recount() -> int:
    """Rebuild facts and aggregates from every case; returns the number of aggregate rows."""
    with transaction.atomic():
        _serialise()
        DirtyCase.objects.all().delete()
        CaseFact.objects.all().delete()
        CaseAggregate.objects.all().delete()
        CaseAggregateMonth.objects.all().delete()
        batch: list[CaseFact] = []
        for row in facts.case_rows().order_by("pk").iterator(chunk_size=BATCH):
            batch.extend(facts.facts_of(row))
            if len(batch) >= BATCH:
                CaseFact.objects.bulk_create(batch, batch_size=1000)
                batch = []
        CaseFact.objects.bulk_create(batch, batch_size=1000)
        rows = _insert_sums(CaseFact.objects.all())
        _insert_sums(CaseAggregate.objects.annotate(month=TruncMonth("day")), CaseAggregateMonth, "month")
        return rows


def snapshot(model: Any = CaseAggregate) -> dict[Key, dict[str, int]]:
    """Every aggregate row as ``{key: {counter: value}}`` (tests and ``--check``; small tables)."""
    return {
        (row["day"], row["organisation_id"], row["item_id"], row["channel"]): {n: row[n] for n in COUNTERS}
        for row in model.objects.values("day", "organisation_id", "item_id", "channel", *COUNTERS)
    }


def by_month(daily: dict[Key, dict[str, int]]) -> dict[Key, dict[str, int]]:
    """The monthly rows the daily ones make."""
    result: dict[Key, dict[str, int]] = {}
    for (day, org, item, channel), counts in daily.items():
        sums = result.setdefault((day.replace(day=1), org, item, channel), facts.zero())
        for name in COUNTERS:
            sums[name] += counts[name]
    return result


def expected() -> dict[Key, dict[str, int]]:
    """What a full recount would give, computed in memory from the cases (nothing written)."""
    result: dict[Key, dict[str, int]] = {}
    for row in facts.case_rows().order_by("pk").iterator(chunk_size=BATCH):
        for fact in facts.facts_of(row):
            sums = result.setdefault(_key(fact), facts.zero())
            for name in COUNTERS:
                sums[name] += getattr(fact, name)
    return result


def drift() -> list[Key]:
    """The keys whose aggregate differs from a recount (empty when in step)."""
    have, want = snapshot(), expected()
    drifted = {k for k in set(have) | set(want) if have.get(k) != want.get(k)}
    months, want_months = snapshot(CaseAggregateMonth), by_month(want)
    drifted |= {k for k in set(months) | set(want_months) if months.get(k) != want_months.get(k)}
    return sorted(drifted)
