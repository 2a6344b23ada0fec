"""Ninja schemas of the exchange API (names prefixed ``Exchange``: unique across the whole API)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from ninja import Schema
from pydantic import Field


class ExchangePackageAnnounceIn(Schema):
    package_id: UUID
    kind: str = Field(min_length=1, max_length=100)
    sequence: int = Field(ge=1, le=2**62)
    size: int = Field(ge=1, le=2**40)
    sha256: str = Field(
        min_length=64, max_length=64, description="SHA-256 of the whole archive, lower-case hex"
    )


class ExchangeIncomingStatusOut(Schema):
    package_id: UUID
    state: str = Field(
        description="receiving, waiting (checked, waits for its predecessor), applied, refused"
    )
    size: int
    received_bytes: int = Field(description="resume the upload from this offset")
    receipt: dict[str, Any] | None = None
    receipt_signature: str = ""


class ExchangeChunkQuery(Schema):
    offset: int = Field(ge=0, le=2**40, description="where this chunk starts: must equal received_bytes")


class ExchangeReceiptOut(Schema):
    receipt: dict[str, Any]
    receipt_signature: str = Field(description="`sm2-sm3:<hex>` over the canonical JSON of `receipt`")


class ExchangeReceiptIn(Schema):
    receipt: dict[str, Any]
    receipt_signature: str = Field(min_length=1, max_length=300)


class ExchangeOutboxRowOut(Schema):
    package_id: UUID
    kind: str
    sequence: int
    size: int
    sha256: str
    created_at: datetime


class ExchangeOutboxOut(Schema):
    items: list[ExchangeOutboxRowOut]


class ExchangeNodeOut(Schema):
    id: UUID
    node_id: str
    name: str
    base_url: str
    role: str
    sm2_public_key: str
    ed25519_public_key: str
    pull_from: bool
    active: bool


class ExchangeOutgoingOut(Schema):
    id: UUID
    receiver: str
    kind: str
    sequence: int
    mode: str
    state: str
    size: int
    bytes_confirmed: int
    attempts: int
    next_attempt_at: datetime | None
    last_error: str
    receipt: dict[str, Any] | None
    created_at: datetime
    allowed_actions: list[str] = Field(default_factory=list)


class ExchangeIncomingOut(Schema):
    id: UUID
    sender: str
    kind: str
    sequence: int
    mode: str
    state: str
    size: int
    received_bytes: int
    error_code: str
    error_message: str
    applied_at: datetime | None
    created_at: datetime


class ExchangeDeliveryOut(Schema):
    id: UUID
    owner: str
    url: str
    event_id: str
    topic: str
    state: str
    attempts: int
    next_attempt_at: datetime
    last_status: int | None
    last_error: str
    delivered_at: datetime | None
    created_at: datetime
    allowed_actions: list[str] = Field(default_factory=list)


class ExchangeStateQuery(Schema):
    state: str = Field("", max_length=20)


class ExchangeDeliveryQuery(Schema):
    state: str = Field("", max_length=20)
    owner: str = Field("", max_length=200)


class ExchangeReplayIn(Schema):
    ids: list[UUID] | None = Field(
        None, max_length=500, description="the dead letters to replay; none: all (of `owner`)"
    )
    owner: str = Field("", max_length=200)


class ExchangeReplayOut(Schema):
    replayed: int
