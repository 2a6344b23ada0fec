"""超期督办 The scheduled scan (``yiwang tickets_scan``): tickets past their accept or reply deadline
are flagged once (idempotent) and their department and the supervisors in scope told (inbox)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from yiwang.core import audit
from yiwang.tickets.models import Ticket
from yiwang.tickets.reads import overdue_condition
from yiwang.tickets.services import common

BATCH = 500


def scan_overdue() -> int:
    """Flag the overdue tickets not flagged yet; answers how many were flagged."""
    now = timezone.now()
    flagged = 0
    while True:
        with transaction.atomic():
            ids = list(
                Ticket.objects.filter(overdue_condition(), overdue_flagged_at__isnull=True)
                .order_by("pk")
                .values_list("pk", flat=True)[:BATCH]
            )
            if not ids:
                break
            rows = list(Ticket.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
            for t in rows:
                t.overdue_flagged_at = now
                t.save(update_fields=["overdue_flagged_at", "updated_at"])
                common.record(
                    t, "overdue", actor=None, from_status=t.status, detail={"reply_due": t.reply_due}
                )
                common.tell_department(t, "overdue")
            flagged += len(rows)
    if flagged:
        audit.record("tickets.scan", object_type="tickets.Ticket", detail={"flagged": flagged})
    return flagged
