"""邮费支付 The applicant's postage page /logistics/postage/<order id>/pay/: the amount, the payment
code and 网上支付 through the fiscal gateway (the payment order is the payments app's; this page only
shows it and starts the online payment, the gateway brings the applicant back here)."""

from __future__ import annotations

import dataclasses
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.core.errors import DomainError
from yiwang.logistics import postage
from yiwang.logistics.models import CourierOrder
from yiwang.payments import conf as payments_conf
from yiwang.payments import services as payments
from yiwang.payments.gateways.base import CreatePayment, PaymentStarted
from yiwang.payments.models import PaymentOrder
from yiwang.payments.services.common import fiscal_gateway
from yiwang.web.ui import applicant_required, domain_errors, render_error


class ReturnToPostagePage:
    """The fiscal gateway, with the gateway's return URL set to the postage page (the payments app
    returns to a case's pay page by default)."""

    def __init__(self, inner: Any, return_url: str) -> None:
        self._inner = inner
        self._return_url = return_url
        self.name = inner.name

    def create_payment(self, request: CreatePayment) -> PaymentStarted:
        started: PaymentStarted = self._inner.create_payment(
            dataclasses.replace(request, return_url=self._return_url)
        )
        return started

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _orders(request: HttpRequest, order_id: UUID) -> tuple[CourierOrder, PaymentOrder]:
    user: User = request.user  # type: ignore[assignment]
    order = CourierOrder.objects.filter(public_id=order_id, owner=user).first()
    payment = postage.payment_order(order) if order is not None else None
    if order is None or payment is None or payment.payer_id != user.pk:
        raise Http404(_("没有待支付的邮费"))
    return order, payment


@applicant_required
@domain_errors
def postage_page(request: HttpRequest, order_id: UUID) -> HttpResponse:
    order, payment = _orders(request, order_id)
    return render(
        request,
        "logistics/postage_pay.html",
        {"order": order, "payment": payment, "may_pay": postage.may_pay_online(order, payment)},
    )


@require_POST
@applicant_required
def postage_start(request: HttpRequest, order_id: UUID) -> HttpResponse:
    order, payment = _orders(request, order_id)
    if not postage.may_pay_online(order, payment):
        return redirect("logistics_postage:pay", order_id=order_id)
    back = payments_conf.public_url() + reverse("logistics_postage:pay", kwargs={"order_id": order_id})
    try:
        payment = payments.start_online_payment(
            payment,
            user=request.user,  # type: ignore[arg-type]
            channel="pc",
            gateway=ReturnToPostagePage(fiscal_gateway(), back),  # type: ignore[arg-type]
        )
    except DomainError as exc:
        return render_error(request, exc, title=_("无法发起支付"))
    return (
        redirect(payment.pay_url) if payment.pay_url else redirect("logistics_postage:pay", order_id=order_id)
    )
