"""What a user may do with a ticket: decided once for the pages, the API and the services.

* The applicant (the account that filed it) sees it and rates the reply (回访评价).
* The handling department's staff (any staff role in ``ticket.department``) accept (签收), transfer
  (转办), return (退回), ask for more time (延期) and reply (答复).
* Hotline agents (12345 热线坐席, role ``hotline_agent``, within their data scope; tickets not yet
  dispatched are every agent's) dispatch (派单), answer directly (直接办结), merge duplicates (合并),
  decide extensions, revisit (回访) and close.
* Supervisors (监察人员) whose scope covers the department see it and decide extensions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from yiwang.accounts.models import AccountKind, StaffRole
from yiwang.accounts.roles import in_scope, roles_of
from yiwang.tickets.models import OPEN_STATUSES, Ticket, TicketStatus

AGENT = StaffRole.HOTLINE_AGENT
SUPERVISOR = StaffRole.SUPERVISOR

DEPARTMENT_ACTIONS = {
    "accept": (TicketStatus.DISPATCHED,),
    "transfer": (TicketStatus.DISPATCHED, TicketStatus.ACCEPTED),
    "return": (TicketStatus.DISPATCHED, TicketStatus.ACCEPTED),
    "extend": (TicketStatus.ACCEPTED,),
    "reply": (TicketStatus.ACCEPTED,),
}
AGENT_ACTIONS = {
    "dispatch": (TicketStatus.CREATED, TicketStatus.RETURNED),
    "answer": (TicketStatus.CREATED, TicketStatus.RETURNED),
    "merge": OPEN_STATUSES,
    "decide_extension": (TicketStatus.ACCEPTED,),
    "revisit": (TicketStatus.REPLIED,),
    "close": (TicketStatus.REPLIED,),
}
SUPERVISOR_ACTIONS = {"decide_extension": (TicketStatus.ACCEPTED,)}
APPLICANT_ACTIONS = {"rate": (TicketStatus.REPLIED,)}


def is_staff(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user.kind == AccountKind.STAFF and roles_of(user)
    )


def is_agent(user: Any) -> bool:
    return is_staff(user) and AGENT in roles_of(user)


def is_supervisor(user: Any) -> bool:
    return is_staff(user) and SUPERVISOR in roles_of(user)


def is_applicant(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.kind != AccountKind.STAFF)


def belongs_to(user: Any, department_id: int | None) -> bool:
    return (
        department_id is not None and is_staff(user) and user.staff_profile.organisation_id == department_id
    )


def agent_for(user: Any, ticket: Ticket) -> bool:
    if not is_agent(user):
        return False
    return ticket.department_id is None or in_scope(user, ticket.department_id, [AGENT])


def supervises(user: Any, ticket: Ticket) -> bool:
    return is_supervisor(user) and in_scope(user, ticket.department_id, [SUPERVISOR])


def owns(user: Any, ticket: Ticket) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and ticket.applicant_id is not None
        and ticket.applicant_id == user.pk
    )


def may_see(user: Any, ticket: Ticket) -> bool:
    return (
        owns(user, ticket)
        or belongs_to(user, ticket.department_id)
        or agent_for(user, ticket)
        or supervises(user, ticket)
    )


def _add(actions: set[str], table: Mapping[str, tuple[str, ...]], status: str, ignore_status: bool) -> None:
    for name, statuses in table.items():
        if ignore_status or status in statuses:
            actions.add(name)


def allowed_actions(user: Any, ticket: Ticket, *, ignore_status: bool = False) -> set[str]:
    """The actions ``user`` may take on ``ticket`` now (``ignore_status``: whatever its status)."""
    actions: set[str] = set()
    if not may_see(user, ticket):
        return actions
    actions.add("view")
    status = ticket.status
    if owns(user, ticket) and ticket.revisit_result == "":
        _add(actions, APPLICANT_ACTIONS, status, ignore_status)
    if belongs_to(user, ticket.department_id):
        _add(actions, DEPARTMENT_ACTIONS, status, ignore_status)
    if agent_for(user, ticket):
        _add(actions, AGENT_ACTIONS, status, ignore_status)
    if supervises(user, ticket):
        _add(actions, SUPERVISOR_ACTIONS, status, ignore_status)
    return actions


def may_use_console(user: Any) -> bool:
    """The hotline console (/workbench/hotline/): agents and supervisors."""
    return is_agent(user) or is_supervisor(user)
