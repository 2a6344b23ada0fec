"""JSON API of the sharing gateway (a second router; mounted in yiwang.api at /api/v1/sharing):
the gateway call, call logs and statistics, consumer systems, change subscriptions, and the data
subject's "who used my data".  Errors answer ``{"code", "message", "fields"}``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest, JsonResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from yiwang.accounts.models import User
from yiwang.core.errors import DomainError, NotFound
from yiwang.core.lookups import get_by_public_id_or_404
from yiwang.core.paging import PageIn, ShortPageIn
from yiwang.exchange import reads as exchange_reads
from yiwang.sharing import gateway_reads
from yiwang.sharing.errors import SharingErrorCode
from yiwang.sharing.models import CallChannel, CallResult, GatewayCall, Resource
from yiwang.sharing.services import gateway_auth
from yiwang.sharing.services.gateway import GatewayRefusal, call_resource, refuse_unauthenticated
from yiwang.sharing.services.permissions import require_data_official
from yiwang.sharing.services.subscriptions import endpoint_owner, subscribe, unsubscribe

router = Router(tags=["sharing-gateway"])
_ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
_RETRY = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer", "minimum": 1}}}
QUERY_ERRORS = {
    "responses": {
        400: {"description": "purpose or case number missing, subject invalid", **_ERROR},
        401: {
            "description": "no valid client-credentials token or request signature (bad, skewed, replayed)",
            **_ERROR,
        },
        403: {
            "description": "no active grant, or fields outside the grant (`fields.fields` lists them)",
            **_ERROR,
        },
        404: {"description": "no such published resource, or no record of the subject", **_ERROR},
        429: {"description": "over the per-minute rate or the daily quota", "headers": _RETRY, **_ERROR},
        502: {"description": "the provider failed", **_ERROR},
        503: {"description": "the resource has no provider service", **_ERROR},
    },
    "security": [{"GatewayToken": []}, {"GatewaySignature": []}],
}


# --- schemas ----------------------------------------------------------------------------------------
class GatewayQueryIn(Schema):
    subject: str = Field(..., max_length=40, description="公民身份号码 / 统一社会信用代码 / 区划代码")
    fields: list[str] = Field(
        default_factory=list, max_length=100, description="field names (empty: all granted)"
    )
    purpose: str = Field("", max_length=300, description="调用目的 (required)")
    case_number: str = Field("", max_length=64, description="办件编号 (required for personal fields)")


class GatewayQueryOut(Schema):
    call_id: UUID
    resource: str
    fields: list[str]
    data: dict[str, Any]


class GatewayCallOut(Schema):
    id: UUID
    at: datetime
    consumer: str | None
    organisation: str | None
    resource: str
    fields: list[str]
    purpose: str
    case_number: str
    channel: str
    result: str
    status: int
    error_code: str
    duration_ms: int


class GatewayCallPageOut(Schema):
    count: int
    items: list[GatewayCallOut]


class GatewayCallFilter(Schema):
    side: Literal["provider", "consumer", "all"] = "all"
    resource: str = Field("", max_length=40)
    consumer: UUID | None = None
    result: CallResult | None = None
    since: date | None = None
    until: date | None = None


class GatewayMyCallOut(Schema):
    at: datetime
    organisation: str
    consumer: str
    resource: str
    resource_name: str
    fields: list[str]
    purpose: str
    case_number: str


class GatewayStatsOut(Schema):
    days: int
    first_day: str
    total: int
    by_result: dict[str, int]
    p50_ms: int | None
    p95_ms: int | None
    per_day: list[dict[str, Any]]
    per_resource: list[dict[str, Any]]
    per_consumer: list[dict[str, Any]]


class GatewayConsumerIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    daily_quota: int | None = Field(None, ge=0, le=100_000_000)
    rate_per_minute: int = Field(600, ge=1, le=100_000)
    sm2_public_key: str = Field("", max_length=130)


class GatewayConsumerOut(Schema):
    id: UUID
    name: str
    organisation: str
    client_id: str | None
    daily_quota: int | None
    rate_per_minute: int
    active: bool


class GatewayConsumerCreatedOut(GatewayConsumerOut):
    client_secret: str = Field(description="shown once")
    hmac_secret: str = Field(description="shown once")


class GatewaySubscriptionIn(Schema):
    consumer_id: UUID
    resource: str = Field(..., max_length=40, description="resource code")
    url: str = Field(..., max_length=500)
    secret: str = Field("", max_length=200, description="webhook signing secret (16–200; empty: generated)")
    subjects: list[str] = Field(default_factory=list, max_length=1000, description="only these subjects")


class GatewaySubscriptionOut(Schema):
    id: UUID
    consumer: str
    resource: str
    url: str
    subjects: int
    active: bool
    created_at: datetime


class GatewaySubscriptionCreatedOut(GatewaySubscriptionOut):
    secret: str = Field(description="webhook signing secret, shown once")


class GatewayDeliveryOut(Schema):
    id: UUID
    event_id: str
    state: str
    attempts: int
    last_status: int | None
    last_error: str
    created_at: datetime
    delivered_at: datetime | None


# --- helpers ----------------------------------------------------------------------------------------
def _official(request: HttpRequest) -> User:
    return require_data_official(request.user)  # type: ignore[arg-type]


def _error(exc: DomainError) -> JsonResponse:
    response = JsonResponse(
        {"code": exc.code, "message": exc.message, "fields": exc.fields or {}}, status=exc.status
    )
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _call_out(call: GatewayCall) -> GatewayCallOut:
    return GatewayCallOut(
        id=call.public_id,
        at=call.at,
        consumer=call.consumer.name if call.consumer else None,
        organisation=call.organisation.name if call.organisation else None,
        resource=call.resource_code,
        fields=list(call.fields),
        purpose=call.purpose,
        case_number=call.case_number,
        channel=call.channel,
        result=call.result,
        status=call.status,
        error_code=call.error_code,
        duration_ms=call.duration_ms,
    )


def _consumer_out(consumer: Any) -> dict[str, Any]:
    return {
        "id": consumer.public_id,
        "name": consumer.name,
        "organisation": consumer.organisation.name,
        "client_id": consumer.application.client_id if consumer.application else None,
        "daily_quota": consumer.daily_quota,
        "rate_per_minute": consumer.rate_per_minute,
        "active": consumer.active,
    }


def _subscription_out(s: Any) -> dict[str, Any]:
    return {
        "id": s.public_id,
        "consumer": s.consumer.name,
        "resource": s.resource.code,
        "url": s.endpoint.url,
        "subjects": len(s.subject_digests),
        "active": s.active,
        "created_at": s.created_at,
    }


# --- the call ---------------------------------------------------------------------------------------
@router.post(
    "/gateway/{resource_code}/query",
    auth=None,
    response={200: GatewayQueryOut},
    summary="Query a shared resource (共享网关调用)",
    description="Authenticate with `Authorization: Bearer <token>` (OAuth2 client credentials from "
    "`POST /o/token/`) or sign the request (`X-Yiwang-Consumer`, `X-Yiwang-Timestamp`, `X-Yiwang-Nonce`, "
    "`X-Yiwang-Signature`: HMAC-SM3 or SM2 over method, path, sorted query, SM3 of the body, timestamp "
    "and nonce, one per line).  Answers only the granted fields; every call is logged.",
    openapi_extra=QUERY_ERRORS,
)
def gateway_query(request: HttpRequest, resource_code: str, payload: GatewayQueryIn) -> Any:
    resource_code = resource_code[:40]
    try:
        consumer = gateway_auth.authenticate(
            request.headers,
            request.method or "POST",
            request.path,
            request.META.get("QUERY_STRING", ""),
            request.body,
        )
    except DomainError as exc:
        refuse_unauthenticated(exc, resource_code)
        return _error(exc)
    try:
        answer = call_resource(
            consumer,
            resource_code,
            payload.subject,
            payload.fields,
            payload.purpose,
            payload.case_number,
            channel=CallChannel.API,
        )
    except GatewayRefusal as exc:
        return _error(exc)
    return GatewayQueryOut(
        call_id=answer.call.public_id,
        resource=resource_code,
        fields=list(answer.call.fields),
        data=answer.data or {},
    )


# --- logs and statistics ----------------------------------------------------------------------------
@router.get("/gateway/calls", response=GatewayCallPageOut, summary="Gateway call log (调用日志)")
def gateway_calls(
    request: HttpRequest, filters: Query[GatewayCallFilter], paging: Query[PageIn]
) -> GatewayCallPageOut:
    user = _official(request)
    qs = gateway_reads.filter_calls(
        gateway_reads.calls_for(user, filters.side),
        resource=filters.resource.strip(),
        consumer=filters.consumer,
        result=filters.result or "",
        since=filters.since,
        until=filters.until,
    )
    return GatewayCallPageOut(count=qs.count(), items=[_call_out(c) for c in paging.window(qs)])


@router.get("/gateway/statistics", response=GatewayStatsOut, summary="Gateway statistics (调用统计)")
def gateway_statistics(
    request: HttpRequest,
    side: Literal["provider", "consumer", "all"] = "all",
    days: int = Query(30, ge=1, le=92),  # type: ignore[assignment]
) -> dict[str, Any]:
    user = _official(request)
    return gateway_reads.statistics(gateway_reads.calls_for(user, side), days=days)


@router.get("/me/calls", response=list[GatewayMyCallOut], summary="Who used my data (我的数据被谁使用)")
def my_calls(request: HttpRequest, paging: Query[ShortPageIn]) -> list[GatewayMyCallOut]:
    user: User = request.user  # type: ignore[assignment]
    if getattr(user, "kind", "") == "staff":
        return []
    return [
        GatewayMyCallOut(
            at=c.at,
            organisation=c.organisation.name if c.organisation else "",
            consumer=c.consumer.name if c.consumer else "",
            resource=c.resource_code,
            resource_name=c.resource.name if c.resource else "",
            fields=list(c.fields),
            purpose=c.purpose,
            case_number=c.case_number,
        )
        for c in paging.window(gateway_reads.calls_about(user))
    ]


# --- consumers --------------------------------------------------------------------------------------
@router.get(
    "/gateway/consumers", response=list[GatewayConsumerOut], summary="My organisation's consumer systems"
)
def list_consumers(request: HttpRequest, paging: Query[PageIn]) -> list[dict[str, Any]]:
    user = _official(request)
    return [_consumer_out(c) for c in paging.window(gateway_reads.consumers_of(user))]


@router.post(
    "/gateway/consumers", response={201: GatewayConsumerCreatedOut}, summary="Register a consumer system"
)
def create_consumer(request: HttpRequest, payload: GatewayConsumerIn) -> Status[dict[str, Any]]:
    user = _official(request)
    consumer, secrets = gateway_auth.register_consumer(
        actor=user,
        organisation=user.staff_profile.organisation,
        name=payload.name,
        daily_quota=payload.daily_quota,
        rate_per_minute=payload.rate_per_minute,
        sm2_public_key=payload.sm2_public_key,
    )
    out = _consumer_out(consumer)
    out.update(client_secret=secrets.client_secret, hmac_secret=secrets.hmac_secret)
    return Status(201, out)


# --- subscriptions ----------------------------------------------------------------------------------
def _subscription(user: User, subscription_id: UUID) -> Any:
    return get_by_public_id_or_404(
        gateway_reads.subscriptions_of(user), subscription_id, code=SharingErrorCode.NOT_FOUND
    )


@router.get(
    "/gateway/subscriptions", response=list[GatewaySubscriptionOut], summary="My organisation's subscriptions"
)
def list_subscriptions(request: HttpRequest, paging: Query[PageIn]) -> list[dict[str, Any]]:
    user = _official(request)
    qs = gateway_reads.subscriptions_of(user)
    return [_subscription_out(s) for s in paging.window(qs)]


@router.post(
    "/gateway/subscriptions", response={201: GatewaySubscriptionCreatedOut}, summary="Subscribe (变更订阅)"
)
def create_subscription(request: HttpRequest, payload: GatewaySubscriptionIn) -> Status[dict[str, Any]]:
    user = _official(request)
    consumer = gateway_reads.consumers_of(user).filter(public_id=payload.consumer_id).first()
    resource = Resource.objects.filter(code=payload.resource).first()
    if consumer is None or resource is None:
        raise NotFound("未找到调用方系统或资源", code=SharingErrorCode.NOT_FOUND)
    subscription, secret = subscribe(
        actor=user,
        consumer=consumer,
        resource=resource,
        url=payload.url,
        secret=payload.secret,
        subjects=payload.subjects,
    )
    return Status(201, {**_subscription_out(subscription), "secret": secret})


@router.post(
    "/gateway/subscriptions/{uuid:subscription_id}/cancel",
    response=GatewaySubscriptionOut,
    summary="Unsubscribe (取消订阅)",
)
def cancel_subscription(request: HttpRequest, subscription_id: UUID) -> dict[str, Any]:
    user = _official(request)
    subscription = unsubscribe(_subscription(user, subscription_id), actor=user)
    return _subscription_out(_subscription(user, subscription.public_id))


@router.get(
    "/gateway/subscriptions/{uuid:subscription_id}/deliveries",
    response=list[GatewayDeliveryOut],
    summary="Delivery state of a subscription's webhooks",
)
def subscription_deliveries(
    request: HttpRequest, subscription_id: UUID, paging: Query[PageIn]
) -> list[dict[str, Any]]:
    user = _official(request)
    subscription = _subscription(user, subscription_id)
    rows = exchange_reads.deliveries(owner=endpoint_owner(subscription))
    return [
        {
            "id": d.public_id,
            "event_id": d.event_id,
            "state": d.state,
            "attempts": d.attempts,
            "last_status": d.last_status,
            "last_error": d.last_error,
            "created_at": d.created_at,
            "delivered_at": d.delivered_at,
        }
        for d in paging.window(rows)
    ]
