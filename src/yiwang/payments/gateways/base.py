"""The one interface every payment gateway adapter offers (统一支付接口)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

STATEMENT_HEADER = "trade_date,order_no,gateway_trade_no,type,amount_fen,channel,time"


class GatewayError(Exception):
    """The gateway could not be reached, timed out, or answered something unreadable."""


class GatewayRefused(GatewayError):
    """The gateway answered with a refusal (``code`` from its body, e.g. ``order_conflict``)."""

    def __init__(self, code: str, status: int, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code
        self.status = status


class SignatureRefused(GatewayError):
    """A message's signature, timestamp or nonce was refused."""


@dataclass(frozen=True)
class CreatePayment:
    order_no: str  # the payment code (缴款码)
    amount_fen: int
    subject: str
    notify_url: str
    return_url: str
    expire_at: datetime


@dataclass(frozen=True)
class PaymentStarted:
    order_no: str
    gateway_trade_no: str
    pay_url: str
    qr_text: str
    status: str


@dataclass(frozen=True)
class PaymentStatus:
    order_no: str
    status: str  # paying | paid | closed | failed
    amount_fen: int
    gateway_trade_no: str = ""
    paid_at: datetime | None = None
    channel: str = ""


@dataclass(frozen=True)
class RefundRequest:
    order_no: str
    refund_no: str
    amount_fen: int
    reason: str
    notify_url: str


@dataclass(frozen=True)
class RefundStatusInfo:
    refund_no: str
    status: str  # refunding | refunded | failed
    amount_fen: int = 0
    order_no: str = ""


@dataclass(frozen=True)
class StatementLine:
    trade_date: date
    order_no: str
    gateway_trade_no: str
    type: str  # pay | refund
    amount_fen: int
    channel: str
    time: str


@dataclass(frozen=True)
class Notification:
    """A verified notification from the gateway."""

    notification_id: str
    type: str
    order_no: str
    status: str
    amount_fen: int
    gateway_trade_no: str = ""
    refund_no: str = ""
    paid_at: datetime | None = None
    channel: str = ""
    body: Mapping[str, Any] = field(default_factory=dict)


class PaymentGateway(ABC):
    """create_payment, query, close, refund, query_refund, fetch_statement, verify_notification."""

    name: str = ""

    @abstractmethod
    def create_payment(self, request: CreatePayment) -> PaymentStarted: ...

    @abstractmethod
    def query(self, order_no: str) -> PaymentStatus: ...

    @abstractmethod
    def close(self, order_no: str) -> str: ...

    @abstractmethod
    def refund(self, request: RefundRequest) -> RefundStatusInfo: ...

    @abstractmethod
    def query_refund(self, refund_no: str) -> RefundStatusInfo: ...

    @abstractmethod
    def fetch_statement(self, day: date) -> list[StatementLine]: ...

    def fetch_statement_file(self, day: date) -> bytes:
        """The statement file's raw bytes, signature verified (对账单); adapters without a file of
        their own write their lines in the file's format."""
        rows = [STATEMENT_HEADER] + [
            f"{x.trade_date.isoformat()},{x.order_no},{x.gateway_trade_no},{x.type},{x.amount_fen},{x.channel},{x.time}"
            for x in self.fetch_statement(day)
        ]
        return ("\n".join(rows) + "\n").encode()

    @abstractmethod
    def verify_notification(self, headers: Mapping[str, str], body: bytes) -> tuple[Notification, str]:
        """The notification and its nonce (the caller refuses a nonce seen before)."""
