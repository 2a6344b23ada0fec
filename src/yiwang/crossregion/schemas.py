"""Ninja schemas of crossregion (names unique across the API: ``Crossregion…``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from ninja import Schema


class CrossregionMaterialOut(Schema):
    id: str
    name: str
    mandatory: bool


class CrossregionItemOut(Schema):
    id: UUID
    region: str
    node: str
    code: str
    name: str
    department: str
    tongban_range: str
    required_assurance_level: int
    materials: list[CrossregionMaterialOut]
    form_definition: dict[str, Any]


class CrossregionStepOut(Schema):
    sequence: int
    event: str
    label: str
    status: str
    at: str


class CrossregionCaseOut(Schema):
    id: UUID
    item: str
    item_id: UUID
    region: str
    state: str
    number: str
    status: str
    status_label: str
    refused_code: str
    refused_reason: str
    submitted_at: datetime
    history: list[CrossregionStepOut]


class CrossregionNodeRegionOut(Schema):
    name: str
    region_code: str
    sso_issuer: str
    sso_client_id: str


class CrossregionNodeItemOut(Schema):
    id: str
    code: str
    name: str
    department: str
    tongban_range: str
    required_assurance_level: int
    form_definition: dict[str, Any]
    materials: list[CrossregionMaterialOut]


class CrossregionNodeItemsOut(Schema):
    region: CrossregionNodeRegionOut
    items: list[CrossregionNodeItemOut]
