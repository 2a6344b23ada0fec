"""The merchant API (/api/pay/...): signed requests in, signed JSON answers out; and the sim control."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from yiwang_demo_paygate import services
from yiwang_demo_paygate.errors import GatewayError, bad_signature
from yiwang_demo_paygate.keys import configured
from yiwang_demo_paygate.models import Notification, SeenNonce
from yiwang_demo_paygate.signing import NONCE_TTL_S, canonical_json, get_payload, sign_headers, verify
from yiwang_demo_paygate.statement import statement
from yiwang_demo_paygate.validation import IDENT_RE

View = Callable[..., HttpResponse]


def signed_response(payload: bytes, status: int, content_type: str) -> HttpResponse:
    response = HttpResponse(payload, status=status, content_type=content_type)
    for name, value in sign_headers(configured()["gateway"]["private"], payload).items():
        response[name] = value
    return response


def answer(body: Any, status: int = 200) -> HttpResponse:
    return signed_response(canonical_json(body), status, "application/json; charset=utf-8")


def _reject_constant(name: str) -> None:
    raise ValueError(name)


def _body(request: HttpRequest) -> Any:
    try:
        raw = request.body
    except RequestDataTooBig:
        raise GatewayError(413, "too_large", "请求体过大") from None
    if not raw.strip():
        return {}  # a POST without a body signs {}
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise GatewayError(400, "bad_json", "请求体须为 UTF-8 编码的 JSON") from None


def check_signature(request: HttpRequest, payload: bytes) -> None:
    """Platform signature, timestamp within 300 s, nonce not seen in the last 600 s."""
    nonce = verify(configured()["platform"]["public"], payload, request.headers)
    if nonce is None:
        raise bad_signature()
    now = timezone.now()
    with transaction.atomic():
        SeenNonce.objects.filter(nonce=nonce, seen_at__lt=now - timedelta(seconds=NONCE_TTL_S)).delete()
        try:
            with transaction.atomic():
                SeenNonce.objects.create(nonce=nonce, seen_at=now)
        except IntegrityError:
            raise bad_signature("重复的请求（nonce 已使用）") from None


def endpoint(method: str, signed: bool = True) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                if request.method != method:
                    raise GatewayError(405, "method_not_allowed", f"只支持 {method}")
                if method == "POST":
                    data = _body(request)
                    payload = canonical_json(data)
                else:
                    data, payload = None, get_payload(request.get_full_path())
                if signed:
                    check_signature(request, payload)
                return view(request, data, *args, **kwargs)
            except GatewayError as exc:
                return answer(exc.body(), exc.status)

        return wrapper

    return decorate


def _base_url(request: HttpRequest) -> str:
    return settings.PAYGATE_PUBLIC_URL or request.build_absolute_uri("/")


@endpoint("POST")
def create_order(request: HttpRequest, data: Any) -> HttpResponse:
    order, created = services.create_order(data)
    return answer(services.order_answer(order, _base_url(request)), 201 if created else 200)


@endpoint("GET")
def order_detail(request: HttpRequest, data: None, order_no: str) -> HttpResponse:
    return answer(services.order_answer(services.get_order(order_no), _base_url(request)))


@endpoint("POST")
def close_order(request: HttpRequest, data: Any, order_no: str) -> HttpResponse:
    return answer(services.order_answer(services.close_order(order_no), _base_url(request)))


@endpoint("POST")
def create_refund(request: HttpRequest, data: Any) -> HttpResponse:
    refund, created = services.create_refund(data)
    return answer(services.refund_answer(refund), 201 if created else 200)


@endpoint("GET")
def refund_detail(request: HttpRequest, data: None, refund_no: str) -> HttpResponse:
    return answer(services.refund_answer(services.get_refund(refund_no)))


@endpoint("GET")
def statement_file(request: HttpRequest, data: None, day: str) -> HttpResponse:
    try:
        trade_date = date.fromisoformat(day)
    except ValueError:
        raise GatewayError(400, "bad_request", "日期须为 YYYY-MM-DD", {"date": "日期无效"}) from None
    content = statement(trade_date)
    response = signed_response(content, 200, "text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statement-{trade_date.isoformat()}.csv"'
    return response


@endpoint("POST", signed=False)
def sim_behaviour(request: HttpRequest, data: Any) -> HttpResponse:
    return answer(services.behaviour_answer(services.set_behaviour(data)))


@endpoint("GET", signed=False)
def sim_notifications(request: HttpRequest, data: None) -> HttpResponse:
    if not settings.PAYGATE_SIM_CONTROL:
        raise GatewayError(404, "sim_disabled", "模拟控制已关闭")
    order_no = request.GET.get("order_no", "")
    if not IDENT_RE.fullmatch(order_no):
        raise GatewayError(400, "bad_request", "缺少订单号", {"order_no": "须为订单号"})
    rows = Notification.objects.filter(order__order_no=order_no).order_by("pk")[:200]
    return answer(
        {
            "notifications": [
                {
                    "notification_id": str(row.notification_id),
                    "type": row.kind,
                    "status": row.status,
                    "state": row.state,
                    "attempts": row.attempts,
                    "duplicate": row.duplicate,
                }
                for row in rows
            ]
        }
    )
