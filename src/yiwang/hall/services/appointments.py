"""预约 Booking, cancelling and rescheduling an appointment; reminders and no-shows.

Capacity is kept by conditional UPDATEs (``booked < capacity``), so two people booking the last
place of a slot at the same moment get one booking and one ``hall_slot_full``.  A reschedule locks
both slots in primary-key order.  What a user may do with an appointment is decided once, by
:func:`allowed_actions`, for the pages and the API alike.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from yiwang.accounts.models import AccountKind
from yiwang.accounts.roles import roles_of
from yiwang.catalog.models import ServiceItem
from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from yiwang.core.identifiers import validate_id_number, validate_phone
from yiwang.core.outbox import enqueue_with_transaction
from yiwang.hall import reads_appointments as reads
from yiwang.hall import tasks_appointments as tasks
from yiwang.hall.access import is_hall_manager, is_hall_staff
from yiwang.hall.errors import HallErrorCode
from yiwang.hall.models import (
    Appointment,
    AppointmentChannel,
    AppointmentKind,
    AppointmentSlot,
    AppointmentStatus,
)
from yiwang.hall.services.blocks import active_block, block_after_no_show

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
CODE_LENGTH = 8
ONLINE_CHANNELS = frozenset({AppointmentChannel.WEB, AppointmentChannel.MOBILE})
STAFF_CHANNELS = frozenset({AppointmentChannel.HOTLINE, AppointmentChannel.WINDOW})
ACTIVE = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)
NO_SHOW_GRACE = timedelta(minutes=15)
SAME_DAY_REMINDER = timedelta(hours=2)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    """A booking code as typed or scanned: spaces and hyphens dropped, upper case.  Returns "" when
    it cannot be a code (wrong length, or a character outside the alphabet)."""
    text = "".join(ch for ch in str(raw).upper() if ch not in " -\t")
    if len(text) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in text):
        return ""
    return text


# --- who may do what ------------------------------------------------------------------------------
def is_hotline_agent(user: Any) -> bool:
    return "hotline_agent" in roles_of(user)


def may_serve_hall(user: Any, hall: Any) -> bool:
    """Hall staff, the hall's manager or a hotline agent (books and manages for callers)."""
    return is_hall_staff(user, hall) or is_hall_manager(user, hall) or is_hotline_agent(user)


def may_see(user: Any, appointment: Appointment) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if appointment.applicant_id == user.pk or appointment.booked_by_id == user.pk:
        return True
    return user.kind == AccountKind.STAFF and may_serve_hall(user, appointment.hall)


def allowed_actions(appointment: Appointment, user: Any) -> set[str]:
    """``cancel`` / ``reschedule`` (booked, slot not started; owner, booker or hall staff) and
    ``read_personal`` (staff may unmask the person's details, logged)."""
    if not may_see(user, appointment):
        return set()
    actions: set[str] = {"view"}
    is_staff = user.kind == AccountKind.STAFF and may_serve_hall(user, appointment.hall)
    if is_staff:
        actions.add("read_personal")
    if appointment.status == AppointmentStatus.BOOKED and appointment.slot.starts_at > timezone.now():
        actions |= {"cancel", "reschedule"}
    return actions


def require_action(appointment: Appointment, user: Any, action: str) -> None:
    actions = allowed_actions(appointment, user)
    if not actions:
        raise NotFound("预约不存在", code=HallErrorCode.NOT_FOUND)
    if action not in actions:
        if appointment.status != AppointmentStatus.BOOKED or action in ("cancel", "reschedule"):
            raise Conflict("该预约当前不能执行此操作", code=HallErrorCode.INVALID_STATE)
        raise PermissionDenied("无权执行此操作", code=HallErrorCode.FORBIDDEN)


