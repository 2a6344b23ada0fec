"""The adapter of the simulated carrier (演示快递, ``yiwang_demo_carrier``), over real HTTP.

Requests and callbacks are signed with HMAC-SHA256 (:mod:`.signing`).  The carrier's statuses are
the platform's own names, so the mapping is the identity for the ones we know.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

from yiwang.logistics import conf
from yiwang.logistics.carriers import signing
from yiwang.logistics.carriers.base import (
    CallbackRefused,
    CarrierAdapter,
    CarrierEvent,
    CarrierOrderRequest,
    CarrierOrderResult,
    CarrierRefused,
    CarrierUnavailable,
)

KNOWN_STATUSES = frozenset(
    {"picked_up", "in_transit", "out_for_delivery", "delivered", "failed_delivery", "returned_to_sender"}
)
MAX_EVENTS = 200


def parse_event(raw: Any) -> CarrierEvent:
    """One event of the carrier's JSON (``ValueError`` when a field is missing or malformed)."""
    if not isinstance(raw, dict):
        raise ValueError("event is not an object")
    event_id = str(raw.get("event_id") or "")
    waybill = str(raw.get("waybill") or "")
    status = str(raw.get("status") or "")
    if not (0 < len(event_id) <= 64 and 0 < len(waybill) <= 40 and status in KNOWN_STATUSES):
        raise ValueError("event_id, waybill or status")
    occurred = datetime.fromisoformat(str(raw.get("time") or ""))
    if occurred.tzinfo is None:
        raise ValueError("time without a zone")
    extra = {"signed_by": str(raw.get("signed_by") or "")[:100]}
    return CarrierEvent(
        event_id=event_id,
        waybill_number=waybill,
        status=status,
        occurred_at=occurred,
        location=str(raw.get("location") or "")[:100],
        note=str(raw.get("note") or "")[:200],
        extra=extra,
    )


class SimulatedCarrier(CarrierAdapter):
    name = "sim"

    def __init__(
        self, base_url: str | None = None, key: str | None = None, secret: str | None = None
    ) -> None:
        self.base_url = (base_url or conf.carrier_url()).rstrip("/")
        self.key = key or conf.carrier_app_key()
        self.secret = secret or conf.carrier_secret()

    # --- HTTP ----------------------------------------------------------------------------------
    def _call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        body = json.dumps(payload, ensure_ascii=False).encode() if payload is not None else b""
        full_path = urlsplit(self.base_url).path.rstrip("/") + path
        headers = signing.signed_headers(self.key, self.secret, method, full_path, body)
        headers["Content-Type"] = "application/json"
        request = urllib.request.Request(  # noqa: S310 - the configured carrier URL (http/https)
            self.base_url + path, data=body if method != "GET" else None, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=conf.carrier_timeout_s()) as response:  # noqa: S310
                return dict(json.loads(response.read() or b"{}"))
        except urllib.error.HTTPError as exc:
            text = exc.read()[:2000]
            try:
                answer = json.loads(text)
            except ValueError:
                answer = {}
            if exc.code >= 500:
                raise CarrierUnavailable(
                    f"承运商返回 HTTP {exc.code}", detail=text.decode(errors="replace")
                ) from None
            raise CarrierRefused(
                str(answer.get("message") or f"承运商拒绝（HTTP {exc.code}）"),
                code=str(answer.get("code") or ""),
            ) from None
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise CarrierUnavailable("承运商暂时无法连接", detail=str(exc)[:300]) from None

    # --- the interface -------------------------------------------------------------------------
    def create_order(self, request: CarrierOrderRequest) -> CarrierOrderResult:
        def party(p: Any) -> dict[str, str]:
            return {"name": p.name, "phone": p.phone, "region_code": p.region_code, "address": p.address}

        answer = self._call(
            "POST",
            "/api/orders",
            {
                "order_ref": request.order_ref,
                "kind": request.kind,
                "sender": party(request.sender),
                "recipient": party(request.recipient),
                "contents": request.contents,
                "callback_url": request.callback_url,
            },
        )
        waybill = str(answer.get("waybill") or "")
        if not waybill or len(waybill) > 40:
            raise CarrierUnavailable("承运商返回的运单号不正确")
        return CarrierOrderResult(waybill_number=waybill, postage_fen=int(answer.get("postage_fen") or 0))

    def cancel(self, waybill_number: str) -> None:
        self._call("POST", f"/api/orders/{quote(waybill_number)}/cancel", {})

    def query_tracking(self, waybill_number: str) -> list[CarrierEvent]:
        answer = self._call("GET", f"/api/orders/{quote(waybill_number)}/tracking")
        events = []
        for raw in list(answer.get("events") or [])[:MAX_EVENTS]:
            try:
                events.append(parse_event(raw))
            except ValueError:
                continue
        return events

    def set_behaviour(self, waybill_number: str, outcome: str) -> None:
        """演示控制 The simulated carrier only: how this parcel ends (delivered|failed_once|returned)."""
        self._call("POST", "/api/sim/behaviour", {"waybill": waybill_number, "outcome": outcome})

    def verify_callback(
        self, headers: Mapping[str, str], body: bytes, *, path: str, now: float | None = None
    ) -> list[CarrierEvent]:
        reason = signing.check(
            self.secret, headers, "POST", path, body, window=conf.callback_window_s(), now=now
        )
        if reason:
            raise CallbackRefused(reason)
        try:
            payload = json.loads(body)
            raw_events = payload.get("events") if isinstance(payload, dict) else None
            if not isinstance(raw_events, list) or not 0 < len(raw_events) <= MAX_EVENTS:
                raise ValueError("events")
            return [parse_event(raw) for raw in raw_events]
        except (ValueError, TypeError) as exc:
            raise CallbackRefused("body") from exc
