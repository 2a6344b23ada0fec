"""Schemas of the receipts API (names prefixed ``Receipt`` to stay unique in the OpenAPI document)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ninja import Schema
from pydantic import Field


class ReceiptFilter(Schema):
    order: UUID | None = Field(None, description="the payment order's id: only its receipts")


class ReceiptLineOut(Schema):
    name: str
    quantity: str = ""
    amount_fen: int = Field(description="negative on a red-letter receipt")
    legal_basis: str = ""


class ReceiptOut(Schema):
    id: UUID
    number: str = Field(description="票据代码-票据号码-校验码 (docs/receipts.md)")
    bill_code: str = Field(description="票据代码, 8 digits")
    serial: str = Field(description="票据号码, 10 digits")
    check_code: str = Field(description="校验码, 6 characters")
    kind: str = Field(description="normal (蓝字) or red_letter (红字, 红冲)")
    kind_label: str
    order_id: UUID
    order_code: str = Field(description="缴款码")
    reference: str
    subject_title: str
    payer_name: str = Field(description="masked for staff")
    payee: str = Field(description="执收单位, the collecting department")
    lines: list[ReceiptLineOut]
    total_fen: int = Field(description="negative on a red-letter receipt")
    amount_in_words: str = Field(description="大写金额")
    issued_at: datetime
    original_id: UUID | None = Field(description="the receipt a red-letter receipt reverses")
    original_number: str
    reversal_state: str = Field(description="none / partial (部分红冲) / full (已红冲)")
    reversal_label: str
    reversed_fen: int = Field(description="how much red-letter receipts reverse (positive)")
    reversal_ids: list[UUID]
    verify_url: str
    allowed_actions: list[str]


class ReceiptPageOut(Schema):
    count: int
    results: list[ReceiptOut]
