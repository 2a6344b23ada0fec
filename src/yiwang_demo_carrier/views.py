"""The carrier's open platform: signed JSON endpoints for accounts, a public tracking page."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from yiwang_demo_carrier import settings, signing, store

STATUS_LABELS = {
    "accepted": "已下单",
    "picked_up": "已揽收",
    "in_transit": "运输中",
    "out_for_delivery": "派送中",
    "delivered": "已签收",
    "failed_delivery": "派送失败",
    "returned_to_sender": "已退回",
    "cancelled": "已取消",
}
_REGION = re.compile(r"[0-9]{6}([0-9]{3}([0-9]{3})?)?")
_WAYBILL = re.compile(r"[A-Z0-9]{6,40}")


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(
        {"code": code, "message": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def _signed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        account = signing.verify(
            settings.CARRIER_ACCOUNTS, request.headers, request.method or "", request.path, request.body
        )
        if not account:
            return _error(401, "bad_signature", "签名无效或已过期")
        request.carrier_account = account  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    return wrapped


def _party_problem(party: Any, name: str) -> str:
    if not isinstance(party, dict):
        return f"{name} 缺失"
    for field in ("name", "phone", "region_code", "address"):
        if not isinstance(party.get(field), str) or not party[field].strip():
            return f"{name}.{field} 缺失"
    code = party["region_code"]
    if not _REGION.fullmatch(code):
        return f"{name}.region_code 格式不正确"
    return ""


def _unserved(code: str) -> bool:
    """Outside the service area: a province or a division listed in CARRIER_UNSERVED (prefixes)."""
    return any(code.startswith(prefix) for prefix in settings.CARRIER_UNSERVED) or code[2:6] == "0000"


@csrf_exempt
@require_POST
@_signed
def create_order(request: HttpRequest) -> HttpResponse:
    try:
        payload = json.loads(request.body)
    except ValueError:
        return _error(400, "bad_json", "请求体不是 JSON")
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("order_ref"), str)
        or not payload["order_ref"]
    ):
        return _error(400, "bad_request", "order_ref 缺失")
    for name in ("sender", "recipient"):
        problem = _party_problem(payload.get(name), name)
        if problem:
            return _error(400, "bad_request", problem)
    for name in ("sender", "recipient"):
        code = payload[name]["region_code"]
        if _unserved(code):
            return _error(422, "undeliverable_address", f"地址不在服务范围（区划代码 {code}），无法寄递")
    callback = str(payload.get("callback_url") or "")
    if callback and not callback.startswith(("http://", "https://")):
        return _error(400, "bad_request", "callback_url 须为 http(s) 地址")
    payload["kind"] = str(payload.get("kind") or "delivery")[:10]
    parcel = store.create_parcel(request.carrier_account, payload)  # type: ignore[attr-defined]
    return JsonResponse(
        {"waybill": parcel["waybill"], "postage_fen": parcel["postage_fen"], "status": "accepted"}
    )


@csrf_exempt
@require_POST
@_signed
def cancel_order(request: HttpRequest, waybill: str) -> HttpResponse:
    reason = store.cancel(waybill)
    if reason == "unknown":
        return _error(404, "unknown_waybill", "运单号不存在")
    if reason:
        return _error(409, "already_picked_up", "快件已揽收，不能取消")
    return JsonResponse({"waybill": waybill, "status": "cancelled"})


def _event_rows(waybill: str) -> list[dict[str, str]]:
    return [
        {
            "event_id": row["event_id"],
            "waybill": waybill,
            "status": row["status"],
            "time": row["time"],
            "location": row["location"],
            "note": row["note"],
            "signed_by": row["signed_by"],
        }
        for row in store.events(waybill)
    ]


@require_GET
@_signed
def tracking(request: HttpRequest, waybill: str) -> HttpResponse:
    parcel = store.parcel(waybill)
    if parcel is None or parcel["account"] != request.carrier_account:  # type: ignore[attr-defined]
        return _error(404, "unknown_waybill", "运单号不存在")
    return JsonResponse(
        {"waybill": waybill, "status": parcel["status"], "events": _event_rows(waybill)},
        json_dumps_params={"ensure_ascii": False},
    )


@csrf_exempt
@require_POST
@_signed
def behaviour(request: HttpRequest) -> HttpResponse:
    """演示控制: how one parcel ends — delivered, failed_once (one failed attempt) or returned."""
    try:
        payload = json.loads(request.body)
    except ValueError:
        return _error(400, "bad_json", "请求体不是 JSON")
    outcome = str(payload.get("outcome") or "") if isinstance(payload, dict) else ""
    waybill = str(payload.get("waybill") or "") if isinstance(payload, dict) else ""
    if outcome not in store.PLANS:
        return _error(400, "bad_request", "outcome 须为 delivered、failed_once 或 returned")
    if store.parcel(waybill) is None:
        return _error(404, "unknown_waybill", "运单号不存在")
    if not store.set_outcome(waybill, outcome):
        return _error(409, "finished", "快件已妥投、退回或取消")
    return JsonResponse({"waybill": waybill, "outcome": outcome})


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    waybill = request.GET.get("waybill", "").strip().upper()
    if waybill and _WAYBILL.fullmatch(waybill):
        return track_page(request, waybill)
    return render(request, "track.html", {"parcel": None, "waybill": "", "events": []})


@require_GET
def track_page(request: HttpRequest, waybill: str) -> HttpResponse:
    parcel = store.parcel(waybill) if _WAYBILL.fullmatch(waybill) else None
    if parcel is None:
        raise Http404("运单号不存在")
    events = [
        {**row, "label": STATUS_LABELS.get(row["status"], row["status"])}
        for row in reversed(_event_rows(waybill))
    ]
    return render(
        request,
        "track.html",
        {
            "parcel": parcel,
            "waybill": waybill,
            "status_label": STATUS_LABELS.get(parcel["status"], parcel["status"]),
            "events": events,
        },
    )
