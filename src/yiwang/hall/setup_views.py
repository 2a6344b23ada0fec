"""大厅配置 The hall manager's set-up page (/workbench/hall/setup/): categories, window groups and
windows at a glance; appointment schedules (add, switch on/off), closing a day at short notice, and
making the slots of the next 30 days now (the daily job ``hall_slots`` does it too)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.catalog.models import ServiceItem
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.core.inputs import parse_day
from yiwang.hall.access import is_hall_manager
from yiwang.hall.errors import HallErrorCode
from yiwang.hall.models import (
    AppointmentKind,
    AppointmentSchedule,
    BusinessCategory,
    Hall,
    Window,
    WindowGroup,
)
from yiwang.hall.services import setup
from yiwang.hall.services.slots import materialise_slots
from yiwang.web.ui import current_user, domain_errors, staff_required

WEEKDAYS = [
    (1, gettext_noop("周一")),
    (2, gettext_noop("周二")),
    (3, gettext_noop("周三")),
    (4, gettext_noop("周四")),
    (5, gettext_noop("周五")),
    (6, gettext_noop("周六")),
    (7, gettext_noop("周日")),
]


def _halls(user: User) -> list[Hall]:
    halls = [h for h in Hall.objects.filter(is_active=True).order_by("name") if is_hall_manager(user, h)]
    if not halls:
        raise PermissionDenied(_("只有大厅管理人员可以配置大厅"), code=HallErrorCode.FORBIDDEN)
    return halls


def _hall(request: HttpRequest, user: User) -> Hall:
    halls = _halls(user)
    wanted = request.GET.get("hall") or request.POST.get("hall") or ""
    return next((h for h in halls if str(h.public_id) == wanted), halls[0])


def _back(hall: Hall) -> HttpResponse:
    return redirect(f"{reverse('hall:setup')}?hall={hall.public_id}")


@staff_required
@domain_errors
def setup_page(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    hall = _hall(request, user)
    categories = (
        BusinessCategory.objects.filter(hall=hall).annotate(item_count=Count("items")).order_by("sort_order")
    )
    schedules = (
        AppointmentSchedule.objects.filter(hall=hall)
        .select_related("window_group", "item")
        .order_by("window_group__name", "kind", "start_time")
    )
    context: dict[str, Any] = {
        "hall": hall,
        "halls": _halls(user),
        "categories": list(categories),
        "groups": list(WindowGroup.objects.filter(hall=hall).order_by("name")),
        "windows": list(Window.objects.filter(hall=hall).select_related("group").order_by("number")),
        "schedules": list(schedules),
        "items": list(
            ServiceItem.objects.filter(
                pk__in=BusinessCategory.items.through.objects.filter(businesscategory__hall=hall).values(
                    "serviceitem"
                )
            ).order_by("name")
        ),
        "weekdays": WEEKDAYS,
        "kinds": AppointmentKind.choices,
        "today": timezone.localdate(),
    }
    return render(request, "hall/setup/index.html", context)


def _time(raw: str, field: str) -> time:
    try:
        return datetime.strptime(raw.strip()[:5], "%H:%M").time()
    except ValueError as exc:
        raise DomainError(HallErrorCode.INVALID_INPUT, _("时间格式应为 HH:MM"), {field: [raw[:20]]}) from exc


def _number(raw: str, field: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError) as exc:
        raise DomainError(HallErrorCode.INVALID_INPUT, _("请填写数字"), {field: [str(raw)[:20]]}) from exc
    if not low <= value <= high:
        raise DomainError(HallErrorCode.INVALID_INPUT, _("数字超出范围"), {field: [str(value)]})
    return value


@staff_required
@require_POST
@domain_errors
def add_schedule(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    hall = _hall(request, user)
    group = WindowGroup.objects.filter(hall=hall, public_id=_uuid(request.POST.get("group", ""))).first()
    if group is None:
        raise DomainError(HallErrorCode.INVALID_INPUT, _("请选择窗口组"), {"group": [""]})
    item = None
    if request.POST.get("item"):
        item = ServiceItem.objects.filter(public_id=_uuid(request.POST["item"])).first()
        if item is None:
            raise DomainError(HallErrorCode.INVALID_INPUT, _("事项不存在"), {"item": [""]})
    weekdays = sorted({_number(raw, "weekdays", 1, 7) for raw in request.POST.getlist("weekdays")[:7]})
    kind = request.POST.get("kind", AppointmentKind.VISIT)
    if kind not in AppointmentKind.values:
        raise DomainError(HallErrorCode.INVALID_INPUT, _("预约类型有误"), {"kind": [kind[:20]]})
    setup.add_schedule(
        hall,
        window_group=group,
        item=item,
        kind=kind,
        weekdays=weekdays,
        start_time=_time(request.POST.get("start_time", ""), "start_time"),
        end_time=_time(request.POST.get("end_time", ""), "end_time"),
        slot_minutes=_number(request.POST.get("slot_minutes", ""), "slot_minutes", 5, 240),
        capacity=_number(request.POST.get("capacity", ""), "capacity", 1, 500),
        actor=user,
    )
    made = materialise_slots(hall, days=30, actor=user)
    messages.success(request, _("已新增预约时段规则，生成 %(n)d 个时段。") % {"n": made})
    return _back(hall)


def _uuid(raw: str) -> UUID:
    """The id from a form field; a malformed one becomes an id nothing has (the lookup then finds
    nothing and the caller answers with its clear 400)."""
    try:
        return UUID(str(raw))
    except ValueError:
        return UUID(int=0)


@staff_required
@require_POST
@domain_errors
def switch_schedule(request: HttpRequest, schedule_id: UUID) -> HttpResponse:
    user = current_user(request)
    schedule = AppointmentSchedule.objects.select_related("hall").filter(public_id=schedule_id).first()
    if schedule is None or not is_hall_manager(user, schedule.hall):
        raise Http404(_("预约时段规则不存在"))
    active = request.POST.get("active") == "1"
    closed = setup.set_schedule_active(schedule, active=active, actor=user)
    if active:
        materialise_slots(schedule.hall, days=30, actor=user)
    messages.success(
        request,
        _("已启用该规则。") if active else _("已停用该规则，关闭 %(n)d 个无人预约的时段。") % {"n": closed},
    )
    return _back(schedule.hall)


@staff_required
@require_POST
@domain_errors
def close_day(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    hall = _hall(request, user)
    day = parse_day(request.POST.get("day", ""))
    if day is None:
        raise DomainError(HallErrorCode.INVALID_INPUT, _("请选择日期"), {"day": [""]})
    reopen = request.POST.get("reopen") == "1"
    changed = setup.close_day(hall, day, actor=user, reopen=reopen)
    messages.success(request, _("已更新 %(n)d 个时段。") % {"n": changed})
    return _back(hall)


@staff_required
@require_POST
@domain_errors
def make_slots(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    hall = _hall(request, user)
    made = materialise_slots(hall, days=30, actor=user)
    messages.success(request, _("已生成 %(n)d 个新时段。") % {"n": made})
    return _back(hall)
