"""Queue part of /api/v1/hall/: tickets, calling, windows, check-in, statistics.  Errors answer
``{"code","message","fields"}`` with the codes of :class:`yiwang.hall.errors.HallErrorCode`."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from yiwang.accounts.models import AccountKind, User
from yiwang.core.errors import DomainError, NotFound
from yiwang.hall import reads_queue
from yiwang.hall.access import is_hall_staff, may_read_hall_statistics
from yiwang.hall.errors import HallErrorCode
from yiwang.hall.models import (
    Appointment,
    BusinessCategory,
    Hall,
    QueueStatus,
    QueueTicket,
    TicketSource,
    Window,
)
from yiwang.hall.schemas_queue import (
    HallQueueBoardOut,
    HallQueueCheckInIn,
    HallQueueFinishIn,
    HallQueueStatisticsOut,
    HallQueueTakeIn,
    HallQueueTicketOut,
    HallQueueTransferIn,
    HallWindowOut,
)
from yiwang.hall.services import checkin, queue, windows
from yiwang.web.ui import current_user

router = Router(tags=["hall"])
MAX_DAYS = 366


def _hall(hall_id: UUID) -> Hall:
    hall = Hall.objects.filter(public_id=hall_id, is_active=True).first()
    if hall is None:
        raise NotFound("没有这个大厅", code=HallErrorCode.NOT_FOUND)
    return hall


def _user(request: HttpRequest) -> User | None:
    user = current_user(request)
    return user if getattr(user, "is_authenticated", False) else None


def _staff(request: HttpRequest, hall: Hall) -> User:
    user = _user(request)
    if user is None or not is_hall_staff(user, hall):
        raise DomainError(HallErrorCode.FORBIDDEN, "只有本大厅的窗口人员可以执行此操作", status=403)
    return user


def ticket_out(t: QueueTicket) -> dict[str, Any]:
    before = None
    if t.status == QueueStatus.WAITING:
        before = (
            QueueTicket.objects.filter(
                hall_id=t.hall_id, day=t.day, category_id=t.category_id, status=QueueStatus.WAITING
            )
            .filter(issued_at__lt=t.issued_at, priority__gte=t.priority)
            .count()
        )
    return {
        "id": t.public_id,
        "number": t.number,
        "category": t.category.prefix,
        "category_name": t.category.name,
        "priority": t.priority,
        "green_reason": t.green_reason,
        "source": t.source,
        "status": t.status,
        "window": t.window.number if t.window else "",
        "issued_at": t.issued_at,
        "called_at": t.called_at,
        "call_count": t.call_count,
        "finished_at": t.finished_at,
        "waiting_before": before,
    }


def _ticket(request: HttpRequest, ticket_id: UUID) -> QueueTicket:
    ticket = (
        QueueTicket.objects.select_related("hall", "category", "window").filter(public_id=ticket_id).first()
    )
    user = _user(request)
    if ticket is None or user is None:
        raise NotFound("没有这个号码", code=HallErrorCode.NOT_FOUND)
    if ticket.applicant_id != user.pk and not is_hall_staff(user, ticket.hall):
        raise NotFound("没有这个号码", code=HallErrorCode.NOT_FOUND)
    return ticket


def _window(request: HttpRequest, window_id: UUID) -> tuple[Window, User]:
    window = Window.objects.select_related("hall").filter(public_id=window_id).first()
    user = _user(request)
    if window is None or user is None or not is_hall_staff(user, window.hall):
        raise NotFound("没有这个窗口", code=HallErrorCode.NOT_FOUND)
    return window, user


def window_out(w: Window) -> dict[str, Any]:
    return {
        "id": w.public_id,
        "number": w.number,
        "name": w.name,
        "status": w.status,
        "is_general": w.is_general,
        "clerk": w.clerk.display_name if w.clerk_id and w.clerk else "",
    }


@router.post("/halls/{hall_id}/tickets", response={201: HallQueueTicketOut}, summary="取号")
def take_ticket(request: HttpRequest, hall_id: UUID, payload: HallQueueTakeIn) -> Status:
    # the category with its hall in one statement; when there is none, say which one is missing
    category = (
        BusinessCategory.objects.select_related("hall")
        .filter(hall__public_id=hall_id, hall__is_active=True, prefix=payload.category.strip().upper())
        .first()
    )
    if category is None:
        _hall(hall_id)
        raise NotFound("该大厅没有这个业务类别", code=HallErrorCode.NOT_FOUND)
    hall = category.hall
    user = _user(request)
    applicant = user if user is not None and user.kind != AccountKind.STAFF else None
    source = (
        TicketSource.WINDOW if user is not None and user.kind == AccountKind.STAFF else TicketSource.MOBILE
    )
    if user is not None and user.kind == AccountKind.STAFF and not is_hall_staff(user, hall):
        raise DomainError(HallErrorCode.FORBIDDEN, "只有本大厅的工作人员可以代为取号", status=403)
    ticket = queue.take_ticket(
        hall=hall,
        category=category,
        source=source,
        applicant=applicant,
        phone=payload.phone,
        green_reason=payload.green_reason,
        actor=user,
    )
    return Status(201, ticket_out(ticket))


@router.get("/halls/{hall_id}/queue", response=HallQueueBoardOut, auth=None, summary="叫号屏数据（公开）")
def board(request: HttpRequest, hall_id: UUID) -> dict[str, Any]:
    data = reads_queue.board(_hall(hall_id).code)
    if data is None:  # pragma: no cover - the hall was just found
        raise NotFound("没有这个大厅", code=HallErrorCode.NOT_FOUND)
    for w in data["windows"]:
        w.pop("called_at", None)
    return data


@router.get("/tickets/{ticket_id}", response=HallQueueTicketOut, summary="排队号（本人或大厅工作人员）")
def get_ticket(request: HttpRequest, ticket_id: UUID) -> dict[str, Any]:
    return ticket_out(_ticket(request, ticket_id))


@router.post("/windows/{window_id}/open", response=HallWindowOut, summary="登录窗口")
def open_window(request: HttpRequest, window_id: UUID) -> dict[str, Any]:
    window, user = _window(request, window_id)
    return window_out(windows.open_window(window=window, clerk=user))


@router.post("/windows/{window_id}/pause", response=HallWindowOut, summary="暂停服务")
def pause_window(request: HttpRequest, window_id: UUID) -> dict[str, Any]:
    window, user = _window(request, window_id)
    return window_out(windows.pause_window(window=window, clerk=user))


@router.post("/windows/{window_id}/close", response=HallWindowOut, summary="关闭窗口")
def close_window(request: HttpRequest, window_id: UUID) -> dict[str, Any]:
    window, user = _window(request, window_id)
    return window_out(windows.close_window(window=window, clerk=user))


@router.post("/windows/{window_id}/call-next", response=HallQueueTicketOut, summary="叫下一个号")
def call_next(request: HttpRequest, window_id: UUID) -> dict[str, Any]:
    window, user = _window(request, window_id)
    return ticket_out(queue.call_next(window=window, clerk=user))


def _at_window(request: HttpRequest, ticket_id: UUID) -> tuple[QueueTicket, User]:
    ticket = _ticket(request, ticket_id)
    user = _staff(request, ticket.hall)
    return ticket, user


@router.post("/tickets/{ticket_id}/recall", response=HallQueueTicketOut, summary="重呼")
def recall(request: HttpRequest, ticket_id: UUID) -> dict[str, Any]:
    ticket, user = _at_window(request, ticket_id)
    return ticket_out(queue.recall(ticket=ticket, clerk=user))


@router.post("/tickets/{ticket_id}/skip", response=HallQueueTicketOut, summary="过号")
def skip(request: HttpRequest, ticket_id: UUID) -> dict[str, Any]:
    ticket, user = _at_window(request, ticket_id)
    return ticket_out(queue.skip(ticket=ticket, clerk=user))


@router.post("/tickets/{ticket_id}/requeue", response=HallQueueTicketOut, summary="过号重排（一次）")
def requeue(request: HttpRequest, ticket_id: UUID) -> dict[str, Any]:
    ticket, user = _at_window(request, ticket_id)
    return ticket_out(queue.requeue(ticket=ticket, clerk=user))


@router.post("/tickets/{ticket_id}/start", response=HallQueueTicketOut, summary="开始办理")
def start(request: HttpRequest, ticket_id: UUID) -> dict[str, Any]:
    ticket, user = _at_window(request, ticket_id)
    return ticket_out(queue.start_service(ticket=ticket, clerk=user))


@router.post("/tickets/{ticket_id}/finish", response=HallQueueTicketOut, summary="办结（邀请评价）")
def finish(request: HttpRequest, ticket_id: UUID, payload: HallQueueFinishIn) -> dict[str, Any]:
    ticket, user = _at_window(request, ticket_id)
    return ticket_out(queue.finish(ticket=ticket, clerk=user, case_public_ids=payload.case_ids))


@router.post("/tickets/{ticket_id}/transfer", response=HallQueueTicketOut, summary="转移（答复新号）")
def transfer(request: HttpRequest, ticket_id: UUID, payload: HallQueueTransferIn) -> dict[str, Any]:
    ticket, user = _at_window(request, ticket_id)
    category = None
    window = None
    if payload.category:
        category = BusinessCategory.objects.filter(hall=ticket.hall, prefix=payload.category.upper()).first()
        if category is None:
            raise NotFound("该大厅没有这个业务类别", code=HallErrorCode.NOT_FOUND)
    if payload.window is not None:
        window = Window.objects.filter(hall=ticket.hall, public_id=payload.window).first()
        if window is None:
            raise NotFound("没有这个窗口", code=HallErrorCode.NOT_FOUND)
    continuation = queue.transfer(ticket=ticket, clerk=user, category=category, window=window)
    return ticket_out(QueueTicket.objects.select_related("category", "window").get(pk=continuation.pk))


@router.post(
    "/appointments/{appointment_id}/check-in",
    response={201: HallQueueTicketOut},
    summary="预约签到取号（本人、大厅工作人员）",
)
def check_in(request: HttpRequest, appointment_id: UUID, payload: HallQueueCheckInIn) -> Status:
    appointment = Appointment.objects.select_related("hall").filter(public_id=appointment_id).first()
    user = _user(request)
    if (
        appointment is None
        or user is None
        or (appointment.applicant_id != user.pk and not is_hall_staff(user, appointment.hall))
    ):
        raise NotFound("没有这个预约", code=HallErrorCode.NOT_FOUND)
    ticket = checkin.check_in(appointment=appointment, actor=user, channel=payload.channel)
    return Status(201, ticket_out(ticket))


class HallQueueStatisticsQuery(Schema):
    start: date | None = Field(None, alias="from")
    end: date | None = Field(None, alias="to")


@router.get("/halls/{hall_id}/statistics", response=HallQueueStatisticsOut, summary="等候与办理统计")
def statistics(
    request: HttpRequest, hall_id: UUID, filters: Query[HallQueueStatisticsQuery]
) -> dict[str, Any]:
    hall = _hall(hall_id)
    user = _user(request)
    if user is None or not may_read_hall_statistics(user, hall):
        raise DomainError(HallErrorCode.FORBIDDEN, "只有大厅管理人员和监督人员可以查看统计", status=403)
    end = filters.end or timezone.localdate()
    start = filters.start or end - timedelta(days=29)
    if start > end or (end - start).days >= MAX_DAYS:
        raise DomainError(HallErrorCode.INVALID_INPUT, "统计期间有误（最长一年）", {"from": [str(start)]})
    return reads_queue.statistics(hall, start, end)
