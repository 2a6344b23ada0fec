"""Schemas of the appointments API (every name starts with ``Hall``)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from ninja import Field, Schema


class HallOut(Schema):
    id: UUID
    code: str
    name: str
    address: str


class HallSlotOut(Schema):
    id: UUID
    day: date
    starts_at: datetime
    ends_at: datetime
    remaining: int
    kind: str


class HallSlotsQuery(Schema):
    item: UUID
    start: date | None = None
    days: int = Field(14, ge=1, le=31)
    kind: str = Field("visit", pattern="^(visit|door)$")


class HallAppointmentIn(Schema):
    slot: UUID
    item: UUID
    name: str = Field("", max_length=100)
    id_number: str = Field("", max_length=18)
    phone: str = Field("", max_length=20)
    kind: str = Field("visit", pattern="^(visit|door)$")
    channel: str = Field("", pattern="^(|web|mobile|hotline|window)$")
    address: str = Field("", max_length=200)
    note: str = Field("", max_length=200)


class HallAppointmentOut(Schema):
    id: UUID
    code: str
    status: str
    status_label: str
    kind: str
    channel: str
    hall: str
    hall_address: str
    item: str
    starts_at: datetime
    ends_at: datetime
    name: str
    id_number: str
    phone: str
    address: str
    reschedule_count: int
    allowed_actions: list[str]


class HallAppointmentDetailOut(HallAppointmentOut):
    checkin_token: str


class HallAppointmentPageOut(Schema):
    count: int
    results: list[HallAppointmentOut]


class HallAppointmentFilter(Schema):
    hall: UUID | None = None
    day: date | None = None
    day_to: date | None = None
    status: str = Field("", pattern="^(|booked|checked_in|served|cancelled|no_show)$")
    kind: str = Field("", pattern="^(|visit|door)$")


class HallCancelIn(Schema):
    reason: str = Field("", max_length=200)


class HallRescheduleIn(Schema):
    slot: UUID


class HallBlockOut(Schema):
    id: UUID
    hall: str
    status: str
    status_label: str
    starts_on: date
    ends_on: date
    no_shows: int
    appeal_reason: str
    appealed_at: datetime | None
    decision: str
    decision_note: str
    allowed_actions: list[str]


class HallBlockPageOut(Schema):
    count: int
    results: list[HallBlockOut]


class HallAppealIn(Schema):
    reason: str = Field(..., min_length=1, max_length=1000)


class HallDecisionIn(Schema):
    lift: bool
    note: str = Field("", max_length=1000)
