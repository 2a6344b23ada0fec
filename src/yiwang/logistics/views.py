"""Staff logistics pages (/workbench/logistics/): the orders of my departments, an order with its
timeline, the waybill PDF, submit again and cancel.  Personal data masked; every read recorded."""

from __future__ import annotations

from urllib.parse import urlencode
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.core.paging import paginate
from yiwang.logistics import reads, services
from yiwang.logistics.actions import WAYBILL, allowed_actions
from yiwang.logistics.api import applicant_side, record_reads
from yiwang.logistics.models import OrderKind, OrderStatus
from yiwang.logistics.permissions import require_waybill
from yiwang.logistics.waybill import PRINT_PURPOSE, render_waybill
from yiwang.web.ui import attempt, current_user, domain_errors, staff_required

PER_PAGE = 50


def _choice(value: str, values: list[str]) -> str:
    return value if value in values else ""


@staff_required
@domain_errors
def order_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    status = _choice(request.GET.get("status", ""), OrderStatus.values)
    kind = _choice(request.GET.get("kind", ""), OrderKind.values)
    waybill = request.GET.get("waybill", "").strip()[: reads.SEARCH_MAX]
    page_obj = paginate(
        request.GET,
        reads.filtered(reads.staff_orders(user), status=status, kind=kind, waybill=waybill),
        PER_PAGE,
    )
    query = {key: value for key, value in (("status", status), ("kind", kind), ("waybill", waybill)) if value}
    return render(
        request,
        "logistics/orders.html",
        {
            "page_obj": page_obj,
            "orders": list(page_obj.object_list),
            "status": status,
            "kind": kind,
            "waybill": waybill,
            "statuses": OrderStatus.choices,
            "kinds": OrderKind.choices,
            "page_query": urlencode(query) + "&" if query else "",
        },
    )


@staff_required
@domain_errors
def order_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = current_user(request)
    order = reads.order_for(user, public_id)
    record_reads(user, [order])
    side = applicant_side(order)
    return render(
        request,
        "logistics/order_detail.html",
        {
            "order": order,
            "actions": allowed_actions(user, order),
            "sender": reads.party_shown(order, "sender", masked=side == "sender"),
            "recipient": reads.party_shown(order, "recipient", masked=side == "recipient"),
            "events": list(order.events.all()),
        },
    )


@staff_required
@domain_errors
def waybill_pdf(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """运单打印: the full addresses are on the label, so the read is recorded as unmasked."""
    user = current_user(request)
    order = reads.order_for(user, public_id)
    require_waybill(user, order, WAYBILL in allowed_actions(user, order))
    record_reads(user, [order], unmasked=True, purpose=PRINT_PURPOSE)
    response = HttpResponse(render_waybill(order), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="waybill-{order.waybill_number}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@staff_required
@domain_errors
def submit(request: HttpRequest, public_id: UUID) -> HttpResponseBase:
    user = current_user(request)
    order = reads.order_for(user, public_id)
    done = reverse("logistics:order_detail", kwargs={"public_id": order.public_id})
    return attempt(
        request, lambda: services.submit_order(order, actor=user), success=_("已提交承运商。"), done=done
    )


@require_POST
@staff_required
@domain_errors
def cancel(request: HttpRequest, public_id: UUID) -> HttpResponseBase:
    user = current_user(request)
    order = reads.order_for(user, public_id)
    reason = request.POST.get("reason", "")[:200]
    done = reverse("logistics:order_detail", kwargs={"public_id": order.public_id})
    return attempt(
        request,
        lambda: services.cancel_order(order, actor=user, reason=reason),
        success=_("订单已取消。"),
        done=done,
    )
