"""排队叫号 The queue: taking a ticket, calling the next one to a window, recall, skip (过号),
re-queue, service start and finish (with the rating invitation), transfer to another category or
window.

Numbers are per (category, day): one ``UPDATE … SET last = last + 1 … RETURNING last`` on the
category's counter row, outside any lock held by the ticket insert, so taking tickets does not
queue behind other transactions; a failed take leaves a gap, as a database sequence would.

Order of calling: 绿色通道 (green) > 预约 (appointment) > 普通, then the issue time.  On PostgreSQL the
next ticket is locked with ``SKIP LOCKED`` so two windows calling at once never get the same one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.core import audit
from yiwang.core.errors import DomainError
from yiwang.hall.errors import HallErrorCode
from yiwang.hall.models import (
    Appointment,
    AppointmentStatus,
    BusinessCategory,
    GreenReason,
    Hall,
    QueueCounter,
    QueueEvent,
    QueueEventKind,
    QueueStatus,
    QueueTicket,
    TicketPriority,
    TicketSource,
    Window,
    WindowStatus,
)
from yiwang.ratings.services.invitations import invite

ACTIVE_AT_WINDOW = (QueueStatus.CALLED, QueueStatus.SERVING)
MAX_REQUEUES = 1


def _invalid_state(message: str, status: str = "") -> DomainError:
    return DomainError(
        HallErrorCode.INVALID_STATE, message, {"status": [status]} if status else {}, status=409
    )


def announcement(hall: Hall, number: str, window: Window) -> str:
    """The speech text, from the hall's template (plain replacement: the template is not code)."""
    template = hall.announcement_template or "请{number}号到{window}号窗口办理"
    return template.replace("{number}", number).replace("{window}", window.number)


def next_sequence(category: BusinessCategory, day: date) -> int:
    """The category's next sequence number of ``day``: one ``UPDATE … RETURNING``."""
    table = connection.ops.quote_name(QueueCounter._meta.db_table)
    params = [category.pk, connection.ops.adapt_datefield_value(day)]
    sql = f"UPDATE {table} SET last = last + 1 WHERE category_id = %s AND day = %s RETURNING last"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        if row is None:  # the day's first ticket: create the row (ignore_conflicts settles a race)
            QueueCounter.objects.bulk_create(
                [QueueCounter(category=category, day=day, last=0)], ignore_conflicts=True
            )
            cursor.execute(sql, params)
            row = cursor.fetchone()
    return int(row[0])


def _event(
    ticket: QueueTicket, kind: str, *, actor: Any = None, window: Window | None = None, text: str = ""
) -> QueueEvent:
    return QueueEvent.objects.create(
        hall_id=ticket.hall_id,
        ticket=ticket,
        kind=kind,
        window=window,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        announcement=text,
        occurred_at=timezone.now(),
    )


def take_ticket(
    *,
    hall: Hall,
    category: BusinessCategory,
    source: str,
    applicant: User | None = None,
    id_number: str = "",
    phone: str = "",
    green_reason: str = "",
    appointment: Appointment | None = None,
    actor: Any = None,
) -> QueueTicket:
    """取号 Issue the next number of ``category`` today."""
    if category.hall_id != hall.pk or not hall.is_active:
        raise DomainError(HallErrorCode.NOT_FOUND, "该大厅没有这个业务类别", status=404)
    if source not in TicketSource.values:
        raise DomainError(HallErrorCode.INVALID_INPUT, "取号渠道无效", {"source": [str(source)]})
    green_reason = (green_reason or "").strip()
    if green_reason not in GreenReason.values:
        raise DomainError(HallErrorCode.INVALID_INPUT, "绿色通道类别无效", {"green_reason": [green_reason]})
    phone = (phone or "").strip()[:11]
    id_number = (id_number or "").strip().upper()[:18]
    if green_reason:
        priority = TicketPriority.GREEN
    elif appointment is not None:
        priority = TicketPriority.APPOINTMENT
    else:
        priority = TicketPriority.NORMAL
    now = timezone.now()
    day = timezone.localdate(now)
    sequence = next_sequence(category, day)
    if category.daily_limit and sequence > category.daily_limit:
        raise DomainError(
            HallErrorCode.DAILY_LIMIT,
            f"“{category.name}”今日号源已发完，请明日再来或预约办理",
            {"category": [category.prefix]},
            status=409,
        )
    with transaction.atomic():
        ticket = QueueTicket.objects.create(
            hall=hall,
            category=category,
            day=day,
            sequence=sequence,
            number=f"{category.prefix}{sequence:03d}",
            priority=priority,
            green_reason=green_reason,
            source=source,
            appointment=appointment,
            applicant=applicant,
            id_number=id_number,
            phone=phone,
            issued_at=now,
        )
        _event(ticket, QueueEventKind.ISSUED, actor=actor)
        audit.record(
            "hall.ticket.issued",
            actor=actor,
            obj=ticket,
            detail={"number": ticket.number, "priority": int(priority), "source": source},
        )
    return ticket


