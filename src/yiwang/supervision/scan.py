"""The periodic scan (定时扫描): set-based SQL over the open cases, one statement per rule to raise
and one to close.

For every active scan rule (time_yellow, time_red, long_special_procedure, result_not_handed_over,
licence_not_issued) the scan

1. inserts a warning for every case matching the rule's condition that has no warning of the rule
   open yet (``INSERT … SELECT … WHERE NOT EXISTS``; the partial unique index on (case, rule) for
   not-closed warnings answers the NOT EXISTS and keeps it idempotent), and
2. closes the not-closed warnings of the rule whose case no longer matches (``cleared``).

Working days never leave the database as per-case Python: the yellow rule joins a small temporary
table ``due day → working days left`` computed once from the calendar (a few hundred rows); the
working-day cut-offs of the other rules are computed once as dates.
"""

# Only quoted table names and fixed SQL fragments are interpolated; every value is a parameter.
# ruff: noqa: S608
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from yiwang.cases.models import Case, CaseDelivery, SpecialProcedure
from yiwang.catalog.models import ServiceItem
from yiwang.core.calendar import working_days_between
from yiwang.core.models import Organisation, Region
from yiwang.licences.models import Licence
from yiwang.supervision.models import RuleKind, SupervisionRule, SupervisionWarning
from yiwang.supervision.ruleset import SCAN_KINDS, precedence, region_prefix_of
from yiwang.supervision.tasks import notify_pending_warnings

DUE_TABLE = "supervision_due_days"


@dataclass
class ScanResult:
    raised: dict[str, int] = field(default_factory=dict)
    closed: dict[str, int] = field(default_factory=dict)

    @property
    def total_raised(self) -> int:
        return sum(self.raised.values())

    @property
    def total_closed(self) -> int:
        return sum(self.closed.values())


