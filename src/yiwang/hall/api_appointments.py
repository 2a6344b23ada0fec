"""Appointments part of /api/v1/hall/: halls, free slots, bookings (applicants for themselves,
hotline agents for callers, hall staff at the window), cancel/reschedule, no-show blocks and
appeals.  Errors answer ``{"code","message","fields"}`` with the codes of
:class:`yiwang.hall.errors.HallErrorCode`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from yiwang.accounts.models import AccountKind, User
from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.core.errors import DomainError, NotFound, PermissionDenied
from yiwang.core.paging import PageIn
from yiwang.hall import reads_appointments as reads
from yiwang.hall.access import is_hall_manager
from yiwang.hall.errors import HallErrorCode
from yiwang.hall.models import Appointment, AppointmentSlot, BookingBlock, Hall
from yiwang.hall.schemas_appointments import (
    HallAppealIn,
    HallAppointmentDetailOut,
    HallAppointmentFilter,
    HallAppointmentIn,
    HallAppointmentPageOut,
    HallBlockOut,
    HallBlockPageOut,
    HallCancelIn,
    HallDecisionIn,
    HallOut,
    HallRescheduleIn,
    HallSlotOut,
    HallSlotsQuery,
)
from yiwang.hall.services import appointments as service
from yiwang.hall.services import blocks as block_service
from yiwang.web.ui import current_user

router = Router(tags=["hall"])


def hall_out(hall: Hall) -> dict[str, Any]:
    return {"id": hall.public_id, "code": hall.code, "name": hall.name, "address": hall.address}


def slot_out(slot: AppointmentSlot) -> dict[str, Any]:
    return {
        "id": slot.public_id,
        "day": slot.day,
        "starts_at": slot.starts_at,
        "ends_at": slot.ends_at,
        "remaining": slot.remaining,
        "kind": slot.kind,
    }


def appointment_out(user: User, a: Appointment, *, detail: bool = False) -> dict[str, Any]:
    shown = reads.shown_person(user, a)
    out = {
        "id": a.public_id,
        "code": a.code,
        "status": a.status,
        "status_label": str(a.get_status_display()),
        "kind": a.kind,
        "channel": a.channel,
        "hall": a.hall.name,
        "hall_address": a.hall.address,
        "item": a.item.name,
        "starts_at": a.slot.starts_at,
        "ends_at": a.slot.ends_at,
        "reschedule_count": a.reschedule_count,
        "allowed_actions": sorted(service.allowed_actions(a, user) - {"view", "read_personal"}),
        **shown,
    }
    if detail:
        owner = a.applicant_id == user.pk
        out["checkin_token"] = a.checkin_token if owner else ""
    return out


def block_out(user: User, b: BookingBlock) -> dict[str, Any]:
    return {
        "id": b.public_id,
        "hall": b.hall.name if b.hall else "",
        "status": b.status,
        "status_label": str(b.get_status_display()),
        "starts_on": b.starts_on,
        "ends_on": b.ends_on,
        "no_shows": len(b.no_show_codes),
        "appeal_reason": b.appeal_reason,
        "appealed_at": b.appealed_at,
        "decision": b.decision,
        "decision_note": b.decision_note,
        "allowed_actions": sorted(block_service.block_actions(b, user) - {"view"}),
    }


def get_hall(hall_id: UUID) -> Hall:
    hall = Hall.objects.filter(public_id=hall_id, is_active=True).first()
    if hall is None:
        raise NotFound("大厅不存在", code=HallErrorCode.NOT_FOUND)
    return hall


def get_item(item_id: UUID) -> ServiceItem:
    item = ServiceItem.objects.filter(public_id=item_id, status=ItemStatus.PUBLISHED).first()
    if item is None:
        raise DomainError(HallErrorCode.INVALID_INPUT, "事项不存在", {"item": [str(item_id)]}, status=404)
    return item


def get_slot(slot_id: UUID) -> AppointmentSlot:
    slot = AppointmentSlot.objects.select_related("hall").filter(public_id=slot_id).first()
    if slot is None:
        raise DomainError(HallErrorCode.SLOT_UNAVAILABLE, "时段不存在", {"slot": [str(slot_id)]}, status=404)
    return slot


def get_appointment(user: User, appointment_id: UUID) -> Appointment:
    a = Appointment.objects.select_related("slot", "hall", "item").filter(public_id=appointment_id).first()
    if a is None or not service.may_see(user, a):
        raise NotFound("预约不存在", code=HallErrorCode.NOT_FOUND)
    return a


def get_block(user: User, block_id: UUID) -> BookingBlock:
    b = BookingBlock.objects.select_related("hall").filter(public_id=block_id).first()
    if b is None or not block_service.block_actions(b, user):
        raise NotFound("限制记录不存在", code=HallErrorCode.NOT_FOUND)
    return b


@router.get("/halls", response=list[HallOut], auth=None, summary="服务大厅")
def list_halls(request: HttpRequest) -> list[dict[str, Any]]:
    return [hall_out(h) for h in reads.active_halls()[:100]]


@router.get("/halls/{uuid:hall_id}/slots", response=list[HallSlotOut], auth=None, summary="可预约时段")
def list_slots(request: HttpRequest, hall_id: UUID, query: Query[HallSlotsQuery]) -> list[dict[str, Any]]:
    hall = get_hall(hall_id)
    item = get_item(query.item)
    today = timezone.localdate()
    start = max(query.start or today, today)
    if start > today + timedelta(days=90):
        raise DomainError(HallErrorCode.INVALID_INPUT, "开始日期过远", {"start": [start.isoformat()]})
    rows = reads.free_slots(hall=hall, item=item, start=start, days=query.days, kind=query.kind)
    return [slot_out(s) for s in rows]


@router.post(
    "/appointments", response={201: HallAppointmentDetailOut}, summary="预约（本人、坐席代约、窗口代约）"
)
def create_appointment(request: HttpRequest, body: HallAppointmentIn) -> Status:
    user = current_user(request)
    slot = get_slot(body.slot)
    item = get_item(body.item)
    a = service.book_as(
        user=user,
        slot=slot,
        item=item,
        name=body.name,
        id_number=body.id_number,
        phone=body.phone,
        channel=body.channel,
        kind=body.kind,
        address=body.address,
        note=body.note,
    )
    return Status(201, appointment_out(user, get_appointment(user, a.public_id), detail=True))


@router.get("/appointments", response=HallAppointmentPageOut, summary="我的预约；工作人员：本大厅的预约")
def list_appointments(
    request: HttpRequest, filters: Query[HallAppointmentFilter], paging: Query[PageIn]
) -> dict[str, Any]:
    user = current_user(request)
    if user.kind != AccountKind.STAFF:
        rows = reads.my_appointments(user)
    else:
        halls = [h for h in reads.active_halls() if service.may_serve_hall(user, h)]
        if filters.hall is not None:
            halls = [h for h in halls if h.public_id == filters.hall]
        if not halls:
            raise PermissionDenied(
                "仅大厅工作人员、管理人员与 12345 坐席可查看", code=HallErrorCode.FORBIDDEN
            )
        rows = reads.hall_appointments(
            halls[0], day=filters.day, day_to=filters.day_to, status=filters.status, kind=filters.kind
        )
    return {"count": rows.count(), "results": [appointment_out(user, a) for a in paging.window(rows)]}


@router.get("/appointments/{uuid:appointment_id}", response=HallAppointmentDetailOut, summary="一条预约")
def read_appointment(request: HttpRequest, appointment_id: UUID) -> dict[str, Any]:
    user = current_user(request)
    return appointment_out(user, get_appointment(user, appointment_id), detail=True)


@router.post(
    "/appointments/{uuid:appointment_id}/cancel", response=HallAppointmentDetailOut, summary="取消预约"
)
def cancel_appointment(request: HttpRequest, appointment_id: UUID, body: HallCancelIn) -> dict[str, Any]:
    user = current_user(request)
    a = service.cancel(appointment=get_appointment(user, appointment_id), actor=user, reason=body.reason)
    return appointment_out(user, get_appointment(user, a.public_id), detail=True)


@router.post(
    "/appointments/{uuid:appointment_id}/reschedule", response=HallAppointmentDetailOut, summary="改约"
)
def reschedule_appointment(
    request: HttpRequest, appointment_id: UUID, body: HallRescheduleIn
) -> dict[str, Any]:
    user = current_user(request)
    a = get_appointment(user, appointment_id)
    service.reschedule(appointment=a, slot=get_slot(body.slot), actor=user)
    return appointment_out(user, get_appointment(user, a.public_id), detail=True)


@router.get("/blocks", response=HallBlockPageOut, summary="失约限制（本人；大厅管理人员：本大厅）")
def list_blocks(request: HttpRequest, paging: Query[PageIn], status: str = "") -> dict[str, Any]:
    user = current_user(request)
    status = status if status in ("active", "appealed", "lifted", "expired") else ""
    if user.kind != AccountKind.STAFF:
        rows = reads.my_blocks(user)
    else:
        halls = [h for h in reads.active_halls() if is_hall_manager(user, h)]
        if not halls:
            raise PermissionDenied("仅大厅管理人员可查看", code=HallErrorCode.FORBIDDEN)
        rows = reads.hall_blocks(halls[0], status=status)
    return {"count": rows.count(), "results": [block_out(user, b) for b in paging.window(rows)]}


@router.post("/blocks/{uuid:block_id}/appeal", response=HallBlockOut, summary="申诉失约限制")
def appeal_block(request: HttpRequest, block_id: UUID, body: HallAppealIn) -> dict[str, Any]:
    user = current_user(request)
    b = block_service.appeal_block(block=get_block(user, block_id), actor=user, reason=body.reason)
    return block_out(user, get_block(user, b.public_id))


@router.post("/blocks/{uuid:block_id}/decision", response=HallBlockOut, summary="处理申诉（大厅管理人员）")
def decide_block(request: HttpRequest, block_id: UUID, body: HallDecisionIn) -> dict[str, Any]:
    user = current_user(request)
    b = block_service.decide_appeal(
        block=get_block(user, block_id), actor=user, lift=body.lift, note=body.note
    )
    return block_out(user, get_block(user, b.public_id))
