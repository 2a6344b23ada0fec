"""节假日安排 The holiday calendar page: loaded years, the provisional next year, and the import."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts import staff as staff_services
from yiwang.accounts.models import StaffRole
from yiwang.core.calendar import horizon_warning, is_provisional_year, provisional_schedule
from yiwang.core.calendar_import import import_schedule, parse_schedule
from yiwang.core.errors import CoreErrorCode, DomainError
from yiwang.core.models import CalendarDay, CalendarYear
from yiwang.web.ui import current_user, domain_errors, error_context, field, field_errors, staff_required

MAX_UPLOAD = 64 * 1024


def _provisional_days(year: int) -> list[tuple[date, str]]:
    return sorted(provisional_schedule(year).names.items())


@domain_errors
@staff_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    """节假日安排: the admin sees every year and imports the State Council notice (CSV/JSON)."""
    user = current_user(request)
    staff_services.require_role(user, StaffRole.ADMIN, "manage_calendar")
    exc: DomainError | None = None
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("schedule")
        try:
            if upload is None:
                raise DomainError(
                    CoreErrorCode.VALIDATION_ERROR,
                    _("请选择文件"),
                    {"schedule": [_("请选择文件")]},
                    status=422,
                )
            if upload.size is not None and upload.size > MAX_UPLOAD:
                raise DomainError(
                    CoreErrorCode.VALIDATION_ERROR, _("文件过大"), {"schedule": [_("文件过大")]}, status=413
                )
            year_text = request.POST.get("year", "").strip()[:4]
            year = int(year_text) if year_text.isdigit() else None
            schedule = parse_schedule(upload.read(MAX_UPLOAD + 1), year=year)
            calendar_year = import_schedule(schedule, actor=user)
        except DomainError as error:
            exc, status = error, error.status
        else:
            messages.success(
                request,
                _("%(year)s 年节假日安排已导入；按预计日历计算的办理时限将自动重算。")
                % {"year": calendar_year.year},
            )
            return redirect("workbench:calendar")
    today = timezone.localdate()
    years = list(CalendarYear.objects.order_by("-year")[:6])
    following = today.year + 1
    context: dict[str, Any] = {
        "year_rows": [(y, CalendarDay.objects.filter(date__year=y.year).count()) for y in years],
        "horizon_year": horizon_warning(today),
        "following": following,
        "following_provisional": is_provisional_year(following),
        "provisional_days": _provisional_days(following),
        "controls": [
            field("year", _("年度（可选，用于核对）"), type="number", value=request.POST.get("year", "")),
            field(
                "schedule",
                _("国务院通知（CSV 或 JSON）"),
                type="file",
                accept=".csv,.json,text/csv,application/json",
                required=True,
                errors=field_errors(exc, "schedule") + field_errors(exc, "file") + field_errors(exc, "year"),
                help=_("格式见运维文档：CSV 表头 date,kind,name；kind 为 holiday（休）或 workday（班）。"),
            ),
        ],
        "error": error_context(exc, {"schedule": ("id_schedule", _("文件"))}) if exc else None,
    }
    return render(request, "workbench/calendar.html", context, status=status)