def _t(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def working_days_back(today: date, days: int) -> date:
    """The latest day D with ``working_days_between(D, today) >= days``."""
    day = today
    while working_days_between(day, today) < days:
        day -= timedelta(days=max(1, (days - working_days_between(day, today)) // 2))
    while working_days_between(day + timedelta(days=1), today) >= days:
        day += timedelta(days=1)
    return day


def _start_of(day: date) -> Any:
    return _dt(timezone.make_aware(datetime.combine(day, time.min)))


def _dt(moment: datetime) -> Any:
    """A datetime as the backend stores it (raw SQL bypasses the field's adaptation)."""
    return connection.ops.adapt_datetimefield_value(moment)


def _d(day: date) -> Any:
    return connection.ops.adapt_datefield_value(day)


def _condition(rule: SupervisionRule, today: date, now: datetime) -> tuple[str, str, list[Any]]:
    """(extra FROM, WHERE, params) of the rule's condition on ``c`` (the case)."""
    c_item = _t(ServiceItem)
    kind = rule.kind
    th = rule.thresholds or {}
    if kind == RuleKind.TIME_RED:
        return (
            "",
            "c.status = 'accepted' AND c.completed_at IS NULL AND c.clock_paused = %s AND c.due_date < %s",
            [
                False,
                _d(today),
            ],
        )
    if kind == RuleKind.TIME_YELLOW:
        share = float(th.get("share", 0.8))
        return (
            f" JOIN {c_item} i ON i.id = c.item_id JOIN {DUE_TABLE} dd ON dd.day = c.due_date",
            "c.status = 'accepted' AND c.completed_at IS NULL AND c.clock_paused = %s AND c.due_date >= %s"
            " AND (i.committed_limit_days + c.extension_days + c.paused_working_days) > 0"
            " AND ((i.committed_limit_days + c.extension_days + c.paused_working_days) - dd.left_days) * 1000"
            " >= (i.committed_limit_days + c.extension_days + c.paused_working_days) * %s",
            [False, _d(today), round(share * 1000)],
        )
    if kind == RuleKind.LONG_SPECIAL_PROCEDURE:
        cutoff = working_days_back(today, int(th.get("working_days", 30)) + 1)
        return (
            "",
            "c.completed_at IS NULL AND EXISTS (SELECT 1 FROM "
            f"{_t(SpecialProcedure)} sp WHERE sp.case_id = c.id AND sp.ended_at IS NULL AND sp.started_at < %s)",
            [_start_of(cutoff + timedelta(days=1))],
        )
    if kind == RuleKind.RESULT_NOT_HANDED_OVER:
        cutoff = working_days_back(today, int(th.get("working_days", 5)))
        since = today - timedelta(days=int(th.get("lookback_days", 60)))
        return (
            "",
            "c.status = 'completed' AND c.completed_at < %s AND c.completed_at >= %s AND NOT EXISTS (SELECT 1 FROM "
            f"{_t(CaseDelivery)} d WHERE d.case_id = c.id AND d.status IN ('dispatched', 'delivered'))",
            [_start_of(cutoff + timedelta(days=1)), _start_of(since)],
        )
    if kind == RuleKind.LICENCE_NOT_ISSUED:
        since = today - timedelta(days=int(th.get("lookback_days", 60)))
        return (
            f" JOIN {_t(ServiceItem)} i ON i.id = c.item_id",
            "c.status = 'completed' AND c.outcome = 'approved' AND i.result_licence_type_code <> ''"
            " AND c.completed_at < %s AND c.completed_at >= %s AND NOT EXISTS (SELECT 1 FROM "
            f"{_t(Licence)} l WHERE l.source_case_id = c.id)",
            [_dt(now - timedelta(hours=float(th.get("hours", 24)))), _start_of(since)],
        )
    raise ValueError(kind)


def _scope(rule: SupervisionRule) -> tuple[str, str, list[Any]]:
    joins, where = "", ""
    params: list[Any] = []
    if rule.scope_item_id is not None:
        where += " AND c.item_id = %s"
        params.append(rule.scope_item_id)
    if rule.scope_department_id is not None:
        where += " AND c.handling_organisation_id = %s"
        params.append(rule.scope_department_id)
    prefix = _region_prefix(rule)
    if prefix is not None:
        joins = (
            f" JOIN {_t(Organisation)} so ON so.id = c.handling_organisation_id"
            f" JOIN {_t(Region)} sr ON sr.id = so.region_id"
        )
        where += " AND sr.full_code LIKE %s"
        params.append(prefix + "%")
    return joins, where, params


def _region_prefix(rule: SupervisionRule) -> str | None:
    region = rule.scope_region
    return None if region is None else region_prefix_of(region.full_code, region.level)


def _precedence(rule: SupervisionRule) -> tuple[int, int]:
    return precedence(rule.scope_item_id, rule.scope_department_id, _region_prefix(rule), rule.pk)


def _superseded(rule: SupervisionRule, same_kind: list[SupervisionRule]) -> tuple[str, list[Any]]:
    """``AND NOT (…)`` for every rule of the same kind with a higher precedence: a case is governed by
    the most specific rule that applies to it (:func:`yiwang.supervision.ruleset.precedence`)."""
    where = ""
    params: list[Any] = []
    mine = _precedence(rule)
    for other in same_kind:
        if other.pk == rule.pk or _precedence(other) <= mine:
            continue
        terms: list[str] = []
        if other.scope_item_id is not None:
            terms.append("c.item_id = %s")
            params.append(other.scope_item_id)
        if other.scope_department_id is not None:
            terms.append("c.handling_organisation_id = %s")
            params.append(other.scope_department_id)
        prefix = _region_prefix(other)
        if prefix is not None:
            terms.append(
                f"c.handling_organisation_id IN (SELECT xo.id FROM {_t(Organisation)} xo"
                f" JOIN {_t(Region)} xr ON xr.id = xo.region_id WHERE xr.full_code LIKE %s)"
            )
            params.append(prefix + "%")
        where += " AND NOT (" + (" AND ".join(terms) or "1 = 1") + ")"
    return where, params


def _uuid_sql() -> str:
    return "gen_random_uuid()" if connection.vendor == "postgresql" else "lower(hex(randomblob(16)))"


def _fill_due_days(today: date) -> None:
    """The temporary table of working days left for every due date of a running case."""
    with connection.cursor() as cur:
        cur.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {DUE_TABLE} (day date PRIMARY KEY, left_days integer)"
        )
        cur.execute(f"DELETE FROM {DUE_TABLE}")
        cur.execute(
            f"SELECT MAX(due_date) FROM {_t(Case)} WHERE status = 'accepted' AND completed_at IS NULL AND due_date >= %s",
            [_d(today)],
        )
        last = cur.fetchone()[0]
        if last is None:
            return
        if isinstance(last, str):
            last = date.fromisoformat(last)
        rows = []
        day = today
        while day <= last:
            rows.append((_d(day), working_days_between(today, day)))
            day += timedelta(days=1)
        cur.executemany(f"INSERT INTO {DUE_TABLE} (day, left_days) VALUES (%s, %s)", rows)


def scan_rule(
    rule: SupervisionRule, today: date, now: datetime, same_kind: list[SupervisionRule] | None = None
) -> tuple[int, int]:
    """Raise and close the warnings of one rule on the cases it governs (not those of a more
    specific rule of its kind, ``same_kind``); (raised, closed)."""
    extra, cond, params = _condition(rule, today, now)
    sjoin, swhere, sparams = _scope(rule)
    xwhere, xparams = _superseded(rule, same_kind or [])
    swhere += xwhere
    sparams = [*sparams, *xparams]
    w = _t(SupervisionWarning)
    insert = (
        f"INSERT INTO {w} (public_id, created_at, updated_at, case_id, rule_id, rule_version, kind, level,"
        " department_id, item_id, source, status, resolution, detail, raised_at, explanation, review_comment)"
        f" SELECT {_uuid_sql()}, %s, %s, c.id, %s, %s, %s, %s, c.handling_organisation_id, c.item_id,"
        f" 'scan', 'open', '', '{{}}', %s, '', '' FROM {_t(Case)} c{extra}{sjoin} WHERE {cond}{swhere}"
        f" AND NOT EXISTS (SELECT 1 FROM {w} ow WHERE ow.case_id = c.id AND ow.rule_id = %s AND ow.status <> 'closed')"
    )
    stamp = _dt(now)
    head = [stamp, stamp, rule.pk, rule.version, rule.kind, rule.level, stamp]
    close = (
        f"UPDATE {w} SET status = 'closed', resolution = 'cleared', closed_at = %s, updated_at = %s"
        f" WHERE rule_id = %s AND status <> 'closed' AND NOT EXISTS (SELECT 1 FROM {_t(Case)} c{extra}{sjoin}"
        f" WHERE c.id = {w}.case_id AND {cond}{swhere})"
    )
    with connection.cursor() as cur:
        cur.execute(close, [stamp, stamp, rule.pk, *params, *sparams])
        closed = cur.rowcount
        cur.execute(insert, [*head, *params, *sparams, rule.pk])
        raised = cur.rowcount
    return raised, closed


def run_scan(today: date | None = None, now: datetime | None = None) -> ScanResult:
    """One scan of every active scan rule (idempotent); recipients get a digest after commit."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    result = ScanResult()
    rules = list(
        SupervisionRule.objects.filter(active=True, kind__in=SCAN_KINDS)
        .select_related("scope_region")
        .order_by("pk")
    )
    with transaction.atomic():
        if any(r.kind == RuleKind.TIME_YELLOW for r in rules):
            _fill_due_days(today)
        for rule in rules:
            raised, closed = scan_rule(rule, today, now, [r for r in rules if r.kind == rule.kind])
            result.raised[rule.code] = raised
            result.closed[rule.code] = closed
        if result.total_raised:
            transaction.on_commit(lambda: notify_pending_warnings.enqueue())
    return result