# --- validation -----------------------------------------------------------------------------------
def _check_slot(slot: AppointmentSlot, item: ServiceItem, kind: str, now: datetime) -> None:
    if slot.is_closed or slot.starts_at <= now:
        raise Conflict("该时段已关闭或已开始，请另选时段", code=HallErrorCode.SLOT_UNAVAILABLE)
    if slot.kind != kind:
        raise Conflict("该时段不受理此类预约", code=HallErrorCode.SLOT_UNAVAILABLE)
    if slot.item_id is not None and slot.item_id != item.pk:
        raise Conflict("该时段不受理此事项", code=HallErrorCode.SLOT_UNAVAILABLE)
    if slot.item_id is None and not reads.group_serves(slot.window_group_id, item):
        raise Conflict("该时段不受理此事项", code=HallErrorCode.SLOT_UNAVAILABLE)


def _person(name: str, id_number: str, phone: str) -> tuple[str, str, str]:
    errors: dict[str, list[str]] = {}
    name = " ".join(str(name).split())
    if not name or len(name) > 100:
        errors["name"] = ["请填写姓名（100 字以内）"]
    try:
        id_number = validate_id_number(id_number).normalized
    except DomainError as error:
        errors["id_number"] = [error.message]
    try:
        phone = validate_phone(phone)
    except DomainError as error:
        errors["phone"] = [error.message]
    if errors:
        raise DomainError(HallErrorCode.INVALID_INPUT, "预约信息不完整或不正确", errors)
    return name, id_number, phone


def _take_place(slot_id: int) -> None:
    """Add one booking to the slot if a place is left (one conditional UPDATE)."""
    taken = AppointmentSlot.objects.filter(
        pk=slot_id, booked__lt=F("capacity"), is_closed=False, starts_at__gt=timezone.now()
    ).update(booked=F("booked") + 1)
    if not taken:
        raise Conflict("该时段已约满，请另选时段", code=HallErrorCode.SLOT_FULL)


def _free_place(slot_id: int) -> None:
    AppointmentSlot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)


def _refuse_duplicate(slot: AppointmentSlot, id_number: str, exclude: int | None = None) -> None:
    rows = Appointment.objects.filter(
        hall_id=slot.hall_id, slot__day=slot.day, status__in=ACTIVE, id_number=id_number
    )
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    if rows.exists():
        raise Conflict("同一人同一天在本大厅只能保留一个预约", code=HallErrorCode.DUPLICATE_BOOKING)


def book(
    *,
    slot: AppointmentSlot,
    item: ServiceItem,
    applicant: Any = None,
    booked_by: Any = None,
    name: str,
    id_number: str,
    phone: str,
    channel: str,
    kind: str = AppointmentKind.VISIT,
    address: str = "",
    note: str = "",
) -> Appointment:
    """预约 Book a place of ``slot`` for ``item``.  Online channels (web, mobile) are refused while a
    no-show block applies; hotline agents and window staff may still book for the person."""
    if channel not in AppointmentChannel.values:
        raise DomainError(HallErrorCode.INVALID_INPUT, "预约渠道不正确", {"channel": [channel]})
    if kind not in AppointmentKind.values:
        raise DomainError(HallErrorCode.INVALID_INPUT, "预约类型不正确", {"kind": [kind]})
    name, id_number, phone = _person(name, id_number, phone)
    address = " ".join(str(address).split())
    if kind == AppointmentKind.DOOR_TO_DOOR and not address:
        raise DomainError(HallErrorCode.INVALID_INPUT, "上门办理须填写地址", {"address": ["请填写地址"]})
    if len(address) > 200 or len(note) > 200:
        raise DomainError(HallErrorCode.INVALID_INPUT, "地址或备注过长", {"address": ["200 字以内"]})
    now = timezone.now()
    _check_slot(slot, item, kind, now)
    if channel in ONLINE_CHANNELS and active_block(applicant=applicant, id_number=id_number) is not None:
        raise PermissionDenied(
            "因多次预约未到，您的网上预约暂被限制，可提出申诉或通过窗口、12345 热线预约",
            code=HallErrorCode.BOOKING_BLOCKED,
        )
    with transaction.atomic():
        _refuse_duplicate(slot, id_number)
        _take_place(slot.pk)
        appointment = _create(
            slot=slot,
            item=item,
            applicant=applicant,
            booked_by=booked_by,
            name=name,
            id_number=id_number,
            phone=phone,
            channel=channel,
            kind=kind,
            address=address,
            note=note,
        )
        audit.record(
            "hall.appointment.booked",
            actor=booked_by or applicant,
            obj=appointment,
            detail={"code": appointment.code, "slot": slot.pk, "channel": channel, "kind": kind},
        )
        enqueue_with_transaction(tasks.notify_appointment, appointment.pk, "booked")
    return appointment


