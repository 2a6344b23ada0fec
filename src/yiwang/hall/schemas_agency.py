"""Schemas of the agency API (帮办代办; every name starts with ``HallAgency``)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from ninja import Field, Schema


class HallAgencyPersonOut(Schema):
    name: str
    id_number: str
    phone: str


class HallAgencyOut(Schema):
    id: UUID
    hall: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    principal: HallAgencyPersonOut
    agent: str
    item_ids: list[str]
    valid_from: date
    valid_until: date
    has_evidence: bool
    evidence_sha256: str
    case_ids: list[str]
    revoked_at: datetime | None
    created_at: datetime
    allowed_actions: list[str]


class HallAgencyPageOut(Schema):
    count: int
    results: list[HallAgencyOut]


class HallAgencyFilter(Schema):
    status: str = Field("", pattern="^(|active|revoked|expired)$")
    unmask: bool = False


class HallAgencyRevokeIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)


class HallAgencyCaseOut(Schema):
    id: UUID
    number: str
    status: str
    authorisation: UUID
