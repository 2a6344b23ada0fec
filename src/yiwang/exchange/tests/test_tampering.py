"""Tampered and malformed packages are refused with a clear 4xx, logged and audited, nothing applied;
requests that are not signed by a registered node are refused before anything is stored."""

from __future__ import annotations

import time
import uuid
from types import SimpleNamespace
from typing import Any

import pytest

from yiwang.core.models import AuditEvent
from yiwang.exchange import client as client_module
from yiwang.exchange.client import signed_request
from yiwang.exchange.models import IncomingPackage, IncomingState
from yiwang.exchange.tests.factories import announce, identity, node_row, raw_package

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def city_node(live_server: Any, as_node: Any, province: Any, city: Any) -> Any:
    as_node(city)
    node_row(province)
    return node_row(city, base_url=live_server.url)


def upload(
    sender: Any, node: Any, data: bytes, package_id: str, *, declared: bytes | None = None, sequence: int = 1
) -> Any:
    start = signed_request(
        sender, node, "POST", "/packages", announce(package_id, declared or data, sequence=sequence)
    )
    assert start.status == 200, start.body
    return signed_request(sender, node, "PUT", f"/packages/{package_id}/chunks?offset=0", data)


def assert_refused(answer: Any, code: str, package_id: str, applied: list[Any]) -> None:
    assert answer.status == 422, answer.body
    assert answer.json()["code"] == code
    package = IncomingPackage.objects.get(public_id=package_id)
    assert package.state == IncomingState.REFUSED and package.error_code == code
    assert package.receipt["state"] == "refused"
    assert AuditEvent.objects.filter(action="exchange.package_refused", object_id=package_id).exists()
    assert applied == []


def test_a_changed_byte_is_refused(city_node, province, applied, caplog):
    package_id = str(uuid.uuid4())
    data = bytearray(
        raw_package(province, city_node.node_id, package_id=package_id, entries={"rows.json": b"x" * 3000})
    )
    original = bytes(data)
    data[len(data) // 3] ^= 0x01
    answer = upload(province, city_node, bytes(data), package_id, declared=original)
    assert_refused(answer, "exchange_hash_mismatch", package_id, applied)
    assert "refused" in caplog.text


def test_a_changed_byte_in_an_entry_is_refused_even_with_a_matching_archive_hash(
    city_node, province, applied
):
    package_id = str(uuid.uuid4())
    data = raw_package(
        province,
        city_node.node_id,
        package_id=package_id,
        entries={"rows.json": b'[{"id": 1}]'},
        swap={"rows.json": b'[{"id": 9}]'},
    )
    answer = upload(province, city_node, data, package_id)
    assert_refused(answer, "exchange_entry_mismatch", package_id, applied)
    assert answer.json()["fields"] == {"entry": "rows.json"}


def test_a_bad_signature_is_refused(city_node, province, applied):
    package_id = str(uuid.uuid4())
    data = raw_package(province, city_node.node_id, package_id=package_id, sign_with=identity("intruder"))
    assert_refused(
        upload(province, city_node, data, package_id), "exchange_bad_signature", package_id, applied
    )


def test_a_manifest_for_another_receiver_is_refused(city_node, province, applied):
    package_id = str(uuid.uuid4())
    data = raw_package(province, "340200-other-city", package_id=package_id)
    answer = upload(province, city_node, data, package_id)
    assert_refused(answer, "exchange_malformed_package", package_id, applied)
    assert answer.json()["fields"] == {"manifest": ["receiver"]}


def test_a_manifest_with_an_unknown_field_is_refused(city_node, province, applied):
    package_id = str(uuid.uuid4())
    data = raw_package(province, city_node.node_id, package_id=package_id, manifest_changes={"extra": 1})
    assert_refused(
        upload(province, city_node, data, package_id), "exchange_malformed_package", package_id, applied
    )


def test_a_missing_entry_is_refused(city_node, province, applied):
    package_id = str(uuid.uuid4())
    data = raw_package(
        province,
        city_node.node_id,
        package_id=package_id,
        entries={"a.json": b"1", "b.json": b"2"},
        drop_entry="b.json",
    )
    assert_refused(
        upload(province, city_node, data, package_id), "exchange_missing_entry", package_id, applied
    )


def test_a_corrected_package_may_take_the_refused_sequence(city_node, province, applied):
    bad_id, good_id = str(uuid.uuid4()), str(uuid.uuid4())
    bad = raw_package(province, city_node.node_id, package_id=bad_id, sign_with=identity("intruder"))
    assert upload(province, city_node, bad, bad_id).status == 422
    good = raw_package(province, city_node.node_id, package_id=good_id)
    answer = upload(province, city_node, good, good_id)
    assert answer.status == 200 and answer.json()["state"] == "applied"
    assert len(applied) == 1


def test_requests_not_signed_by_a_registered_node_are_refused(city_node, province, live_server):
    stranger = identity("stranger")
    body = announce(str(uuid.uuid4()), b"x")
    assert (
        signed_request(stranger, city_node, "POST", "/packages", body).json()["code"]
        == "exchange_unknown_node"
    )
    # signed by the wrong key for the node id it claims
    impostor = type(province)(province.node_id, stranger.sm2_private_key)
    answer = signed_request(impostor, city_node, "POST", "/packages", body)
    assert answer.status == 401 and answer.json()["code"] == "exchange_bad_signature"
    assert not IncomingPackage.objects.exists()


def test_an_old_request_is_refused(city_node, province, monkeypatch):
    monkeypatch.setattr(client_module, "time", SimpleNamespace(time=lambda: time.time() - 3600))
    answer = signed_request(province, city_node, "GET", f"/packages/{uuid.uuid4()}")
    assert answer.status == 401 and answer.json()["code"] == "exchange_stale_request"


def test_an_offset_other_than_the_next_byte_is_a_conflict_naming_it(city_node, province, applied):
    package_id = str(uuid.uuid4())
    data = raw_package(province, city_node.node_id, package_id=package_id)
    signed_request(province, city_node, "POST", "/packages", announce(package_id, data))
    answer = signed_request(province, city_node, "PUT", f"/packages/{package_id}/chunks?offset=10", data[10:])
    assert answer.status == 409 and answer.json()["fields"] == {"received_bytes": 0}
    announced_again = signed_request(
        province, city_node, "POST", "/packages", announce(package_id, data + b"x")
    )
    assert announced_again.status == 409 and announced_again.json()["code"] == "exchange_package_conflict"
