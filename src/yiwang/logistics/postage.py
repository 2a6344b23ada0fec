"""邮费 Who pays the postage of an order.

* 部门付费 (default): the department's monthly account with the carrier; nothing to collect.
* 申请人付费: the applicant pays the postage through the payments module (统一支付).

TODO(payments): the payments app is being built in parallel and its service API is not final, so
logistics does not import it yet.  When it is, :func:`request_applicant_payment` should call the
payments service that opens a fee order for ``order.owner`` of ``order.postage_fen`` fen with the
reference ``logistics.CourierOrder:<public_id>``, and a payments "paid" hook should call
:func:`mark_postage_paid`.  Until then the order is marked ``awaiting_payment`` and audited.
"""

from __future__ import annotations

from yiwang.core import audit
from yiwang.logistics.models import CourierOrder, PostageStatus


def request_applicant_payment(order: CourierOrder) -> None:
    """Called in the transaction that records the carrier's postage; the order is locked."""
    order.postage_status = PostageStatus.AWAITING_PAYMENT
    order.save(update_fields=["postage_status", "updated_at"])
    audit.record("logistics.postage.requested", obj=order, detail={"postage_fen": order.postage_fen})


def mark_postage_paid(order: CourierOrder) -> None:
    """The hook for payments: the applicant has paid the postage."""
    order.postage_status = PostageStatus.PAID
    order.save(update_fields=["postage_status", "updated_at"])
    audit.record("logistics.postage.paid", obj=order, detail={"postage_fen": order.postage_fen})
