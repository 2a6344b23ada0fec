"""What a user may do with one catalogue item, in its present state: one rule for pages, API and templates.

:func:`allowed_actions` answers with a set of :class:`ItemAction`; the workbench item page offers
exactly those buttons and the services refuse the rest (they check the same state and role rules
again under the row lock, so a stale page cannot slip through).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.catalog.permissions import can_manage_region


class ItemAction(StrEnum):
    EDIT = "edit"
    SUBMIT = "submit"
    REVIEW = "review"
    PUBLISH = "publish"
    WITHDRAW = "withdraw"
    REVISE = "revise"
    DISCARD = "discard"
    SCHEDULE = "schedule"


#: States in which an item's content (fields, materials, scenarios, files) may be edited.
EDITABLE_STATUSES = frozenset({ItemStatus.DRAFT, ItemStatus.WITHDRAWN})
#: States a service manager may publish from (the system may also publish a draft).
PUBLISHABLE_STATUSES = frozenset({ItemStatus.APPROVED, ItemStatus.WITHDRAWN})


def is_editable(item: ServiceItem) -> bool:
    """A draft or a withdrawn item (which becomes a draft again when saved)."""
    return item.status in EDITABLE_STATUSES


def can_review(user: Any, item: ServiceItem) -> bool:
    """审核人: a service manager covering the item's region who did not submit it."""
    return (
        item.status == ItemStatus.SUBMITTED
        and can_manage_region(user, item.region)
        and item.submitted_by_id != getattr(user, "pk", None)
    )


def allowed_actions(user: Any, item: ServiceItem, *, has_revision: bool = False) -> frozenset[ItemAction]:
    """The actions ``user`` may take on ``item`` now (empty for anybody outside the item's region).

    ``has_revision``: the item already has a revision draft (then no second one may be started).
    """
    if not can_manage_region(user, item.region):
        return frozenset()
    status = item.status
    actions: set[ItemAction] = set()
    if status in EDITABLE_STATUSES:
        actions.add(ItemAction.EDIT)
    if status == ItemStatus.DRAFT:
        actions.add(ItemAction.SUBMIT)
    if status == ItemStatus.SUBMITTED and item.submitted_by_id != getattr(user, "pk", None):
        actions.add(ItemAction.REVIEW)
    if status in PUBLISHABLE_STATUSES:
        actions.add(ItemAction.PUBLISH)
    if status == ItemStatus.PUBLISHED:
        actions.add(ItemAction.WITHDRAW)
        if not has_revision and not item.is_revision:
            actions.add(ItemAction.REVISE)
    if item.is_revision and status == ItemStatus.DRAFT:
        actions.add(ItemAction.DISCARD)
    if status != ItemStatus.WITHDRAWN:
        actions.add(ItemAction.SCHEDULE)
    return frozenset(actions)
