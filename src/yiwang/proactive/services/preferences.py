"""Push settings: the recipient turns pushes off (one rule, or all) and on again."""

from __future__ import annotations

from django.db import transaction

from yiwang.accounts.models import User
from yiwang.core import audit
from yiwang.core.errors import DomainError
from yiwang.proactive.errors import ProactiveErrorCode
from yiwang.proactive.models import OptOut, Rule
from yiwang.proactive.subjects import subject_digest


def set_push_enabled(actor: User, *, rule: Rule | None, enabled: bool) -> None:
    digest = subject_digest(actor)
    if not digest:
        raise DomainError(ProactiveErrorCode.FORBIDDEN, "请先完成实名认证", status=403)
    with transaction.atomic():
        rows = OptOut.objects.filter(subject_digest=digest)
        rows = rows.filter(rule=rule) if rule is not None else rows.filter(rule__isnull=True)
        if enabled:
            changed = rows.delete()[0] > 0
        else:
            changed = not rows.exists()
            if changed:
                OptOut.objects.create(user=actor, subject_digest=digest, rule=rule)
        if changed:
            audit.record(
                "proactive.push_enabled" if enabled else "proactive.push_disabled",
                actor=actor,
                object_type="proactive.Rule",
                object_id=str(rule.public_id) if rule else "all",
            )
