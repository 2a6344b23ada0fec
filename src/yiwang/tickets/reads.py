"""Reads of tickets: what each user may see, filtered staff lists, the applicant's own tickets, the
caller's history by phone, similar tickets, and the answered tickets the knowledge base proposes as
FAQ entries.  List rows come with what they show in one query."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from yiwang.accounts.models import StaffRole, User
from yiwang.accounts.personal_data import record_staff_reads
from yiwang.accounts.roles import in_scope_ids
from yiwang.cases.models import Case
from yiwang.core import personal_data
from yiwang.core.masking import mask_name, mask_phone
from yiwang.core.models import Organisation
from yiwang.core.personal_data import Read
from yiwang.core.protected import protected_digest
from yiwang.tickets.actions import is_agent, is_staff, is_supervisor, owns
from yiwang.tickets.classification import classify
from yiwang.tickets.models import RUNNING_STATUSES, Ticket, TicketStatus, TicketTerm
from yiwang.tickets.routing import route

ANSWERED_MAX = 2000
SIMILAR_DAYS = 30
SIMILAR_MAX = 5


@dataclass(frozen=True)
class AnsweredTicket:
    """A ticket with a reply (答复), for the knowledge base to propose as an FAQ entry."""

    public_id: uuid.UUID
    category: str
    title: str
    question: str
    answer: str
    department_name: str
    answered_at: datetime


def answered_tickets(*, since: datetime | None = None, limit: int = 500) -> list[AnsweredTicket]:
    """Tickets replied to (oldest answer first, after ``since``), at most ``limit`` (≤ 2000).

    Merged duplicates are left out (their main ticket carries the answer)."""
    limit = max(1, min(int(limit), ANSWERED_MAX))
    rows = Ticket.objects.filter(replied_at__isnull=False, merged_into__isnull=True).exclude(reply="")
    if since is not None:
        rows = rows.filter(replied_at__gt=since)
    rows = rows.select_related("department").only(
        "public_id", "category", "title", "content", "reply", "replied_at", "department__name"
    )
    return [
        AnsweredTicket(
            public_id=t.public_id,
            category=t.category,
            title=t.title,
            question=t.content,
            answer=t.reply,
            department_name=t.department.name if t.department else "",
            answered_at=t.replied_at,  # type: ignore[arg-type]
        )
        for t in rows.order_by("replied_at", "pk")[:limit]
    ]


def visibility(user: Any) -> Q | None:
    """The condition for the tickets a staff member may see; None: none."""
    if not is_staff(user):
        return None
    condition = Q(department_id=user.staff_profile.organisation_id)
    if is_agent(user):
        condition |= Q(department__isnull=True) | Q(
            department_id__in=in_scope_ids(user, [StaffRole.HOTLINE_AGENT])
        )
    if is_supervisor(user):
        condition |= Q(department_id__in=in_scope_ids(user, [StaffRole.SUPERVISOR]))
    return condition


def visible_tickets(user: Any) -> QuerySet[Ticket]:
    condition = visibility(user)
    if condition is None:
        return Ticket.objects.none()
    return Ticket.objects.filter(condition).select_related("department")


def overdue_condition(today: Any = None) -> Q:
    """超期 Not accepted by the accept deadline, or not replied by the reply deadline."""
    today = today or timezone.localdate()
    return Q(status=TicketStatus.DISPATCHED, accept_due__lt=today) | Q(
        status__in=RUNNING_STATUSES, reply_due__lt=today
    )


def filtered_tickets(
    tickets: QuerySet[Ticket],
    *,
    status: str = "",
    category: str = "",
    overdue: bool = False,
    department: Any = None,
    channel: str = "",
) -> QuerySet[Ticket]:
    if status == "open":
        tickets = tickets.exclude(status__in=[TicketStatus.CLOSED, TicketStatus.MERGED])
    elif status:
        tickets = tickets.filter(status=status)
    if category:
        tickets = tickets.filter(category=category)
    if channel:
        tickets = tickets.filter(channel=channel)
    if overdue:
        tickets = tickets.filter(overdue_condition())
    if department:
        tickets = tickets.filter(department__public_id=department)
    return tickets.order_by("-created_at", "-pk")


def my_tickets(user: Any) -> QuerySet[Ticket]:
    if not getattr(user, "is_authenticated", False):
        return Ticket.objects.none()
    return Ticket.objects.filter(applicant=user).select_related("department").order_by("-created_at", "-pk")


def revisit_queue(user: Any) -> QuerySet[Ticket]:
    """回访 Replied tickets waiting for the agent's revisit, oldest reply first."""
    return visible_tickets(user).filter(status=TicketStatus.REPLIED).order_by("replied_at", "pk")


