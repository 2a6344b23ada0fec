"""终止 and 补正超期: the handling body ends a case (the applicant died, the company was dissolved...),
and cases whose correction deadline passed are closed as not accepted."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.cases.models import (
    Case,
    CaseEventType,
    CaseOutcome,
    CaseStatus,
    CorrectionNotice,
    DocumentKind,
    SpecialProcedure,
)
from yiwang.cases.queries import open_correction_notice
from yiwang.cases.services.process_steps import terminate_process
from yiwang.cases.services.withdrawal import OPEN_BEFORE_DECISION
from yiwang.cases.transitions import Transition, require_reason, transition
from yiwang.core.errors import Conflict

CORRECTION_TIMEOUT_REASON = "申请人未在补正期限内补正材料"


def terminate_case(case: Case, *, actor: User, reason: str, expected_version: int | None = None) -> Case:
    """终止 by the handling body (the applicant died, the company was dissolved...), not a withdrawal."""
    reason = require_reason(reason)
    with transition(
        case, OPEN_BEFORE_DECISION, actor=actor, roles=["approver"], expected_version=expected_version
    ) as t:
        locked = t.case
        locked.status = CaseStatus.TERMINATED
        locked.completed_at = timezone.now()
        locked.decision_comment = reason
        t.save("completed_at", "decision_comment")
        SpecialProcedure.objects.filter(case=locked, ended_at__isnull=True).update(
            ended_at=locked.completed_at, ended_by=actor, result="办件终止"
        )
        t.record(CaseEventType.TERMINATED, comment=reason)
        terminate_process(locked, actor, f"办件终止：{reason}")
        t.notify(CaseEventType.TERMINATED)
    return locked


def expire_corrections(today: date | None = None) -> list[str]:
    """补正超期: cases whose correction deadline passed without supply are closed as not accepted
    (不予受理) with a notice.  Idempotent; returns the case numbers closed."""
    today = today or timezone.localdate()
    due = (
        CorrectionNotice.objects.filter(
            resolved_at__isnull=True, deadline__lt=today, case__status=CaseStatus.CORRECTION_REQUIRED
        )
        .values_list("case_id", flat=True)
        .distinct()
    )
    closed: list[str] = []
    for case_id in list(due):
        try:
            with transition(case_id, {CaseStatus.CORRECTION_REQUIRED}, actor=None) as t:
                notice = open_correction_notice(t.case)
                if notice is None or notice.deadline >= today:
                    continue
                _close_timed_out(t, notice)
                closed.append(t.case.number)
        except Conflict:
            continue  # supplied or withdrawn meanwhile
    return closed


def _close_timed_out(t: Transition, notice: CorrectionNotice) -> None:
    case = t.case
    case.status = CaseStatus.NOT_ACCEPTED
    case.outcome = CaseOutcome.REFUSED
    case.completed_at = timezone.now()
    case.decision_comment = CORRECTION_TIMEOUT_REASON
    t.attach_result(
        DocumentKind.NOT_ACCEPTED_NOTICE,
        reason=f"本机关已于{notice.created_at:%Y年%m月%d日}一次性告知需补正的材料，"
        f"补正期限至{notice.deadline:%Y年%m月%d日}，你（单位）逾期未补正。",
    )
    t.save("outcome", "completed_at", "decision_comment", "result_document", "result_sha256")
    t.record(
        CaseEventType.CORRECTION_TIMED_OUT,
        comment=CORRECTION_TIMEOUT_REASON,
        data={"round": notice.round, "deadline": notice.deadline.isoformat()},
    )
    t.notify(CaseEventType.CORRECTION_TIMED_OUT)