def _create(**fields: Any) -> Appointment:
    slot: AppointmentSlot = fields["slot"]
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Appointment.objects.create(
                    code=new_code(),
                    checkin_token=secrets.token_urlsafe(24),
                    hall_id=slot.hall_id,
                    **fields,
                )
        except IntegrityError:  # a code already given (1 in 32^8): draw again
            continue
    raise Conflict("预约号生成失败，请重试", code=HallErrorCode.INVALID_STATE)


def _locked(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update().select_related("slot", "hall", "item").get(pk=appointment.pk)
    )


def cancel(*, appointment: Appointment, actor: Any, reason: str = "") -> Appointment:
    """取消 By the owner, the booker or hall staff, before the slot starts; frees the place."""
    require_action(appointment, actor, "cancel")
    with transaction.atomic():
        appointment = _locked(appointment)
        if appointment.status != AppointmentStatus.BOOKED or appointment.slot.starts_at <= timezone.now():
            raise Conflict("该预约当前不能取消", code=HallErrorCode.INVALID_STATE)
        appointment.status = AppointmentStatus.CANCELLED
        appointment.cancelled_at = timezone.now()
        appointment.cancel_reason = str(reason)[:200]
        appointment.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
        _free_place(appointment.slot_id)
        audit.record(
            "hall.appointment.cancelled",
            actor=actor,
            obj=appointment,
            detail={"code": appointment.code, "reason": appointment.cancel_reason},
        )
        enqueue_with_transaction(tasks.notify_appointment, appointment.pk, "cancelled")
    return appointment


def reschedule(*, appointment: Appointment, slot: AppointmentSlot, actor: Any) -> Appointment:
    """改约 Move the booking to ``slot`` (same item and kind), atomically: both slots are locked in
    primary-key order, the new place taken before the old one is freed."""
    require_action(appointment, actor, "reschedule")
    if slot.pk == appointment.slot_id:
        raise Conflict("新时段与原时段相同", code=HallErrorCode.SLOT_UNAVAILABLE)
    with transaction.atomic():
        list(
            AppointmentSlot.objects.select_for_update()
            .filter(pk__in=[slot.pk, appointment.slot_id])
            .order_by("pk")
        )
        appointment = _locked(appointment)
        slot = AppointmentSlot.objects.get(pk=slot.pk)
        if appointment.status != AppointmentStatus.BOOKED or appointment.slot.starts_at <= timezone.now():
            raise Conflict("该预约当前不能改约", code=HallErrorCode.INVALID_STATE)
        if slot.hall_id != appointment.hall_id:
            raise Conflict("只能改约到同一大厅的时段", code=HallErrorCode.SLOT_UNAVAILABLE)
        _check_slot(slot, appointment.item, appointment.kind, timezone.now())
        _refuse_duplicate(slot, appointment.id_number, exclude=appointment.pk)
        _take_place(slot.pk)
        _free_place(appointment.slot_id)
        old = appointment.slot
        appointment.slot = slot
        appointment.reschedule_count += 1
        appointment.reminded_at = None
        appointment.save(update_fields=["slot", "reschedule_count", "reminded_at", "updated_at"])
        audit.record(
            "hall.appointment.rescheduled",
            actor=actor,
            obj=appointment,
            detail={
                "code": appointment.code,
                "from": old.starts_at.isoformat(),
                "to": slot.starts_at.isoformat(),
            },
        )
        enqueue_with_transaction(tasks.notify_appointment, appointment.pk, "rescheduled")
    return appointment