def dispatch_queue(user: Any) -> QuerySet[Ticket]:
    """派单 Tickets waiting to be dispatched (new from the hotline, or returned)."""
    return (
        visible_tickets(user)
        .filter(status__in=[TicketStatus.CREATED, TicketStatus.RETURNED])
        .order_by("created_at", "pk")
    )


@dataclass(frozen=True)
class CallerHistory:
    tickets: list[Ticket]
    cases: list[Case]


def caller_history(phone: str, *, limit: int = 10) -> CallerHistory:
    """The caller's earlier tickets (by contact phone) and cases (by the account with that phone)."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if len(digits) < 7:
        return CallerHistory(tickets=[], cases=[])
    tickets = list(
        Ticket.objects.filter(contact_phone_digest=protected_digest(digits, "phone"))
        .select_related("department")
        .order_by("-created_at", "-pk")[:limit]
    )
    account = User.objects.filter(phone=digits).exclude(kind="staff").first()
    cases: list[Case] = []
    if account is not None:
        cases = list(
            Case.objects.filter(applicant=account)
            .select_related("item")
            .order_by("-submitted_at", "-pk")[:limit]
        )
    return CallerHistory(tickets=tickets, cases=cases)


def similar_tickets(
    keywords: list[str], *, region_code: str = "", exclude_id: int | None = None, days: int = SIMILAR_DAYS
) -> list[Ticket]:
    """相似工单 Recent tickets sharing the most keywords (same region when given): one indexed query on
    the keyword rows, one for the tickets."""
    if not keywords:
        return []
    since = timezone.now() - timedelta(days=days)
    terms = TicketTerm.objects.filter(term__in=keywords[:8], created_at__gte=since)
    if region_code:
        terms = terms.filter(region_code=region_code)
    if exclude_id is not None:
        terms = terms.exclude(ticket_id=exclude_id)
    ranked = list(
        terms.values("ticket_id").annotate(n=Count("pk")).order_by("-n", "-ticket_id")[:SIMILAR_MAX]
    )
    by_id = {
        t.pk: t
        for t in Ticket.objects.filter(pk__in=[r["ticket_id"] for r in ranked]).select_related("department")
    }
    return [by_id[r["ticket_id"]] for r in ranked if r["ticket_id"] in by_id]


@dataclass(frozen=True)
class Suggestion:
    """What the text suggests to the agent: keywords, category, tags, department, similar tickets."""

    keywords: list[str]
    category: str
    tags: list[str]
    department: Organisation | None
    similar: list[Ticket]


def suggest(user: Any, text: str, *, category: str = "", region_code: str = "") -> Suggestion:
    found = classify(text)
    chosen = category or found.category
    department = route(category=chosen, terms=[*found.keywords, *found.tags], region_code=region_code)
    condition = visibility(user)
    similar = similar_tickets(found.keywords, region_code=region_code) if condition is not None else []
    if similar and condition is not None:
        allowed = set(
            Ticket.objects.filter(condition, pk__in=[t.pk for t in similar]).values_list("pk", flat=True)
        )
        similar = [t for t in similar if t.pk in allowed]
    return Suggestion(
        keywords=found.keywords,
        category=found.category,
        tags=found.tags,
        department=department,
        similar=similar,
    )


def is_overdue(ticket: Ticket, today: Any = None) -> bool:
    today = today or timezone.localdate()
    if ticket.status == TicketStatus.DISPATCHED and ticket.accept_due and ticket.accept_due < today:
        return True
    return bool(ticket.status in RUNNING_STATUSES and ticket.reply_due and ticket.reply_due < today)


def shown_contact(user: Any, ticket: Ticket) -> tuple[str, str]:
    """The contact's name and phone as ``user`` may see them: in full for the applicant, masked for
    staff (the read recorded in the subject's access log when the ticket has an account)."""
    if owns(user, ticket):
        return ticket.contact_name, ticket.contact_phone
    if ticket.applicant_id is not None and is_staff(user):
        record_staff_reads(
            user,
            [
                Read(
                    ticket.applicant_id,
                    "tickets.Ticket",
                    str(ticket.public_id),
                    ticket.number,
                    (personal_data.NAME, personal_data.PHONE),
                )
            ],
        )
    return mask_name(ticket.contact_name), mask_phone(ticket.contact_phone)
