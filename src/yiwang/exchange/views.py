"""Exchange console pages (/workbench/exchange/): nodes, packages in and out, webhook deliveries and
dead letters with replay. For the admin and the data officials (``actions.may_manage_exchange``)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.core.paging import paginate
from yiwang.exchange import reads, services
from yiwang.exchange.actions import allowed_actions, require_exchange_role
from yiwang.exchange.models import (
    DeliveryState,
    IncomingState,
    OutgoingPackage,
    OutgoingState,
    WebhookDelivery,
)
from yiwang.web.ui import attempt, domain_errors, staff_required

PER_PAGE = 30


def _choice(value: str, choices: list[str]) -> str:
    return value if value in choices else ""


@staff_required
@domain_errors
def overview(request: HttpRequest) -> HttpResponse:
    require_exchange_role(request.user)
    out_state = _choice(request.GET.get("out", ""), OutgoingState.values)
    in_state = _choice(request.GET.get("in", ""), IncomingState.values)
    outgoing = paginate(request.GET, reads.outgoing(out_state), PER_PAGE, name="out_page")
    return render(
        request,
        "exchange/overview.html",
        {
            "nodes": list(reads.nodes()),
            "outgoing": outgoing,
            "outgoing_rows": [(p, allowed_actions(request.user, p)) for p in outgoing.object_list],
            "incoming": paginate(request.GET, reads.incoming(in_state), PER_PAGE, name="in_page"),
            "out_states": OutgoingState.choices,
            "in_states": IncomingState.choices,
            "out_state": out_state,
            "in_state": in_state,
        },
    )


@staff_required
@domain_errors
def deliveries(request: HttpRequest) -> HttpResponse:
    require_exchange_role(request.user)
    state = _choice(request.GET.get("state", ""), DeliveryState.values)
    page_obj = paginate(request.GET, reads.deliveries(state), PER_PAGE)
    rows = [(delivery, allowed_actions(request.user, delivery)) for delivery in page_obj.object_list]
    return render(
        request,
        "exchange/deliveries.html",
        {
            "page_obj": page_obj,
            "rows": rows,
            "state": state,
            "states": DeliveryState.choices,
            "counts": reads.delivery_counts(),
            "page_query": urlencode({"state": state}) + "&" if state else "",
        },
    )


@require_POST
@staff_required
@domain_errors
def replay(request: HttpRequest, public_id: str) -> HttpResponseBase:
    require_exchange_role(request.user)
    delivery = WebhookDelivery.objects.filter(public_id=public_id).first()
    if delivery is None:
        raise Http404
    return attempt(
        request,
        lambda: services.replay_delivery(delivery, actor=request.user),
        done="exchange:deliveries",
        success=_("已重新排队投递。"),
    )


@require_POST
@staff_required
@domain_errors
def retry(request: HttpRequest, public_id: str) -> HttpResponseBase:
    require_exchange_role(request.user)
    package = OutgoingPackage.objects.filter(public_id=public_id).select_related("receiver").first()
    if package is None:
        raise Http404
    return attempt(
        request,
        lambda: services.retry_package(package, actor=request.user),
        done="exchange:overview",
        success=_("已重新排队发送。"),
    )


@require_POST
@staff_required
@domain_errors
def replay_all(request: HttpRequest) -> HttpResponseBase:
    require_exchange_role(request.user)
    return attempt(
        request,
        lambda: services.replay_dead_letters(actor=request.user),
        done="exchange:deliveries",
        success=lambda count: _("已重新排队 %(count)s 条死信。") % {"count": count},
    )
