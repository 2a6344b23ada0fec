"""Schemas of the federation API (names prefixed Federation…, unique in the OpenAPI document)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from ninja import Field, Schema

from yiwang.core import keyset


class FederationPageQuery(Schema):
    node: str = Field("", max_length=64, description="child node id (province)")
    q: str = Field("", max_length=120, description="case number / item code / licence identifier")
    cursor: str | None = Field(None, max_length=keyset.MAX_CURSOR_LENGTH)
    limit: int = Field(50, ge=1, le=200)


class FederationCaseQuery(FederationPageQuery):
    status: str = Field("", max_length=30)


class FederationLicenceQuery(FederationPageQuery):
    status: str = Field("", max_length=12)


class FederationRatingQuery(FederationPageQuery):
    level: int | None = Field(None, ge=1, le=5)


class FederationFindingQuery(FederationPageQuery):
    state: str = Field("open", pattern="^(open|resolved|all)$")


class FederationBackflowQuery(FederationPageQuery):
    record_type: str = Field("", pattern="^(|rating|base_item|finding)$")


class FederationChildOut(Schema):
    node_id: str
    name: str
    last_package_at: datetime | None
    lag_seconds: int | None
    counts: dict[str, int]
    open_findings: int


class FederationKindOut(Schema):
    kind: str
    parent: str
    records: int
    packages: int
    last_record_at: datetime | None
    last_state: str


class FederationOverviewOut(Schema):
    role: str
    children: list[FederationChildOut]
    sent: list[FederationKindOut]
    backflow: dict[str, int]


class FederationCaseOut(Schema):
    id: UUID
    node_id: str
    number: str
    item_code: str
    item_name: str
    department: str
    applicant_masked: str
    status: str
    submitted_at: datetime | None
    completed_at: datetime | None
    last_dataset: str
    last_event_at: datetime | None


class FederationCaseDetailOut(FederationCaseOut):
    accepted_at: datetime | None
    due_date: date | None
    datasets: dict[str, Any]
    events: list[dict[str, Any]]


class FederationCasePageOut(Schema):
    items: list[FederationCaseOut]
    next_cursor: str | None
    previous_cursor: str | None


class FederationLicenceOut(Schema):
    identifier: str
    node_id: str
    type_name: str
    holder_masked: str
    holder_code_masked: str
    issuer_name: str
    region_code: str
    issued_on: date
    valid_from: date
    valid_until: date | None
    status: str


class FederationLicencePageOut(Schema):
    items: list[FederationLicenceOut]
    next_cursor: str | None
    previous_cursor: str | None


class FederationRatingOut(Schema):
    rating_id: str
    node_id: str
    item_code: str
    item_name: str
    case_number: str
    channel: str
    level: int
    reasons: list[str]
    is_default: bool
    rated_at: datetime


class FederationRatingPageOut(Schema):
    items: list[FederationRatingOut]
    next_cursor: str | None
    previous_cursor: str | None


class FederationFindingOut(Schema):
    node_id: str
    implementation_code: str
    item_name: str
    field: str
    expected: str
    actual: str
    found_at: datetime
    resolved_at: datetime | None


class FederationFindingPageOut(Schema):
    items: list[FederationFindingOut]
    next_cursor: str | None
    previous_cursor: str | None


class FederationBackflowOut(Schema):
    record_type: str
    key: str
    item_code: str
    title: str
    open_findings: int
    data: dict[str, Any]
    received_at: datetime


class FederationBackflowPageOut(Schema):
    items: list[FederationBackflowOut]
    next_cursor: str | None
    previous_cursor: str | None


class FederationSyncOut(Schema):
    role: str
    packages: int
    states: dict[str, int]
