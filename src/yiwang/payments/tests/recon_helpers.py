"""Helpers of the reconciliation tests: a fiscal gateway whose transport serves a given statement
file (signed with the gateway key, a forged key or not at all), and orders paid on a given day."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timezone

from yiwang.core.crypto import sm2_generate_keypair
from yiwang.payments.gateways import signing
from yiwang.payments.gateways.base import STATEMENT_HEADER, PaymentStatus
from yiwang.payments.gateways.fiscal import FiscalGateway
from yiwang.payments.models import OrderStatus, PaymentOrder, Refund, RefundStatus
from yiwang.testing.payments import PaymentWorld, make_order


class StatementGateway(FiscalGateway):
    """The real adapter (signature check, parsing) with the HTTP call replaced."""

    def __init__(
        self, keys: dict[str, dict[str, str]], raw: bytes = b"", *, sign_with: str | None = None
    ) -> None:
        super().__init__(
            "http://gateway.test",
            merchant_id="YIWANG-DEMO",
            platform_private_key=keys["platform"]["private"],
            gateway_public_key=keys["gateway"]["public"],
        )
        self.raw = raw
        self.sign_with = keys["gateway"]["private"] if sign_with is None else sign_with
        self.status = 200
        self.queried: dict[str, PaymentStatus] = {}
        self.refunds: list[Any] = []

    def _call(self, method: str, path: str, body: Any = None) -> tuple[int, bytes, Any]:
        headers = signing.sign_headers(self.sign_with, self.raw) if self.sign_with else {}
        return self.status, self.raw, headers

    def query(self, order_no: str) -> PaymentStatus:
        return self.queried[order_no]

    def refund(self, request: Any) -> Any:
        from yiwang.payments.gateways.base import RefundStatusInfo

        self.refunds.append(request)
        return RefundStatusInfo(request.refund_no, "refunding", request.amount_fen, request.order_no)


def forged_key() -> str:
    return sm2_generate_keypair().private_key_hex


def statement(day: date, *lines: tuple[str, str, int]) -> bytes:
    """``(order_no, type, amount_fen)`` lines as the gateway writes them."""
    rows = [STATEMENT_HEADER]
    for n, (order_no, kind, amount) in enumerate(lines):
        rows.append(
            f"{day.isoformat()},{order_no},PG{n:020d},{kind},{amount},pc,{day.isoformat()}T10:00:{n % 60:02d}+08:00"
        )
    return ("\n".join(rows) + "\n").encode()


def paid_order(
    world: PaymentWorld, day: date, *, gateway: str = "fiscal", organisation: Any = None
) -> PaymentOrder:
    order = make_order(world)
    paid_at = timezone.make_aware(datetime.combine(day, datetime.min.time())).replace(hour=10)
    PaymentOrder.objects.filter(pk=order.pk).update(
        status=OrderStatus.PAID,
        paid_fen=order.amount_fen,
        paid_at=paid_at,
        gateway=gateway,
        gateway_trade_no="PG1",
        organisation=organisation or order.organisation,
    )
    order.refresh_from_db()
    return order


def refunded(order: PaymentOrder, day: date, amount_fen: int, n: int = 1) -> Refund:
    finished = timezone.make_aware(datetime.combine(day, datetime.min.time())).replace(hour=15)
    return Refund.objects.create(
        order=order,
        refund_no=f"R{order.code}{n:03d}",
        amount_fen=amount_fen,
        reason="测试",
        status=RefundStatus.REFUNDED,
        finished_at=finished,
    )
