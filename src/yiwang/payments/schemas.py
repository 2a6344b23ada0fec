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


# --- reconciliation (对账) -------------------------------------------------------------------------
class PaymentReconRunOut(Schema):
    id: UUID
    day: date
    gateway: str
    status: str
    status_label: str
    signature_verified: bool
    statement_sha256: str
    statement_lines: int
    statement_pay_fen: int
    statement_refund_fen: int
    counts: dict[str, int] = Field(description="visible items per outcome, and ``open``")
    finished_at: datetime | None


class PaymentReconRunPageOut(Schema):
    count: int
    results: list[PaymentReconRunOut]


class PaymentReconRunIn(Schema):
    day: date = Field(description="the statement's day (Asia/Shanghai), today or up to 400 days back")


class PaymentReconCorrectionOut(Schema):
    id: UUID
    action: Literal["mark_paid", "refund", "write_off"]
    amount_fen: int | None
    reason: str
    status: str
    proposed_by: str
    decided_by: str
    comment: str
    result: dict[str, object]
    created_at: datetime


class PaymentReconItemOut(Schema):
    id: UUID
    run: UUID
    order_no: str
    order: UUID | None
    kind: str
    outcome: str
    outcome_label: str
    statement_fen: int | None
    our_fen: int | None
    line_count: int
    organisation: str
    resolution: str
    allowed_actions: list[str]
    corrections: list[PaymentReconCorrectionOut]


class PaymentReconItemPageOut(Schema):
    count: int
    results: list[PaymentReconItemOut]


class PaymentReconItemFilter(Schema):
    outcome: Literal["", "matched", "missing_ours", "missing_theirs", "amount_mismatch", "duplicate"] = ""
    resolution: Literal["", "none", "open", "proposed", "resolved"] = ""
    q: str = Field("", max_length=64, description="order number prefix")


class PaymentReconProposeIn(Schema):
    action: Literal["mark_paid", "refund", "write_off"]
    reason: str = Field(min_length=1, max_length=1000)
    amount_fen: int | None = Field(
        None, ge=1, le=MAX_FEN, description="refund only; default the duplicate amount"
    )


class PaymentReconDecideIn(Schema):
    comment: str = Field("", max_length=1000)
