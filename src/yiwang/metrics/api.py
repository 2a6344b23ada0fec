"""JSON API of the dashboards (mounted at /api/v1/dashboards): figures from the aggregates within the
caller's data scope.  Staff without a dashboard role get 403; bad periods or filters 422."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from yiwang.metrics import dashboards, sources
from yiwang.metrics.schemas import (
    CountOut,
    DashboardFilter,
    MetricsFilter,
    MetricsTableOut,
    SourceOut,
    SummaryOut,
    TodayOut,
)
from yiwang.web.ui import current_user

router = Router(tags=["metrics"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _query(request: HttpRequest, filters: DashboardFilter) -> dashboards.Query:
    user = current_user(request)
    dashboards.require_access(user)
    return dashboards.parse_query(user, filters.dict())


@router.get("/summary", response=SummaryOut, summary="Totals and metrics for a period and scope")
def summary(request: HttpRequest, filters: Query[DashboardFilter]) -> dict[str, Any]:
    return dashboards.summary(current_user(request), _query(request, filters))


@router.get("/today", response=TodayOut, summary="Cases today by status, department, channel, region")
def today(request: HttpRequest, filters: Query[DashboardFilter]) -> dict[str, Any]:
    return dashboards.today(current_user(request), _query(request, filters))


@router.get("/top-items", response=list[CountOut], summary="Items with the most applications")
def top_items(request: HttpRequest, filters: Query[DashboardFilter], limit: int = 10) -> list[dict[str, Any]]:
    return dashboards.top_items(current_user(request), _query(request, filters), limit=max(1, min(limit, 50)))


@router.get(
    "/metrics", response=MetricsTableOut, summary="Every metric per department, region, item or channel"
)
def metrics(request: HttpRequest, filters: Query[MetricsFilter]) -> dict[str, Any]:
    return dashboards.metrics_table(current_user(request), _query(request, filters))


@router.get(
    "/metrics/export",
    summary="The metrics table as an Excel workbook (xlsx)",
)
def export(request: HttpRequest, filters: Query[MetricsFilter]) -> HttpResponse:
    query = _query(request, filters)
    response = HttpResponse(dashboards.export_xlsx(current_user(request), query), content_type=XLSX)
    name = f"metrics-{query.level}-{query.period.start:%Y%m%d}-{query.period.end:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get("/sources", response=list[SourceOut], summary="Registered indicator sources")
def list_sources(request: HttpRequest) -> list[dict[str, Any]]:
    dashboards.require_access(current_user(request))
    return [
        {
            "name": s.name,
            "label": str(s.label),
            "unit": s.unit,
            "higher_is_better": s.higher_is_better,
            "levels": list(s.levels),
            "context": s.context,
        }
        for s in sources.all_sources()
    ]
