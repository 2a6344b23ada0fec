"""办件库, 办件统计 and 归档包 pages: thin views over cases.library and cases.archive."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from yiwang.accounts import staff as staff_scope
from yiwang.cases import archive, library, reads
from yiwang.cases.models import ArchivePackage, CaseStatus
from yiwang.catalog.models import ServiceItem
from yiwang.core.errors import CoreErrorCode, DomainError
from yiwang.core.keyset import keyset_page
from yiwang.core.models import Channel
from yiwang.web.ui import current_user, error_context, render_error, staff_required
from yiwang.workbench.todo_views import with_due

LIBRARY_PAGE_SIZE = 50
LIBRARY_COUNT_CAP = 1000  # the library's total is counted up to this, then shown as "1000+"
LIBRARY_ORDERING = ("-submitted_at", "-id")  # library.search_cases's order
LIBRARY_ROW_FIELDS = (
    *reads.TODO_ROW_FIELDS,
    "channel",
    "handling_organisation__name",
)
GROUP_LABELS = {
    "item": gettext_noop("按事项"),
    "department": gettext_noop("按部门"),
    "status": gettext_noop("按状态"),
    "channel": gettext_noop("按渠道"),
    "month": gettext_noop("按月份"),
}


def _filter_options(request: HttpRequest) -> dict[str, Any]:
    user = current_user(request)
    organisations = staff_scope.organisations_in_scope(user, library.LIBRARY_ROLES).order_by("name")
    return {
        "departments": list(organisations.values_list("public_id", "name")),
        "items": list(
            ServiceItem.objects.filter(implementing_body__in=organisations.values("pk"))
            .order_by("name")
            .values_list("public_id", "name")
            .distinct()[:500]
        ),
        "statuses": CaseStatus.choices,
        "channels": Channel.choices,
    }


def _criteria(request: HttpRequest) -> tuple[library.LibraryFilter, DomainError | None]:
    try:
        return library.parse_filter(request.GET), None
    except DomainError as exc:
        return library.LibraryFilter(), exc


@staff_required
def case_library(request: HttpRequest) -> HttpResponse:
    """办件库 Search every case in the staff member's data scope."""
    user = current_user(request)
    try:
        library.require_library_access(user)
    except DomainError as refusal:
        return render_error(request, refusal)
    criteria, exc = _criteria(request)
    cases = library.search_cases(user, criteria)
    # 50 rows a page, keyset paged in the search's order (newest first): page 200 costs page 1.
    page = keyset_page(
        cases.only(*LIBRARY_ROW_FIELDS), LIBRARY_ORDERING, request.GET.get("cursor"), size=LIBRARY_PAGE_SIZE
    )
    rows = with_due(page.rows)
    # The total is a bounded count: exact up to the cap, then "1000+" (a scope of 1M cases is not
    # counted on every page).
    total = cases.order_by().values("id")[: LIBRARY_COUNT_CAP + 1].count()
    archived = set(
        ArchivePackage.objects.filter(case__in=[c.pk for c in rows]).values_list("case_id", flat=True)
    )
    for case in rows:
        case.has_archive = case.pk in archived  # type: ignore[attr-defined]
    query = criteria.as_query()
    return render(
        request,
        "workbench/library/cases.html",
        {
            **_filter_options(request),
            "criteria": criteria,
            "page": page,
            "next_query": page.next_query(request.GET),
            "previous_query": page.previous_query(request.GET),
            "cases": rows,
            "total": total,
            "total_capped": total > LIBRARY_COUNT_CAP,
            "count_cap": LIBRARY_COUNT_CAP,
            "report_query": urlencode(query),
            "error": error_context(exc) if exc else None,
            "can_view_archives": archive.can_view_archives(user),
        },
        status=exc.status if exc else 200,
    )


@staff_required
def case_report(request: HttpRequest) -> HttpResponse:
    """办件统计 Counts and on-time rate by one dimension, as a chart and the same data as a table."""
    user = current_user(request)
    group_by = request.GET.get("group_by", "item")
    if group_by not in library.GROUPINGS:
        group_by = "item"
    criteria, exc = _criteria(request)
    try:
        rows = library.case_report(user, criteria, group_by)
    except DomainError as error:
        return render_error(request, error)
    query = criteria.as_query()
    return render(
        request,
        "workbench/library/report.html",
        {
            **_filter_options(request),
            "criteria": criteria,
            "group_by": group_by,
            "groupings": [(key, _(label)) for key, label in GROUP_LABELS.items()],
            "rows": rows,
            "chart": {
                "labels": [r.label for r in rows],
                "total": [r.total for r in rows],
                "closed": [r.closed for r in rows],
                "on_time_rate": [
                    None if r.on_time_rate is None else round(r.on_time_rate * 100, 1) for r in rows
                ],
            },
            "totals": {
                "total": sum(r.total for r in rows),
                "closed": sum(r.closed for r in rows),
            },
            "filter_query": urlencode(query),
            "error": error_context(exc) if exc else None,
        },
        status=exc.status if exc else 200,
    )


@staff_required
def archive_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """归档包 The manifest of a closed case's package; POST verifies it again."""
    user = current_user(request)
    try:
        if not archive.can_view_archives(user):
            raise DomainError(
                CoreErrorCode.PERMISSION_DENIED, _("仅监察人员、审批人或数据专员可查看归档包"), status=403
            )
        package = archive.package_for(user, public_id)
    except DomainError as exc:
        return render_error(request, exc)
    report = None
    if request.method == "POST":
        report = archive.verify_archive(package, actor=user)
        if report.ok:
            messages.success(request, _("校验通过：归档包及在库文件均与清单一致。"))
        else:
            messages.error(request, _("校验发现 %(n)d 处不一致。") % {"n": len(report.problems)})
        return redirect("workbench:archive_detail", public_id=public_id)
    return render(
        request,
        "workbench/library/archive.html",
        {
            "package": package,
            "case": package.case,
            "entries": package.manifest.get("entries", []),
            "report": report,
        },
    )
