"""What a user may do with a courier order now (pages and API ask this; services check again)."""

from __future__ import annotations

from typing import Any

from yiwang.logistics.models import CourierOrder, OrderStatus
from yiwang.logistics.permissions import clerk_may_act, may_view, staff_may_view
from yiwang.logistics.services.orders import CANCELLABLE

VIEW = "view"
WAYBILL = "waybill"
SUBMIT = "submit"
CANCEL = "cancel"


def allowed_actions(user: Any, order: CourierOrder) -> set[str]:
    if not may_view(user, order):
        return set()
    actions = {VIEW}
    if staff_may_view(user, order) and clerk_may_act(user, order.organisation_id):
        if order.waybill_number:
            actions.add(WAYBILL)
        if order.status == OrderStatus.CREATED:
            actions.add(SUBMIT)
        if order.status in CANCELLABLE:
            actions.add(CANCEL)
    return actions
