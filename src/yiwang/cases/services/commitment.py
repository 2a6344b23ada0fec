"""告知承诺 Approval on the applicant's written commitment, and its later verification (核查)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.cases.errors import CaseErrorCode
from yiwang.cases.models import Case, CaseEventType, CaseStatus
from yiwang.cases.services.decision import decide_locked
from yiwang.cases.services.process_steps import finish_process, variant_finishes_process
from yiwang.cases.transitions import require_reason, transition
from yiwang.core.calendar import add_working_days
from yiwang.core.errors import Conflict, CoreErrorCode, DomainError
from yiwang.licences.models import LicenceStatus
from yiwang.licences.services import revoke_licence


def default_verification_days() -> int:
    """Working days for the 核查 (setting ``YIWANG_COMMITMENT_VERIFICATION_DAYS``, default 20)."""
    return int(getattr(settings, "YIWANG_COMMITMENT_VERIFICATION_DAYS", 20))


def approve_on_commitment(
    case: Case,
    *,
    actor: User,
    comment: str = "",
    verification_days: int | None = None,
    expected_version: int | None = None,
) -> Case:
    """告知承诺: approve on the applicant's written commitment; a verification (核查) is due within
    ``verification_days`` working days (setting ``YIWANG_COMMITMENT_VERIFICATION_DAYS``, default 20)."""
    days = verification_days if verification_days is not None else default_verification_days()
    if not 1 <= days <= 250:
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR, "核查期限应为 1–250 个工作日", {"verification_days": [str(days)]}
        )
    with transition(
        case, {CaseStatus.ACCEPTED}, actor=actor, roles=["approver"], expected_version=expected_version
    ) as t:
        locked = t.case
        if not locked.item.commitment_approval:
            raise Conflict("该事项未实行告知承诺制", code=CaseErrorCode.VARIANT_NOT_ALLOWED)
        due = add_working_days(timezone.localdate(), days)
        locked.commitment_based = True
        locked.verification_due_date = due
        Case.objects.filter(pk=locked.pk).update(commitment_based=True, verification_due_date=due)
        text = comment.strip() or "申请人书面承诺符合条件，实行告知承诺审批"
        with variant_finishes_process():
            decided = decide_locked(
                t,
                approve=True,
                comment=text,
                process_data={"commitment": True, "verification_due_date": due.isoformat()},
            )
        finish_process(decided, actor, {"approve": True, "agree": True, "comment": text})
    return decided


def verify_commitment(
    case: Case, *, actor: User, truthful: bool, comment: str = "", expected_version: int | None = None
) -> Case:
    """承诺核查: confirm the approval, or revoke it (撤销许可) when the commitment proved false;
    licences issued from the case are revoked too."""
    if not truthful:
        comment = require_reason(comment, "comment", "撤销许可须说明核查发现的问题")
    with transition(
        case, {CaseStatus.COMPLETED}, actor=actor, roles=["approver"], expected_version=expected_version
    ) as t:
        locked = t.case
        if not locked.commitment_based or locked.verified_at is not None:
            raise Conflict("该办件没有待核查的承诺", code=CaseErrorCode.INVALID_TRANSITION)
        now = timezone.now()
        locked.verified_at = now
        Case.objects.filter(pk=locked.pk).update(verified_at=now)
        data = {
            "truthful": truthful,
            "late": timezone.localdate() > (locked.verification_due_date or date.max),
        }
        if truthful:
            t.save()
            t.record(CaseEventType.COMMITMENT_VERIFIED, comment=comment, data=data)
            return locked
        locked.status = CaseStatus.REVOKED
        t.save()
        revoked = revoke_case_licences(locked, actor, comment)
        t.record(CaseEventType.APPROVAL_REVOKED, comment=comment, data={**data, "licences": revoked})
        t.notify(CaseEventType.APPROVAL_REVOKED)
    return locked


def revoke_case_licences(case: Case, actor: User, reason: str) -> list[str]:
    """Revoke the licences issued from ``case`` that are still in force; returns their public ids."""
    revoked: list[str] = []
    active = {LicenceStatus.VALID, LicenceStatus.SUSPENDED, LicenceStatus.EXPIRED}
    for licence in case.licences.all():  # type: ignore[attr-defined]
        if licence.status in active:
            revoke_licence(licence, actor=actor, reason=f"告知承诺不实，撤销许可：{reason}")
            revoked.append(str(licence.public_id))
    return revoked
