"""What a user may do with a warning, a card or the rules: decided once for the API and the pages.

Department staff (any staff role in the warning's handling department) acknowledge, explain or
correct their department's warnings and appeal its cards; supervisors (监察人员) whose data scope
covers the department review explanations, close warnings, issue cards and decide appeals.
"""

from __future__ import annotations

from typing import Any

from yiwang.accounts.models import AccountKind, StaffRole
from yiwang.accounts.roles import in_scope, roles_of
from yiwang.supervision.models import Card, CardStatus, SupervisionWarning, WarningStatus

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
    """A staff member employed by the department (its own warnings and cards)."""
    return is_staff(user) and user.staff_profile.organisation_id == department_id


def may_see(user: Any, department_id: int) -> bool:
    return belongs_to(user, department_id) or supervises(user, department_id)


def warning_actions(user: Any, warning: SupervisionWarning) -> set[str]:
    if not may_see(user, warning.department_id):
        return set()
    actions = {"view"}
    own = belongs_to(user, warning.department_id)
    if own and warning.status == WarningStatus.OPEN:
        actions.add("acknowledge")
    if own and warning.status in (WarningStatus.OPEN, WarningStatus.ACKNOWLEDGED):
        actions |= {"explain", "correct"}
    if supervises(user, warning.department_id):
        if warning.status == WarningStatus.EXPLAINED:
            actions |= {"accept_explanation", "reject_explanation"}
        if warning.status == WarningStatus.CORRECTED:
            actions.add("close")
    return actions


def card_actions(user: Any, card: Card) -> set[str]:
    if not may_see(user, card.department_id):
        return set()
    actions = {"view"}
    if belongs_to(user, card.department_id) and card.status == CardStatus.ISSUED:
        actions.add("appeal")
    if supervises(user, card.department_id):
        if card.status == CardStatus.SUGGESTED:
            actions |= {"confirm", "dismiss"}
        if card.status == CardStatus.APPEALED:
            actions |= {"uphold", "revoke"}
    return actions


def rule_actions(user: Any) -> set[str]:
    return {"view", "edit", "create"} if is_supervisor(user) else ({"view"} if is_staff(user) else set())
