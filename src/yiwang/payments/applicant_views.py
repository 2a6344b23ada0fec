"""The applicant's payment page /cases/<case id>/pay/: the breakdown, the payment code, a QR code
to the gateway's cashier, the "pay online" button, and the status polled with htmx."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import segno
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.core.errors import DomainError
from yiwang.payments import reads, services
from yiwang.payments.actions import allowed_actions
from yiwang.payments.models import OPEN_STATUSES, PaymentOrder
from yiwang.web.ui import applicant_required, domain_errors, render_error

SUBJECT_TYPE = "cases.Case"


def _order(request: HttpRequest, case_id: UUID) -> PaymentOrder:
    user: User = request.user  # type: ignore[assignment]
    order = reads.current_order(SUBJECT_TYPE, str(case_id))
    if order is None or order.payer_id != user.pk:
        raise Http404(_("没有待缴费的缴款单"))
    return order


def _context(request: HttpRequest, order: PaymentOrder) -> dict[str, Any]:
    qr_target = order.qr_text or order.pay_url
    return {
        "order": order,
        "case_id": order.subject_id,
        "actions": allowed_actions(request.user, order),
        "qr": segno.make(qr_target, error="m").svg_inline(scale=4, title=_("扫码支付")) if qr_target else "",
        "polling": order.status in OPEN_STATUSES,
    }


@applicant_required
@domain_errors
def pay_page(request: HttpRequest, case_id: UUID) -> HttpResponse:
    order = _order(request, case_id)
    return render(request, "payments/pay.html", _context(request, order))


@applicant_required
def pay_status(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """The status fragment the page polls (htmx, every 3 s while the order is open)."""
    order = _order(request, case_id)
    return render(request, "payments/_pay_status.html", _context(request, order))


@require_POST
@applicant_required
def pay_start(request: HttpRequest, case_id: UUID) -> HttpResponse:
    order = _order(request, case_id)
    channel = request.POST.get("channel", "pc")
    try:
        order = services.start_online_payment(order, user=request.user, channel=channel)  # type: ignore[arg-type]
    except DomainError as exc:
        return render_error(request, exc, title=_("无法发起支付"))
    return redirect(order.pay_url) if order.pay_url else redirect("payments:pay", case_id=case_id)


@require_POST
@applicant_required
@domain_errors
def pay_renew(request: HttpRequest, case_id: UUID) -> HttpResponse:
    services.renew_order(_order(request, case_id), actor=request.user)  # type: ignore[arg-type]
    return redirect("payments:pay", case_id=case_id)
