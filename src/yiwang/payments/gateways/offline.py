"""Payment at the window (窗口缴费): the clerk takes cash or a POS card payment and records the
receipt number; there is nothing to call, so create/query answer from what is recorded."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.utils import timezone

from yiwang.payments.gateways.base import (
    CreatePayment,
    GatewayError,
    Notification,
    PaymentGateway,
    PaymentStarted,
    PaymentStatus,
    RefundRequest,
    RefundStatusInfo,
    StatementLine,
)


class OfflineGateway(PaymentGateway):
    """Money handed over at the window: paid at once, refunds paid back at once."""

    name = "offline"

    def __init__(self, receipt_no: str = "", channel: str = "cash") -> None:
        self.receipt_no = receipt_no
        self.channel = channel

    def create_payment(self, request: CreatePayment) -> PaymentStarted:
        if not self.receipt_no:
            raise GatewayError("a window payment needs its receipt number")
        return PaymentStarted(request.order_no, f"WIN-{self.receipt_no}", "", "", "paid")

    def query(self, order_no: str) -> PaymentStatus:
        raise GatewayError("window payments are recorded, not queried")

    def close(self, order_no: str) -> str:
        return "closed"

    def refund(self, request: RefundRequest) -> RefundStatusInfo:
        return RefundStatusInfo(request.refund_no, "refunded", request.amount_fen, request.order_no)

    def query_refund(self, refund_no: str) -> RefundStatusInfo:
        raise GatewayError("window refunds are recorded, not queried")

    def fetch_statement(self, day: date) -> list[StatementLine]:
        return []  # the window's cash book is reconciled by the finance office, not by a file

    def verify_notification(self, headers: Mapping[str, str], body: bytes) -> tuple[Notification, str]:
        raise GatewayError("the window sends no notifications")

    def paid_now(self, order_no: str, amount_fen: int) -> PaymentStatus:
        return PaymentStatus(
            order_no, "paid", amount_fen, f"WIN-{self.receipt_no}", timezone.now(), self.channel
        )
