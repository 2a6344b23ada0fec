"""Ninja schemas of the open-data API (names prefixed ``Opendata``: unique across the API)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ninja import Schema
from pydantic import Field

from yiwang.opendata.models import DatasetLicence, DatasetSource, DatasetTheme, DistributionFormat
from yiwang.sharing.models import UpdateCycle


class OpendataDistributionOut(Schema):
    format: str
    media_type: str
    download_url: str
    ready: bool = Field(description="the file has been generated")
    byte_size: int
    sha256: str
    row_count: int
    columns: list[str]
    generated_at: datetime | None
    download_count: int


class OpendataDatasetRowOut(Schema):
    id: UUID
    title: str
    theme: str
    theme_label: str
    publisher: str
    keywords: list[str]
    licence: str
    modified: datetime
    download_count: int
    formats: list[str]


class OpendataDatasetOut(OpendataDatasetRowOut):
    description: str
    licence_label: str
    licence_note: str
    update_frequency: str
    issued: datetime
    status: str
    resource_code: str
    jsonld_url: str
    distributions: list[OpendataDistributionOut]
    allowed_actions: list[str] = Field(default_factory=list, description="download, update, withdraw")


class OpendataDatasetPageOut(Schema):
    count: int
    items: list[OpendataDatasetRowOut]


class OpendataDatasetFilter(Schema):
    q: str = Field("", max_length=100, description="中文、拼音或首字母")
    theme: DatasetTheme | None = None
    publisher: UUID | None = None


class OpendataThemeOut(Schema):
    code: str
    name: str
    count: int


class OpendataDatasetIn(Schema):
    resource_id: UUID
    source: DatasetSource
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    keywords: list[str] = Field(default_factory=list, max_length=20)
    theme: DatasetTheme
    licence: DatasetLicence = DatasetLicence.CC_BY_4
    licence_note: str = Field(default="", max_length=2000)
    update_frequency: UpdateCycle | None = None


class OpendataDatasetPatchIn(Schema):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    keywords: list[str] | None = Field(default=None, max_length=20)
    theme: DatasetTheme | None = None
    licence: DatasetLicence | None = None
    licence_note: str | None = Field(default=None, max_length=2000)
    update_frequency: UpdateCycle | None = None


class OpendataReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=500)


class OpendataKeyIn(Schema):
    name: str = Field(min_length=1, max_length=100, description="用途")


class OpendataKeyOut(Schema):
    id: UUID
    name: str
    prefix: str
    daily_quota: int
    used_today: int
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class OpendataIssuedKeyOut(OpendataKeyOut):
    key: str = Field(description="shown once: send it as the X-Open-Data-Key header")


class OpendataBulkEntryOut(Schema):
    id: UUID
    title: str
    modified: datetime
    distributions: list[OpendataDistributionOut]


FORMATS = tuple(DistributionFormat.values)
