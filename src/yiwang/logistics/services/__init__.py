"""Use cases of logistics (every state change of a courier order goes through these)."""

from yiwang.logistics.services.orders import (
    callback_url,
    cancel_order,
    create_order,
    department_sender,
    submit_order,
)
from yiwang.logistics.services.tracking import (
    apply_events,
    handle_callback,
    orders_to_poll,
    poll_tracking,
    retry_unsubmitted,
)

__all__ = [
    "apply_events",
    "callback_url",
    "cancel_order",
    "create_order",
    "department_sender",
    "handle_callback",
    "orders_to_poll",
    "poll_tracking",
    "retry_unsubmitted",
    "submit_order",
]
