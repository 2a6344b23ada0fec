"""The daily evaluation of the active rules (``yiwang proactive_scan``, scheduled daily).

Set-based: each rule is one ``INSERT … SELECT`` over the bases (people by the change log or by birth
date, licences by validity), or, for companies (whose table has no digest column), one bulk insert of
the selected rows.  The unique rule × subject × event makes every step idempotent: a scan run twice,
or after a crash, writes nothing twice.  Then the opted-out are marked skipped in one ``UPDATE`` and
the rest are delivered to the inbox (``deliver_pending``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from yiwang.bases.models import BaseChange, BaseKind, Company
from yiwang.core import audit
from yiwang.licences.models import HolderCodeType, Licence, LicenceStatus, LicenceType
from yiwang.proactive.matching import (
    PERSON_TABLE,
    company_where,
    conditions_of,
    insert_ignoring,
    json_object,
    new_uuid,
    param,
    person_where,
    retirement_dates,
)
from yiwang.proactive.models import (
    ActionKind,
    EventKind,
    GrantStatus,
    OptOut,
    Push,
    PushStatus,
    Rule,
    RuleStatus,
    ScanState,
    SubjectKind,
)
from yiwang.proactive.services.delivery import deliver_pending
from yiwang.proactive.subjects import company_digest

logger = logging.getLogger("yiwang.proactive")

STATE = "daily"
LAG = timedelta(seconds=5)  # change-log rows of transactions still open may appear late
MAX_CATCH_UP_DAYS = 31
PUSH_TABLE = Push._meta.db_table
CHANGE_TABLE = BaseChange._meta.db_table
LICENCE_TABLE = Licence._meta.db_table
LICENCE_TYPE_TABLE = LicenceType._meta.db_table
OPT_OUT_TABLE = OptOut._meta.db_table
COLUMNS = [
    "public_id",
    "rule_id",
    "rule_version",
    "subject_kind",
    "subject_digest",
    "event_key",
    "status",
    "grant_status",
    "amount_fen",
    "facts",
    "scan_day",
    "created_at",
]


@dataclass
class ScanReport:
    days: list[date] = field(default_factory=list)
    from_sequence: int = 0
    to_sequence: int = 0
    written: dict[str, int] = field(default_factory=dict)  # rule public id → new pushes
    skipped: int = 0
    sent: int = 0
    no_account: int = 0

    @property
    def total(self) -> int:
        return sum(self.written.values())


def _insert_people(
    rule: Rule,
    now: datetime,
    day: date,
    source: str,
    where_sql: str,
    params: list[Any],
    event_key_sql: str,
    facts: list[tuple[str, str]],
) -> int:
    grant = rule.action == ActionKind.GRANT
    select = (
        f"SELECT {new_uuid()}, {param('bigint')}, {param('integer')}, {param('varchar')}, p.id_number_digest, "
        f"{event_key_sql}, {param('varchar')}, {param('varchar')}, {param('bigint')}, "
        f"{json_object(facts)}, {param('date')}, {param('timestamptz')} {source} WHERE {where_sql}"
    )
    lead: list[Any] = [rule.pk, rule.version, SubjectKind.PERSON.value]
    tail: list[Any] = [
        PushStatus.NEW.value,
        GrantStatus.GRANTED.value if grant else "",
        rule.amount_fen if grant else 0,
    ]
    with connection.cursor() as cursor:
        cursor.execute(insert_ignoring(PUSH_TABLE, COLUMNS, select), [*lead, *tail, day, now, *params])
        return max(cursor.rowcount, 0)


def _births(rule: Rule, now: datetime, day: date, low: int, high: int) -> int:
    cond = conditions_of(rule.conditions)
    where = person_where(cond, day)
    source = f"FROM {CHANGE_TABLE} ch JOIN {PERSON_TABLE} p ON p.id_number_digest = ch.subject_digest"
    sql = f"ch.sequence > %s AND ch.sequence <= %s AND ch.base = %s AND ch.created = %s AND {where.sql}"
    facts = [
        ("event", "'birth'"),
        ("region", "p.household_region"),
        ("gender", "p.gender"),
        ("change", "ch.sequence"),
    ]
    # a person is born once: the event key is constant, so a corrected record pushes nothing again
    return _insert_people(
        rule,
        now,
        day,
        source,
        sql,
        [low, high, BaseKind.POPULATION.value, True, *where.params],
        "'birth'",
        facts,
    )


def _retirements(rule: Rule, now: datetime, day: date) -> int:
    cond = conditions_of(rule.conditions)
    where = person_where(cond.model_copy(update={"min_age": None, "max_age": None}), day)
    written = 0
    for gender, born in retirement_dates(cond, day):
        age = cond.male_age if gender == "male" else cond.female_age
        facts = [
            ("event", "'retirement'"),
            ("region", "p.household_region"),
            ("gender", "p.gender"),
            ("age", str(int(age))),
            ("day", f"'{day.isoformat()}'"),
        ]
        sql = f"p.gender = %s AND p.birth_date = %s AND {where.sql}"
        written += _insert_people(
            rule,
            now,
            day,
            f"FROM {PERSON_TABLE} p",
            sql,
            [gender, born, *where.params],
            "'retirement'",
            facts,
        )
    return written


def _licences(rule: Rule, now: datetime, day: date) -> int:
    cond = conditions_of(rule.conditions)
    grant = rule.action == ActionKind.GRANT
    params: list[Any] = [LicenceStatus.VALID.value, day, day + timedelta(days=cond.days_before)]
    type_sql = ""
    if cond.licence_type_code:
        type_sql = " AND t.code = %s"
        params.append(cond.licence_type_code)
    kind_sql = f"CASE WHEN l.holder_code_type = %s THEN {param('varchar')} ELSE {param('varchar')} END"
    event_key = "'licence:' || l.identifier || ':' || l.valid_until"
    facts = [
        ("event", "'licence_expiring'"),
        ("licence", "l.identifier"),
        ("licence_type", "t.name"),
        ("valid_until", "l.valid_until"),
    ]
    select = (
        f"SELECT {new_uuid()}, {param('bigint')}, {param('integer')}, {kind_sql}, l.holder_code_digest, "  # noqa: S608
        f"{event_key}, {param('varchar')}, {param('varchar')}, {param('bigint')}, "
        f"{json_object(facts)}, {param('date')}, {param('timestamptz')} FROM {LICENCE_TABLE} l JOIN {LICENCE_TYPE_TABLE} t ON t.id = l.licence_type_id "
        f"WHERE l.status = %s AND l.valid_until >= %s AND l.valid_until <= %s AND l.holder_code_digest <> ''{type_sql}"
    )
    lead: list[Any] = [
        rule.pk,
        rule.version,
        HolderCodeType.CREDIT_CODE.value,
        SubjectKind.COMPANY.value,
        SubjectKind.PERSON.value,
    ]
    tail: list[Any] = [
        PushStatus.NEW.value,
        GrantStatus.GRANTED.value if grant else "",
        rule.amount_fen if grant else 0,
    ]
    with connection.cursor() as cursor:
        cursor.execute(insert_ignoring(PUSH_TABLE, COLUMNS, select), [*lead, *tail, day, now, *params])
        return max(cursor.rowcount, 0)


def changed_companies(low: int, high: int, *, created_only: bool) -> set[str]:
    """Digests of the legal persons created (or changed) in the change-log range (low, high]."""
    rows = BaseChange.objects.filter(sequence__gt=low, sequence__lte=high, base=BaseKind.LEGAL_PERSON)
    if created_only:
        rows = rows.filter(created=True)
    return set(rows.values_list("subject_digest", flat=True))


def _companies(rule: Rule, now: datetime, day: date, digests: set[str] | None) -> int:
    """Companies matching the rule (only those in ``digests`` unless ``None``), one bulk insert."""
    cond = conditions_of(rule.conditions)
    where = company_where(cond, alias=Company._meta.db_table)
    rows = Company.objects.extra(where=[where.sql], params=where.params)  # noqa: S610 - parameterised
    grant = rule.action == ActionKind.GRANT
    event_key = "established" if rule.event == EventKind.COMPANY_ESTABLISHED else "policy"
    batch: list[Push] = []
    before = Push.objects.filter(rule=rule).count()
    fields = ("credit_code", "industry", "registered_capital_fen", "type", "region", "established_on")
    for code, industry, capital, kind, region, established in rows.values_list(*fields).iterator(
        chunk_size=5000
    ):
        digest = company_digest(code)
        if digests is not None and digest not in digests:
            continue
        facts = {
            "event": rule.event,
            "credit_code": code,
            "industry": industry,
            "registered_capital_fen": capital,
            "type": kind,
            "region": region,
            "established_on": established.isoformat() if established else "",
        }
        batch.append(
            Push(
                rule=rule,
                rule_version=rule.version,
                subject_kind=SubjectKind.COMPANY,
                subject_digest=digest,
                event_key=event_key,
                status=PushStatus.NEW,
                grant_status=GrantStatus.GRANTED if grant else "",
                amount_fen=rule.amount_fen if grant else 0,
                facts=facts,
                scan_day=day,
                created_at=now,
            )
        )
        if len(batch) >= 2000:
            Push.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    Push.objects.bulk_create(batch, ignore_conflicts=True)
    return Push.objects.filter(rule=rule).count() - before


def _skip_opted_out() -> int:
    sql = (
        f"UPDATE {PUSH_TABLE} SET status = %s WHERE status = %s AND EXISTS (SELECT 1 FROM {OPT_OUT_TABLE} o "  # noqa: S608
        f"WHERE o.subject_digest = {PUSH_TABLE}.subject_digest AND (o.rule_id IS NULL OR o.rule_id = {PUSH_TABLE}.rule_id))"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [PushStatus.SKIPPED.value, PushStatus.NEW.value])
        return max(cursor.rowcount, 0)


def evaluate_rule(rule: Rule, *, now: datetime, days: list[date], low: int, high: int) -> int:
    """New pushes of one active rule for the change-log range (low, high] and the given days."""
    today = days[-1]
    if rule.event == EventKind.BIRTH:
        return _births(rule, now, today, low, high)
    if rule.event == EventKind.RETIREMENT:
        return sum(_retirements(rule, now, day) for day in days)
    if rule.event == EventKind.LICENCE_EXPIRING:
        return _licences(rule, now, today)
    if rule.event == EventKind.COMPANY_ESTABLISHED:
        digests = changed_companies(low, high, created_only=True)
        return _companies(rule, now, today, digests) if digests else 0
    # policy match: every company once when the rule is new, then the companies that changed
    if not rule.backfilled:
        written = _companies(rule, now, today, None)
        Rule.objects.filter(pk=rule.pk).update(backfilled=True)
        return written
    digests = changed_companies(low, high, created_only=False)
    return _companies(rule, now, today, digests) if digests else 0


def run_scan(today: date | None = None, *, deliver: bool = True) -> ScanReport:
    """Evaluate every active rule for the days since the last scan and the new base changes."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    report = ScanReport()
    with transaction.atomic():
        state, _ = ScanState.objects.select_for_update().get_or_create(name=STATE)
        first = state.last_day + timedelta(days=1) if state.last_day else today
        first = max(first, today - timedelta(days=MAX_CATCH_UP_DAYS - 1))
        report.days = [first + timedelta(days=n) for n in range((today - first).days + 1)] or [today]
        report.from_sequence = state.last_sequence
        high = (
            BaseChange.objects.filter(sequence__gt=state.last_sequence, at__lte=now - LAG)
            .order_by("-sequence")
            .values_list("sequence", flat=True)
            .first()
        )
        report.to_sequence = high if high is not None else state.last_sequence
        for rule in Rule.objects.filter(status=RuleStatus.ACTIVE).order_by("pk"):
            written = evaluate_rule(
                rule, now=now, days=report.days, low=report.from_sequence, high=report.to_sequence
            )
            report.written[str(rule.public_id)] = written
        report.skipped = _skip_opted_out()
        state.last_sequence = report.to_sequence
        state.last_day = max(today, state.last_day or today)
        state.updated_at = now
        state.save(update_fields=["last_sequence", "last_day", "updated_at"])
        audit.record(
            "proactive.scanned",
            object_type="proactive.Scan",
            object_id=today.isoformat(),
            detail={
                "days": [d.isoformat() for d in report.days],
                "from_sequence": report.from_sequence,
                "to_sequence": report.to_sequence,
                "written": report.written,
                "skipped": report.skipped,
            },
        )
    if deliver:
        delivered = deliver_pending()
        report.sent, report.no_account = delivered.sent, delivered.no_account
    logger.info("proactive scan %s: %s new pushes, %s skipped", today, report.total, report.skipped)
    return report
