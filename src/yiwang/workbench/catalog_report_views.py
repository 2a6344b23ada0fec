"""事项管理 reports: 四级四同 consistency, data quality and catalogue statistics (service managers).

``?region=<code>`` narrows a report to a region inside the manager's scope.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from yiwang.catalog.consistency import consistency_report
from yiwang.catalog.quality import KIND_LABELS, catalogue_statistics, quality_issues
from yiwang.workbench.catalog_common import manager_required, nav_context, report_region


@manager_required
def consistency(request: HttpRequest) -> HttpResponse:
    """四级四同一致性报告."""
    region = report_region(request)
    violations = consistency_report(region)
    return render(
        request,
        "workbench/catalog/consistency.html",
        {
            **nav_context(request),
            "region": region,
            "violations": violations,
            "item_count": len({v.item_public_id for v in violations}),
        },
    )


@manager_required
def quality(request: HttpRequest) -> HttpResponse:
    """数据质量检查."""
    region = report_region(request)
    kind = request.GET.get("kind", "")
    issues = quality_issues(region)
    counts = dict.fromkeys(KIND_LABELS, 0)
    for issue in issues:
        counts[issue.kind] += 1
    if kind in KIND_LABELS:
        issues = [issue for issue in issues if issue.kind == kind]
    return render(
        request,
        "workbench/catalog/quality.html",
        {
            **nav_context(request),
            "region": region,
            "issues": issues[:500],
            "truncated": len(issues) > 500,
            "total": len(issues),
            "kinds": [(k, label, counts[k]) for k, label in KIND_LABELS.items()],
            "kind_filter": kind,
        },
    )


@manager_required
def statistics(request: HttpRequest) -> HttpResponse:
    """事项统计 By department, type and online depth; ECharts with a table fallback."""
    region = report_region(request)
    stats = catalogue_statistics(region)
    return render(
        request,
        "workbench/catalog/statistics.html",
        {**nav_context(request), "region": region, "stats": stats},
    )
