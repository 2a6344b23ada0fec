"""What a user may do with a licence: one place for the rules the pages, the API and the templates
offer.  The services still enforce every rule (with their own error codes); this only says what to
offer, so no page or template tests roles or statuses itself."""

from __future__ import annotations

from typing import Any

from yiwang.accounts.models import AccountKind, User
from yiwang.accounts.services import staff_roles
from yiwang.licences.models import Licence, LicenceStatus
from yiwang.licences.services import LIFECYCLE_ROLES, USE_ROLES, effective_status, holds

#: The holder's actions on a licence in his wallet (卡包).
HOLDER_ACTIONS = frozenset({"download", "print", "grant_consent", "revoke_consent", "revoke_share"})
#: Stored statuses each lifecycle action starts from (the services check the same).
LIFECYCLE_FROM = {
    "revoke": {LicenceStatus.VALID, LicenceStatus.SUSPENDED, LicenceStatus.EXPIRED},
    "suspend": {LicenceStatus.VALID},
    "resume": {LicenceStatus.SUSPENDED},
    "change": {LicenceStatus.VALID, LicenceStatus.SUSPENDED},
}


def may_issue(user: Any) -> bool:
    """签发: approvers and administrators (of the issuing body; the service checks the body)."""
    return bool(staff_roles(user) & LIFECYCLE_ROLES)


def allowed_actions(user: User | Any, licence: Licence) -> frozenset[str]:
    """The action names ``user`` may take on ``licence`` now.

    Holder: ``download``, ``print``, ``grant_consent``, ``revoke_consent``, ``revoke_share`` and, while
    the licence is currently valid, ``share``.  Staff: ``use`` (window clerks, handlers, approvers,
    administrators) and, for approvers/administrators of the issuing body, the lifecycle actions
    ``revoke``, ``suspend``, ``resume`` and ``change`` its stored status allows (a licence imported
    from another platform is changed only by its own issuer).
    """
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    if user.kind != AccountKind.STAFF:
        if not holds(user, licence):
            return frozenset()
        valid = effective_status(licence) == LicenceStatus.VALID
        return HOLDER_ACTIONS | ({"share"} if valid else set())
    held = staff_roles(user)
    actions: set[str] = {"use"} if held & USE_ROLES else set()
    issuer_staff = held & LIFECYCLE_ROLES and (
        "admin" in held or user.staff_profile.organisation_id == licence.issuer_id
    )
    if issuer_staff:
        actions |= {action for action, start in LIFECYCLE_FROM.items() if licence.status in start}
        if licence.imported or licence.issuer_id is None:
            actions.discard("change")
    return frozenset(actions)
