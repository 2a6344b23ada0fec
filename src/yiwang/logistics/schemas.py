"""Schemas of the logistics API (names prefixed ``Logistics`` to stay unique in the document)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field

from yiwang.logistics.models import OrderKind, OrderStatus, PostagePayer


class LogisticsPartyIn(Schema):
    name: str = Field(max_length=50)
    phone: str = Field(max_length=20)
    region_code: str = Field(
        max_length=12, description="GB/T 2260 code, county level at least (township where known)"
    )
    address: str = Field(max_length=200, description="详细地址")


class LogisticsOrderIn(Schema):
    """A courier order created by a window clerk of ``organisation`` (or, omitted, his own)."""

    kind: OrderKind
    organisation: UUID | None = None
    sender: LogisticsPartyIn
    recipient: LogisticsPartyIn
    contents: str = Field("", max_length=100)
    postage_payer: PostagePayer = PostagePayer.DEPARTMENT


class LogisticsCancelIn(Schema):
    reason: str = Field("", max_length=200)


class LogisticsOrderFilter(Schema):
    status: OrderStatus | None = None
    kind: OrderKind | None = None
    waybill: str = Field("", max_length=40)


class LogisticsPartyOut(Schema):
    name: str
    phone: str
    region_code: str
    address: str


class LogisticsEventOut(Schema):
    id: str
    status: str
    status_label: str
    occurred_at: datetime
    location: str
    note: str


class LogisticsOrderOut(Schema):
    id: UUID
    kind: str
    kind_label: str
    status: str
    status_label: str
    waybill_number: str
    carrier: str
    organisation: str
    reference_label: str
    contents: str
    sender: LogisticsPartyOut
    recipient: LogisticsPartyOut
    postage_payer: str
    postage_fen: int
    postage_status: str
    created_at: datetime
    submitted_at: datetime | None
    delivered_at: datetime | None
    signed_by: str
    last_error: str
    masked: bool
    allowed_actions: list[str]


class LogisticsOrderRowOut(Schema):
    id: UUID
    kind: str
    status: str
    status_label: str
    waybill_number: str
    organisation: str
    reference_label: str
    created_at: datetime
    last_event_at: datetime | None


class LogisticsOrderPageOut(Schema):
    count: int
    items: list[LogisticsOrderRowOut]


class LogisticsCallbackOut(Schema):
    result: Literal["ok"] = "ok"
    applied: int
    duplicates: int
    unknown: list[str]
