"""Ninja schemas of the sharing API (names prefixed ``Sharing`` to stay unique across the API)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field

from yiwang.sharing.models import (
    CatalogueKind,
    FieldDataType,
    OpenType,
    ResourceFormat,
    ResourceStatus,
    Sensitivity,
    ShareType,
    SubjectKind,
    UpdateCycle,
)


class SharingCatalogueOut(Schema):
    id: UUID
    kind: str
    kind_label: str
    code: str
    name: str
    organisation: str | None
    children: list[SharingCatalogueOut] = Field(default_factory=list)


class SharingCatalogueIn(Schema):
    kind: CatalogueKind
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    parent_id: UUID | None = None
    organisation_id: UUID | None = Field(None, description="required for department catalogues")
    description: str = Field("", max_length=2000)
    order: int = Field(0, ge=0, le=100_000)


class SharingFieldIn(Schema):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1, max_length=100)
    data_type: FieldDataType = FieldDataType.STRING
    sensitivity: Sensitivity = Sensitivity.INTERNAL
    is_personal: bool = False
    description: str = Field("", max_length=300)


class SharingFieldOut(Schema):
    name: str
    label: str
    data_type: str
    sensitivity: str
    is_personal: bool
    description: str


class SharingResourceIn(Schema):
    provider_id: UUID | None = Field(None, description="default: the caller's organisation")
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    format: ResourceFormat = ResourceFormat.API
    update_cycle: UpdateCycle = UpdateCycle.DAILY
    share_type: ShareType = ShareType.CONDITIONAL
    share_conditions: str = Field("", max_length=2000)
    no_share_basis: str = Field("", max_length=2000, description="required when share_type is none")
    open_type: OpenType = OpenType.CLOSED
    service: str = Field("", max_length=60, pattern=r"^[a-z0-9_.]*$")
    subject_kind: SubjectKind = SubjectKind.NONE
    catalogue_ids: list[UUID] = Field(default_factory=list, max_length=50)
    fields: list[SharingFieldIn] = Field(min_length=1, max_length=200)


class SharingResourceRowOut(Schema):
    id: UUID
    code: str
    name: str
    provider: str
    share_type: str
    share_type_label: str
    open_type: str
    status: str
    status_label: str
    version: int
    published_version: int | None


class SharingResourceOut(SharingResourceRowOut):
    description: str
    format: str
    update_cycle: str
    share_conditions: str
    no_share_basis: str
    service: str
    subject_kind: str
    review_note: str
    published_at: datetime | None
    catalogues: list[str]
    fields: list[SharingFieldOut]
    allowed_actions: list[str] = Field(
        default_factory=list, description="edit, submit, review, retire, request — for the caller, now"
    )


class SharingResourcePageOut(Schema):
    count: int
    items: list[SharingResourceRowOut]


class SharingVersionOut(Schema):
    number: int
    published_at: datetime
    published_by: str | None
    snapshot: dict


class SharingReviewIn(Schema):
    approve: bool
    note: str = Field("", max_length=2000, description="required when returning")


class SharingReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class SharingRequestIn(Schema):
    resource_id: UUID
    fields: list[str] = Field(min_length=1, max_length=200)
    purpose: str = Field(min_length=1, max_length=2000)
    legal_basis: str = Field(min_length=1, max_length=2000)
    period_start: date
    period_end: date


class SharingDecisionIn(Schema):
    decision: Literal["approve", "narrow", "refuse"]
    note: str = Field("", max_length=2000, description="required when refusing")
    fields: list[str] | None = Field(None, max_length=200, description="narrow: the fields granted")
    period_end: date | None = Field(None, description="narrow: a shorter end of the period")
    quota_per_day: int | None = Field(None, ge=1, le=10_000_000)


class SharingRequestOut(Schema):
    id: UUID
    resource_id: UUID
    resource: str
    provider: str
    consumer: str
    requester: str
    fields: list[str]
    purpose: str
    legal_basis: str
    period_start: date
    period_end: date
    status: str
    status_label: str
    due_at: datetime | None
    overdue: bool
    decided_at: datetime | None
    decision_note: str
    granted_fields: list[str]
    granted_until: date | None
    allowed_actions: list[str] = Field(default_factory=list, description="decide, withdraw")


class SharingGrantOut(Schema):
    id: UUID
    resource_id: UUID
    resource: str
    provider: str
    consumer: str
    fields: list[str]
    purpose: str
    legal_basis: str
    valid_from: date
    valid_until: date
    status: str
    status_label: str
    quota_per_day: int | None
    request_id: UUID | None
    allowed_actions: list[str] = Field(default_factory=list, description="revoke")


RESOURCE_STATUSES = tuple(ResourceStatus.values)
