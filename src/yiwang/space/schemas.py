"""Schemas of the space API (names start with ``Space`` to stay unique across the project); the
pages parse their forms with the same input schemas (``yiwang.web.forms.parse_form``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from ninja import Field, Schema

from yiwang.core.paging import SHORT_LIMIT

COMPANY = Field(
    "", max_length=18, description="统一社会信用代码: work on the store/file of a company you act for"
)


class SpaceSubjectIn(Schema):
    company: str = COMPANY


class SpaceMaterialFilter(Schema):
    company: str = COMPANY
    q: str = Field("", max_length=100, description="名称包含")
    source: Literal["", "submitted", "result", "uploaded", "window_scan"] = ""
    trust_level: Literal["", "A", "B", "C", "D"] = ""
    validity: Literal["", "valid", "expired"] = ""


class SpaceMaterialUploadIn(Schema):
    company: str = COMPANY
    name: str = Field(..., min_length=1, max_length=200, description="材料名称")
    material: UUID | None = Field(None, description="目录材料（可选，便于复用时匹配）")
    valid_until: date | None = Field(None, description="有效期至（空为长期有效）")


class SpaceCaseRefOut(Schema):
    id: UUID
    number: str
    item: str
    status: str
    status_label: str
    submitted_at: datetime


class SpaceMaterialOut(Schema):
    id: UUID
    name: str
    catalogue_material: UUID | None
    licence_type_code: str
    source: str
    source_label: str
    trust_level: str
    valid_until: date | None
    valid: bool
    case: SpaceCaseRefOut | None
    original_name: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime
    allowed_actions: list[str] = Field(description="download, delete (retention permitting)")


class SpaceMaterialDetailOut(SpaceMaterialOut):
    used_in: list[SpaceCaseRefOut]


class SpaceMaterialPageOut(Schema):
    count: int
    results: list[SpaceMaterialOut]


class SpaceLicenceOut(Schema):
    id: UUID
    type_code: str
    type_name: str
    identifier: str
    issuer: str
    status: str
    valid_until: date | None


class SpaceFileIn(Schema):
    company: str = COMPANY
    offset: int = Field(0, ge=0, le=500)
    limit: int = Field(SHORT_LIMIT, ge=1, le=100)


class SpaceStaffFileIn(Schema):
    offset: int = Field(0, ge=0, le=500)
    limit: int = Field(SHORT_LIMIT, ge=1, le=100)


class SpaceFileEntryOut(Schema):
    kind: str
    kind_label: str
    at: datetime
    title: str
    reference: str
    status: str
    department: str
    id: str


class SpaceFileOut(Schema):
    subject: UUID
    subject_kind: str
    name: str = Field(description="masked for staff")
    identifier: str = Field(description="ID number or credit code (masked for staff)")
    results: list[SpaceFileEntryOut]
    has_more: bool


class SpaceSubjectSearchIn(Schema):
    """Checked after the caller's role (an applicant hears 403 whatever he sends)."""

    kind: Literal["", "person", "company"] = ""
    number: str = Field("", max_length=18, description="公民身份号码 / 统一社会信用代码（18 位）")


class SpaceSubjectOut(Schema):
    subject: UUID
    subject_kind: str
    name: str
    identifier: str
