"""延长 Extension of the time limit: requested by the handling staff, approved by another approver
(行政许可法 第四十二条: 20 days extendable by 10; joint or centralised handling 45, extendable by 15)."""

from __future__ import annotations

from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.cases.errors import CaseErrorCode
from yiwang.cases.models import Case, CaseEventType, CaseExtension, CaseStatus, ExtensionStatus
from yiwang.cases.transitions import require_reason, transition
from yiwang.core.errors import Conflict, DomainError

EXTENSION_MAX_DAYS = 10
JOINT_EXTENSION_MAX_DAYS = 15
HANDLING_ROLES = ("handler", "approver")


def extension_limit(case: Case) -> int:
    return JOINT_EXTENSION_MAX_DAYS if case.item.process_departments else EXTENSION_MAX_DAYS


def request_extension(
    case: Case, *, actor: User, days: int, reason: str, expected_version: int | None = None
) -> CaseExtension:
    """延长申请 by the handling staff: once per case, at most 10 working days (15 for joint handling)."""
    reason = require_reason(reason)
    with transition(
        case, {CaseStatus.ACCEPTED}, actor=actor, roles=HANDLING_ROLES, expected_version=expected_version
    ) as t:
        limit = extension_limit(t.case)
        if not 1 <= days <= limit:
            raise DomainError(
                CaseErrorCode.EXTENSION_NOT_ALLOWED, f"延长期限应为 1–{limit} 个工作日", {"days": [str(days)]}
            )
        if t.case.extensions.exclude(status=ExtensionStatus.REJECTED).exists():
            raise Conflict(
                "该办件已申请或已批准延长，依法只能延长一次", code=CaseErrorCode.EXTENSION_NOT_ALLOWED
            )
        extension = CaseExtension.objects.create(case=t.case, days=days, reason=reason, requested_by=actor)
        t.save()
        t.record(
            CaseEventType.EXTENSION_REQUESTED,
            comment=reason,
            data={"days": days, "extension": str(extension.public_id)},
        )
    return extension


def decide_extension(
    case: Case, *, actor: User, approve: bool, comment: str = "", expected_version: int | None = None
) -> Case:
    """延长审批 by an approver other than the requester; approval adds the days to both deadlines."""
    if not approve:
        comment = require_reason(comment, "comment", "不予批准延长须说明理由")
    with transition(
        case, {CaseStatus.ACCEPTED}, actor=actor, roles=["approver"], expected_version=expected_version
    ) as t:
        extension = t.case.extensions.select_for_update().filter(status=ExtensionStatus.PENDING).first()
        if extension is None:
            raise Conflict("没有待审批的延长申请", code=CaseErrorCode.INVALID_TRANSITION)
        if extension.requested_by_id == actor.pk:
            raise DomainError(
                CaseErrorCode.ROLE_REQUIRED,
                "延长申请须由申请人以外的负责人批准",
                {"actor": ["本人申请"]},
                status=403,
            )
        extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
        extension.decided_by = actor
        extension.decided_at = timezone.now()
        extension.decision_comment = comment
        extension.save(update_fields=["status", "decided_by", "decided_at", "decision_comment", "updated_at"])
        t.save()
        t.record(
            CaseEventType.EXTENSION_APPROVED if approve else CaseEventType.EXTENSION_REJECTED,
            comment=comment or extension.reason,
            data={"days": extension.days if approve else 0, "reason": extension.reason},
        )
        if approve:
            t.notify(CaseEventType.EXTENSION_APPROVED)
    return t.case
