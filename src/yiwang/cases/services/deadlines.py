"""时限重算 Recomputing deadlines counted on a provisional calendar once its year is official."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q

from yiwang.cases.clock import recompute_clock
from yiwang.cases.models import Case, CaseEventType
from yiwang.cases.transitions import notify_applicant, record_event


def recompute_provisional_deadlines(years: Iterable[int] | None = None) -> int:
    """时限重算 Recompute the deadlines counted on a provisional calendar, once its year is official.

    Each case whose ``deadline_provisional`` is set (and, with ``years``, whose clock span touches
    one of them) is locked in id order, its clock rebuilt from its events, and a
    ``deadline_recomputed`` event records the old and new dates; nothing else about the case
    changes.  The applicant is told when a date moved.  Returns how many cases were recomputed.
    """
    wanted = sorted(set(years)) if years is not None else None
    candidates = Case.objects.filter(deadline_provisional=True, accepted_at__isnull=False)
    if wanted:
        candidates = candidates.filter(
            Q(due_date__year__gte=wanted[0]) | Q(statutory_due_date__year__gte=wanted[0])
        )
    recomputed = 0
    for case_id in candidates.order_by("id").values_list("id", flat=True).iterator():
        with transaction.atomic():
            # Not a status transition: any status, and a case gone meanwhile is skipped.
            locked = Case.objects.select_for_update().select_related("item").filter(pk=case_id).first()
            if locked is None or not locked.deadline_provisional:
                continue
            before = (locked.due_date, locked.statutory_due_date)
            result = recompute_clock(locked)
            if result is None:
                continue
            moved = before != (result.due_date, result.statutory_due_date)
            record_event(
                locked,
                CaseEventType.DEADLINE_RECOMPUTED,
                actor=None,
                from_status=locked.status,
                comment="按国务院公布的节假日安排重新计算办理时限",
                data={
                    "due_date_before": before[0].isoformat() if before[0] else None,
                    "statutory_due_date_before": before[1].isoformat() if before[1] else None,
                    "due_date": result.due_date.isoformat(),
                    "statutory_due_date": result.statutory_due_date.isoformat(),
                    "provisional": result.provisional,
                    "years": wanted or [],
                },
            )
            if moved and locked.completed_at is None:
                notify_applicant(locked, CaseEventType.DEADLINE_RECOMPUTED)
            recomputed += 1
    return recomputed
