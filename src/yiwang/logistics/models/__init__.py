"""Tables of logistics: courier orders, their tracking events and the carrier callbacks received."""

from yiwang.logistics.models.orders import (
    ACTIVE_STATUSES,
    TERMINAL_STATUSES,
    CarrierCallback,
    CourierOrder,
    OrderKind,
    OrderStatus,
    PostagePayer,
    PostageStatus,
    TrackingEvent,
)

__all__ = [
    "ACTIVE_STATUSES",
    "TERMINAL_STATUSES",
    "CarrierCallback",
    "CourierOrder",
    "OrderKind",
    "OrderStatus",
    "PostagePayer",
    "PostageStatus",
    "TrackingEvent",
]
