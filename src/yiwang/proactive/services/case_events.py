"""出生登记 by a completed case: a birth rule may name a catalogue item (``conditions.item_id``, e.g.
出生医学证明 or 新生儿入户); when a case of that item completes, its applicant gets the rule's push
(or grant), once per case.  Connected to ``cases.signals.case_completed`` in ``ProactiveConfig.ready``."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.proactive.models import (
    ActionKind,
    EventKind,
    GrantStatus,
    OptOut,
    Push,
    PushStatus,
    Rule,
    RuleStatus,
    SubjectKind,
)
from yiwang.proactive.services.delivery import deliver_pending
from yiwang.proactive.subjects import subject_digest


def on_case_completed(sender: Any, *, case: Any, **_: Any) -> None:
    """Inside the completing transaction: at most one insert per matching rule (usually none)."""
    rules = list(
        Rule.objects.filter(
            status=RuleStatus.ACTIVE, event=EventKind.BIRTH, conditions__item_id=str(case.item.public_id)
        )
    )
    if not rules:
        return
    digest = subject_digest(case.applicant)
    if not digest:
        return
    now = timezone.now()
    opted = set(OptOut.objects.filter(subject_digest=digest).values_list("rule_id", flat=True))
    pushes = [
        Push(
            rule=rule,
            rule_version=rule.version,
            subject_kind=SubjectKind.PERSON,
            subject_digest=digest,
            event_key=f"case:{case.public_id}",
            status=PushStatus.SKIPPED if (None in opted or rule.pk in opted) else PushStatus.NEW,
            grant_status=GrantStatus.GRANTED if rule.action == ActionKind.GRANT else "",
            amount_fen=rule.amount_fen if rule.action == ActionKind.GRANT else 0,
            facts={"event": "birth", "case": case.number, "item": case.item.name},
            scan_day=timezone.localdate(now),
            created_at=now,
        )
        for rule in rules
    ]
    Push.objects.bulk_create(pushes, ignore_conflicts=True)
    transaction.on_commit(lambda: deliver_pending(limit=len(pushes)))
