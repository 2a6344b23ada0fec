"""审批 / 办结 Decision and completion: approve or refuse, then complete with the result document.

A decision comes from an approver (:func:`decide_case`), from the case's process when it ends
(:func:`decide_from_process`), or from a lifecycle variant that decides at once (即办件, 告知承诺),
which calls :func:`decide_locked` inside its own transition.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.cases import payment_stage
from yiwang.cases.errors import CaseErrorCode
from yiwang.cases.models import Case, CaseEventType, CaseOutcome, CaseStatus, DocumentKind
from yiwang.cases.signals import case_completed
from yiwang.cases.transitions import Transition, require_reason, require_staff_role, transition
from yiwang.core.errors import Conflict
from yiwang.workflow.models import ProcessInstance


def check_decision_allowed(case: Case) -> None:
    """No decision while 容缺 material is missing or a 特别程序 is running (409 decision_blocked)."""
    if case.gap_items and case.gap_resolved_at is None:
        raise Conflict(
            "容缺受理的材料尚未补齐，不能作出决定",
            code=CaseErrorCode.DECISION_BLOCKED,
            fields={"gap_items": [str(entry.get("name", "")) for entry in case.gap_items]},
        )
    if case.special_procedures.filter(ended_at__isnull=True).exists():
        raise Conflict(
            "特别程序尚未结束，不能作出决定",
            code=CaseErrorCode.DECISION_BLOCKED,
            fields={"special_procedure": ["进行中"]},
        )


def decide_case(
    case: Case,
    *,
    actor: User | None,
    approve: bool,
    comment: str = "",
    expected_version: int | None = None,
    process_data: dict[str, Any] | None = None,
) -> Case:
    """批准 or 不予批准, then 办结 with the result document generated as PDF."""
    comment = (comment or "").strip()
    if not approve:
        comment = require_reason(comment, "comment", "不予批准须说明理由")
    with transition(case, {CaseStatus.ACCEPTED}, actor=actor, expected_version=expected_version) as t:
        return decide_locked(t, approve=approve, comment=comment, process_data=process_data)


def decide_locked(
    t: Transition, *, approve: bool, comment: str, process_data: dict[str, Any] | None = None
) -> Case:
    """The decision inside a transition on an accepted case.  ``process_data``: the decision was
    authorised by the process's work item or by a variant (no approver role is checked then)."""
    locked, actor = t.case, t.actor
    check_decision_allowed(locked)
    if process_data is None:
        assert actor is not None
        require_staff_role(actor, locked, ["approver"])
    if approve and payment_stage.await_payment(t, comment=comment, process_data=process_data):
        return locked  # 缴费: completed once the fee is paid (cases/payment_stage.py)
    locked.status = CaseStatus.COMPLETED
    locked.outcome = CaseOutcome.APPROVED if approve else CaseOutcome.REFUSED
    locked.completed_at = timezone.now()
    locked.decision_comment = comment
    kind = DocumentKind.APPROVAL_DECISION if approve else DocumentKind.REFUSAL_DECISION
    t.attach_result(kind, comment=comment, reason=comment)
    t.save("outcome", "completed_at", "decision_comment", "result_document", "result_sha256")
    t.record(CaseEventType.APPROVED if approve else CaseEventType.REFUSED, comment=comment, data=process_data)
    t.record(CaseEventType.COMPLETED, data={"outcome": locked.outcome, "result_sha256": locked.result_sha256})
    t.notify(CaseEventType.COMPLETED)
    case_completed.send(sender=Case, case=locked, actor=actor)
    return locked


def decide_from_process(
    case: Case, instance: ProcessInstance, *, actor: User | None, result: dict[str, Any]
) -> None:
    """The case's process ended: decide the case as its last task, its joint opinions or its 秒批
    rule say (nothing when none of them decided)."""
    data = instance.data if isinstance(instance.data, dict) else {}
    event_data: dict[str, Any] = {"process": str(instance.public_id)}
    decision = instance.decisions.order_by("-decided_at", "-pk").first()
    if "approve" in result:
        approve = bool(result["approve"])
        comment = str(result.get("comment") or "")
        if not approve and not comment:
            comment = "经审查，不符合条件"
    elif data.get("any_refused"):
        approve = False
        reasons = [
            f"{o.get('department')}：{o.get('comment') or '不同意'}"
            for o in data.get("opinions") or []
            if not (o or {}).get("agree", False)
        ]
        comment = "联合审批不予许可。" + "；".join(reasons)
        event_data["refusing_departments"] = data.get("refusing_departments") or []
    elif decision is not None and decision.outputs.get("auto_approve") is True:
        approve = True
        comment = str(decision.outputs.get("auto_reason") or "符合秒批规则")
    else:
        return
    if decision is not None:
        event_data["decision_record"] = decision.pk
        event_data["rules"] = [r.get("id") for r in decision.matched_rules or []]
        event_data["inputs"] = decision.inputs
    if data.get("gateway_calls"):  # 秒批 on shared data: the gateway calls the inputs came from
        event_data["gateway_calls"] = list(data["gateway_calls"])
    decide_case(case, actor=actor, approve=approve, comment=comment, process_data=event_data)
