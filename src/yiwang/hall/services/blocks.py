"""失约限制 Repeated no-shows block online booking; the person may appeal and the hall's manager
decides (lift or uphold).  A block stops applying on the day after ``ends_on``; the daily scan marks
it expired.  Defaults (settings may change them): three no-shows in 30 days → 30 days.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from yiwang.core.outbox import enqueue_with_transaction
from yiwang.hall import tasks_appointments as tasks
from yiwang.hall.access import is_hall_manager
from yiwang.hall.errors import HallErrorCode
from yiwang.hall.models import Appointment, AppointmentStatus, BlockStatus, BookingBlock

APPLYING = (BlockStatus.ACTIVE, BlockStatus.APPEALED)


def no_show_limit() -> int:
    return int(getattr(settings, "YIWANG_HALL_NO_SHOW_LIMIT", 3))


def no_show_window_days() -> int:
    return int(getattr(settings, "YIWANG_HALL_NO_SHOW_WINDOW_DAYS", 30))


def block_days() -> int:
    return int(getattr(settings, "YIWANG_HALL_BLOCK_DAYS", 30))


def applying_blocks(
    *, applicant: Any = None, id_number: str = "", today: date | None = None
) -> QuerySet[BookingBlock]:
    today = today or timezone.localdate()
    who = Q(pk__in=[])
    if applicant is not None and getattr(applicant, "pk", None):
        who |= Q(applicant=applicant)
    if id_number:
        who |= Q(id_number=id_number)
    return BookingBlock.objects.filter(who, status__in=APPLYING, starts_on__lte=today, ends_on__gte=today)


def active_block(
    *, applicant: Any = None, id_number: str = "", today: date | None = None
) -> BookingBlock | None:
    """The block that stops ``applicant`` / the holder of ``id_number`` booking online today."""
    return applying_blocks(applicant=applicant, id_number=id_number, today=today).order_by("-ends_on").first()


def block_after_no_show(appointment: Appointment, *, now: datetime) -> BookingBlock | None:
    """After a no-show (in the caller's transaction): block when the person reached the limit in
    the window and no block applies yet."""
    today = timezone.localdate(now)
    since = now - timedelta(days=no_show_window_days())
    if active_block(applicant=appointment.applicant, id_number=appointment.id_number, today=today):
        return None
    earlier = BookingBlock.objects.filter(id_number=appointment.id_number).values_list(
        "no_show_codes", flat=True
    )
    counted = {code for codes in earlier for code in codes}
    codes = [
        code
        for code in Appointment.objects.filter(
            id_number=appointment.id_number, status=AppointmentStatus.NO_SHOW, no_show_at__gte=since
        )
        .order_by("no_show_at", "pk")
        .values_list("code", flat=True)
        if code not in counted
    ]
    if len(codes) < no_show_limit():
        return None
    block = BookingBlock.objects.create(
        applicant=appointment.applicant,
        id_number=appointment.id_number,
        hall_id=appointment.hall_id,
        starts_on=today,
        ends_on=today + timedelta(days=block_days() - 1),
        no_show_codes=codes,
    )
    audit.record(
        "hall.block.created", obj=block, detail={"codes": codes, "ends_on": block.ends_on.isoformat()}
    )
    enqueue_with_transaction(tasks.notify_block, block.pk, "created", appointment.phone)
    return block


# --- who may do what ------------------------------------------------------------------------------
def is_owner(block: BookingBlock, user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if block.applicant_id == user.pk:
        return True
    person = getattr(user, "natural_person", None) if user.kind == "natural" else None
    return person is not None and block.id_number_digest == person.id_number_digest


def may_decide(block: BookingBlock, user: Any) -> bool:
    return block.hall is not None and is_hall_manager(user, block.hall)


def block_actions(block: BookingBlock, user: Any) -> set[str]:
    today = timezone.localdate()
    applies = block.status in APPLYING and block.ends_on >= today
    actions: set[str] = set()
    if is_owner(block, user):
        actions.add("view")
        if applies and block.status == BlockStatus.ACTIVE and not block.appealed_at:
            actions.add("appeal")
    if may_decide(block, user):
        actions.add("view")
        if applies and block.status == BlockStatus.APPEALED:
            actions.add("decide")
    return actions


def _require(block: BookingBlock, user: Any, action: str) -> None:
    block.refresh_from_db(fields=["status", "appealed_at", "ends_on"])
    actions = block_actions(block, user)
    if not actions:
        raise NotFound("限制记录不存在", code=HallErrorCode.NOT_FOUND)
    if action not in actions:
        if action == "decide" and not may_decide(block, user):
            raise PermissionDenied("仅大厅管理人员可以处理申诉", code=HallErrorCode.FORBIDDEN)
        raise Conflict("该限制当前不能执行此操作", code=HallErrorCode.INVALID_STATE)


def appeal_block(*, block: BookingBlock, actor: Any, reason: str) -> BookingBlock:
    """申诉 The person explains (e.g. 因病未能到场); the hall's manager decides."""
    reason = str(reason).strip()
    if not reason or len(reason) > 1000:
        raise DomainError(HallErrorCode.INVALID_INPUT, "请填写申诉理由（1000 字以内）", {"reason": ["必填"]})
    _require(block, actor, "appeal")
    with transaction.atomic():
        block = BookingBlock.objects.select_for_update().get(pk=block.pk)
        if block.status != BlockStatus.ACTIVE or block.appealed_at:
            raise Conflict("该限制当前不能申诉", code=HallErrorCode.INVALID_STATE)
        block.status = BlockStatus.APPEALED
        block.appeal_reason = reason
        block.appealed_at = timezone.now()
        block.save(update_fields=["status", "appeal_reason", "appealed_at", "updated_at"])
        audit.record("hall.block.appealed", actor=actor, obj=block, detail={"reason": reason[:200]})
    return block


def decide_appeal(*, block: BookingBlock, actor: Any, lift: bool, note: str = "") -> BookingBlock:
    """处理申诉 Lift the block (online booking allowed again at once) or uphold it."""
    _require(block, actor, "decide")
    with transaction.atomic():
        block = BookingBlock.objects.select_for_update().get(pk=block.pk)
        if block.status != BlockStatus.APPEALED:
            raise Conflict("该限制没有待处理的申诉", code=HallErrorCode.INVALID_STATE)
        block.status = BlockStatus.LIFTED if lift else BlockStatus.ACTIVE
        block.decision = "lifted" if lift else "upheld"
        block.decision_note = str(note)[:1000]
        block.decided_by = actor
        block.decided_at = timezone.now()
        block.save(
            update_fields=["status", "decision", "decision_note", "decided_by", "decided_at", "updated_at"]
        )
        audit.record("hall.block.decided", actor=actor, obj=block, detail={"decision": block.decision})
        enqueue_with_transaction(tasks.notify_block, block.pk, block.decision, "")
    return block


def expire_blocks(today: date | None = None) -> int:
    """Mark the blocks that ended before ``today`` as expired (they stopped applying already)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        rows = list(
            BookingBlock.objects.filter(status__in=APPLYING, ends_on__lt=today).values_list("pk", "public_id")
        )
        ids = [pk for pk, _public_id in rows]
        for _pk, public_id in rows:
            audit.record("hall.block.expired", object_type="hall.BookingBlock", object_id=str(public_id))
        return BookingBlock.objects.filter(pk__in=ids).update(
            status=BlockStatus.EXPIRED, updated_at=timezone.now()
        )
