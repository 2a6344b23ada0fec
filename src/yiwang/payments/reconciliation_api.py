"""JSON API of reconciliation (mounted at /api/v1/payments/reconciliation): runs (list, run a day,
detail), a run's items (the finance officer's departments only), corrections proposed and decided
by two different finance officers.  Errors answer ``{"code", "message", "fields"}``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router

from yiwang.accounts.models import User
from yiwang.core.errors import DomainError, NotFound
from yiwang.core.paging import PageIn
from yiwang.payments import reads, services
from yiwang.payments.actions import item_actions
from yiwang.payments.errors import PaymentErrorCode
from yiwang.payments.models import ReconciliationCorrection, ReconciliationItem, ReconciliationRun
from yiwang.payments.schemas import (
    PaymentReconCorrectionOut,
    PaymentReconDecideIn,
    PaymentReconItemFilter,
    PaymentReconItemOut,
    PaymentReconItemPageOut,
    PaymentReconProposeIn,
    PaymentReconRunIn,
    PaymentReconRunOut,
    PaymentReconRunPageOut,
)

router = Router(tags=["payments"])


def _finance(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not reads.is_finance(user):
        raise DomainError(PaymentErrorCode.ROLE_REQUIRED, "对账仅限财务人员", status=403)
    return user


def _not_found() -> NotFound:
    return NotFound("对账记录不存在", code=PaymentErrorCode.RECONCILIATION_NOT_FOUND)


def run_out(run: ReconciliationRun, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "id": run.public_id,
        "day": run.day,
        "gateway": run.gateway,
        "status": run.status,
        "status_label": str(run.get_status_display()),
        "signature_verified": run.signature_verified,
        "statement_sha256": run.statement_sha256,
        "statement_lines": run.statement_lines,
        "statement_pay_fen": run.statement_pay_fen,
        "statement_refund_fen": run.statement_refund_fen,
        "counts": counts,
        "finished_at": run.finished_at,
    }


def correction_out(c: ReconciliationCorrection) -> dict[str, Any]:
    return {
        "id": c.public_id,
        "action": c.action,
        "amount_fen": c.amount_fen,
        "reason": c.reason,
        "status": c.status,
        "proposed_by": str(c.proposed_by),
        "decided_by": str(c.decided_by or ""),
        "comment": c.comment,
        "result": c.result,
        "created_at": c.created_at,
    }


def item_out(
    user: User, item: ReconciliationItem, corrections: list[ReconciliationCorrection]
) -> dict[str, Any]:
    org = item.organisation
    return {
        "id": item.public_id,
        "run": item.run.public_id,
        "order_no": item.order_no,
        "order": item.order.public_id if item.order else None,
        "kind": item.kind,
        "outcome": item.outcome,
        "outcome_label": str(item.get_outcome_display()),
        "statement_fen": item.statement_fen,
        "our_fen": item.our_fen,
        "line_count": item.line_count,
        "organisation": (org.short_name or org.name) if org else "",
        "resolution": item.resolution,
        "allowed_actions": sorted(item_actions(user, item)),
        "corrections": [correction_out(c) for c in corrections],
    }


def _run(user: User, run_id: UUID) -> ReconciliationRun:
    run = reads.visible_runs(user).filter(public_id=run_id).first()
    if run is None:
        raise _not_found()
    return run


def _item(user: User, item_id: UUID) -> ReconciliationItem:
    item = (
        reads.visible_items(user)
        .select_related("run", "order", "organisation")
        .filter(public_id=item_id)
        .first()
    )
    if item is None:
        raise _not_found()
    return item


def _correction(user: User, correction_id: UUID) -> ReconciliationCorrection:
    correction = (
        ReconciliationCorrection.objects.select_related(
            "item", "item__run", "item__order", "item__organisation", "proposed_by", "decided_by"
        )
        .filter(public_id=correction_id, item__in=reads.visible_items(user))
        .first()
    )
    if correction is None:
        raise _not_found()
    return correction


def _item_answer(user: User, item_id: UUID) -> dict[str, Any]:
    item = _item(user, item_id)
    corrections = list(
        item.corrections.select_related("proposed_by", "decided_by").order_by("created_at", "pk")
    )
    return item_out(user, item, corrections)


@router.get("/runs", response=PaymentReconRunPageOut, summary="Reconciliation runs (对账批次), finance only")
def list_runs(request: HttpRequest, paging: Query[PageIn]) -> dict[str, Any]:
    user = _finance(request)
    runs = reads.visible_runs(user).order_by("-day", "gateway")
    window = list(paging.window(runs))
    counts = reads.outcome_counts(user, window)
    return {"count": runs.count(), "results": [run_out(run, counts[run.pk]) for run in window]}


@router.post(
    "/runs", response={201: PaymentReconRunOut}, summary="Reconcile a day (对账; re-run keeps handled items)"
)
def start_run(request: HttpRequest, body: PaymentReconRunIn) -> tuple[int, dict[str, Any]]:
    user = _finance(request)
    run = services.reconcile(body.day, actor=user)
    return 201, run_out(run, reads.outcome_counts(user, [run])[run.pk])


@router.get("/runs/{uuid:run_id}", response=PaymentReconRunOut, summary="A run with its counts")
def get_run(request: HttpRequest, run_id: UUID) -> dict[str, Any]:
    user = _finance(request)
    run = _run(user, run_id)
    return run_out(run, reads.outcome_counts(user, [run])[run.pk])


@router.get(
    "/runs/{uuid:run_id}/items", response=PaymentReconItemPageOut, summary="A run's items (my departments)"
)
def list_items(
    request: HttpRequest, run_id: UUID, filters: Query[PaymentReconItemFilter], paging: Query[PageIn]
) -> dict[str, Any]:
    user = _finance(request)
    run = _run(user, run_id)
    items = reads.item_rows(
        user, run, outcome=filters.outcome, resolution=filters.resolution, q=filters.q.strip()
    )
    items = items.prefetch_related("corrections__proposed_by", "corrections__decided_by")
    return {
        "count": items.count(),
        "results": [item_out(user, item, list(item.corrections.all())) for item in paging.window(items)],
    }


@router.get("/items/{uuid:item_id}", response=PaymentReconItemOut, summary="An item with its corrections")
def get_item(request: HttpRequest, item_id: UUID) -> dict[str, Any]:
    return _item_answer(_finance(request), item_id)


@router.post(
    "/items/{uuid:item_id}/corrections",
    response={201: PaymentReconCorrectionOut},
    summary="Propose a correction (差错处理): mark_paid, refund or write_off",
)
def propose(request: HttpRequest, item_id: UUID, body: PaymentReconProposeIn) -> tuple[int, dict[str, Any]]:
    user = _finance(request)
    correction = services.propose_correction(
        _item(user, item_id), actor=user, action=body.action, reason=body.reason, amount_fen=body.amount_fen
    )
    return 201, correction_out(correction)


@router.post(
    "/corrections/{uuid:correction_id}/approve",
    response=PaymentReconCorrectionOut,
    summary="Approve a correction (复核通过; another finance officer than the proposer)",
)
def approve(request: HttpRequest, correction_id: UUID, body: PaymentReconDecideIn) -> dict[str, Any]:
    user = _finance(request)
    decided = services.decide_correction(
        _correction(user, correction_id), actor=user, approve=True, comment=body.comment
    )
    return correction_out(decided)


@router.post(
    "/corrections/{uuid:correction_id}/reject",
    response=PaymentReconCorrectionOut,
    summary="Reject a correction (驳回; the item is open again)",
)
def reject(request: HttpRequest, correction_id: UUID, body: PaymentReconDecideIn) -> dict[str, Any]:
    user = _finance(request)
    decided = services.decide_correction(
        _correction(user, correction_id), actor=user, approve=False, comment=body.comment
    )
    return correction_out(decided)
