"""Case queries for the services and pages: who sees which cases, the staff to-do, a case's
materials, notices and events.  Read-only: nothing here changes a row."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from yiwang.accounts import staff as staff_scope
from yiwang.accounts.models import AccountKind, User
from yiwang.accounts.services import staff_roles
from yiwang.cases import queues
from yiwang.cases.models import Case, CaseEvent, CaseMaterial, CaseStatus, CorrectionNotice


def visible_cases(user: User) -> QuerySet[Case]:
    """The cases a user may see: his own, or his department's for staff."""
    qs = Case.objects.select_related("item", "handling_organisation")
    if not user.is_authenticated:
        return qs.none()
    if user.kind == AccountKind.STAFF:
        if user.is_superuser:
            return qs
        if not hasattr(user, "staff_profile"):
            return qs.none()
        return qs.filter(handling_organisation__in=staff_scope.organisations_in_scope(user))
    # An agent (代办人) keeps sight of what he filed in a company's name; the company sees it too.
    return qs.filter(Q(applicant=user) | Q(acting_agent=user))


def own_case_parts(user: User) -> list[QuerySet[Case]]:
    """我的办件 The applicant's own cases as two disjoint parts: those he filed, and those he filed as
    agent (代办人) in someone else's name — for an applicant the same cases as :func:`visible_cases`.

    Each part is a plain filter on one indexed column, so a page of it is an index range scan; the
    ``applicant = me OR acting_agent = me`` of :func:`visible_cases` makes PostgreSQL read and sort
    every case he has (docs/adr/0009).  Staff have no own cases here: their part is what
    :func:`visible_cases` lets them see of the cases they filed."""
    if not user.is_authenticated:
        return [Case.objects.none()]
    if user.kind == AccountKind.STAFF:
        return [visible_cases(user).filter(Q(applicant=user) | Q(acting_agent=user))]
    return [
        Case.objects.filter(applicant=user),
        Case.objects.filter(acting_agent=user).exclude(applicant=user),
    ]


def todo_scope(user: User) -> tuple[int, tuple[str, ...]] | None:
    """The department and statuses (sorted) of the staff member's to-do (None: he has no queue)."""
    roles = staff_roles(user)
    wanted: set[str] = set()
    if roles & {"window_clerk"}:
        wanted.add(CaseStatus.SUBMITTED)
    if roles & {"approver", "handler"}:
        wanted.add(CaseStatus.ACCEPTED)
    if not wanted:
        return None
    return user.staff_profile.organisation_id, tuple(sorted(wanted))


def staff_todo(user: User) -> QuerySet[Case]:
    """待办: what the staff member's roles can act on in his department, oldest first."""
    scope = todo_scope(user)
    if scope is None:
        return Case.objects.none()
    organisation_id, wanted = scope
    return (
        Case.objects.filter(handling_organisation_id=organisation_id, status__in=list(wanted))
        .select_related("item", "handling_organisation")
        .order_by("submitted_at")
    )


def staff_todo_count(user: User) -> int:
    """How many cases :func:`staff_todo` holds, from the queue counters (no count over the cases)."""
    scope = todo_scope(user)
    return 0 if scope is None else queues.total(*scope)


def verification_todo(user: User) -> QuerySet[Case]:
    """待核查: commitment-based approvals in the staff member's scope awaiting verification."""
    if not staff_roles(user) & {"approver"}:
        return Case.objects.none()
    return (
        visible_cases(user)
        .filter(commitment_based=True, verified_at__isnull=True, status=CaseStatus.COMPLETED)
        .order_by("verification_due_date")
    )


def case_queryset_for_events(case: Case) -> QuerySet[CaseEvent]:
    return case.events.order_by("sequence")


def open_correction_notice(case: Case) -> CorrectionNotice | None:
    return case.correction_notices.filter(resolved_at__isnull=True).order_by("-round").first()


def materials_of(case: Case, include_superseded: bool = True) -> QuerySet[CaseMaterial]:
    qs = case.materials.all().order_by("material_name", "correction_round", "created_at")
    return qs if include_superseded else qs.filter(superseded=False)
