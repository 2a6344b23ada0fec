"""缴费 The payment stage of a case (docs/payments.md "Cases").

An approval of a case whose item charges fees (``fee_required`` with active fee rules in
:mod:`yiwang.payments`) does not complete the case at once: the decision is recorded, a payment
order (缴款单) is issued, and a special procedure (特别程序, kind "other", reason 缴纳费用) starts,
so the clock stops while the applicant pays (行政许可法 第四十五条 style pause; docs/cases.md).
The case stays 审查中 — no result, no delivery — until the order is paid; then, after the payment's
commit, the procedure ends and the case completes with the approval (办结) as the decision said.
A refusal, or a breakdown with nothing to pay (every line exempt), completes as before.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.cases.models import (
    Case,
    CaseEventType,
    CaseOutcome,
    CaseStatus,
    DocumentKind,
    SpecialProcedure,
    SpecialProcedureKind,
)
from yiwang.cases.signals import case_completed
from yiwang.cases.transitions import Transition, transition
from yiwang.core.calendar import working_days_between
from yiwang.payments import services as payments
from yiwang.payments.models import PAID_STATUSES, PaymentOrder
from yiwang.payments.signals import order_paid

logger = logging.getLogger("yiwang.cases")
SUBJECT_TYPE = "cases.Case"
PAYMENT_REASON = "缴纳费用"


def paid_order(case: Case) -> PaymentOrder | None:
    return (
        PaymentOrder.objects.filter(
            subject_type=SUBJECT_TYPE, subject_id=str(case.public_id), status__in=PAID_STATUSES
        )
        .order_by("paid_at")
        .first()
    )


def await_payment(t: Transition, *, comment: str, process_data: dict[str, Any] | None) -> bool:
    """Called by the approval (``decide_locked``) inside its transition: when the case must pay
    first, issue the order, stop the clock and return True (the case is not completed now)."""
    case = t.case
    if not payments.item_has_fees(case.item) or paid_order(case) is not None:
        return False
    starter = t.actor or case.registered_by or case.applicant
    procedure = SpecialProcedure(
        case=case,
        kind=SpecialProcedureKind.OTHER,
        reason=PAYMENT_REASON,
        started_at=timezone.now(),
        started_by=starter,
    )
    order = payments.create_order(
        subject_type=SUBJECT_TYPE,
        subject_id=str(case.public_id),
        reference=case.number,
        title=f"{case.item.name}（{case.number}）",
        organisation=case.handling_organisation,
        payer=case.applicant,
        payer_name=case.applicant_name,
        item=case.item,
        form_data=case.form_data if isinstance(case.form_data, dict) else {},
        applicant_type=case.applicant.kind,
        actor=t.actor,
        context={
            "decision_comment": comment,
            "approved_by": t.actor.pk if t.actor else None,
            "procedure": str(procedure.public_id),
            "process_data": process_data or {},
        },
    )
    if order is None:  # nothing to pay
        return False
    procedure.reason = f"{PAYMENT_REASON}（缴款码 {order.code}）"
    procedure.save()
    t.save()
    t.record(
        CaseEventType.SPECIAL_PROCEDURE_STARTED,
        comment=f"审批通过，待缴纳费用 {order.amount_fen / 100:.2f} 元",
        data={
            "kind": SpecialProcedureKind.OTHER,
            "kind_label": str(SpecialProcedureKind.OTHER.label),
            "procedure": str(procedure.public_id),
            "payment_order": str(order.public_id),
            "payment_code": order.code,
            "amount_fen": order.amount_fen,
            "due_date": order.due_date.isoformat(),
        },
    )
    t.notify(CaseEventType.SPECIAL_PROCEDURE_STARTED)
    return True


def complete_after_payment(case_id: str, order_id: int) -> Case | None:
    """The order is paid: end the payment procedure and complete the case with its approval."""
    case = Case.objects.filter(public_id=case_id).first()
    order = PaymentOrder.objects.filter(pk=order_id).first()
    if case is None or order is None or case.status != CaseStatus.ACCEPTED:
        return None
    context = order.context or {}
    procedure_id = str(context.get("procedure") or "")
    if not procedure_id:
        return None
    with transition(case, {CaseStatus.ACCEPTED}, actor=None) as t:
        locked = t.case
        procedure = (
            locked.special_procedures.select_for_update()
            .filter(ended_at__isnull=True, public_id=procedure_id)
            .first()
        )
        if procedure is None:
            return None
        procedure.ended_at = timezone.now()
        procedure.result = f"已缴费（缴款码 {order.code}）"
        procedure.paused_working_days = max(
            0,
            working_days_between(
                timezone.localdate(procedure.started_at), timezone.localdate(procedure.ended_at)
            ),
        )
        procedure.save(update_fields=["ended_at", "result", "paused_working_days", "updated_at"])
        t.record(
            CaseEventType.SPECIAL_PROCEDURE_ENDED,
            comment=procedure.result,
            data={
                "kind": procedure.kind,
                "procedure": str(procedure.public_id),
                "paused_working_days": procedure.paused_working_days,
                "payment_order": str(order.public_id),
            },
        )
        comment = str(context.get("decision_comment") or "")
        approved_by = context.get("approved_by")
        approver = User.objects.filter(pk=int(approved_by)).first() if approved_by else None
        locked.status = CaseStatus.COMPLETED
        locked.outcome = CaseOutcome.APPROVED
        locked.completed_at = timezone.now()
        locked.decision_comment = comment
        t.attach_result(DocumentKind.APPROVAL_DECISION, comment=comment, reason=comment)
        t.save("outcome", "completed_at", "decision_comment", "result_document", "result_sha256")
        data = {**(context.get("process_data") or {}), "payment_order": str(order.public_id)}
        t.record(CaseEventType.APPROVED, comment=comment, data=data)
        t.record(
            CaseEventType.COMPLETED, data={"outcome": locked.outcome, "result_sha256": locked.result_sha256}
        )
        t.notify(CaseEventType.COMPLETED)
        case_completed.send(sender=Case, case=locked, actor=approver)
    return locked


def _on_order_paid(sender: Any, *, order: PaymentOrder, **_: Any) -> None:
    if order.subject_type != SUBJECT_TYPE:
        return
    case_id, order_id = order.subject_id, order.pk

    def complete() -> None:
        try:
            complete_after_payment(case_id, order_id)
        except Exception:  # the payment is committed; the case is completed by a retry (docs/payments.md)
            logger.exception("case %s not completed after payment", case_id)

    transaction.on_commit(complete)


order_paid.connect(_on_order_paid, dispatch_uid="cases.payment_stage.order_paid")
