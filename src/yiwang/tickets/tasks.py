"""Tasks of tickets: telling people after commit (inbox + SMS), one message per ticket step."""

from __future__ import annotations

from django.db.models import Q
from django_tasks import task

from yiwang.accounts.models import StaffRole, StaffRoleAssignment, User
from yiwang.cases.notifications import deliver_once
from yiwang.core.models import Organisation
from yiwang.supervision.recipients import supervisors_of
from yiwang.tickets.models import Ticket

WORKBENCH = "/workbench/tickets/"
MINE = "/my/tickets/"
HANDLING_ROLES = (StaffRole.HANDLER, StaffRole.APPROVER, StaffRole.WINDOW_CLERK, StaffRole.SERVICE_MANAGER)

APPLICANT_MESSAGES = {
    "created": "您的诉求已受理，工单编号 {number}。",
    "replied": "您的工单 {number} 已答复：{reply}",
    "closed": "您的工单 {number} 已办结。",
    "merged": "您的工单 {number} 与同一诉求合并办理（主工单 {main}）。",
}


def department_staff(department: Organisation) -> list[User]:
    """The department's staff who handle tickets (each once)."""
    seen: set[int] = set()
    out: list[User] = []
    rows = (
        StaffRoleAssignment.objects.filter(
            role__in=HANDLING_ROLES, staff__organisation=department, staff__user__is_active=True
        )
        .select_related("staff__user")
        .order_by("pk")
    )
    for row in rows:
        if row.staff.user_id not in seen:
            seen.add(row.staff.user_id)
            out.append(row.staff.user)
    return out


def hotline_agents(department: Organisation | None = None) -> list[User]:
    query = StaffRoleAssignment.objects.filter(role=StaffRole.HOTLINE_AGENT, staff__user__is_active=True)
    if department is not None:
        query = query.filter(Q(staff__organisation=department) | Q(scope="region"))
    return [row.staff.user for row in query.select_related("staff__user").order_by("pk")]


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@task()
def notify_applicant(ticket_id: int, kind: str) -> None:
    """Tell the ticket's applicant (account inbox + SMS to the contact phone)."""
    ticket = Ticket.objects.select_related("applicant", "merged_into").get(pk=ticket_id)
    template = APPLICANT_MESSAGES.get(kind)
    if template is None:
        return
    body = template.format(
        number=ticket.number,
        reply=_short(ticket.reply),
        main=ticket.merged_into.number if ticket.merged_into else "",
    )
    phone = ticket.contact_phone or (ticket.applicant.phone if ticket.applicant else "")
    if ticket.applicant is not None:
        deliver_once(
            ticket.applicant,
            title=f"工单 {ticket.number}",
            body=body,
            link=f"{MINE}{ticket.public_id}/",
            occurred_at=ticket.updated_at,
            phone=phone if kind == "replied" else "",
        )


@task()
def notify_department(ticket_id: int, kind: str) -> None:
    """Tell the handling department's staff that a ticket arrived (派单/转办) or is overdue."""
    ticket = Ticket.objects.select_related("department__region").get(pk=ticket_id)
    if ticket.department is None:
        return
    titles = {
        "dispatched": "新工单待签收",
        "overdue": "工单已超期",
        "extension_decided": "延期申请已审批",
    }
    title = titles.get(kind, "工单提醒")
    body = f"【{title}】{ticket.number}“{_short(ticket.title, 40)}”，答复期限 {ticket.reply_due or '—'}。"
    users = department_staff(ticket.department)
    if kind == "overdue":
        users += [u for u in supervisors_of(ticket.department) if u.pk not in {x.pk for x in users}]
    for user in users:
        deliver_once(
            user,
            title=f"{title}：{ticket.number}",
            body=body,
            link=f"{WORKBENCH}{ticket.public_id}/",
            occurred_at=ticket.updated_at,
            phone="",
        )


@task()
def notify_agents(ticket_id: int, kind: str) -> None:
    """Tell the hotline agents (退回待重派, 延期待审批)."""
    ticket = Ticket.objects.select_related("department").get(pk=ticket_id)
    titles = {"returned": "工单被退回待重派", "extension_requested": "延期申请待审批"}
    title = titles.get(kind, "工单提醒")
    body = f"【{title}】{ticket.number}“{_short(ticket.title, 40)}”。"
    for user in hotline_agents():
        deliver_once(
            user,
            title=f"{title}：{ticket.number}",
            body=body,
            link=f"{WORKBENCH}{ticket.public_id}/",
            occurred_at=ticket.updated_at,
            phone="",
        )
