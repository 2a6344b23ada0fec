"""Pull mode over real HTTP: the live server answers as the province holding packages for the city;
this thread pulls as the city, downloads with Range (resuming), applies and acknowledges."""

from __future__ import annotations

import os
from typing import Any

import pytest

from yiwang.exchange.identity import acting_as
from yiwang.exchange.models import (
    DeliveryMode,
    IncomingPackage,
    IncomingState,
    OutgoingPackage,
    OutgoingState,
)
from yiwang.exchange.services import build_package, pull_from
from yiwang.exchange.services import pull as pull_module
from yiwang.exchange.tests.factories import node_row

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def province_node(live_server: Any, as_node: Any, province: Any, city: Any) -> Any:
    as_node(province)  # the server holds the packages as the province
    node_row(city, role="child")
    return node_row(province, base_url=live_server.url, role="parent")


def test_the_city_pulls_applies_and_acknowledges(province_node, province, city, applied):
    city_node = node_row(city, role="child")
    with acting_as(province):
        held = [
            build_package("test.feed", city_node, {"n.txt": str(n).encode()}, mode=DeliveryMode.PULL)
            for n in (1, 2)
        ]
    with acting_as(city):
        pulled = pull_from(province_node)
    assert [p.state for p in pulled] == [IncomingState.APPLIED, IncomingState.APPLIED]
    assert [p.sequence for p in applied] == [1, 2]
    for package in held:
        package.refresh_from_db()
        assert package.state == OutgoingState.APPLIED and package.receipt["state"] == "applied"
    with acting_as(city):
        assert pull_from(province_node) == []  # acknowledged: nothing waits any more


def test_an_interrupted_download_resumes_with_range(province_node, province, city, applied, monkeypatch):
    city_node = node_row(city, role="child")
    with acting_as(province):
        held = build_package("test.feed", city_node, {"big.bin": os.urandom(6000)}, mode=DeliveryMode.PULL)
    ranges: list[str] = []
    real = pull_module.signed_request

    def flaky(identity, node, method, path, body=b"", **kwargs):  # type: ignore[no-untyped-def]
        if path.endswith("/archive"):
            ranges.append(kwargs["headers"]["Range"])
            if len(ranges) == 2:
                raise OSError("timed out")
        return real(identity, node, method, path, body, **kwargs)

    monkeypatch.setattr(pull_module, "signed_request", flaky)
    with acting_as(city), pytest.raises(OSError):
        pull_from(province_node, chunk_bytes=2048)
    assert IncomingPackage.objects.get(public_id=held.public_id).received_bytes == 2048
    with acting_as(city):
        pulled = pull_from(province_node, chunk_bytes=2048)
    assert ranges[:3] == ["bytes=0-2047", "bytes=2048-4095", "bytes=2048-4095"]
    assert pulled[0].state == IncomingState.APPLIED and len(applied) == 1
    assert OutgoingPackage.objects.get(pk=held.pk).state == OutgoingState.APPLIED
