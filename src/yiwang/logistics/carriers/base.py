"""The carrier adapter interface (承运商接口): what the platform asks of any courier company.

An adapter turns the platform's order into the carrier's request and the carrier's answers and
callbacks into :class:`CarrierEvent` values; it never touches the database (the services do).
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Party:
    """寄件人/收件人 A sender or a recipient."""

    name: str
    phone: str
    region_code: str
    address: str


@dataclass(frozen=True)
class CarrierOrderRequest:
    order_ref: str  # the platform's order id: the carrier's idempotency key
    kind: str
    sender: Party
    recipient: Party
    contents: str = ""
    callback_url: str = ""


@dataclass(frozen=True)
class CarrierOrderResult:
    waybill_number: str
    postage_fen: int = 0


@dataclass(frozen=True)
class CarrierEvent:
    """One tracking event in the platform's terms (status is an ``OrderStatus`` value)."""

    event_id: str
    waybill_number: str
    status: str
    occurred_at: datetime
    location: str = ""
    note: str = ""
    extra: dict[str, str] = field(default_factory=dict)


class CarrierError(Exception):
    """The carrier did not do what was asked."""

    def __init__(self, message: str, *, code: str = "", detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.detail = detail


class CarrierRefused(CarrierError):
    """The carrier answered and refused (e.g. an undeliverable address): retrying will not help."""


class CarrierUnavailable(CarrierError):
    """The carrier did not answer (timeout, connection refused, 5xx): retry later."""


class CallbackRefused(Exception):
    """A callback that is not the carrier's (bad signature) or is too old (replay)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "signature" | "stale" | "body"


class CarrierAdapter(abc.ABC):
    name: str = ""

    @abc.abstractmethod
    def create_order(self, request: CarrierOrderRequest) -> CarrierOrderResult:
        """下单: returns the waybill number; the same ``order_ref`` twice gives the same waybill."""

    @abc.abstractmethod
    def cancel(self, waybill_number: str) -> None:
        """取消: possible until the parcel is picked up (:class:`CarrierRefused` after)."""

    @abc.abstractmethod
    def query_tracking(self, waybill_number: str) -> list[CarrierEvent]:
        """查询轨迹: every event the carrier has for the waybill."""

    @abc.abstractmethod
    def verify_callback(
        self, headers: Mapping[str, str], body: bytes, *, path: str, now: float | None = None
    ) -> list[CarrierEvent]:
        """Check a callback's signature and freshness and read its events
        (:class:`CallbackRefused` when it is forged, stale or unreadable)."""
