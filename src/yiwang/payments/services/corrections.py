"""差错处理 Corrections of reconciliation items with approval (maker-checker): a finance officer of
the item's department proposes, a different one approves or rejects; approval applies the
correction through the payment services (order events, audit)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import DataScope, User
from yiwang.accounts.roles import assignments_of, in_scope
from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError
from yiwang.payments.errors import PaymentErrorCode
from yiwang.payments.gateways.base import GatewayError, PaymentGateway
from yiwang.payments.models import (
    DISCREPANCIES,
    PAID_STATUSES,
    CorrectionAction,
    CorrectionStatus,
    ItemKind,
    Outcome,
    ReconciliationCorrection,
    ReconciliationItem,
    ReconciliationRun,
    Resolution,
)
from yiwang.payments.services.common import FINANCE_ROLE, fiscal_gateway
from yiwang.payments.services.orders import apply_paid
from yiwang.payments.services.refunds import request_refund

MAX_REASON = 1000


def is_region_finance(user: User) -> bool:
    """A finance officer whose data scope is his region (sees items of no known department)."""
    return any(a.role == FINANCE_ROLE and a.scope == DataScope.REGION for a in assignments_of(user))


def may_handle(user: User, item: ReconciliationItem) -> bool:
    if item.organisation_id is None:
        return is_region_finance(user)
    return in_scope(user, item.organisation_id, (FINANCE_ROLE,))


def fitting_actions(item: ReconciliationItem) -> set[str]:
    """The corrections that fit an item's outcome (whoever asks)."""
    if item.outcome not in DISCREPANCIES:
        return set()
    actions = {CorrectionAction.WRITE_OFF.value}
    order = item.order
    if item.kind == ItemKind.PAY and order is not None:
        if item.outcome == Outcome.MISSING_OURS and order.status not in PAID_STATUSES:
            actions.add(CorrectionAction.MARK_PAID.value)
        if item.outcome == Outcome.DUPLICATE and order.status in PAID_STATUSES:
            actions.add(CorrectionAction.REFUND.value)
    return actions


def _require_finance(actor: User, item: ReconciliationItem, action: str) -> None:
    if may_handle(actor, item):
        return
    audit.record(
        "payments.refused",
        actor=actor,
        object_type="payments.ReconciliationItem",
        object_id=str(item.public_id),
        detail={"action": action, "roles": [FINANCE_ROLE]},
    )
    raise DomainError(PaymentErrorCode.ROLE_REQUIRED, "您没有处理该对账差错的权限", status=403)


def _refresh_open_count(run_id: int) -> None:
    run = ReconciliationRun.objects.select_for_update().get(pk=run_id)
    run.open_count = run.items.filter(resolution__in=[Resolution.OPEN, Resolution.PROPOSED]).count()
    run.save(update_fields=["open_count", "updated_at"])


def propose_correction(
    item: ReconciliationItem, *, actor: User, action: str, reason: str, amount_fen: int | None = None
) -> ReconciliationCorrection:
    """提出差错处理 by a finance officer of the item's department."""
    _require_finance(actor, item, "propose_correction")
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise DomainError(
            PaymentErrorCode.CORRECTION_NOT_ALLOWED, "请填写处理说明", {"reason": ["必填，不超过1000字"]}
        )
    if action not in fitting_actions(item):
        raise Conflict(
            "该处理方式不适用于此对账结果",
            code=PaymentErrorCode.CORRECTION_NOT_ALLOWED,
            fields={"action": [str(action)[:20]]},
        )
    if action == CorrectionAction.REFUND:
        amount_fen = item.statement_fen if amount_fen is None else amount_fen
        if (
            isinstance(amount_fen, bool)
            or not isinstance(amount_fen, int)
            or not 0 < amount_fen <= (item.statement_fen or 0)
        ):
            raise DomainError(
                PaymentErrorCode.INVALID_AMOUNT,
                "退款金额须为正整数（分），不超过重复金额",
                {"amount_fen": [f"1 … {item.statement_fen}"]},
            )
    else:
        amount_fen = item.statement_fen if action == CorrectionAction.MARK_PAID else None
    with transaction.atomic():
        locked = ReconciliationItem.objects.select_for_update().get(pk=item.pk)
        if locked.resolution != Resolution.OPEN:
            raise Conflict("该对账差错已在处理中或已处理", code=PaymentErrorCode.CORRECTION_DECIDED)
        correction = ReconciliationCorrection.objects.create(
            item=locked, action=action, amount_fen=amount_fen, reason=reason, proposed_by=actor
        )
        locked.resolution = Resolution.PROPOSED
        locked.save(update_fields=["resolution"])
        audit.record(
            "payments.correction_proposed",
            actor=actor,
            obj=correction,
            detail={
                "item": str(locked.public_id),
                "order_no": locked.order_no,
                "action": action,
                "amount_fen": amount_fen,
                "outcome": locked.outcome,
            },
        )
    return correction


