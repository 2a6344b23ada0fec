"""送达 Delivery of a case's result — kept here under its old path; the code is in
:mod:`yiwang.cases.services.delivery` (importing this module also connects the 电子送达 receiver)."""

from yiwang.cases.services.delivery import (
    HANDOVER_STATUSES,
    change_delivery,
    deliver_electronically,
    delivery_of,
    record_choice,
    record_handover,
    record_new_choice,
    validate_choice,
)

__all__ = [
    "HANDOVER_STATUSES",
    "change_delivery",
    "deliver_electronically",
    "delivery_of",
    "record_choice",
    "record_handover",
    "record_new_choice",
    "validate_choice",
]
