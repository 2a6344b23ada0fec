"""Schemas of the supervision API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from ninja import Field, Schema


class WarningFilter(Schema):
    level: str = Field("", max_length=10, description="yellow / red")
    kind: str = Field("", max_length=40, description="rule kind")
    status: str = Field("", max_length=14, description="a status, or `active` for all not closed")
    department: UUID | None = None


class WarningOut(Schema):
    id: UUID
    case_id: UUID
    case_number: str
    item: str
    department_id: UUID
    department: str
    rule_code: str
    rule_version: int
    kind: str
    kind_label: str
    level: str
    level_label: str
    source: str
    status: str
    status_label: str
    resolution: str
    detail: dict[str, Any]
    raised_at: datetime
    explanation: str
    review_comment: str
    closed_at: datetime | None
    allowed_actions: list[str]


class WarningPageOut(Schema):
    count: int
    results: list[WarningOut]


class TextIn(Schema):
    text: str = Field("", max_length=2000)


class ReviewIn(Schema):
    accept: bool
    comment: str = Field("", max_length=2000)


class RuleVersionOut(Schema):
    version: int
    name: str
    thresholds: dict[str, Any]
    active: bool
    comment: str
    created_at: datetime


class RuleOut(Schema):
    id: UUID
    code: str
    kind: str
    kind_label: str
    name: str
    level: str
    thresholds: dict[str, Any]
    scope_item: UUID | None
    scope_department: UUID | None
    scope_region: str | None
    active: bool
    version: int
    allowed_actions: list[str]


class RuleDetailOut(RuleOut):
    versions: list[RuleVersionOut]


class RuleIn(Schema):
    code: str = Field(..., min_length=2, max_length=60, pattern=r"^[-a-z0-9_]+$")
    kind: str = Field(..., max_length=40)
    name: str = Field("", max_length=100)
    thresholds: dict[str, Any] = Field(default_factory=dict)
    scope_item: UUID | None = None
    scope_department: UUID | None = None
    scope_region: str | None = Field(None, max_length=12, description="GB/T 2260 code")
    active: bool = True


class RuleChangeIn(Schema):
    name: str | None = Field(None, max_length=100)
    thresholds: dict[str, Any] | None = None
    active: bool | None = None
    comment: str = Field("", max_length=300)


class RulePageOut(Schema):
    count: int
    results: list[RuleOut]


class AppealOut(Schema):
    id: UUID
    reasons: str
    status: str
    filed_at: datetime
    decided_at: datetime | None
    decision_comment: str


class CardOut(Schema):
    id: UUID
    department_id: UUID
    department: str
    colour: str
    colour_label: str
    period_start: date
    period_end: date
    reason: str
    status: str
    status_label: str
    red_warnings: int
    appeals: list[AppealOut]
    allowed_actions: list[str]


class CardPageOut(Schema):
    count: int
    results: list[CardOut]


class CardIn(Schema):
    department: UUID
    colour: str = Field(..., max_length=10)
    period_start: date
    period_end: date
    reason: str = Field(..., max_length=2000)


class AppealIn(Schema):
    reasons: str = Field(..., max_length=2000)


class AppealDecisionIn(Schema):
    revoke: bool
    comment: str = Field(..., max_length=2000)


class SuggestionDecisionIn(Schema):
    accept: bool
