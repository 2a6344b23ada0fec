"""Schemas of the tickets API (names prefixed ``Ticket…``: unique across the API)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from ninja import Field, Schema

Category = Literal["consultation", "complaint", "suggestion", "help", "praise"]


class TicketIn(Schema):
    """An applicant files a ticket (web or app)."""

    category: Category
    title: str = Field(..., min_length=1, max_length=200)
    content: str = Field(..., min_length=1, max_length=4000)
    region_code: str = Field("", max_length=12, pattern=r"^\d*$")
    contact_name: str = Field("", max_length=100)
    contact_phone: str = Field("", max_length=20, pattern=r"^[\d-]*$")
    channel: Literal["web", "mobile"] = "web"
    case_id: UUID | None = None


class TicketCallIn(Schema):
    """A hotline agent records a call (来电登记); ``answer`` closes it on the spot (直接办结),
    ``dispatch`` hands it to ``department`` or the routing rules' choice."""

    caller_name: str = Field("", max_length=100)
    caller_phone: str = Field("", max_length=20, pattern=r"^[\d-]*$")
    category: Category
    title: str = Field(..., min_length=1, max_length=200)
    content: str = Field(..., min_length=1, max_length=4000)
    region_code: str = Field("", max_length=12, pattern=r"^\d*$")
    dispatch: bool = False
    department: UUID | None = None
    answer: str = Field("", max_length=4000)


class TicketFilter(Schema):
    status: str = Field("", max_length=12, description="a status, or `open` for all not closed/merged")
    category: str = Field("", max_length=16)
    channel: str = Field("", max_length=10)
    overdue: bool = False
    department: UUID | None = None


class TicketRowOut(Schema):
    id: UUID
    number: str
    category: str
    category_label: str
    channel: str
    status: str
    status_label: str
    title: str
    department: str
    created_at: datetime
    accept_due: date | None
    reply_due: date | None
    overdue: bool


class TicketPageOut(Schema):
    count: int
    results: list[TicketRowOut]


class TicketEventOut(Schema):
    kind: str
    from_status: str
    to_status: str
    department: str
    note: str
    occurred_at: datetime


class TicketExtensionOut(Schema):
    days: int
    reason: str
    status: str
    comment: str
    requested_at: datetime


class TicketDetailOut(TicketRowOut):
    content: str
    region_code: str
    contact_name: str = Field(description="masked for staff")
    contact_phone: str = Field(description="masked for staff")
    keywords: list[str]
    tags: list[str]
    conversation: list[dict[str, str]]
    reply: str
    replied_at: datetime | None
    revisit_result: str
    reopened_count: int
    merged_into: str
    closed_at: datetime | None
    events: list[TicketEventOut]
    extensions: list[TicketExtensionOut]
    allowed_actions: list[str]


class TicketDispatchIn(Schema):
    department: UUID | None = Field(None, description="empty: the routing rules' choice")
    note: str = Field("", max_length=500)


class TicketTransferIn(Schema):
    department: UUID
    reason: str = Field(..., max_length=1000)


class TicketReasonIn(Schema):
    reason: str = Field(..., max_length=1000)


class TicketExtendIn(Schema):
    days: int = Field(..., ge=1, le=20)
    reason: str = Field(..., max_length=1000)


class TicketExtensionDecisionIn(Schema):
    approve: bool
    comment: str = Field("", max_length=1000)


class TicketReplyIn(Schema):
    text: str = Field(..., max_length=4000)


class TicketRevisitIn(Schema):
    result: Literal["satisfied", "basic", "unsatisfied"]
    note: str = Field("", max_length=1000)


class TicketMergeIn(Schema):
    into: UUID


class TicketCloseIn(Schema):
    note: str = Field("", max_length=1000)


class TicketSuggestIn(Schema):
    text: str = Field(..., min_length=1, max_length=4000)
    category: str = Field("", max_length=16)
    region_code: str = Field("", max_length=12, pattern=r"^\d*$")


class TicketSimilarOut(Schema):
    id: UUID
    number: str
    title: str
    status_label: str


class TicketSuggestionOut(Schema):
    keywords: list[str]
    category: str
    tags: list[str]
    department_id: UUID | None
    department: str
    similar: list[TicketSimilarOut]


class TicketCaseOut(Schema):
    id: UUID
    number: str
    item: str
    status: str
    submitted_at: datetime


class TicketCallerOut(Schema):
    tickets: list[TicketRowOut]
    cases: list[TicketCaseOut]
