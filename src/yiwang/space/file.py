"""一人一档 / 一企一档 The file of one person or company: one timeline of cases, licences, materials,
ratings, payments, 12345 tickets and hall appointments and queue tickets, newest first.

Each source is read once (one query each, at most ``offset + limit + 1`` rows, the paging bounded
by :data:`MAX_DEPTH`), the rows are merged by time and the page cut out.  ``scope``: for staff,
only rows of the departments in their data scope (``accounts.roles.in_scope_ids``); ``None`` for
the subject himself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts.models import User
from yiwang.cases.models import Case
from yiwang.hall.models import Appointment, QueueTicket
from yiwang.licences import services as licence_services
from yiwang.payments.models import PaymentOrder
from yiwang.ratings.models import RatingInvitation
from yiwang.space.models import StoredMaterial
from yiwang.tickets.models import Ticket

MAX_DEPTH = 500  # offset + limit of a file page
KINDS = ("case", "licence", "material", "rating", "payment", "ticket", "appointment", "queue")


@dataclass(frozen=True)
class FileEntry:
    """One line of the timeline."""

    kind: str
    kind_label: str
    at: datetime
    title: str
    reference: str
    status: str
    department: str
    public_id: str


def _scoped(rows: QuerySet[Any], field: str, scope: Any) -> QuerySet[Any]:
    return rows if scope is None else rows.filter(**{f"{field}__in": scope})


def _cases(subject: User, scope: Any, depth: int) -> list[FileEntry]:
    rows = _scoped(
        Case.objects.filter(applicant=subject).select_related("item", "handling_organisation"),
        "handling_organisation_id",
        scope,
    ).only("public_id", "number", "status", "submitted_at", "item__name", "handling_organisation__name")
    return [
        FileEntry(
            "case",
            _("办件"),
            c.submitted_at,
            c.item.name,
            c.number,
            str(c.get_status_display()),
            c.handling_organisation.name,
            str(c.public_id),
        )
        for c in rows.order_by("-submitted_at")[:depth]
    ]


def _licences(subject: User, scope: Any, depth: int) -> list[FileEntry]:
    rows = _scoped(licence_services.wallet(subject), "issuer_id", scope)
    found = []
    for licence in rows[:depth]:
        found.append(
            FileEntry(
                "licence",
                _("证照"),
                timezone.make_aware(datetime.combine(licence.issued_on, time(12))),
                licence.licence_type.name,
                licence.identifier,
                str(licence.get_status_display()),
                licence.issuer_name,
                str(licence.public_id),
            )
        )
    return found


def _materials(subject: User, scope: Any, depth: int) -> list[FileEntry]:
    rows = StoredMaterial.objects.filter(owner=subject, deleted_at__isnull=True).select_related(
        "case__handling_organisation"
    )
    if scope is not None:  # staff see only what came with a case of their departments
        rows = rows.filter(case__handling_organisation_id__in=scope)
    return [
        FileEntry(
            "material",
            _("材料"),
            m.created_at,
            m.name,
            m.case.number if m.case else m.original_name,
            f"{m.get_source_display()} · {m.trust_level}",
            m.case.handling_organisation.name if m.case else "",
            str(m.public_id),
        )
        for m in rows.order_by("-created_at", "-id")[:depth]
    ]


def _ratings(subject: User, scope: Any, depth: int) -> list[FileEntry]:
    rows = _scoped(
        RatingInvitation.objects.filter(applicant=subject).select_related("organisation"),
        "organisation_id",
        scope,
    )
    return [
        FileEntry(
            "rating",
            _("评价"),
            r.served_at,
            r.subject_label,
            "",
            str(r.get_status_display()),
            r.organisation.name,
            str(r.public_id),
        )
        for r in rows.order_by("-served_at")[:depth]
    ]


def _payments(subject: User, scope: Any, depth: int) -> list[FileEntry]:
    rows = _scoped(
        PaymentOrder.objects.filter(payer=subject).select_related("organisation"), "organisation_id", scope
    ).defer("payer_name")
    return [
        FileEntry(
            "payment",
            _("缴费"),
            p.created_at,
            p.subject_title,
            p.code,
            f"{p.get_status_display()} · ¥{p.amount_fen / 100:.2f}",
            p.organisation.name,
            str(p.public_id),
        )
        for p in rows.order_by("-created_at")[:depth]
    ]


def _tickets(subject: User, scope: Any, depth: int) -> list[FileEntry]:
    rows = Ticket.objects.filter(applicant=subject).select_related("department")
    if scope is not None:
        rows = rows.filter(department_id__in=scope)
    rows = rows.only("public_id", "number", "title", "status", "created_at", "department__name")
    return [
        FileEntry(
            "ticket",
            _("12345 工单"),
            t.created_at,
            t.title,
            t.number,
            str(t.get_status_display()),
            t.department.name if t.department else "",
            str(t.public_id),
        )
        for t in rows.order_by("-created_at")[:depth]
    ]


def _appointments(subject: User, scope: Any, depth: int) -> list[FileEntry]:
    rows = _scoped(
        Appointment.objects.filter(applicant=subject).select_related("hall", "item"),
        "hall__organisation_id",
        scope,
    ).only("public_id", "code", "status", "created_at", "hall__name", "item__name")
    return [
        FileEntry(
            "appointment",
            _("预约"),
            a.created_at,
            a.item.name,
            a.code,
            str(a.get_status_display()),
            a.hall.name,
            str(a.public_id),
        )
        for a in rows.order_by("-created_at")[:depth]
    ]


def _queue(subject: User, scope: Any, depth: int) -> list[FileEntry]:
    rows = _scoped(
        QueueTicket.objects.filter(applicant=subject).select_related("hall", "category"),
        "hall__organisation_id",
        scope,
    ).only("public_id", "number", "status", "created_at", "hall__name", "category__name")
    return [
        FileEntry(
            "queue",
            _("取号"),
            q.created_at,
            q.category.name,
            q.number,
            str(q.get_status_display()),
            q.hall.name,
            str(q.public_id),
        )
        for q in rows.order_by("-created_at")[:depth]
    ]


SOURCES = {
    "case": _cases,
    "licence": _licences,
    "material": _materials,
    "rating": _ratings,
    "payment": _payments,
    "ticket": _tickets,
    "appointment": _appointments,
    "queue": _queue,
}


def timeline(
    subject: User, *, scope: Any = None, offset: int = 0, limit: int = 20, kinds: Any = None
) -> tuple[list[FileEntry], bool]:
    """One page of the subject's file, newest first, and whether more follow (bounded paging:
    ``offset + limit`` ≤ :data:`MAX_DEPTH`)."""
    offset = max(0, min(int(offset), MAX_DEPTH))
    limit = max(1, min(int(limit), MAX_DEPTH - offset)) if offset < MAX_DEPTH else 0
    if limit == 0:
        return [], False
    depth = offset + limit + 1
    wanted = [kind for kind in KINDS if not kinds or kind in kinds]
    merged: list[FileEntry] = []
    for kind in wanted:
        merged.extend(SOURCES[kind](subject, scope, depth))
    merged.sort(key=lambda entry: entry.at, reverse=True)
    page = merged[offset : offset + limit]
    return page, len(merged) > offset + limit and offset + limit < MAX_DEPTH


def subject_label(subject: User) -> tuple[str, str, str]:
    """(kind "person"/"company", name, identifier) of the file's subject (unmasked: callers mask)."""
    company = getattr(subject, "legal_person", None)
    if company is not None:
        return "company", company.name, company.credit_code
    person = getattr(subject, "natural_person", None)
    if person is not None:
        return "person", person.real_name, person.id_number
    return "person", str(subject), ""
