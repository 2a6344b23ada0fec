"""The scheduled scan (``yiwang ratings_scan``): rectifications past their call-back or rectification
deadline get the warning flag, their overdue stage, and the region's supervisors are told (inbox).
Idempotent: a task is escalated once per stage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from yiwang.core import audit
from yiwang.ratings.models import OPEN_STATUSES, OverdueStage, Rectification, RectificationStatus
from yiwang.ratings.tasks import notify_overdue

BEFORE_RECTIFIED = (RectificationStatus.OPEN, RectificationStatus.VERIFIED)


def run_scan(today: date | None = None) -> int:
    """Flag the overdue tasks; returns how many changed stage."""
    today = today or timezone.localdate()
    changed = 0
    stages = (
        (OverdueStage.CALLBACK, Q(status=RectificationStatus.OPEN, callback_due__lt=today)),
        (OverdueStage.RECTIFY, Q(status__in=BEFORE_RECTIFIED, rectify_due__lt=today)),
    )
    for stage, condition in stages:
        lower = (
            [OverdueStage.NONE]
            if stage == OverdueStage.CALLBACK
            else [OverdueStage.NONE, OverdueStage.CALLBACK]
        )
        pks = list(
            Rectification.objects.filter(condition, status__in=OPEN_STATUSES, overdue_stage__in=lower)
            .order_by("pk")
            .values_list("pk", flat=True)[:5000]
        )
        for pk in pks:
            changed += _escalate(pk, stage, lower)
    return changed


def _escalate(pk: int, stage: str, lower: Sequence[str]) -> int:
    with transaction.atomic():
        r = Rectification.objects.select_for_update().filter(pk=pk, overdue_stage__in=lower).first()
        if r is None:
            return 0
        r.overdue_stage = stage
        r.warning = True
        r.escalated_at = timezone.now()
        r.save(update_fields=["overdue_stage", "warning", "escalated_at", "updated_at"])
        audit.record("ratings.rectification.overdue", obj=r, detail={"stage": stage})
        transaction.on_commit(lambda: notify_overdue.enqueue(pk, stage))
    return 1