# --- reminders and no-shows -----------------------------------------------------------------------
def due_reminders(now: datetime | None = None) -> list[Appointment]:
    """Booked, not yet reminded, starting by tomorrow's end: those of tomorrow (reminded the day
    before) and today's that start within two hours (same-day bookings)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    rows = Appointment.objects.filter(
        status=AppointmentStatus.BOOKED,
        reminded_at__isnull=True,
        slot__starts_at__gt=now,
        slot__day__lte=today + timedelta(days=1),
    ).select_related("slot")
    return [a for a in rows if a.slot.day > today or a.slot.starts_at - now <= SAME_DAY_REMINDER]


def send_reminders(now: datetime | None = None) -> int:
    """提醒 Remind each due booking once (``reminded_at``); returns how many were reminded."""
    now = now or timezone.now()
    count = 0
    for appointment in due_reminders(now):
        with transaction.atomic():
            marked = Appointment.objects.filter(pk=appointment.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if marked:
                count += 1
                enqueue_with_transaction(tasks.notify_appointment, appointment.pk, "reminder")
    return count


def mark_no_shows(now: datetime | None = None) -> int:
    """失约 Booked appointments whose slot ended more than 15 minutes ago become no-shows; the
    person's third no-show in 30 days blocks online booking (:mod:`yiwang.hall.services.blocks`)."""
    now = now or timezone.now()
    ids = list(
        Appointment.objects.filter(
            status=AppointmentStatus.BOOKED, slot__ends_at__lte=now - NO_SHOW_GRACE
        ).values_list("pk", flat=True)
    )
    count = 0
    for pk in ids:
        with transaction.atomic():
            appointment = Appointment.objects.select_for_update().get(pk=pk)
            if appointment.status != AppointmentStatus.BOOKED:
                continue
            appointment.status = AppointmentStatus.NO_SHOW
            appointment.no_show_at = now
            appointment.save(update_fields=["status", "no_show_at", "updated_at"])
            audit.record("hall.appointment.no_show", obj=appointment, detail={"code": appointment.code})
            block_after_no_show(appointment, now=now)
            count += 1
    return count


def book_as(
    *,
    user: Any,
    slot: AppointmentSlot,
    item: ServiceItem,
    name: str = "",
    id_number: str = "",
    phone: str = "",
    channel: str = "",
    kind: str = AppointmentKind.VISIT,
    address: str = "",
    note: str = "",
) -> Appointment:
    """Book as the pages and the API do for ``user``: an applicant books for himself online (his
    real-name identity filled in); a hotline agent books for a caller (channel hotline), hall staff
    at the window (channel window)."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("请先登录", code=HallErrorCode.FORBIDDEN)
    if user.kind == AccountKind.STAFF:
        if is_hotline_agent(user):
            staff_channel = AppointmentChannel.HOTLINE
        elif is_hall_staff(user, slot.hall) or is_hall_manager(user, slot.hall):
            staff_channel = AppointmentChannel.WINDOW
        else:
            raise PermissionDenied("仅大厅工作人员或 12345 坐席可代为预约", code=HallErrorCode.FORBIDDEN)
        return book(
            slot=slot,
            item=item,
            booked_by=user,
            name=name,
            id_number=id_number,
            phone=phone,
            channel=staff_channel,
            kind=kind,
            address=address,
            note=note,
        )
    person = getattr(user, "natural_person", None) if user.kind == AccountKind.NATURAL else None
    if person is not None:
        name, id_number = person.real_name, person.id_number
    return book(
        slot=slot,
        item=item,
        applicant=user,
        name=name,
        id_number=id_number,
        phone=phone or user.phone,
        channel=channel if channel in ONLINE_CHANNELS else AppointmentChannel.WEB,
        kind=kind,
        address=address,
        note=note,
    )