# --- at the window -------------------------------------------------------------------------------
def _held_window(window: Window, clerk: User) -> Window:
    """The window, locked, open and held by ``clerk``."""
    locked = Window.objects.select_for_update().select_related("hall").get(pk=window.pk)
    if locked.clerk_id != clerk.pk:
        raise DomainError(
            HallErrorCode.WINDOW_BUSY, "您没有登录该窗口", {"window": [locked.number]}, status=409
        )
    if locked.status != WindowStatus.OPEN:
        raise _invalid_state("窗口未在服务中（已暂停或关闭）", locked.status)
    return locked


def _window_categories(window: Window) -> Q:
    if window.is_general:
        return Q(target_window__isnull=True) | Q(target_window=window)
    ids = list(window.categories.values_list("pk", flat=True))
    return Q(target_window__isnull=True, category_id__in=ids) | Q(target_window=window)


def waiting_for(window: Window) -> QuerySet[QueueTicket]:
    """The tickets waiting for ``window`` today, best first."""
    return (
        QueueTicket.objects.filter(
            hall_id=window.hall_id, day=timezone.localdate(), status=QueueStatus.WAITING
        )
        .filter(_window_categories(window))
        .order_by("-priority", "issued_at", "pk")
    )


def call_next(*, window: Window, clerk: User) -> QueueTicket:
    """叫号 Call the best waiting ticket of the window's categories to the window."""
    with transaction.atomic():
        locked = _held_window(window, clerk)
        now = timezone.now()
        if connection.vendor == "postgresql":
            ticket = _call_in_one_statement(locked, clerk, now)
        else:
            ticket = _call_step_by_step(locked, clerk, now)
        audit.record("hall.ticket.called", actor=clerk, obj=ticket, detail={"window": locked.number})
    return ticket


def _window_busy(window: Window) -> DomainError:
    return DomainError(
        HallErrorCode.WINDOW_BUSY,
        "请先办结、过号或转移当前号码",
        {"window": [window.number]},
        status=409,
    )


def _window_has_ticket(window: Window) -> bool:
    return QueueTicket.objects.filter(window=window, status__in=ACTIVE_AT_WINDOW).exists()


def _nobody_waiting() -> DomainError:
    return DomainError(HallErrorCode.QUEUE_EMPTY, "当前没有等候的号码", status=404)


def _call_step_by_step(locked: Window, clerk: User, now: Any) -> QueueTicket:
    """The portable path: check the window is free, pick, update, record the event."""
    if _window_has_ticket(locked):
        raise _window_busy(locked)
    ticket = waiting_for(locked).first()
    if ticket is None:
        raise _nobody_waiting()
    ticket.status = QueueStatus.CALLED
    ticket.window = locked
    ticket.served_by = clerk
    ticket.called_at = now
    ticket.call_count += 1
    ticket.save(update_fields=["status", "window", "served_by", "called_at", "call_count", "updated_at"])
    _event(
        ticket,
        QueueEventKind.CALLED,
        actor=clerk,
        window=locked,
        text=announcement(locked.hall, ticket.number, locked),
    )
    return ticket


def _call_in_one_statement(locked: Window, clerk: User, now: Any) -> QueueTicket:
    """PostgreSQL: the same steps as :func:`_call_step_by_step` in one statement (ADR 0022).

    A data-modifying CTE picks the best waiting ticket (``FOR UPDATE SKIP LOCKED``, so two windows
    never get the same one), marks it called unless the window already has a ticket, and writes the
    call event with its announcement; one round trip instead of four.  When it changes nothing, one
    more read tells a busy window from an empty queue.
    """
    pick = waiting_for(locked).select_for_update(skip_locked=True, of=("self",)).values("pk")[:1]
    pick_sql, pick_params = pick.query.get_compiler(connection=connection).as_sql()
    quote = connection.ops.quote_name
    tickets, events = quote(QueueTicket._meta.db_table), quote(QueueEvent._meta.db_table)
    # announcement() with the window filled in now; the number comes from the picked row, in SQL.
    template = announcement(locked.hall, "{number}", locked)
    sql = (
        f"WITH pick AS ({pick_sql}), "  # noqa: S608 - model tables and the ORM's own SQL
        f"called AS (UPDATE {tickets} SET status = %s, window_id = %s, served_by_id = %s, called_at = %s, "
        "call_count = call_count + 1, updated_at = %s "
        "WHERE id IN (SELECT pick.pk FROM pick) "
        f"AND NOT EXISTS (SELECT 1 FROM {tickets} WHERE window_id = %s AND status IN (%s, %s)) "
        "RETURNING *), "
        f"event AS (INSERT INTO {events} (hall_id, ticket_id, kind, window_id, actor_id, announcement, occurred_at) "
        "SELECT hall_id, id, %s, %s, %s, replace(%s, '{number}', number), %s FROM called) "
        "SELECT * FROM called"
    )
    params = [
        *pick_params,
        QueueStatus.CALLED, locked.pk, clerk.pk, now, now,
        locked.pk, *ACTIVE_AT_WINDOW,
        QueueEventKind.CALLED, locked.pk, clerk.pk, template, now,
    ]  # fmt: skip
    ticket = next(iter(QueueTicket.objects.raw(sql, params)), None)
    if ticket is None:
        if _window_has_ticket(locked):
            raise _window_busy(locked)
        raise _nobody_waiting()
    ticket.window = locked
    ticket.served_by = clerk
    return ticket


