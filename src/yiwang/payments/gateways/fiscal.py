"""The fiscal non-tax collection gateway (非税收缴网关) over HTTP, protocol v1 (docs/payments.md):
JSON bodies, amounts in fen, SM2-signed requests, signed answers, notifications and statements."""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from yiwang.payments import conf
from yiwang.payments.gateways import signing
from yiwang.payments.gateways.base import (
    STATEMENT_HEADER,
    CreatePayment,
    GatewayError,
    GatewayRefused,
    Notification,
    PaymentGateway,
    PaymentStarted,
    PaymentStatus,
    RefundRequest,
    RefundStatusInfo,
    SignatureRefused,
    StatementLine,
)
from yiwang.payments.gateways.keys import load_or_create


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise GatewayError(f"{name} is not an integer")
    return value


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


class FiscalGateway(PaymentGateway):
    name = "fiscal"

    def __init__(
        self,
        base_url: str,
        *,
        merchant_id: str,
        platform_private_key: str,
        gateway_public_key: str,
        timeout: float = 5.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.merchant_id = merchant_id
        self.private_key = platform_private_key
        self.gateway_public_key = gateway_public_key
        self.timeout = timeout

    @classmethod
    def from_settings(cls) -> FiscalGateway:
        keys = load_or_create(conf.keys_file())
        return cls(
            conf.paygate_url(),
            merchant_id=conf.merchant_id(),
            platform_private_key=keys["platform"]["private"],
            gateway_public_key=keys["gateway"]["public"],
            timeout=conf.gateway_timeout(),
        )

    # --- transport ----------------------------------------------------------------------------------
    def _call(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> tuple[int, bytes, Any]:
        if method == "GET":
            payload, data = signing.get_payload(path), None
        else:
            payload = data = signing.canonical_json(dict(body or {}))
        headers = {"Content-Type": "application/json", **signing.sign_headers(self.private_key, payload)}
        if not self.base_url.startswith(("http://", "https://")):
            raise GatewayError("YIWANG_PAYGATE_URL must be an http(s) URL")
        url = self.base_url + path
        request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310 - http(s) only
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - configured URL
                status, raw, answer_headers = response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as exc:
            status, raw, answer_headers = exc.code, exc.read(), dict(exc.headers or {})
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise GatewayError(f"gateway unreachable: {exc}") from exc
        return status, raw, answer_headers

    def _json(
        self, method: str, path: str, body: Mapping[str, Any] | None = None
    ) -> tuple[int, dict[str, Any]]:
        status, raw, headers = self._call(method, path, body)
        try:
            parsed = json.loads(raw.decode("utf-8")) if raw else {}
        except (UnicodeDecodeError, ValueError) as exc:
            raise GatewayError(f"gateway answered {status} with non-JSON") from exc
        if not isinstance(parsed, dict):
            raise GatewayError("gateway answered a non-object")
        if status >= 500:
            raise GatewayError(f"gateway answered {status}")
        if status >= 400:
            raise GatewayRefused(
                str(parsed.get("code") or f"http_{status}"), status, str(parsed.get("message", ""))
            )
        if signing.verify(self.gateway_public_key, signing.canonical_json(parsed), headers) is None:
            raise SignatureRefused("gateway answer has a bad signature")
        return status, parsed

    # --- operations ---------------------------------------------------------------------------------
    def create_payment(self, request: CreatePayment) -> PaymentStarted:
        _, body = self._json(
            "POST",
            "/api/pay/orders",
            {
                "merchant_id": self.merchant_id,
                "order_no": request.order_no,
                "amount_fen": request.amount_fen,
                "subject": request.subject,
                "notify_url": request.notify_url,
                "return_url": request.return_url,
                "expire_at": request.expire_at.isoformat(),
            },
        )
        return PaymentStarted(
            order_no=str(body.get("order_no", request.order_no)),
            gateway_trade_no=str(body.get("gateway_trade_no", "")),
            pay_url=str(body.get("pay_url", "")),
            qr_text=str(body.get("qr_text", "")),
            status=str(body.get("status", "paying")),
        )

    def query(self, order_no: str) -> PaymentStatus:
        _, body = self._json("GET", f"/api/pay/orders/{quote(order_no)}")
        return PaymentStatus(
            order_no=str(body.get("order_no", order_no)),
            status=str(body.get("status", "")),
            amount_fen=_int(body.get("amount_fen"), "amount_fen"),
            gateway_trade_no=str(body.get("gateway_trade_no") or ""),
            paid_at=_time(body.get("paid_at")),
            channel=str(body.get("channel") or ""),
        )

    def close(self, order_no: str) -> str:
        _, body = self._json("POST", f"/api/pay/orders/{quote(order_no)}/close", {})
        return str(body.get("status", "closed"))

    def refund(self, request: RefundRequest) -> RefundStatusInfo:
        _, body = self._json(
            "POST",
            "/api/pay/refunds",
            {
                "merchant_id": self.merchant_id,
                "order_no": request.order_no,
                "refund_no": request.refund_no,
                "amount_fen": request.amount_fen,
                "reason": request.reason,
                "notify_url": request.notify_url,
            },
        )
        return RefundStatusInfo(
            refund_no=str(body.get("refund_no", request.refund_no)),
            status=str(body.get("status", "refunding")),
            amount_fen=request.amount_fen,
            order_no=request.order_no,
        )

    def query_refund(self, refund_no: str) -> RefundStatusInfo:
        _, body = self._json("GET", f"/api/pay/refunds/{quote(refund_no)}")
        return RefundStatusInfo(
            refund_no=str(body.get("refund_no", refund_no)),
            status=str(body.get("status", "")),
            amount_fen=_int(body.get("amount_fen"), "amount_fen"),
            order_no=str(body.get("order_no") or ""),
        )

    def fetch_statement(self, day: date) -> list[StatementLine]:
        return parse_statement(self.fetch_statement_file(day))

    def fetch_statement_file(self, day: date) -> bytes:
        status, raw, headers = self._call("GET", f"/api/pay/statements/{day.isoformat()}")
        if status >= 500:
            raise GatewayError(f"gateway answered {status}")
        if status >= 400:
            try:
                code = str(json.loads(raw.decode("utf-8")).get("code") or "")
            except (UnicodeDecodeError, ValueError, AttributeError):
                code = ""
            raise GatewayRefused(code or f"http_{status}", status)
        if signing.verify(self.gateway_public_key, raw, headers) is None:
            raise SignatureRefused("statement has a bad signature")
        return raw

    def verify_notification(self, headers: Mapping[str, str], body: bytes) -> tuple[Notification, str]:
        try:
            parsed = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise SignatureRefused("notification is not JSON") from exc
        if not isinstance(parsed, dict):
            raise SignatureRefused("notification is not an object")
        nonce = signing.verify(self.gateway_public_key, signing.canonical_json(parsed), headers)
        if nonce is None:
            raise SignatureRefused("bad notification signature")
        return parse_notification(parsed), nonce


def parse_notification(body: Mapping[str, Any]) -> Notification:
    amount = body.get("amount_fen")
    notification_id = str(body.get("notification_id") or "")
    if (
        not notification_id
        or len(notification_id) > 64
        or isinstance(amount, bool)
        or not isinstance(amount, int)
    ):
        raise GatewayError("malformed notification")
    return Notification(
        notification_id=notification_id,
        type=str(body.get("type") or "")[:10],
        order_no=str(body.get("order_no") or "")[:40],
        status=str(body.get("status") or "")[:16],
        amount_fen=amount,
        gateway_trade_no=str(body.get("gateway_trade_no") or "")[:64],
        refund_no=str(body.get("refund_no") or "")[:32],
        paid_at=_time(body.get("paid_at")),
        channel=str(body.get("channel") or "")[:6],
        body=dict(body),
    )


def parse_statement(raw: bytes) -> list[StatementLine]:
    """The lines of a statement file (header line checked; a malformed line is a GatewayError)."""
    text = raw.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    rows = list(reader)
    if not rows or ",".join(rows[0]) != STATEMENT_HEADER:
        raise GatewayError("statement header missing")
    lines: list[StatementLine] = []
    for row in rows[1:]:
        if not row:
            continue
        if len(row) != 7 or not row[4].isdigit():
            raise GatewayError(f"malformed statement line {row!r}")
        lines.append(
            StatementLine(
                trade_date=date.fromisoformat(row[0]),
                order_no=row[1],
                gateway_trade_no=row[2],
                type=row[3],
                amount_fen=int(row[4]),
                channel=row[5],
                time=row[6],
            )
        )
    return lines
