"""What a user may do with a seal: one place for the rules the seal pages, the API and the templates
offer.  The services still enforce every rule (with their own error codes); this only says what to
offer, so no page or template tests roles or statuses itself."""

from __future__ import annotations

from typing import Any

from yiwang.accounts.services import staff_roles
from yiwang.seals.models import Seal, SealStatus
from yiwang.seals.services import SEAL_ADMIN_ROLES, SEAL_APPLICANT_ROLES, may_stamp

#: The seal administrators' steps of the lifecycle, by the status each starts from.
ADMIN_STEPS = {
    SealStatus.APPLIED: ("review_approve", "review_reject"),
    SealStatus.APPROVED: ("make",),
    SealStatus.MADE: ("file",),
    SealStatus.FILED: ("issue",),
}
LOSABLE = {SealStatus.ISSUED, SealStatus.FILED, SealStatus.MADE}
NOT_DESTROYABLE = {SealStatus.DESTROYED, SealStatus.APPLIED, SealStatus.APPROVED}


def may_apply_for_seal(user: Any) -> bool:
    """申请: service managers and administrators apply for their organisation's seals."""
    return bool(staff_roles(user) & SEAL_APPLICANT_ROLES)


def allowed_actions(user: Any, seal: Seal) -> frozenset[str]:
    """The action names ``user`` may take on ``seal`` now: the administrators' lifecycle steps
    (``review_approve``/``review_reject``, ``make``, ``file``, ``issue``, ``destroy``), ``authorise``
    on an issued seal, ``stamp`` for a user authorised to stamp with it, and ``report_loss``."""
    admin = bool(staff_roles(user) & SEAL_ADMIN_ROLES)
    actions: set[str] = set(ADMIN_STEPS.get(SealStatus(seal.status), ())) if admin else set()
    if seal.status == SealStatus.ISSUED:
        actions.add("authorise")
        if may_stamp(seal, user):
            actions.add("stamp")
    if seal.status in LOSABLE:
        actions.add("report_loss")
    if admin and seal.status not in NOT_DESTROYABLE:
        actions.add("destroy")
    return frozenset(actions)
