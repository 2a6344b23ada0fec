from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from ninja import Schema
from pydantic import Field


class CaseEventOut(Schema):
    sequence: int
    event_type: str
    event_label: str
    from_status: str
    to_status: str
    actor: str
    channel: str
    comment: str
    data: dict[str, Any]
    occurred_at: datetime


class CaseMaterialOut(Schema):
    id: UUID
    material_name: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    correction_round: int
    superseded: bool
    source: str = "upload"
    source_label: str = ""
    trust_level: str = "C"
    trust_level_label: str = ""
    licence_identifier: str = ""
    download_url: str


class CorrectionNoticeOut(Schema):
    round: int
    items: list[dict[str, str]]
    comment: str
    deadline: date
    resolved_at: datetime | None


class CaseSummaryOut(Schema):
    id: UUID
    number: str
    item_id: UUID
    item_name: str
    handling_organisation: str
    applicant_name: str
    status: str
    status_label: str
    outcome: str
    channel: str
    submitted_at: datetime
    accepted_at: datetime | None
    due_date: date | None
    completed_at: datetime | None
    lock_version: int
    due_soon: bool = False
    overdue: bool = False
    clock_paused: bool = False
    working_days_left: int | None = None


class CaseSpecialProcedureOut(Schema):
    id: UUID
    kind: str
    kind_label: str
    reason: str
    started_at: datetime
    ended_at: datetime | None
    result: str
    paused_working_days: int


class ExtensionOut(Schema):
    id: UUID
    days: int
    reason: str
    status: str
    requested_by: str
    decided_by: str
    decided_at: datetime | None
    decision_comment: str


class CaseDocumentOut(Schema):
    id: UUID
    kind: str
    kind_label: str
    title: str
    sha256: str
    signed: bool
    created_at: datetime
    download_url: str


class DeliveryOut(Schema):
    method: str
    method_label: str
    address: str
    status: str
    status_label: str
    delivered_at: datetime | None
    recipient_name: str
    tracking_number: str


class DeliveryIn(Schema):
    method: str = Field(max_length=12)
    address: str = Field(default="", max_length=300)
    phone: str = Field(default="", max_length=11)


class HandoverIn(Schema):
    recipient_name: str = Field(max_length=100)
    recipient_signature: str = Field(default="", max_length=100)
    tracking_number: str = Field(default="", max_length=40)


class BundleSubCaseOut(Schema):
    id: UUID
    number: str
    item_name: str
    handling_organisation: str
    status: str
    status_label: str
    outcome: str


class BundleApplicationOut(Schema):
    id: UUID
    bundle_id: UUID
    bundle_name: str
    status: str
    status_label: str
    delivery_method: str
    submitted_at: datetime
    completed_at: datetime | None
    delivered_at: datetime | None
    sub_cases: list[BundleSubCaseOut]
    documents: list[CaseDocumentOut]


class CaseDetailOut(CaseSummaryOut):
    item_version: int
    form_data: dict[str, Any]
    delivery_method: str
    statutory_due_date: date | None
    due_date_provisional: bool = Field(
        False, description="预计: counted on the statutory rule for a year whose schedule is not announced"
    )
    statutory_due_date_provisional: bool = Field(
        False, description="预计: counted on the statutory rule for a year whose schedule is not announced"
    )
    decision_comment: str
    result_url: str | None
    result_sha256: str
    events: list[CaseEventOut]
    materials: list[CaseMaterialOut]
    correction_notice: CorrectionNoticeOut | None
    documents: list[CaseDocumentOut] = []
    delivery: DeliveryOut | None = None
    paused_working_days: int = 0
    extension_days: int = 0
    gap_items: list[dict[str, str]] = []
    gap_deadline: date | None = None
    gap_resolved_at: datetime | None = None
    gap_overdue: bool = False
    commitment_based: bool = False
    verification_due_date: date | None = None
    verified_at: datetime | None = None
    special_procedures: list[CaseSpecialProcedureOut] = []
    extensions: list[ExtensionOut] = []


