"""Carrier adapters (承运商适配器): one interface (:mod:`.base`), one adapter per carrier."""

from yiwang.logistics.carriers import signing
from yiwang.logistics.carriers.base import (
    CallbackRefused,
    CarrierAdapter,
    CarrierError,
    CarrierEvent,
    CarrierOrderRequest,
    CarrierOrderResult,
    CarrierRefused,
    CarrierUnavailable,
    Party,
)
from yiwang.logistics.carriers.simulated import SimulatedCarrier

__all__ = [
    "CallbackRefused",
    "CarrierAdapter",
    "CarrierError",
    "CarrierEvent",
    "CarrierOrderRequest",
    "CarrierOrderResult",
    "CarrierRefused",
    "CarrierUnavailable",
    "Party",
    "SimulatedCarrier",
    "carrier_for",
    "signing",
]

_ADAPTERS: dict[str, type[CarrierAdapter]] = {"sim": SimulatedCarrier}


def carrier_for(name: str) -> CarrierAdapter:
    """The adapter of carrier ``name`` (``sim`` is the only one shipped)."""
    return _ADAPTERS[name]()
