"""Schemas of the payments API (names prefixed ``Payment`` to stay unique in the OpenAPI document)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field

from yiwang.payments.fees import MAX_FEN


class PaymentLineOut(Schema):
    name: str
    gross_fen: int
    reduction_fen: int
    net_fen: int
    quantity: str = ""
    legal_basis: str = ""
    exemption_name: str = ""
    exemption_basis: str = ""


class PaymentOrderRowOut(Schema):
    id: UUID
    code: str = Field(description="缴款码, 20 digits (docs/payments.md)")
    reference: str
    subject_title: str
    organisation: str
    payer_name: str = Field(description="masked for staff")
    amount_fen: int
    paid_fen: int
    refunded_fen: int
    status: str
    status_label: str
    due_date: date
    created_at: datetime
    paid_at: datetime | None


class PaymentOrderOut(PaymentOrderRowOut):
    lines: list[PaymentLineOut]
    channel: str
    receipt_no: str
    pay_url: str
    expires_at: datetime
    allowed_actions: list[str]


class PaymentOrderPageOut(Schema):
    count: int
    results: list[PaymentOrderRowOut]


class PaymentEventOut(Schema):
    event_type: str
    label: str
    from_status: str
    to_status: str
    source: str
    amount_fen: int | None
    occurred_at: datetime
    data: dict[str, object]


class PaymentPayIn(Schema):
    channel: Literal["pc", "h5", "qr"] = "pc"


class PaymentPayOut(Schema):
    pay_url: str
    qr_text: str
    status: str


class PaymentOfflineIn(Schema):
    receipt_no: str = Field(min_length=1, max_length=40, description="窗口收款票据号")
    channel: Literal["cash", "pos"] = "cash"


class PaymentRefundIn(Schema):
    amount_fen: int = Field(ge=1, le=MAX_FEN, description="退款金额（分）")
    reason: str = Field(min_length=1, max_length=1000)


class PaymentRefundOut(Schema):
    refund_no: str
    amount_fen: int
    status: str
    order_status: str


class PaymentNotifyOut(Schema):
    result: str


class PaymentOrderFilter(Schema):
    status: str = Field("", max_length=14)
    q: str = Field("", max_length=40, description="payment code or case number prefix, or title part")