def _ticket_at_clerk_window(ticket: QueueTicket, clerk: User, allowed: Iterable[str]) -> QueueTicket:
    """The ticket, locked, at the window ``clerk`` holds, in one of ``allowed`` statuses."""
    locked = QueueTicket.objects.select_for_update().select_related("hall", "category").get(pk=ticket.pk)
    window = Window.objects.filter(hall_id=locked.hall_id, clerk=clerk, status=WindowStatus.OPEN).first()
    if window is None or locked.window_id != window.pk:
        raise DomainError(HallErrorCode.FORBIDDEN, "该号码不在您的窗口", status=403)
    if locked.status not in set(allowed):
        raise _invalid_state("该号码当前状态不能执行此操作", locked.status)
    locked.window = window
    return locked


def recall(*, ticket: QueueTicket, clerk: User) -> QueueTicket:
    """重呼 Call the same number again (also a skipped one, back to this window)."""
    with transaction.atomic():
        locked = _ticket_at_clerk_window(ticket, clerk, (QueueStatus.CALLED, QueueStatus.SKIPPED))
        window = locked.window
        assert window is not None
        if (
            locked.status == QueueStatus.SKIPPED
            and QueueTicket.objects.filter(window=window, status__in=ACTIVE_AT_WINDOW).exists()
        ):
            raise DomainError(HallErrorCode.WINDOW_BUSY, "请先办结当前号码", status=409)
        locked.status = QueueStatus.CALLED
        locked.call_count += 1
        locked.called_at = timezone.now()
        locked.save(update_fields=["status", "call_count", "called_at", "updated_at"])
        text = announcement(locked.hall, locked.number, window)
        _event(locked, QueueEventKind.RECALLED, actor=clerk, window=window, text=text)
        audit.record("hall.ticket.recalled", actor=clerk, obj=locked, detail={"count": locked.call_count})
    return locked


def skip(*, ticket: QueueTicket, clerk: User) -> QueueTicket:
    """过号 The person did not come: the window is free for the next number."""
    with transaction.atomic():
        locked = _ticket_at_clerk_window(ticket, clerk, (QueueStatus.CALLED,))
        locked.status = QueueStatus.SKIPPED
        locked.save(update_fields=["status", "updated_at"])
        _event(locked, QueueEventKind.SKIPPED, actor=clerk, window=locked.window)
        audit.record("hall.ticket.skipped", actor=clerk, obj=locked, detail={})
    return locked


def requeue(*, ticket: QueueTicket, clerk: User) -> QueueTicket:
    """过号重排 A skipped ticket joins the queue again (once), keeping its number and priority."""
    with transaction.atomic():
        locked = _ticket_at_clerk_window(ticket, clerk, (QueueStatus.SKIPPED,))
        reissued = locked.events.filter(kind=QueueEventKind.ISSUED).count() - 1
        if reissued >= MAX_REQUEUES:
            raise _invalid_state("该号码已重排过一次，请重新取号", locked.status)
        locked.status = QueueStatus.WAITING
        locked.window = None
        locked.served_by = None
        locked.issued_at = timezone.now()
        locked.save(update_fields=["status", "window", "served_by", "issued_at", "updated_at"])
        _event(locked, QueueEventKind.ISSUED, actor=clerk)
        audit.record("hall.ticket.requeued", actor=clerk, obj=locked, detail={})
    return locked


def start_service(*, ticket: QueueTicket, clerk: User) -> QueueTicket:
    """开始办理"""
    with transaction.atomic():
        locked = _ticket_at_clerk_window(ticket, clerk, (QueueStatus.CALLED,))
        locked.status = QueueStatus.SERVING
        locked.service_started_at = timezone.now()
        locked.save(update_fields=["status", "service_started_at", "updated_at"])
        _event(locked, QueueEventKind.STARTED, actor=clerk, window=locked.window)
        audit.record("hall.ticket.started", actor=clerk, obj=locked, detail={})
    return locked