class CasePageOut(Schema):
    items: list[CaseSummaryOut]
    count: int


class StatusOut(Schema):
    number: str
    item_name: str
    status: str
    status_label: str
    submitted_at: datetime
    due_date: date | None
    completed_at: datetime | None


class ActionIn(Schema):
    comment: str = Field(default="", max_length=2000)
    lock_version: int | None = None


class RefuseIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)
    lock_version: int | None = None


class CorrectionItemIn(Schema):
    material_id: str = Field(default="", max_length=40)
    name: str = Field(default="", max_length=200)
    reason: str = Field(default="", max_length=500)


class CorrectionIn(Schema):
    items: list[CorrectionItemIn] = Field(min_length=1, max_length=50)
    comment: str = Field(default="", max_length=2000)
    lock_version: int | None = None


class DecideIn(Schema):
    approve: bool
    comment: str = Field(default="", max_length=2000)
    lock_version: int | None = None


class CaseWithdrawIn(Schema):
    reason: str = Field(default="", max_length=500)


class GapItemIn(Schema):
    material_id: str = Field(min_length=1, max_length=40)
    reason: str = Field(default="", max_length=500)


class GapAcceptIn(Schema):
    items: list[GapItemIn] = Field(min_length=1, max_length=50)
    days: int = Field(default=5, ge=1, le=60)
    comment: str = Field(default="", max_length=2000)
    lock_version: int | None = None


class CommitmentApproveIn(Schema):
    comment: str = Field(default="", max_length=2000)
    verification_days: int | None = Field(default=None, ge=1, le=250)
    lock_version: int | None = None


class VerifyIn(Schema):
    truthful: bool
    comment: str = Field(default="", max_length=2000)
    lock_version: int | None = None


class ExtensionRequestIn(Schema):
    days: int = Field(ge=1, le=15)
    reason: str = Field(min_length=1, max_length=2000)
    lock_version: int | None = None


class ExtensionDecideIn(Schema):
    approve: bool
    comment: str = Field(default="", max_length=2000)
    lock_version: int | None = None


class SpecialStartIn(Schema):
    kind: str = Field(min_length=1, max_length=20)
    reason: str = Field(min_length=1, max_length=2000)
    lock_version: int | None = None


class SpecialEndIn(Schema):
    result: str = Field(min_length=1, max_length=2000)
    lock_version: int | None = None


class PrefillSourceOut(Schema):
    """Where a prefilled value came from: ``profile`` (the real-name account or profile), ``licence``
    (a valid e-licence), ``previous`` (the last application of the item) or ``shared`` (a base resource
    through the sharing gateway, with the call that served it)."""

    kind: str
    label: str
    resource_code: str = ""
    gateway_call: str = ""
    locked: bool = False  # prefillLocked: the applicant cannot change it (the filing keeps this value)


class ApplyFieldOut(Schema):
    name: str
    label: str
    type: str
    required: bool = False
    choices: list[str] = Field(default_factory=list)
    help_text: str = ""
    value: Any = None
    source: PrefillSourceOut | None = None


class ApplyMaterialOut(Schema):
    id: UUID
    name: str
    mandatory: bool
    source_kind: str
    shared_resource_code: str = ""
    shared_fields: list[str] = Field(default_factory=list)
    from_shared_data: bool = False  # filled from the gateway at filing unless the applicant uploads it


class ApplyFormOut(Schema):
    """The application form of an item for this applicant (一证通办: prefilled from the bases)."""

    item_id: UUID
    item_name: str
    fields: list[ApplyFieldOut]
    materials: list[ApplyMaterialOut]
    definition: dict[str, Any] = Field(default_factory=dict)  # the e-form (Form.io JSON, 电子表单)
    # personal shared data waits for the applicant's consent (POST .../consent) before filing
    consent_needed: bool = False
    consent_resources: list[str] = Field(default_factory=list)
