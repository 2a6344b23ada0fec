"""Factories of the logistics tests: a region tree with and without townships, a fake carrier
(in memory, the simulated carrier's signature check), orders and signed callbacks."""

from __future__ import annotations

import itertools
import json
import time
import uuid
from datetime import datetime
from typing import Any, ClassVar

from django.test import Client

from yiwang.core.models import Organisation, Region, RegionLevel
from yiwang.logistics import conf, services
from yiwang.logistics.carriers import (
    CarrierEvent,
    CarrierOrderRequest,
    CarrierOrderResult,
    CarrierRefused,
    CarrierUnavailable,
    SimulatedCarrier,
    signing,
)
from yiwang.logistics.models import CourierOrder, OrderKind
from yiwang.logistics.services.orders import CALLBACK_PATH

_serial = itertools.count(1)
TOWNSHIP = "340104001"  # 三里庵街道 (蜀山区 has its townships in the data)
COUNTY_WITHOUT_TOWNSHIPS = "340111"  # 包河区


def _region(code: str, name: str, level: int, parent: Region | None) -> Region:
    region, _ = Region.objects.get_or_create(
        code=code, defaults={"full_code": code.ljust(12, "0"), "name": name, "level": level, "parent": parent}
    )
    return region


def make_regions() -> dict[str, Region]:
    province = _region("34", "安徽省", RegionLevel.PROVINCE, None)
    city = _region("3401", "合肥市", RegionLevel.CITY, province)
    shushan = _region("340104", "蜀山区", RegionLevel.COUNTY, city)
    baohe = _region(COUNTY_WITHOUT_TOWNSHIPS, "包河区", RegionLevel.COUNTY, city)
    township = _region(TOWNSHIP, "三里庵街道", RegionLevel.TOWNSHIP, shushan)
    return {"province": province, "city": city, "shushan": shushan, "baohe": baohe, "township": township}


def applicant_party(**overrides: str) -> dict[str, str]:
    return {
        "name": "张伟",
        "phone": "13912345678",
        "region_code": TOWNSHIP,
        "address": "安徽省合肥市蜀山区长江西路 100 号",
        **overrides,
    }


class FakeCarrier(SimulatedCarrier):
    """In memory; verify_callback is the simulated carrier's real check."""

    orders: ClassVar[dict[str, str]] = {}
    refused_regions: ClassVar[set[str]] = set()
    down: ClassVar[bool] = False
    cancelled: ClassVar[list[str]] = []
    tracking: ClassVar[dict[str, list[CarrierEvent]]] = {}

    @classmethod
    def reset(cls) -> None:
        cls.orders, cls.refused_regions, cls.down, cls.cancelled, cls.tracking = {}, set(), False, [], {}

    def create_order(self, request: CarrierOrderRequest) -> CarrierOrderResult:
        if FakeCarrier.down:
            raise CarrierUnavailable("承运商暂时无法连接")
        if request.recipient.region_code in FakeCarrier.refused_regions:
            raise CarrierRefused("地址不在服务范围，无法寄递", code="undeliverable_address")
        waybill = FakeCarrier.orders.setdefault(request.order_ref, f"SIM{next(_serial):012d}")
        return CarrierOrderResult(waybill_number=waybill, postage_fen=1200)

    def cancel(self, waybill_number: str) -> None:
        if FakeCarrier.down:
            raise CarrierUnavailable("承运商暂时无法连接")
        FakeCarrier.cancelled.append(waybill_number)

    def query_tracking(self, waybill_number: str) -> list[CarrierEvent]:
        if FakeCarrier.down:
            raise CarrierUnavailable("承运商暂时无法连接")
        return list(FakeCarrier.tracking.get(waybill_number, []))


def make_order(
    organisation: Organisation, *, owner: Any = None, actor: Any = None, **extra: Any
) -> CourierOrder:
    return services.create_order(
        actor=actor,
        kind=extra.pop("kind", OrderKind.DELIVERY),
        organisation=organisation,
        owner=owner,
        sender=services.department_sender(organisation),
        recipient=extra.pop("recipient", applicant_party()),
        reference=extra.pop("reference", ("", "", "")),
        **extra,
    )


def event(
    waybill: str, status: str, at: datetime, *, event_id: str | None = None, **extra: str
) -> dict[str, str]:
    return {
        "event_id": event_id or str(uuid.uuid4()),
        "waybill": waybill,
        "status": status,
        "time": at.isoformat(),
        "location": "合肥转运中心",
        "note": "",
        **extra,
    }


def carrier_event(waybill: str, status: str, at: datetime, event_id: str | None = None) -> CarrierEvent:
    return CarrierEvent(
        event_id=event_id or str(uuid.uuid4()), waybill_number=waybill, status=status, occurred_at=at
    )


def post_callback(
    client: Client,
    events: list[dict[str, str]] | None = None,
    *,
    body: bytes | None = None,
    secret: str | None = None,
    timestamp: int | None = None,
) -> Any:
    """POST a callback as the carrier signs it (a wrong ``secret`` forges it, an old ``timestamp``
    replays it)."""
    raw = body if body is not None else json.dumps({"events": events}, ensure_ascii=False).encode()
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = signing.signature(secret or conf.carrier_secret(), ts, "POST", CALLBACK_PATH, raw)
    return client.post(
        CALLBACK_PATH,
        raw,
        content_type="application/json",
        HTTP_X_CARRIER_KEY="yiwang",
        HTTP_X_CARRIER_TIMESTAMP=ts,
        HTTP_X_CARRIER_SIGNATURE=signature,
    )
