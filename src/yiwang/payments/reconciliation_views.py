"""对账 pages of the finance view: /workbench/finance/reconciliation/ (runs, run a day), a run's
report (counts by outcome, items filtered and paged, correction actions over htmx) and its export
(CSV / XLSX).  Finance officers only; the items are those of their departments."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.core.errors import DomainError
from yiwang.core.paging import paginate
from yiwang.payments import exports, reads, services
from yiwang.payments.actions import correction_actions, item_actions
from yiwang.payments.errors import PaymentErrorCode
from yiwang.payments.models import (
    CorrectionAction,
    Outcome,
    ReconciliationCorrection,
    ReconciliationItem,
    ReconciliationRun,
    Resolution,
)
from yiwang.payments.views import yuan_to_fen
from yiwang.web.ui import domain_errors, error_context, staff_required

PER_PAGE = 50


def _finance(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not reads.is_finance(user):
        raise DomainError(PaymentErrorCode.ROLE_REQUIRED, _("对账仅限财务人员"), status=403)
    return user


def _run(user: User, run_id: UUID) -> ReconciliationRun:
    run = reads.visible_runs(user).filter(public_id=run_id).first()
    if run is None:
        raise Http404(_("对账批次不存在"))
    return run


def _item(user: User, item_id: UUID) -> ReconciliationItem:
    item = reads.visible_items(user).select_related("order", "run").filter(public_id=item_id).first()
    if item is None:
        raise Http404(_("对账明细不存在"))
    return item


@staff_required
@domain_errors
def run_list(request: HttpRequest) -> HttpResponse:
    user = _finance(request)
    page = paginate(request.GET, reads.visible_runs(user).order_by("-day", "gateway"), PER_PAGE)
    runs = list(page.object_list)
    counts = reads.outcome_counts(user, runs)
    rows = [(run, counts[run.pk]) for run in runs]
    yesterday = timezone.localdate() - timedelta(days=1)
    return render(
        request,
        "payments/recon_list.html",
        {"page": page, "rows": rows, "outcomes": Outcome.choices, "yesterday": yesterday},
    )


@require_POST
@staff_required
@domain_errors
def run_start(request: HttpRequest) -> HttpResponse:
    user = _finance(request)
    try:
        day = date.fromisoformat(request.POST.get("day", "")[:10])
    except ValueError as exc:
        raise DomainError(PaymentErrorCode.INVALID_DAY, _("请选择对账日期"), {"day": ["YYYY-MM-DD"]}) from exc
    try:
        run = services.reconcile(day, actor=user)
    except DomainError as exc:
        if exc.code == PaymentErrorCode.INVALID_DAY:
            raise
        flash.error(request, f"{day.isoformat()}: {exc.message}")
        return redirect("finance:reconciliation")
    flash.success(request, _("已完成 %(day)s 对账") % {"day": day.isoformat()})
    return redirect("finance:reconciliation_run", run_id=run.public_id)


def _row(user: User, item: ReconciliationItem, **extra: Any) -> dict[str, Any]:
    pending = getattr(item, "pending", None)
    if pending is None:
        pending = list(item.corrections.filter(status="pending").select_related("proposed_by"))
    correction = pending[0] if pending else None
    allowed = item_actions(user, item)
    return {
        "item": item,
        "actions": [(value, label) for value, label in CorrectionAction.choices if value in allowed],
        "can_refund": CorrectionAction.REFUND in allowed,
        "correction": correction,
        "decisions": correction_actions(user, correction) if correction else frozenset(),
        **extra,
    }


@staff_required
@domain_errors
def run_report(request: HttpRequest, run_id: UUID) -> HttpResponse:
    user = _finance(request)
    run = _run(user, run_id)
    outcome = request.GET.get("outcome", "")[:16]
    outcome = outcome if outcome in Outcome.values else ""
    resolution = request.GET.get("resolution", "")[:10]
    resolution = resolution if resolution in Resolution.values else ""
    q = request.GET.get("q", "").strip()[:64]
    items = reads.item_rows(user, run, outcome=outcome, resolution=resolution, q=q)
    page = paginate(request.GET, items, PER_PAGE)
    counts = reads.outcome_counts(user, [run])[run.pk]
    return render(
        request,
        "payments/recon_run.html",
        {
            "run": run,
            "page": page,
            "rows": [_row(user, item) for item in page.object_list],
            "counts": [(value, label, counts.get(value, 0)) for value, label in Outcome.choices],
            "open_count": counts.get("open", 0),
            "outcome": outcome,
            "resolution": resolution,
            "q": q,
            "outcomes": Outcome.choices,
            "resolutions": Resolution.choices,
        },
    )


def _row_response(
    request: HttpRequest, user: User, item_pk: int, status: int = 200, **extra: Any
) -> HttpResponse:
    item = reads.item_rows(user, ReconciliationItem.objects.get(pk=item_pk).run).get(pk=item_pk)
    return render(request, "payments/_recon_item_row.html", _row(user, item, **extra), status=status)


@require_POST
@staff_required
@domain_errors
def item_propose(request: HttpRequest, item_id: UUID) -> HttpResponse:
    user = _finance(request)
    item = _item(user, item_id)
    action = request.POST.get("action", "")[:12]
    amount = None
    try:
        if action == CorrectionAction.REFUND and request.POST.get("amount", "").strip():
            amount = yuan_to_fen(request.POST.get("amount", ""))
        services.propose_correction(
            item, actor=user, action=action, reason=request.POST.get("reason", ""), amount_fen=amount
        )
    except DomainError as exc:
        if exc.status == 403:
            raise
        return _row_response(request, user, item.pk, status=exc.status, error=error_context(exc))
    return _row_response(request, user, item.pk, notice=_("已提交复核"))


@require_POST
@staff_required
@domain_errors
def correction_decide(request: HttpRequest, correction_id: UUID) -> HttpResponse:
    user = _finance(request)
    correction = (
        ReconciliationCorrection.objects.select_related("item", "item__order", "item__run")
        .filter(public_id=correction_id, item__in=reads.visible_items(user))
        .first()
    )
    if correction is None:
        raise Http404(_("差错处理不存在"))
    decision = request.POST.get("decision", "")
    try:
        if decision not in ("approve", "reject"):
            raise DomainError(PaymentErrorCode.CORRECTION_NOT_ALLOWED, _("请选择批准或驳回"))
        services.decide_correction(
            correction, actor=user, approve=decision == "approve", comment=request.POST.get("comment", "")
        )
    except DomainError as exc:
        if exc.status == 403:
            raise
        return _row_response(request, user, correction.item_id, status=exc.status, error=error_context(exc))
    notice = _("已批准并处理") if decision == "approve" else _("已驳回")
    return _row_response(request, user, correction.item_id, notice=notice)


@staff_required
@domain_errors
def run_export(request: HttpRequest, run_id: UUID, fmt: str) -> HttpResponse:
    user = _finance(request)
    if fmt not in ("csv", "xlsx"):
        raise Http404(_("不支持的导出格式"))
    run = _run(user, run_id)
    items = reads.visible_items(user).filter(run=run).select_related("organisation").order_by("outcome", "pk")
    name = f"reconciliation-{run.gateway}-{run.day.isoformat()}"
    if fmt == "xlsx":
        response = HttpResponse(
            exports.as_xlsx(run, items),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(exports.as_csv(run, items), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
