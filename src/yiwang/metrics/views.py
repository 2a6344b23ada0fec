"""Pages: the managers' dashboards (/workbench/dashboards/) and the big screen (/screen/)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from yiwang.bases.models import RegionGeometry
from yiwang.core.errors import DomainError
from yiwang.core.models import Organisation
from yiwang.metrics import dashboards, indicators, screen
from yiwang.web.ui import current_user, domain_errors, render_error, staff_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _chart(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {"labels": [r["label"] for r in rows], "values": [r["count"] for r in rows]}


@require_GET
@staff_required
@domain_errors
def dashboard(request: HttpRequest) -> HttpResponse:
    """运行监测: filters (htmx swaps the body), figures, charts each with its table, Excel link."""
    user = current_user(request)
    dashboards.require_access(user)
    try:
        query = dashboards.parse_query(user, request.GET)
        error = None
    except DomainError as exc:
        if exc.status != 422:
            raise
        query, error = dashboards.parse_query(user, {}), exc
    summary = dashboards.summary(user, query)
    today = dashboards.today(user, query)
    top = dashboards.top_items(user, query)
    table = dashboards.metrics_table(user, query)
    for row in table["rows"]:
        row["cells"] = [row["values"][c["name"]] for c in table["columns"]]
    metric_rows = [
        {"name": m.name, "label": m.label, "unit": m.unit, "value": summary["metrics"][m.name]}
        for m in indicators.METRICS
    ]
    charts = {
        "status": _chart(today["by_status"]),
        "channel": _chart(today["by_channel"]),
        "department": _chart(today["by_department"][:15]),
        "top": _chart(top),
    }
    context = {
        "query": query,
        "error": error,
        "summary": summary,
        "today": today,
        "top": top,
        "table": table,
        "metric_rows": metric_rows,
        "charts": charts,
        "levels": [
            ("department", _("按部门")),
            ("region", _("按区划")),
            ("item", _("按事项")),
            ("channel", _("按渠道")),
        ],
        "departments": Organisation.objects.filter(pk__in=dashboards.scope_of(user))
        .order_by("name")
        .only("public_id", "name"),
        "params": request.GET.urlencode(),
    }
    template = (
        "metrics/_dashboard_body.html" if request.headers.get("HX-Request") else "metrics/dashboard.html"
    )
    return render(request, template, context, status=422 if error else 200)


@require_GET
@staff_required
@domain_errors
def export(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    query = dashboards.parse_query(user, request.GET)
    response = HttpResponse(dashboards.export_xlsx(user, query), content_type=XLSX)
    name = f"metrics-{query.level}-{query.period.start:%Y%m%d}-{query.period.end:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _screen_denied(request: HttpRequest, exc: DomainError) -> HttpResponse:
    if not request.user.is_authenticated and not request.GET.get("key"):
        from django.contrib.auth.views import redirect_to_login
        from django.urls import reverse

        return redirect_to_login(request.get_full_path(), reverse("workbench:login"))
    return render_error(request, exc)


def _screen_context(request: HttpRequest) -> dict[str, Any]:
    data = screen.payload()
    key = request.GET.get("key", "")[:300]
    return {
        "data": data,
        "charts": {
            "status": _chart(data["by_status"]),
            "channel": _chart(data["by_channel"]),
            "department": _chart(data["by_department"]),
            "top": _chart(data["top_items"]),
            "region": [
                {"name": r["label"], "code": r["key"], "value": r["count"]} for r in data["by_region"]
            ],
        },
        "key": key,
        "refresh_seconds": screen.SNAPSHOT_SECONDS,
    }


@require_GET
def screen_page(request: HttpRequest) -> HttpResponse:
    """视窗系统 The hall's big screen (1920×1080, dark)."""
    try:
        screen.check_access(request.user, request.GET.get("key", ""))
    except DomainError as exc:
        return _screen_denied(request, exc)
    return render(request, "metrics/screen.html", _screen_context(request))


@require_GET
def screen_fragment(request: HttpRequest) -> HttpResponse:
    """The figures the screen polls (htmx swaps it; the charts redraw from its JSON block)."""
    try:
        screen.check_access(request.user, request.GET.get("key", ""))
    except DomainError as exc:
        return render_error(request, exc)
    # The fragment is the same for every screen (it holds no key): rendered once per snapshot.
    language = request.LANGUAGE_CODE if hasattr(request, "LANGUAGE_CODE") else ""
    html = screen.rendered_fragment(
        language, lambda: render_to_string("metrics/_screen_body.html", _screen_context(request), request)
    )
    return HttpResponse(html)


@require_GET
def screen_regions(request: HttpRequest) -> HttpResponse:
    """The region boundaries (GeoJSON) from the geography base, for the map."""
    try:
        screen.check_access(request.user, request.GET.get("key", ""))
    except DomainError as exc:
        return render_error(request, exc)
    features = [
        {
            "type": "Feature",
            "properties": {"name": g.name, "code": g.code, "cp": [g.centroid_lng, g.centroid_lat]},
            "geometry": g.boundary,
        }
        for g in RegionGeometry.objects.exclude(boundary={}).only(
            "name", "code", "centroid_lat", "centroid_lng", "boundary"
        )
    ]
    response = JsonResponse({"type": "FeatureCollection", "features": features})
    response["Cache-Control"] = "private, max-age=3600"
    return response
