"""Push between two nodes over real HTTP (the live server answers as the city, this thread sends as
the province): applied once with a signed receipt, replay idempotent, resume, ordering, rollback."""

from __future__ import annotations

import os
from typing import Any

import pytest

from yiwang.core.errors import DomainError
from yiwang.exchange import client as exchange_client
from yiwang.exchange import handlers
from yiwang.exchange.client import signed_request
from yiwang.exchange.identity import acting_as
from yiwang.exchange.models import (
    ExchangeNode,
    IncomingPackage,
    IncomingState,
    OutgoingPackage,
    OutgoingState,
)
from yiwang.exchange.services import build_package, poll_receipt, push_package
from yiwang.exchange.services import outgoing as outgoing_module
from yiwang.exchange.signing import canonical_json, node_verifies
from yiwang.exchange.storage import read_archive
from yiwang.exchange.tests.factories import announce, node_row

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def nodes(live_server: Any, as_node: Any, province: Any, city: Any) -> tuple[ExchangeNode, ExchangeNode]:
    as_node(city)  # the server receives as the city
    sender = node_row(province, role="parent")
    receiver = node_row(city, base_url=live_server.url, role="child")
    return sender, receiver


def test_a_pushed_package_is_applied_once_with_a_signed_receipt(nodes, province, applied):
    _, city_node = nodes
    with acting_as(province):
        package = build_package(
            "test.feed", city_node, {"rows.json": b'[{"id": 1}]', "photo.bin": bytes(range(256)) * 50}
        )
        package = push_package(package, chunk_bytes=4096)
    assert package.state == OutgoingState.APPLIED
    assert package.receipt["state"] == "applied" and package.receipt["result"] == {"rows": 2}
    assert node_verifies(city_node, package.receipt_signature, canonical_json(package.receipt))
    assert [p.sequence for p in applied] == [1]
    assert applied[0].entries["photo.bin"] == bytes(range(256)) * 50
    incoming = IncomingPackage.objects.get(public_id=package.public_id)
    assert incoming.state == IncomingState.APPLIED and incoming.received_bytes == package.size
    with incoming.archive.open("rb") as handle:  # kept encrypted at rest
        assert handle.read(8) == b"ywx1$s4$"


def test_replaying_a_package_returns_the_same_receipt_and_applies_nothing(nodes, province, applied):
    _, city_node = nodes
    with acting_as(province):
        package = push_package(build_package("test.feed", city_node, {"a.txt": b"a"}))
        first = package.receipt
        data = read_archive(package.archive, str(package.public_id), package.size)
        again = signed_request(
            province, city_node, "POST", "/packages", announce(str(package.public_id), data)
        )
        chunk = signed_request(
            province, city_node, "PUT", f"/packages/{package.public_id}/chunks?offset=0", data
        )
        OutgoingPackage.objects.filter(pk=package.pk).update(state=OutgoingState.READY)
        pushed_again = push_package(package)
    assert again.status == 200 and again.json()["receipt"] == first
    assert chunk.status == 200 and chunk.json()["state"] == "applied"
    assert pushed_again.state == OutgoingState.APPLIED and pushed_again.receipt == first
    assert len(applied) == 1


def test_an_interrupted_upload_resumes_from_the_last_received_byte(nodes, province, applied, monkeypatch):
    _, city_node = nodes
    offsets: list[int] = []
    real = exchange_client.signed_request
    calls = {"n": 0}

    def flaky(identity, node, method, path, body=b"", **kwargs):  # type: ignore[no-untyped-def]
        if method == "PUT":
            offsets.append(int(path.rsplit("=", 1)[1]))
            calls["n"] += 1
            if calls["n"] == 3:
                raise OSError("connection reset by peer")
        return real(identity, node, method, path, body, **kwargs)

    monkeypatch.setattr(outgoing_module, "signed_request", flaky)
    with acting_as(province):
        package = build_package("test.feed", city_node, {"big.bin": os.urandom(5000)})
        package = push_package(package, chunk_bytes=1000)
        assert package.state == OutgoingState.READY and package.attempts == 1
        assert package.next_attempt_at is not None and package.bytes_confirmed == 2000
        assert "connection reset" in package.last_error
        package = push_package(package, chunk_bytes=1000)
    assert package.state == OutgoingState.APPLIED and package.attempts == 2
    # chunks 0 and 1000 sent, the third (2000) lost; the retry asked the receiver and went on from 2000
    assert offsets[:4] == [0, 1000, 2000, 2000]
    assert len(applied) == 1


def test_packages_are_applied_in_sequence_order_per_sender_and_kind(nodes, province, applied):
    _, city_node = nodes
    with acting_as(province):
        first, second, third = (
            build_package("test.feed", city_node, {"n.txt": str(n).encode()}) for n in (1, 2, 3)
        )
        assert push_package(third).state == OutgoingState.SENT
        assert push_package(second).state == OutgoingState.SENT
        assert applied == []
        assert IncomingPackage.objects.get(public_id=third.public_id).state == IncomingState.WAITING
        assert push_package(first).state == OutgoingState.APPLIED
        assert [p.sequence for p in applied] == [1, 2, 3]
        assert poll_receipt(OutgoingPackage.objects.get(pk=third.pk)).state == OutgoingState.APPLIED


def test_a_handler_refusal_keeps_nothing_and_the_sender_sees_a_refused_receipt(nodes, province):
    _, city_node = nodes

    def refuse(package: handlers.ReceivedPackage) -> None:
        ExchangeNode.objects.create(
            node_id="written-by-handler", name="x", base_url="http://x.invalid", sm2_public_key=""
        )
        raise DomainError("bases_row_invalid", "第 3 行身份证号校验失败", status=422)

    handlers.register("test.refused", refuse)
    try:
        with acting_as(province):
            package = push_package(build_package("test.refused", city_node, {"a.txt": b"a"}))
    finally:
        handlers.unregister("test.refused")
    assert package.state == OutgoingState.REFUSED
    assert package.receipt["code"] == "bases_row_invalid"
    assert not ExchangeNode.objects.filter(node_id="written-by-handler").exists()
    assert IncomingPackage.objects.get(public_id=package.public_id).state == IncomingState.REFUSED


def test_an_unreachable_receiver_is_retried_with_backoff_then_failed(nodes, province, settings):
    _, city_node = nodes
    settings.YIWANG_EXCHANGE_MAX_ATTEMPTS = 2
    ExchangeNode.objects.filter(pk=city_node.pk).update(base_url="http://127.0.0.1:9")
    city_node.refresh_from_db()
    with acting_as(province):
        package = build_package("test.feed", city_node, {"a.txt": b"a"})
        package = push_package(package)
        assert package.state == OutgoingState.READY and package.next_attempt_at > package.updated_at
        package = push_package(package)
    assert package.state == OutgoingState.FAILED and package.attempts == 2


def test_a_package_another_push_is_completing_is_not_sent_an_empty_chunk(nodes, province, applied):
    """The receiver holds every byte but is still checking them (a concurrent push): ask, come back later."""
    province_node, city_node = nodes
    with acting_as(province):
        package = build_package("test.feed", city_node, {"rows.json": b'[{"id": 1}]'})
    IncomingPackage.objects.create(
        public_id=package.public_id,
        sender=province_node,
        kind=package.kind,
        sequence=package.sequence,
        size=package.size,
        sha256=package.sha256,
        received_bytes=package.size,
    )
    with acting_as(province):
        package = push_package(package)
    assert package.state == OutgoingState.READY and package.next_attempt_at is not None
    assert package.last_error == "receiver is completing the package"
    assert applied == []
