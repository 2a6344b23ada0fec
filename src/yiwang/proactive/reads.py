"""Lists and counts shared by the pages and the API: rules a manager sees, a rule's reach, the pushes
and grants a recipient received, objections to decide, push settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.accounts.roles import in_scope_ids
from yiwang.bases.models import Company, Person
from yiwang.licences.models import Licence, LicenceStatus
from yiwang.proactive.actions import MANAGER_ROLES
from yiwang.proactive.matching import company_where, conditions_of, person_where, years_before
from yiwang.proactive.models import (
    EventKind,
    Objection,
    ObjectionStatus,
    OptOut,
    Push,
    PushStatus,
    Rule,
)
from yiwang.proactive.subjects import subject_digest


def manageable_rules(user: User) -> QuerySet[Rule]:
    rows = Rule.objects.select_related("organisation")
    return rows.filter(organisation_id__in=in_scope_ids(user, MANAGER_ROLES))


@dataclass(frozen=True)
class Reach:
    matching: int
    pushes: int
    sent: int
    skipped: int
    no_account: int
    grants: int
    objections: int
    open_objections: int
    opt_outs: int


def matching_count(event: str, raw_conditions: dict[str, Any], today: date | None = None) -> int:
    """How many subjects the conditions select now (the event aside): people of the band (for
    births: born in the last year; for retirement: at or over the age), active companies, licences
    expiring within the window."""
    today = today or timezone.localdate()
    cond = conditions_of(raw_conditions)
    if event in (EventKind.BIRTH, EventKind.RETIREMENT):
        if event == EventKind.BIRTH:
            cond = cond.model_copy(update={"min_age": None, "max_age": 0})
        where = person_where(cond, today)
        sql = f"SELECT COUNT(*) FROM {Person._meta.db_table} p WHERE {where.sql}"  # noqa: S608
        params = list(where.params)
        if event == EventKind.RETIREMENT:
            sql += " AND ((p.gender = 'male' AND p.birth_date <= %s) OR (p.gender = 'female' AND p.birth_date <= %s))"
            params += [years_before(today, cond.male_age), years_before(today, cond.female_age)]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return int(cursor.fetchone()[0])
    if event == EventKind.LICENCE_EXPIRING:
        rows = Licence.objects.filter(
            status=LicenceStatus.VALID,
            valid_until__gte=today,
            valid_until__lte=today + timedelta(days=cond.days_before),
        )
        if cond.licence_type_code:
            rows = rows.filter(licence_type__code=cond.licence_type_code)
        return rows.count()
    where = company_where(cond, alias="c")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {Company._meta.db_table} c WHERE {where.sql}", where.params)  # noqa: S608
        return int(cursor.fetchone()[0])


def reach(rule: Rule, today: date | None = None) -> Reach:
    counts = Push.objects.filter(rule=rule).aggregate(
        pushes=Count("pk"),
        sent=Count("pk", filter=Q(status=PushStatus.SENT)),
        skipped=Count("pk", filter=Q(status=PushStatus.SKIPPED)),
        no_account=Count("pk", filter=Q(status=PushStatus.NO_ACCOUNT)),
        grants=Count("pk", filter=~Q(grant_status="")),
    )
    objections = Objection.objects.filter(push__rule=rule).aggregate(
        total=Count("pk"), open=Count("pk", filter=Q(status=ObjectionStatus.OPEN))
    )
    return Reach(
        matching=matching_count(rule.event, rule.conditions, today),
        objections=objections["total"],
        open_objections=objections["open"],
        opt_outs=OptOut.objects.filter(Q(rule=rule) | Q(rule__isnull=True)).count(),
        **counts,
    )


def my_pushes(user: User) -> QuerySet[Push]:
    digest = subject_digest(user)
    if not digest:
        return Push.objects.none()
    open_objection = Objection.objects.filter(push=OuterRef("pk"), status=ObjectionStatus.OPEN)
    return (
        Push.objects.filter(subject_digest=digest)
        .select_related("rule")
        .annotate(has_open_objection=Exists(open_objection))
        .order_by("-created_at", "-pk")
    )


def objections_for(user: User, *, status: str = "") -> QuerySet[Objection]:
    rows = Objection.objects.select_related("push__rule").filter(
        push__rule__organisation_id__in=in_scope_ids(user, MANAGER_ROLES)
    )
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-pk")


def recent_pushes(user: User) -> QuerySet[Push]:
    return (
        Push.objects.filter(rule__organisation_id__in=in_scope_ids(user, MANAGER_ROLES))
        .select_related("rule")
        .order_by("-created_at", "-pk")
    )


def preferences(user: User) -> tuple[bool, set[int]]:
    digest = subject_digest(user)
    rows = (
        list(OptOut.objects.filter(subject_digest=digest).values_list("rule_id", flat=True)) if digest else []
    )
    return (None in rows, {r for r in rows if r is not None})


def rules_received(user: User) -> QuerySet[Rule]:
    """The rules that pushed to this subject (for the per-rule switches)."""
    digest = subject_digest(user)
    return (
        Rule.objects.filter(pushes__subject_digest=digest).distinct().order_by("name")
        if digest
        else Rule.objects.none()
    )
