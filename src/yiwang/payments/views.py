"""The finance view (财务) under /workbench/finance/: the orders of the departments in the user's
data scope (finance officers; window clerks for recording window payments), an order with its
lines, events, refunds and exceptions, and the refund and window-payment actions."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.accounts.personal_data import record_staff_reads
from yiwang.core import personal_data
from yiwang.core.errors import DomainError
from yiwang.core.masking import mask_name
from yiwang.core.paging import paginate
from yiwang.payments import reads, services
from yiwang.payments.actions import allowed_actions
from yiwang.payments.errors import PaymentErrorCode
from yiwang.payments.models import OrderStatus, PaymentOrder
from yiwang.web.ui import domain_errors, error_context, staff_required

PER_PAGE = 50


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _order(user: User, order_id: UUID) -> PaymentOrder:
    order = reads.visible_orders(user).filter(public_id=order_id).first()
    if order is None:
        raise Http404(_("缴款单不存在"))
    return order


@staff_required
def order_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    status = request.GET.get("status", "")[:14]
    if status not in OrderStatus.values:
        status = ""
    q = request.GET.get("q", "").strip()[:40]
    orders = reads.filtered(reads.visible_orders(user), status=status, q=q)
    page = paginate(request.GET, orders, PER_PAGE)
    rows = [(order, mask_name(order.payer_name)) for order in page.object_list]
    return render(
        request,
        "payments/finance_list.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "q": q,
            "statuses": OrderStatus.choices,
            "may_reconcile": reads.is_finance(user),  # 对账 is for finance officers only
        },
    )


def _detail_context(user: User, order: PaymentOrder, **extra: Any) -> dict[str, Any]:
    record_staff_reads(
        user,
        [
            personal_data.Read(
                subject_id=order.payer_id,
                object_type="payments.PaymentOrder",
                object_id=str(order.public_id),
                object_label=order.code,
                fields=(personal_data.NAME,),
            )
        ],
    )
    return {
        "order": order,
        "payer_name": mask_name(order.payer_name),
        "events": list(reads.events_of(order)),
        "refunds": list(order.refunds.all()),
        "exceptions": list(order.exceptions.all()),
        "actions": allowed_actions(user, order),
        **extra,
    }


@staff_required
def order_detail(request: HttpRequest, order_id: UUID) -> HttpResponse:
    user = _user(request)
    return render(request, "payments/finance_detail.html", _detail_context(user, _order(user, order_id)))


def yuan_to_fen(raw: str) -> int:
    """An amount typed in 元 (at most 2 decimals) as fen; a DomainError otherwise."""
    try:
        value = Decimal((raw or "").strip())
    except InvalidOperation as exc:
        raise DomainError(
            PaymentErrorCode.INVALID_AMOUNT, _("金额格式不正确"), {"amount": [_("请填写金额（元）")]}
        ) from exc
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")) or value > 10**9:
        raise DomainError(
            PaymentErrorCode.INVALID_AMOUNT, _("金额格式不正确"), {"amount": [_("须为正数，最多两位小数")]}
        )
    return int(value * 100)


@require_POST
@staff_required
@domain_errors
def order_refund(request: HttpRequest, order_id: UUID) -> HttpResponse:
    user = _user(request)
    order = _order(user, order_id)
    try:
        amount = yuan_to_fen(request.POST.get("amount", ""))
        refund = services.request_refund(
            order, actor=user, amount_fen=amount, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        if exc.status == 403:
            raise
        context = _detail_context(user, order, action="refund", error=error_context(exc))
        return render(request, "payments/finance_detail.html", context, status=exc.status)
    flash.success(request, _("已申请退款 %(no)s") % {"no": refund.refund_no})
    return redirect("finance:order", order_id=order.public_id)


@require_POST
@staff_required
@domain_errors
def order_offline(request: HttpRequest, order_id: UUID) -> HttpResponse:
    user = _user(request)
    order = _order(user, order_id)
    try:
        services.record_offline_payment(
            order,
            actor=user,
            receipt_no=request.POST.get("receipt_no", ""),
            channel=request.POST.get("channel", "cash"),
        )
    except DomainError as exc:
        if exc.status == 403:
            raise
        context = _detail_context(user, order, action="offline", error=error_context(exc))
        return render(request, "payments/finance_detail.html", context, status=exc.status)
    flash.success(request, _("已登记窗口缴费"))
    return redirect("finance:order", order_id=order.public_id)
