"""What a user may do with an invitation or a rectification: decided once for the API and the pages.

Staff of the responsible department (window clerk, handler, approver, service manager) call back,
rectify, reply and record the revisit; supervisors (监察人员) whose data scope covers the department
see every rectification there and may close or escalate it.  The applicant (or whoever holds the
token) rates once and follows up once.
"""

from __future__ import annotations

from typing import Any

from yiwang.accounts.models import AccountKind, StaffRole
from yiwang.accounts.roles import assignments_of, in_scope, roles_of
from yiwang.ratings.models import InvitationStatus, RatingInvitation, Rectification, RectificationStatus
from yiwang.ratings.recipients import DEPARTMENT_ROLES

SUPERVISOR = StaffRole.SUPERVISOR


def is_staff(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user.kind == AccountKind.STAFF and roles_of(user)
    )


def is_supervisor(user: Any) -> bool:
    return is_staff(user) and SUPERVISOR in roles_of(user)


def supervises(user: Any, department_id: int) -> bool:
    return is_supervisor(user) and in_scope(user, department_id, [SUPERVISOR])


def belongs_to(user: Any, department_id: int) -> bool:
    """A member of the department holding one of the roles that handle ratings."""
    return (
        is_staff(user)
        and user.staff_profile.organisation_id == department_id
        and any(a.role in DEPARTMENT_ROLES for a in assignments_of(user))
    )


def may_see(user: Any, department_id: int) -> bool:
    return belongs_to(user, department_id) or supervises(user, department_id)


def may_export(user: Any) -> bool:
    return is_staff(user) and bool({SUPERVISOR, StaffRole.ADMIN} & roles_of(user))


def rectification_actions(user: Any, rect: Rectification) -> set[str]:
    if not may_see(user, rect.department_id):
        return set()
    actions = {"view"}
    if belongs_to(user, rect.department_id):
        if rect.status == RectificationStatus.OPEN:
            actions.add("callback")
        elif rect.status == RectificationStatus.VERIFIED:
            actions.add("rectify" if rect.genuine else "reply")
        elif rect.status == RectificationStatus.RECTIFIED:
            actions.add("reply")
        elif rect.status == RectificationStatus.REPLIED:
            actions.add("revisit")
    if supervises(user, rect.department_id) and rect.status != RectificationStatus.CLOSED:
        actions.add("close")
        if rect.escalated_at is None:
            actions.add("escalate")
    return actions


def department_may(user: Any, rect: Rectification, action: str) -> bool:
    """Would the user be allowed this action in another state? (409 rather than 403.)"""
    if action in ("close", "escalate"):
        return supervises(user, rect.department_id)
    return belongs_to(user, rect.department_id)


def invitation_actions(invitation: RatingInvitation, has_rating: bool, followed_up: bool) -> set[str]:
    """What the holder of the token may do: rate once, then follow up once."""
    if invitation.status == InvitationStatus.PENDING:
        return {"rate"}
    if has_rating and not followed_up:
        return {"follow_up"}
    return set()
