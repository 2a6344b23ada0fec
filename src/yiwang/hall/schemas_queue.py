"""Schemas of the queue API (names prefixed HallQueue…/HallWindow…: unique across the API)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from ninja import Schema
from pydantic import Field


class HallQueueTakeIn(Schema):
    category: str = Field(min_length=1, max_length=2, description="业务类别前缀，如 A")
    green_reason: str = Field("", max_length=10)
    phone: str = Field("", max_length=11)


class HallQueueTicketOut(Schema):
    id: UUID
    number: str
    category: str
    category_name: str
    priority: int
    green_reason: str
    source: str
    status: str
    window: str
    issued_at: datetime
    called_at: datetime | None
    call_count: int
    finished_at: datetime | None
    waiting_before: int | None


class HallQueueTransferIn(Schema):
    category: str = Field("", max_length=2)
    window: UUID | None = None


class HallQueueFinishIn(Schema):
    case_ids: list[UUID] = Field(default_factory=list, max_length=50)


class HallQueueCheckInIn(Schema):
    channel: str = Field("kiosk", max_length=10)


class HallQueueBoardOut(Schema):
    hall: dict[str, Any]
    windows: list[dict[str, Any]]
    now_calling: list[dict[str, Any]]
    categories: list[dict[str, Any]]
    at: datetime


class HallWindowOut(Schema):
    id: UUID
    number: str
    name: str
    status: str
    is_general: bool
    clerk: str


class HallQueueStatisticsOut(Schema):
    start: date
    end: date
    total: dict[str, Any]
    categories: list[dict[str, Any]]
    windows: list[dict[str, Any]]
    days: list[dict[str, Any]]
