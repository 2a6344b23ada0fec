"""受理 / 不予受理 Acceptance: the deadlines start, the process starts; or a refusal with its notice.

An instant item (即办件) is decided as soon as it is accepted (:func:`after_acceptance`).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.cases.documents import case_context, issue_document
from yiwang.cases.models import Case, CaseEventType, CaseOutcome, CaseStatus, DocumentKind
from yiwang.cases.services.decision import decide_from_process, decide_locked
from yiwang.cases.services.process_steps import finish_process, start_process, variant_finishes_process
from yiwang.cases.transitions import (
    Transition,
    files_removed_on_failure,
    local_today,
    locked_case,
    require_reason,
    transition,
)
from yiwang.catalog.models import CaseKind
from yiwang.core.calendar import add_working_days, provisional_years_between
from yiwang.workflow.models import ProcessStatus


def accept_case(case: Case, *, actor: User, comment: str = "", expected_version: int | None = None) -> Case:
    """受理: the committed and statutory deadlines start counting in working days from today."""
    with transition(
        case, {CaseStatus.SUBMITTED}, actor=actor, roles=["window_clerk"], expected_version=expected_version
    ) as t:
        return _accept(t, actor, comment, {}, None)


def accept_by_rule(case: Case, *, variables: dict[str, Any]) -> Case:
    """无人干预秒批: the system accepts a case whose decision table needs only shared data and starts
    its process with ``variables`` (the shared fields and the gateway call ids they came from); the
    DMN decides at once (recording the rule and the inputs) or leaves the case to a clerk."""
    calls = list(variables.get("gateway_calls") or [])
    with transition(case, {CaseStatus.SUBMITTED}, actor=None) as t:
        return _accept(
            t, None, "共享数据齐全，系统自动受理", {"unattended": True, "gateway_calls": calls}, variables
        )


def _accept(
    t: Transition, actor: User | None, comment: str, data: dict[str, Any], variables: dict[str, Any] | None
) -> Case:
    """The acceptance inside its transition (by a clerk, or by the system with ``variables``)."""
    locked = t.case
    today = local_today()
    locked.accepted_at = timezone.now()
    locked.due_date = add_working_days(today, locked.item.committed_limit_days)
    locked.statutory_due_date = add_working_days(today, locked.item.statutory_limit_days)
    locked.deadline_provisional = bool(
        provisional_years_between(today, max(locked.due_date, locked.statutory_due_date))
    )
    locked.status = CaseStatus.ACCEPTED
    t.save("accepted_at", "due_date", "statutory_due_date", "deadline_provisional")
    t.record(
        CaseEventType.ACCEPTED,
        comment=comment,
        data={
            "due_date": locked.due_date.isoformat(),
            "statutory_due_date": locked.statutory_due_date.isoformat(),
            "provisional": locked.deadline_provisional,
            **data,
        },
    )
    issue_document(
        DocumentKind.ACCEPTANCE_NOTICE,
        case_context(locked),
        organisation=locked.handling_organisation,
        number=locked.number,
        case=locked,
    )
    t.notify(CaseEventType.ACCEPTED)
    # 流程驱动: start the item's workflow process in this same transaction (see cases/process.py).
    if variables is not None:  # the process decides on the shared data, not on the applicant's form
        locked.form_data = {**(locked.form_data or {}), **variables}  # in memory only: not saved
    instance = start_process(locked, actor=actor)  # type: ignore[arg-type]
    if variables is not None:
        locked.refresh_from_db(fields=["form_data"])
    if instance is not None and instance.status == ProcessStatus.COMPLETED:  # 秒批: the DMN decided
        decide_from_process(locked, instance, actor=None, result={})
    return after_acceptance(locked, actor=actor)  # type: ignore[arg-type]


def after_acceptance(case: Case, *, actor: User | None) -> Case:
    """Inside the acceptance transaction: an instant item (即办件) is approved and completed at once,
    and its process run to the end."""
    if case.item.case_kind != CaseKind.INSTANT:
        return case
    case.refresh_from_db()
    if case.status != CaseStatus.ACCEPTED:  # 秒批 already decided it
        return case
    with files_removed_on_failure() as stored, variant_finishes_process():
        t = Transition(locked_case(case, {CaseStatus.ACCEPTED}), actor, stored)
        decided = decide_locked(t, approve=True, comment="即办件，受理即办结", process_data={"instant": True})
    finish_process(decided, actor, {"approve": True, "agree": True, "comment": "即办件当场办结"})
    return decided


def refuse_acceptance(case: Case, *, actor: User, reason: str, expected_version: int | None = None) -> Case:
    """不予受理: with the reason, a notice document and the applicant's appeal rights."""
    reason = require_reason(reason, "reason", "不予受理须说明理由")
    with transition(
        case, {CaseStatus.SUBMITTED}, actor=actor, roles=["window_clerk"], expected_version=expected_version
    ) as t:
        locked = t.case
        locked.status = CaseStatus.NOT_ACCEPTED
        locked.outcome = CaseOutcome.REFUSED
        locked.completed_at = timezone.now()
        locked.decision_comment = reason
        t.attach_result(DocumentKind.NOT_ACCEPTED_NOTICE, reason=reason)
        t.save("outcome", "completed_at", "decision_comment", "result_document", "result_sha256")
        t.record(CaseEventType.NOT_ACCEPTED, comment=reason)
        t.notify(CaseEventType.NOT_ACCEPTED)
    return locked
