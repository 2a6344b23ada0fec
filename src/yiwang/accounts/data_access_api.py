"""``GET /api/v1/accounts/me/data-access-log``: who read my personal data (个人信息查阅记录).

The data subject's view of :mod:`yiwang.core.personal_data`'s access log: the reader's department,
name masked to the surname, role, the time, what was shown and the purpose — newest first, in keyset
pages (``cursor`` from ``next_cursor`` / ``previous_cursor``).  Only the caller's own rows.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from yiwang.accounts.personal_data import access_rows
from yiwang.core import keyset, personal_data
from yiwang.core.errors import CoreErrorCode, DomainError

router = Router(tags=["accounts"])


class DataAccessOut(Schema):
    occurred_at: datetime
    department: str = Field(description="the reader's department")
    reader: str = Field(description="the reader's name, masked to the surname")
    role: str = Field(description="the reader's roles")
    object_type: str = Field(description="what was read: case, licence, account")
    object_label: str = Field(description="e.g. the case number")
    fields: list[str] = Field(description="name, id_number, phone, address, form_data, licence_data")
    unmasked: bool = Field(description="shown in full (with the permission and a purpose)")
    channel: str
    purpose: str


class DataAccessPageOut(Schema):
    items: list[DataAccessOut]
    next_cursor: str | None
    previous_cursor: str | None


class DataAccessQuery(Schema):
    cursor: str | None = Field(default=None, max_length=keyset.MAX_CURSOR_LENGTH)
    limit: int = Field(default=20, ge=1, le=100)


@router.get(
    "/me/data-access-log",
    response=DataAccessPageOut,
    summary="Who read my personal data (个人信息查阅记录)",
)
def my_data_access_log(request: HttpRequest, query: Query[DataAccessQuery]) -> DataAccessPageOut:
    try:
        page = keyset.keyset_page(
            personal_data.reads_of(request.user),
            personal_data.ORDERING,
            query.cursor,
            size=query.limit,
            invalid="raise",
        )
    except keyset.InvalidCursor as exc:
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR, "分页游标无效", {"cursor": ["分页游标无效"]}
        ) from exc
    return DataAccessPageOut(
        items=[DataAccessOut(**row) for row in access_rows(page.rows)],
        next_cursor=page.next_cursor,
        previous_cursor=page.previous_cursor,
    )
