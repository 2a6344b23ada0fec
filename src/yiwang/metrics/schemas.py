"""Schemas of the dashboards API."""

from __future__ import annotations

from datetime import date

from ninja import Schema


class DashboardFilter(Schema):
    start: str = ""
    end: str = ""
    department: str = ""
    region: str = ""
    item: str = ""


class MetricsFilter(DashboardFilter):
    level: str = "department"


class CountOut(Schema):
    key: str
    label: str
    count: int


class SummaryOut(Schema):
    start: date
    end: date
    totals: dict[str, int]
    metrics: dict[str, float | None]
    overdue_now: int
    warning_count: int | None


class TodayOut(Schema):
    day: date
    by_status: list[CountOut]
    by_department: list[CountOut]
    by_channel: list[CountOut]
    by_region: list[CountOut]
    overdue_now: int
    warning_count: int | None


class ColumnOut(Schema):
    name: str
    label: str
    unit: str
    higher_is_better: bool


class MetricRowOut(Schema):
    key: str
    label: str
    values: dict[str, float | None]


class MetricsTableOut(Schema):
    start: date
    end: date
    level: str
    columns: list[ColumnOut]
    rows: list[MetricRowOut]


class SourceOut(Schema):
    name: str
    label: str
    unit: str
    higher_is_better: bool
    levels: list[str]
    context: str