def finish(*, ticket: QueueTicket, clerk: User, case_public_ids: Iterable[Any] = ()) -> QueueTicket:
    """办结 The service at the window is over: the person is invited to rate it (评价器 / SMS), and
    the appointment it came from is served."""
    with transaction.atomic():
        locked = _ticket_at_clerk_window(ticket, clerk, ACTIVE_AT_WINDOW)
        now = timezone.now()
        if locked.service_started_at is None:
            locked.service_started_at = now
        locked.status = QueueStatus.DONE
        locked.finished_at = now
        locked.case_public_ids = list(dict.fromkeys([*locked.case_public_ids, *map(str, case_public_ids)]))
        locked.save(
            update_fields=["status", "finished_at", "service_started_at", "case_public_ids", "updated_at"]
        )
        appointment = None
        if locked.appointment_id is not None:
            appointment = (
                Appointment.objects.select_for_update().select_related("item").get(pk=locked.appointment_id)
            )
            if appointment.status in (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN):
                appointment.status = AppointmentStatus.SERVED
                appointment.served_at = now
                appointment.save(update_fields=["status", "served_at", "updated_at"])
        item = appointment.item if appointment is not None else None
        organisation = (
            item.implementing_body
            if item is not None
            else getattr(getattr(clerk, "staff_profile", None), "organisation", None)
            or locked.hall.organisation
        )
        invite(
            subject_kind="hall_visit",
            subject_id=locked.public_id,
            subject_label=f"{locked.hall.name} {locked.number}",
            organisation=organisation,
            item=item,
            region_code=locked.hall.region_code,
            applicant=locked.applicant,
            phone=locked.phone,
            served_at=now,
        )
        _event(locked, QueueEventKind.FINISHED, actor=clerk, window=locked.window)
        audit.record(
            "hall.ticket.finished", actor=clerk, obj=locked, detail={"cases": locked.case_public_ids}
        )
    return locked


def add_cases(*, ticket: QueueTicket, clerk: User, case_public_ids: Iterable[Any]) -> QueueTicket:
    """Remember the cases registered or handed over during this service."""
    with transaction.atomic():
        locked = _ticket_at_clerk_window(ticket, clerk, ACTIVE_AT_WINDOW)
        locked.case_public_ids = list(dict.fromkeys([*locked.case_public_ids, *map(str, case_public_ids)]))
        locked.save(update_fields=["case_public_ids", "updated_at"])
    return locked


def transfer(
    *,
    ticket: QueueTicket,
    clerk: User,
    category: BusinessCategory | None = None,
    window: Window | None = None,
) -> QueueTicket:
    """转移 End the ticket here and queue its continuation (same number, priority and place in the
    order) in another category or for a given window.  Answers the continuation."""
    if (category is None) == (window is None):
        raise DomainError(HallErrorCode.INVALID_INPUT, "请选择转往的业务类别或窗口", {"target": ["required"]})
    with transaction.atomic():
        locked = _ticket_at_clerk_window(ticket, clerk, ACTIVE_AT_WINDOW)
        if category is not None and category.hall_id != locked.hall_id:
            raise DomainError(HallErrorCode.NOT_FOUND, "该大厅没有这个业务类别", status=404)
        if window is not None and (window.hall_id != locked.hall_id or window.pk == locked.window_id):
            raise DomainError(
                HallErrorCode.INVALID_INPUT, "请选择本大厅的其他窗口", {"window": [str(window.pk)]}
            )
        now = timezone.now()
        target_category = category or locked.category
        locked.status = QueueStatus.TRANSFERRED
        locked.finished_at = now
        locked.save(update_fields=["status", "finished_at", "updated_at"])
        continuation = QueueTicket.objects.create(
            hall_id=locked.hall_id,
            category=target_category,
            day=locked.day,
            sequence=next_sequence(target_category, locked.day),
            number=locked.number,
            priority=locked.priority,
            green_reason=locked.green_reason,
            source=locked.source,
            appointment_id=locked.appointment_id,
            applicant_id=locked.applicant_id,
            id_number=locked.id_number,
            phone=locked.phone,
            target_window=window,
            transferred_from=locked,
            issued_at=locked.issued_at,
            case_public_ids=locked.case_public_ids,
        )
        target = window.number if window is not None else target_category.prefix
        _event(locked, QueueEventKind.TRANSFERRED, actor=clerk, window=locked.window)
        _event(continuation, QueueEventKind.ISSUED, actor=clerk)
        audit.record(
            "hall.ticket.transferred",
            actor=clerk,
            obj=locked,
            detail={"to": target, "continuation": str(continuation.public_id)},
        )
    return continuation
