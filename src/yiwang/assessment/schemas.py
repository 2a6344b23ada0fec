"""Schemas of the assessment API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from ninja import Field, Schema


class AssessmentSourceOut(Schema):
    name: str
    label: str
    unit: str
    higher_is_better: bool
    levels: list[str]
    context: str


class AssessmentIndicatorIn(Schema):
    source: str = Field(max_length=60)
    weight: Decimal = Field(description="points out of 100; the weights of a published scheme sum to 100")
    method: str = Field("linear", description="linear | ranking | threshold")
    label: str = Field("", max_length=100)
    direction: str = Field("", description="'' (the source's), higher or lower")
    floor: float | None = None
    target: float | None = None
    threshold: float | None = None
    cap: int = Field(100, ge=1, le=200, description="at most this % of the weight")
    missing: str = Field("zero", description="zero | exclude")


class AssessmentSchemeIn(Schema):
    name: str = Field(max_length=100)
    description: str = Field("", max_length=2000)
    level: str = Field("department", description="department | region")
    period_kind: str = Field("quarter", description="month | quarter | year")
    indicators: list[AssessmentIndicatorIn] = Field(default_factory=list, max_length=30)
    lock_version: int | None = None


class AssessmentIndicatorOut(AssessmentIndicatorIn):
    pass


class AssessmentSchemeOut(Schema):
    id: UUID
    family: UUID
    version: int
    name: str
    description: str
    level: str
    period_kind: str
    status: str
    status_label: str
    owner: str
    weights_total: Decimal
    indicators: list[AssessmentIndicatorOut]
    lock_version: int
    published_at: datetime | None
    allowed_actions: list[str]


class AssessmentSchemePageOut(Schema):
    count: int
    results: list[AssessmentSchemeOut]


class AssessmentRunIn(Schema):
    scheme: UUID
    period: str = Field(max_length=10, description="2026-03 (month), 2026-Q1 (quarter) or 2026 (year)")


class AssessmentBreakdownOut(Schema):
    source: str
    value: float | None
    fraction: float | None
    points: Decimal
    missing: bool
    excluded: bool


class AssessmentResultOut(Schema):
    unit: str
    label: str
    total: Decimal
    rank: int
    breakdown: list[AssessmentBreakdownOut]


class AssessmentRunOut(Schema):
    id: UUID
    scheme: UUID
    scheme_name: str
    scheme_version: int
    level: str
    period: str
    period_start: date
    period_end: date
    status: str
    status_label: str
    published_at: datetime | None
    units: int
    indicators: list[dict[str, object]]
    results: list[AssessmentResultOut]
    allowed_actions: list[str]


class AssessmentRunPageOut(Schema):
    count: int
    results: list[AssessmentRunOut]
