"""撤回 Withdrawal by the applicant (or his agent) before a decision."""

from __future__ import annotations

from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.cases.models import Case, CaseEventType, CaseStatus
from yiwang.cases.services.applicants import check_assurance_level, check_case_party
from yiwang.cases.services.process_steps import terminate_process
from yiwang.cases.transitions import transition

# The states a case can be withdrawn or terminated from: everything before a decision.
OPEN_BEFORE_DECISION = frozenset({CaseStatus.SUBMITTED, CaseStatus.CORRECTION_REQUIRED, CaseStatus.ACCEPTED})


def withdraw_case(case: Case, *, applicant: User, reason: str = "") -> Case:
    """撤回: the applicant withdraws before a decision."""
    acting_for = check_case_party(case, applicant)
    check_assurance_level(applicant, case.item, "withdraw", f"/my/cases/{case.public_id}/")
    with transition(case, OPEN_BEFORE_DECISION, actor=applicant) as t:
        locked = t.case
        locked.status = CaseStatus.WITHDRAWN
        locked.completed_at = timezone.now()
        t.save("completed_at")
        t.record(CaseEventType.WITHDRAWN, comment=reason, data=acting_for)
        terminate_process(locked, applicant, "申请人撤回")
        t.notify(CaseEventType.WITHDRAWN)
    return locked
