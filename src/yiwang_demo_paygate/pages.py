"""The payer's pages: the PC payment page with a QR code, the mobile (H5) page, and the simulated result."""

from __future__ import annotations

import time

import segno
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from yiwang_demo_paygate import services
from yiwang_demo_paygate.errors import GatewayError
from yiwang_demo_paygate.models import Order

STATUS_LABELS = dict(Order.Status.choices)
CHANNEL_LABELS = {"pc": "电脑网页", "h5": "手机网页", "qr": "扫码支付"}


def yuan(fen: int) -> str:
    return f"{fen // 100:,}.{fen % 100:02d}"


def _order(trade_no: str) -> Order | None:
    if not (trade_no.startswith("PG") and trade_no[2:].isdigit() and len(trade_no) <= 22):
        return None
    order = Order.objects.filter(gateway_trade_no=trade_no).first()
    if order is not None and order.status in services.UNPAID:
        order = services.get_order(order.order_no)  # closes it when it expired
    return order


def _page(
    request: HttpRequest, order: Order, channel: str, error: str = "", status: int = 200
) -> HttpResponse:
    base = settings.PAYGATE_PUBLIC_URL or request.build_absolute_uri("/")
    answer = services.order_answer(order, base)
    context = {
        "order": order,
        "amount": yuan(order.amount_fen),
        "status_label": STATUS_LABELS.get(order.status, order.status),
        "channel": channel,
        "mobile": channel != "pc",
        "payable": order.status in (Order.Status.PAYING, Order.Status.FAILED),
        "error": error,
        "channel_label": CHANNEL_LABELS.get(order.channel, ""),
        "qr_svg": mark_safe(segno.make(answer["qr_text"], error="m").svg_inline(scale=4)),
        "qr_text": answer["qr_text"],
    }
    return render(request, "paygate/pay.html", context, status=status)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The gateway's console: the latest orders with their refunds and notifications (read only)."""
    orders = Order.objects.order_by("-pk").prefetch_related("refunds", "notifications")[:30]
    rows = [
        {
            "order": order,
            "amount": yuan(order.amount_fen),
            "status_label": STATUS_LABELS.get(order.status, order.status),
            "refunds": [
                (r.refund_no, yuan(r.amount_fen), r.get_status_display()) for r in order.refunds.all()
            ],
            "notifications": [
                (n.status, n.get_state_display(), n.attempts, n.duplicate) for n in order.notifications.all()
            ],
        }
        for order in orders
    ]
    return render(request, "paygate/home.html", {"merchant_id": settings.PAYGATE_MERCHANT_ID, "rows": rows})


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok", "time": time.time()})  # clients may align clocks


@require_http_methods(["GET", "POST"])
def pay_page(request: HttpRequest, trade_no: str) -> HttpResponse:
    order = _order(trade_no)
    if order is None:
        return render(request, "paygate/missing.html", status=404)
    if request.method == "GET":
        return _page(request, order, "pc")
    result = request.POST.get("result")
    channel = request.POST.get("channel", "pc")
    if result not in ("success", "fail") or channel not in services.CHANNELS:
        return HttpResponseBadRequest("bad form")
    try:
        order = services.pay(trade_no, success=result == "success", channel=channel)
    except GatewayError as exc:
        order.refresh_from_db()
        return _page(request, order, channel, error=exc.message, status=exc.status)
    return HttpResponseRedirect(order.return_url, status=303)


@require_GET
def h5_page(request: HttpRequest, trade_no: str) -> HttpResponse:
    order = _order(trade_no)
    if order is None:
        return render(request, "paygate/missing.html", status=404)
    return _page(request, order, "qr" if request.GET.get("via") == "qr" else "h5")
