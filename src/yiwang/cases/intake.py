"""窗口受理范围 Who may register a walk-in application for an item at a window.

The default rule: a window clerk of the item's implementing body.  A higher app may widen it by
registering a predicate ``(clerk, item) -> bool``: the hall lets the clerk of a general window
(前台综合受理) register for any item of the hall; the case still goes to the item's department
(后台分类审批).

Handing a result over (窗口领取) follows the same pattern: by default a window clerk within the data
scope of the case's handling body; a registered predicate ``(clerk, case) -> bool`` may widen it —
the hall lets the clerk of a general window hand out results of every department it serves
(统一窗口出件).

Acting for a natural person (代办) online: by default an acting agent acts only in a legal person's
name (the company's authorisation, ``cases.services.applicants``); a registered predicate
``(agent, applicant, item) -> bool`` may allow an agent for a natural person — the hall allows the
holder of a valid agency authorisation recorded at the hall (帮办代办)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from yiwang.accounts.models import User
from yiwang.accounts.services import staff_roles
from yiwang.catalog.models import ServiceItem

if TYPE_CHECKING:
    from yiwang.cases.models import Case

Predicate = Callable[[User, ServiceItem], bool]
HandoverPredicate = Callable[[User, "Case"], bool]
PersonalAgencyPredicate = Callable[[User, User, ServiceItem], bool]

_PREDICATES: dict[str, Predicate] = {}
_HANDOVER_PREDICATES: dict[str, HandoverPredicate] = {}
_PERSONAL_AGENCY_PREDICATES: dict[str, PersonalAgencyPredicate] = {}


def register(name: str, predicate: Predicate) -> None:
    """Add (or replace, on a re-import) the predicate ``name``."""
    _PREDICATES[name] = predicate


def unregister(name: str) -> None:
    _PREDICATES.pop(name, None)


def own_department(clerk: User, item: ServiceItem) -> bool:
    """The default rule: a window clerk of the item's implementing body."""
    profile = getattr(clerk, "staff_profile", None)
    return profile is not None and profile.organisation_id == item.implementing_body_id


def may_register(clerk: User, item: ServiceItem) -> bool:
    """Whether ``clerk`` may register a walk-in application for ``item``."""
    if "window_clerk" not in staff_roles(clerk):
        return False
    return own_department(clerk, item) or any(p(clerk, item) for p in list(_PREDICATES.values()))


def register_handover(name: str, predicate: HandoverPredicate) -> None:
    """Add (or replace, on a re-import) the handover predicate ``name``."""
    _HANDOVER_PREDICATES[name] = predicate


def unregister_handover(name: str) -> None:
    _HANDOVER_PREDICATES.pop(name, None)


def may_hand_over_elsewhere(clerk: User, case: Case) -> bool:
    """Whether a registered predicate lets the window clerk ``clerk`` hand over ``case``'s result
    outside his own data scope (the default scope rule is checked by the delivery service)."""
    if "window_clerk" not in staff_roles(clerk):
        return False
    return any(p(clerk, case) for p in list(_HANDOVER_PREDICATES.values()))


def register_personal_agency(name: str, predicate: PersonalAgencyPredicate) -> None:
    """Add (or replace, on a re-import) the predicate ``name`` that may let an agent act for a
    natural person."""
    _PERSONAL_AGENCY_PREDICATES[name] = predicate


def unregister_personal_agency(name: str) -> None:
    _PERSONAL_AGENCY_PREDICATES.pop(name, None)


def may_act_for_person(agent: User, applicant: User, item: ServiceItem) -> bool:
    """Whether a registered predicate lets ``agent`` apply for (and follow the case of) the natural
    person ``applicant`` for ``item``."""
    return any(p(agent, applicant, item) for p in list(_PERSONAL_AGENCY_PREDICATES.values()))
