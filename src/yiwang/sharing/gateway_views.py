"""Gateway pages in the workbench (/workbench/sharing/gateway/): the call log (provider side: calls
of my organisation's resources; consumer side: my systems' calls) with filters and keyset pages,
statistics with ECharts charts and their JSON data, the consumer systems (register, show the
secrets once, switch off/on, rotate keys) and the subscriptions with their delivery states.

Thin: queries are ``gateway_reads``, changes go through the services, offers come from
``gateway_actions``."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.contrib import messages as flash
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.core import keyset
from yiwang.core.errors import DomainError
from yiwang.core.paging import paginate
from yiwang.exchange import reads as exchange_reads
from yiwang.exchange.models import DeliveryState
from yiwang.sharing import gateway_reads
from yiwang.sharing.gateway_actions import consumer_actions, subscription_actions
from yiwang.sharing.gateway_errors import GatewayErrorCode
from yiwang.sharing.models import CallResult, GatewayConsumer, Subscription
from yiwang.sharing.services import gateway_auth
from yiwang.sharing.services.consumer_keys import rotate_consumer_secrets
from yiwang.sharing.services.permissions import require_data_official
from yiwang.sharing.services.subscriptions import endpoint_owner, unsubscribe
from yiwang.web.ui import domain_errors, error_context, staff_required

CALLS_PAGE = 50
CALL_ORDERING = ("-at", "-id")
SIDES = ("provider", "consumer")
MAX_CONSUMER_CHOICES = 500
DEFAULT_DAYS = 30
DAY_CHOICES = (7, 30, 92)
CONSUMER_LABELS = {
    "name": ("c-name", "系统名称"),
    "daily_quota": ("c-quota", "每日调用上限"),
    "rate_per_minute": ("c-rate", "每分钟调用上限"),
    "sm2_public_key": ("c-sm2", "SM2 公钥"),
}


def _official(request: HttpRequest) -> User:
    return require_data_official(request.user)  # type: ignore[arg-type]


def _bad(field: str, message: str) -> DomainError:
    return DomainError(GatewayErrorCode.INVALID_INPUT, _("查询条件不正确"), {field: [message]})


def _side(request: HttpRequest, default: str = "provider") -> str:
    side = request.GET.get("side", default)
    if side not in SIDES:
        raise _bad("side", _("只能是 provider 或 consumer"))
    return side


def _date(request: HttpRequest, name: str) -> date | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw[:10]) if len(raw) == 10 else None
    except ValueError:
        value = None
    if value is None or not 2000 <= value.year <= 2100:
        raise _bad(name, _("日期格式为 YYYY-MM-DD"))
    return value


def _uuid_param(request: HttpRequest, name: str) -> UUID | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        return UUID(raw[:36])
    except ValueError:
        raise _bad(name, _("调用方系统不存在")) from None


# --- call log ---------------------------------------------------------------------------------------
@staff_required
@domain_errors
def call_log(request: HttpRequest) -> HttpResponse:
    """调用日志 Provider side (calls of my resources) or consumer side (my systems' calls)."""
    user = _official(request)
    side = _side(request)
    result = request.GET.get("result", "")
    if result and result not in CallResult.values:
        raise _bad("result", _("调用结果不正确"))
    since, until = _date(request, "since"), _date(request, "until")
    if since and until and since > until:
        raise _bad("until", _("结束日期早于开始日期"))
    resource = request.GET.get("resource", "").strip()[:40]
    consumer = _uuid_param(request, "consumer")
    qs = gateway_reads.filter_calls(
        gateway_reads.calls_for(user, side),
        resource=resource,
        consumer=consumer,
        result=result,
        since=since,
        until=until,
    )
    page = keyset.keyset_page(qs, CALL_ORDERING, request.GET.get("cursor"), size=CALLS_PAGE)
    consumers = GatewayConsumer.objects.select_related("organisation").order_by("organisation__name", "name")
    if side == "consumer":
        consumers = gateway_reads.consumers_of(user).order_by("name")
    return render(
        request,
        "sharing/gateway_calls.html",
        {
            "side": side,
            "calls": page.rows,
            "previous_query": page.previous_query(request.GET),
            "next_query": page.next_query(request.GET),
            "filters": {
                "resource": resource,
                "consumer": str(consumer or ""),
                "result": result,
                "since": since.isoformat() if since else "",
                "until": until.isoformat() if until else "",
            },
            "results": CallResult.choices,
            "consumers": list(consumers[:MAX_CONSUMER_CHOICES]),
        },
    )


# --- statistics -------------------------------------------------------------------------------------
def _days(request: HttpRequest) -> int:
    raw = request.GET.get("days", str(DEFAULT_DAYS)).strip()
    if (
        not raw.isascii()
        or not raw.isdigit()
        or len(raw) > 3
        or not 1 <= int(raw) <= gateway_reads.MAX_STAT_DAYS
    ):
        raise _bad("days", _("统计天数为 1–92"))
    return int(raw)


def _statistics(request: HttpRequest) -> tuple[str, dict[str, Any]]:
    user = _official(request)
    side = _side(request)
    return side, gateway_reads.statistics(gateway_reads.calls_for(user, side), days=_days(request))


@staff_required
@domain_errors
def statistics_page(request: HttpRequest) -> HttpResponse:
    """调用统计 Charts (calls per day by result, per resource, per consumer) with the same data in
    tables below them; p50/p95 response times of the served calls."""
    side, stats = _statistics(request)
    labels = dict(CallResult.choices)
    return render(
        request,
        "sharing/gateway_statistics.html",
        {
            "side": side,
            "stats": stats,
            "day_choices": DAY_CHOICES,
            "result_rows": [(str(labels[value]), stats["by_result"][value]) for value in CallResult.values],
            "result_labels": [str(labels[value]) for value in CallResult.values],
            "chart_labels": {
                "results": {value: str(labels[value]) for value in CallResult.values},
                "calls": _("调用次数"),
                "errors": _("错误"),
                "refused": _("拒绝"),
            },
        },
    )


@staff_required
@domain_errors
def statistics_data(request: HttpRequest) -> HttpResponse:
    """The charts' data as JSON (the same dictionary the page draws)."""
    side, stats = _statistics(request)
    return JsonResponse({"side": side, **stats}, json_dumps_params={"ensure_ascii": False})


# --- consumer systems -------------------------------------------------------------------------------
def _consumer(user: User, consumer_id: UUID) -> GatewayConsumer:
    consumer = gateway_reads.consumers_of(user).filter(public_id=consumer_id).first()
    if consumer is None:
        raise Http404
    return consumer


def _consumer_form(request: HttpRequest) -> dict[str, Any]:
    post = request.POST
    name = post.get("name", "").strip()[:300]
    quota_raw = post.get("daily_quota", "").strip()[:12]
    rate_raw = post.get("rate_per_minute", "600").strip()[:12] or "600"
    errors: dict[str, list[str]] = {}
    if quota_raw and (not quota_raw.isdigit() or not 1 <= int(quota_raw) <= 100_000_000):
        errors["daily_quota"] = [_("每日上限为 1–100000000 的整数，或留空")]
    if not rate_raw.isdigit() or not 1 <= int(rate_raw) <= 100_000:
        errors["rate_per_minute"] = [_("每分钟上限为 1–100000 的整数")]
    if errors:
        raise DomainError(GatewayErrorCode.INVALID_INPUT, _("调用方系统信息不正确"), errors)
    return {
        "name": name,
        "daily_quota": int(quota_raw) if quota_raw else None,
        "rate_per_minute": int(rate_raw),
        "sm2_public_key": post.get("sm2_public_key", "").strip()[:200],
    }


@never_cache
@staff_required
@domain_errors
def consumer_list(request: HttpRequest) -> HttpResponse:
    """调用方系统 My organisation's systems; POST registers one and shows its secrets once."""
    user = _official(request)
    created: dict[str, Any] | None = None
    error: DomainError | None = None
    status = 200
    if request.method == "POST":
        try:
            form = _consumer_form(request)
            consumer, secrets = gateway_auth.register_consumer(
                actor=user, organisation=user.staff_profile.organisation, **form
            )
        except DomainError as exc:
            error, status = exc, exc.status
        else:
            created = {"consumer": consumer, "secrets": secrets}
    page = paginate(request, gateway_reads.consumers_of(user).order_by("name", "pk"), 50)
    return render(
        request,
        "sharing/gateway_consumers.html",
        {
            "page": page,
            "rows": [(c, consumer_actions(user, c)) for c in page.object_list],
            "created": created,
            "error": error_context(error, CONSUMER_LABELS) if error else None,
            "form": request.POST if error else {},
        },
        status=status,
    )


@never_cache
@require_POST
@staff_required
@domain_errors
def consumer_action(request: HttpRequest, consumer_id: UUID, action: str) -> HttpResponse:
    user = _official(request)
    consumer = _consumer(user, consumer_id)
    if action not in consumer_actions(user, consumer):
        raise Http404
    if action == "rotate":
        secrets = rotate_consumer_secrets(consumer, actor=user)
        consumer.refresh_from_db()
        return render(
            request,
            "sharing/gateway_consumer_secrets.html",
            {"consumer": consumer, "secrets": secrets, "rotated": True},
        )
    gateway_auth.set_consumer_active(consumer, active=action == "activate", actor=user)
    flash.success(request, _("调用方系统已启用。") if action == "activate" else _("调用方系统已停用。"))
    return redirect("sharing:gateway_consumers")


# --- subscriptions ----------------------------------------------------------------------------------
def _subscription(user: User, subscription_id: UUID) -> Subscription:
    subscription = gateway_reads.subscriptions_of(user).filter(public_id=subscription_id).first()
    if subscription is None:
        raise Http404
    return subscription


def _delivery_counts(subscriptions: list[Subscription]) -> dict[int, dict[str, int]]:
    """Deliveries per state of each subscription's endpoint, in one grouped query."""
    counts: dict[int, dict[str, int]] = {
        s.endpoint_id: dict.fromkeys(DeliveryState.values, 0) for s in subscriptions
    }
    if not counts:
        return counts
    rows = (
        exchange_reads.deliveries()
        .filter(endpoint_id__in=list(counts))
        .order_by()
        .values_list("endpoint_id", "state")
        .annotate(n=Count("id"))
    )
    for endpoint_id, state, n in rows:
        counts[endpoint_id][state] = n
    return counts


@staff_required
@domain_errors
def subscription_list(request: HttpRequest) -> HttpResponse:
    """变更订阅 My organisation's subscriptions with their deliveries per state."""
    user = _official(request)
    page = paginate(request, gateway_reads.subscriptions_of(user), 50)
    subscriptions = list(page.object_list)
    counts = _delivery_counts(subscriptions)
    return render(
        request,
        "sharing/gateway_subscriptions.html",
        {
            "page": page,
            "rows": [
                (
                    s,
                    [counts[s.endpoint_id][state] for state in DeliveryState.values],
                    subscription_actions(user, s),
                )
                for s in subscriptions
            ],
            "states": DeliveryState.choices,
        },
    )


@staff_required
@domain_errors
def subscription_detail(request: HttpRequest, subscription_id: UUID) -> HttpResponse:
    """One subscription's webhooks, newest first, filtered by delivery state, in keyset pages."""
    user = _official(request)
    subscription = _subscription(user, subscription_id)
    state = request.GET.get("state", "")
    if state and state not in DeliveryState.values:
        raise _bad("state", _("投递状态不正确"))
    counts = _delivery_counts([subscription])[subscription.endpoint_id]
    rows = exchange_reads.deliveries(state=state, owner=endpoint_owner(subscription))
    page = keyset.keyset_page(rows, ("-created_at", "-id"), request.GET.get("cursor"), size=CALLS_PAGE)
    return render(
        request,
        "sharing/gateway_subscription.html",
        {
            "subscription": subscription,
            "state_counts": [(value, label, counts[value]) for value, label in DeliveryState.choices],
            "deliveries": page.rows,
            "previous_query": page.previous_query(request.GET),
            "next_query": page.next_query(request.GET),
            "state": state,
            "states": DeliveryState.choices,
            "actions": subscription_actions(user, subscription),
        },
    )


@require_POST
@staff_required
@domain_errors
def subscription_cancel(request: HttpRequest, subscription_id: UUID) -> HttpResponse:
    user = _official(request)
    subscription = _subscription(user, subscription_id)
    if "cancel" not in subscription_actions(user, subscription):
        raise Http404
    unsubscribe(subscription, actor=user)
    flash.success(request, _("订阅已取消。"))
    return redirect("sharing:gateway_subscription", subscription_id=subscription.public_id)