def _claim(
    correction: ReconciliationCorrection, actor: User, status: str, comment: str
) -> ReconciliationCorrection:
    locked = ReconciliationCorrection.objects.select_for_update().get(pk=correction.pk)
    if locked.status != CorrectionStatus.PENDING:
        raise Conflict("该差错处理已复核", code=PaymentErrorCode.CORRECTION_DECIDED)
    locked.status = status
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.comment = comment
    locked.save(update_fields=["status", "decided_by", "decided_at", "comment", "updated_at"])
    return locked


def _apply(
    correction: ReconciliationCorrection, actor: User, gateway: PaymentGateway | None
) -> dict[str, object]:
    item = correction.item
    order = item.order
    if correction.action == CorrectionAction.MARK_PAID and order is not None:
        try:
            status = (gateway or fiscal_gateway()).query(order.code)
        except GatewayError as exc:
            raise DomainError(
                PaymentErrorCode.GATEWAY_UNAVAILABLE, "支付平台暂时无法访问，请稍后再试", status=503
            ) from exc
        if status.status != "paid" or status.amount_fen != order.amount_fen:
            raise Conflict(
                "支付平台查询结果不是已足额支付，不能补记",
                code=PaymentErrorCode.CORRECTION_NOT_ALLOWED,
                fields={"gateway_status": [status.status[:16]]},
            )
        with transaction.atomic():
            updated, changed = apply_paid(
                order,
                amount_fen=status.amount_fen,
                source="reconciliation",
                channel=status.channel,
                gateway_trade_no=status.gateway_trade_no,
                paid_at=status.paid_at,
                actor=actor,
                data={"correction": str(correction.public_id), "day": item.run.day.isoformat()},
            )
        return {"order_status": updated.status, "changed": changed}
    if correction.action == CorrectionAction.REFUND and order is not None:
        refund = request_refund(
            order,
            actor=actor,
            amount_fen=int(correction.amount_fen or 0),
            reason=f"对账差错处理（重复缴费）：{correction.reason}"[:1000],
            gateway=gateway,
        )
        return {"refund_no": refund.refund_no, "refund_status": refund.status}
    return {}


def decide_correction(
    correction: ReconciliationCorrection,
    *,
    actor: User,
    approve: bool,
    comment: str = "",
    gateway: PaymentGateway | None = None,
) -> ReconciliationCorrection:
    """复核 by a finance officer of the department other than the proposer: approve (applied through
    the payment services; if that fails the correction stays pending) or reject (the item is open again)."""
    item = correction.item
    _require_finance(actor, item, "decide_correction")
    if correction.proposed_by_id == actor.pk:
        audit.record(
            "payments.refused",
            actor=actor,
            obj=correction,
            detail={"action": "decide_correction", "reason": "own_proposal"},
        )
        raise DomainError(PaymentErrorCode.SELF_APPROVAL, "不能复核本人提出的差错处理", status=403)
    comment = (comment or "").strip()[:MAX_REASON]
    if correction.status != CorrectionStatus.PENDING:
        raise Conflict("该差错处理已复核", code=PaymentErrorCode.CORRECTION_DECIDED)
    if not approve:
        with transaction.atomic():
            locked = _claim(correction, actor, CorrectionStatus.REJECTED, comment)
            ReconciliationItem.objects.filter(pk=item.pk).update(resolution=Resolution.OPEN)
            audit.record("payments.correction_rejected", actor=actor, obj=locked, detail={"comment": comment})
        return locked
    with transaction.atomic():
        locked = _claim(correction, actor, CorrectionStatus.APPROVED, comment)
    try:
        result = _apply(locked, actor, gateway)
    except DomainError as exc:
        with transaction.atomic():
            ReconciliationCorrection.objects.filter(pk=locked.pk).update(
                status=CorrectionStatus.PENDING, decided_by=None, decided_at=None, result={"error": exc.code}
            )
        raise
    with transaction.atomic():
        locked.result = result
        locked.save(update_fields=["result", "updated_at"])
        ReconciliationItem.objects.filter(pk=item.pk).update(
            resolution=Resolution.RESOLVED, resolved_at=timezone.now()
        )
        _refresh_open_count(item.run_id)
        audit.record(
            "payments.correction_approved",
            actor=actor,
            obj=locked,
            detail={
                "item": str(item.public_id),
                "order_no": item.order_no,
                "action": locked.action,
                "result": result,
                "comment": comment,
            },
        )
    return locked
