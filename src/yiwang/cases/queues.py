"""Queue counters (待办计数): exact per-department totals of open cases without counting an index.

A clerk's to-do list shows how many cases wait in his department.  Counting them on every request
cost more than reading the page itself on the benchmark database (≈5,000 index entries for an
ordinary department, 130,000 for the busiest).  :class:`~yiwang.cases.models.QueueCounter` holds the
totals instead, moved in the same transaction as the case row by an explicit step of every path that
changes a case's status or department: :func:`yiwang.cases.transitions.save_transition` calls
:func:`move`, filing calls :func:`count_filed`.  ``Case.save`` itself knows nothing of counters, so a
bulk load or a hand-written ``save``/``update`` of the status must call :func:`move` (or
:func:`rebuild` afterwards); ``manage.py recount_queues --check`` reports any drift.

Why sharded: every filing adds one to its department's "submitted" counter.  With one row per
department, concurrent filings would queue on that row's lock until each transaction commits; with
the case id choosing one of :data:`QUEUE_COUNTER_SHARDS` rows they rarely meet, and a case's +1 and
-1 land on the same shard, so no shard goes negative.  Rows are updated in a fixed key order within
a statement, so two transactions cannot lock the same two rows in opposite orders.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Sum

from yiwang.cases.models import QUEUE_COUNTER_SHARDS, TERMINAL_STATUSES, Case, CaseStatus, QueueCounter

# Only open cases are counted: a transition between two terminal statuses then writes nothing.
QUEUE_STATUSES: frozenset[str] = frozenset(s.value for s in CaseStatus if s not in TERMINAL_STATUSES)

QueueKey = tuple[int, str]


def _names() -> tuple[str, str, str]:
    """Quoted table and column names; the SQL below is built from these and placeholders only."""
    quote = connection.ops.quote_name
    return quote(QueueCounter._meta.db_table), quote(Case._meta.db_table), quote("count")


def key_of(case: Case) -> QueueKey:
    """The counter a case is under: its department and status."""
    return (case.handling_organisation_id, case.status)


def move(case: Case, old_key: QueueKey | None, *, adding: bool = False) -> QueueKey:
    """Move ``case`` (just saved) from the counter it was under to the one it is under now.

    Call it inside the transaction that saved the case (``old_key``: its department and status
    before the change; ``adding``: the case was just inserted).  Returns the new key."""
    new_key = key_of(case)
    if not adding and old_key == new_key:
        return new_key
    deltas: dict[QueueKey, int] = {}
    if not adding and old_key is not None and old_key[1] in QUEUE_STATUSES:
        deltas[old_key] = -1
    if new_key[1] in QUEUE_STATUSES:
        deltas[new_key] = deltas.get(new_key, 0) + 1
    _apply(case.pk % QUEUE_COUNTER_SHARDS, deltas)
    return new_key


def count_filed(case: Case) -> None:
    """Count a case just filed; call it inside the filing's transaction.

    Filing counts late, as it numbers late: the shard row stays locked until commit, and concurrent
    filings into one department should meet on it only for the last statements."""
    move(case, None, adding=True)


def _apply(shard: int, deltas: dict[QueueKey, int]) -> None:
    rows = sorted((key, delta) for key, delta in deltas.items() if delta)
    if not rows:
        return
    table, _, count = _names()
    values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    params: list[int | str] = []
    for (organisation_id, status), delta in rows:
        params += [organisation_id, status, shard, delta]
    # One upsert for both counters of a move: insert the shard row, or add to it.
    sql = (
        f"INSERT INTO {table} (organisation_id, status, shard, {count}) VALUES {values} "  # noqa: S608
        f"ON CONFLICT (organisation_id, status, shard) DO UPDATE SET {count} = {table}.{count} + excluded.{count}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def total(organisation_id: int, statuses: Iterable[str]) -> int:
    """How many cases of the department are in any of ``statuses`` (each must be an open status)."""
    wanted = sorted({str(status) for status in statuses})
    if not wanted:
        return 0
    untracked = set(wanted) - QUEUE_STATUSES
    if untracked:
        raise ValueError(f"not counted by the queue counters: {sorted(untracked)}")
    table, _, count = _names()
    placeholders = ", ".join(["%s"] * len(wanted))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(SUM({count}), 0) FROM {table} "  # noqa: S608
            f"WHERE organisation_id = %s AND status IN ({placeholders})",
            [organisation_id, *wanted],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


@dataclass(frozen=True)
class Drift:
    organisation_id: int
    status: str
    counted: int
    actual: int


def drift() -> list[Drift]:
    """Where the counters disagree with the cases table (empty when they are in step)."""
    counted = {
        (row["organisation_id"], row["status"]): row["n"]
        for row in QueueCounter.objects.values("organisation_id", "status")
        .annotate(n=Sum("count"))
        .order_by()
    }
    actual = {
        (row["handling_organisation_id"], row["status"]): row["n"]
        for row in Case.objects.filter(status__in=QUEUE_STATUSES)
        .values("handling_organisation_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    }
    return [
        Drift(key[0], key[1], counted.get(key, 0), actual.get(key, 0))
        for key in sorted(set(counted) | set(actual))
        if counted.get(key, 0) != actual.get(key, 0)
    ]


def rebuild() -> int:
    """Recount every counter from the cases (after a bulk load, or to repair drift); returns the
    number of open cases counted.  On PostgreSQL the counter table is locked first, so transitions
    committing meanwhile wait and are then counted exactly once."""
    table, cases, count = _names()
    statuses = sorted(QUEUE_STATUSES)
    placeholders = ", ".join(["%s"] * len(statuses))
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {table} (organisation_id, status, shard, {count}) "  # noqa: S608
            f"SELECT handling_organisation_id, status, id %% {QUEUE_COUNTER_SHARDS}, COUNT(*) FROM {cases} "
            f"WHERE status IN ({placeholders}) "
            f"GROUP BY handling_organisation_id, status, id %% {QUEUE_COUNTER_SHARDS}",
            statuses,
        )
        cursor.execute(f"SELECT COALESCE(SUM({count}), 0) FROM {table}")  # noqa: S608
        row = cursor.fetchone()
    return int(row[0]) if row else 0
