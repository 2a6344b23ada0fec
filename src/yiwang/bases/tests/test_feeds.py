"""Base feeds through the exchange over real HTTP: the live server answers as the platform, this
thread sends as the public-security department's system.  A real package built, signed and pushed
(``bases_feed`` command) is applied once; a replay applies nothing; a tampered package and an
unauthorised sender are refused; the rows are visible through ``bases.reads``."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from yiwang.bases import reads
from yiwang.bases.errors import BasesErrorCode
from yiwang.bases.models import BaseChange, FeedSource, Person
from yiwang.bases.services import authorise_feed, feed_kind, send_feed
from yiwang.bases.tests import factories
from yiwang.core.errors import DomainError
from yiwang.exchange.client import signed_request
from yiwang.exchange.errors import ExchangeErrorCode
from yiwang.exchange.identity import NodeIdentity, acting_as, generate_identity
from yiwang.exchange.models import ExchangeNode, IncomingPackage, IncomingState, OutgoingState
from yiwang.exchange.services import push_package, register_node
from yiwang.exchange.storage import read_archive
from yiwang.testing.accounts import organisation
from yiwang.testing.exchange import announce, raw_package

pytestmark = pytest.mark.django_db(transaction=True)

_KEYS: dict[str, NodeIdentity] = {}
ID = factories.id_number(sequence=131, birth=date(1990, 5, 12))
ROWS = [{"id_number": ID, "version": 1, "name": "张伟", "address": "蜀山区长江西路1号"}]


def _identity(node_id: str) -> NodeIdentity:
    if node_id not in _KEYS:  # SM2 key generation is slow in pure Python: one per node for the run
        _KEYS[node_id] = generate_identity(node_id)
    return _KEYS[node_id]


def _node(ident: NodeIdentity, base_url: str = "http://127.0.0.1:9") -> ExchangeNode:
    return register_node(
        node_id=ident.node_id, name=ident.node_id, base_url=base_url, sm2_public_key=ident.sm2_public_key
    )


@pytest.fixture
def world(live_server: Any, settings: Any, tmp_path: Path) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.YIWANG_EXCHANGE_PUSH_ON_COMMIT = False
    platform, police = _identity("340100-platform"), _identity("340100-gaj")
    settings.YIWANG_EXCHANGE_NODE_ID = platform.node_id  # the live server receives as the platform
    settings.YIWANG_EXCHANGE_SM2_PRIVATE_KEY = platform.sm2_private_key
    police_org = organisation("合肥市公安局")
    police_node = _node(police)
    authorise_feed(node=police_node, base="population", organisation=police_org)
    return {
        "platform": _node(platform, live_server.url),
        "police": police,
        "police_node": police_node,
        "police_org": police_org,
    }


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel("2026-12-01 10:00:00+08:00", tick=True) as traveller:
        yield traveller


def test_a_feed_pushed_over_http_is_applied_once_and_visible_through_reads(world, tmp_path):
    rows = tmp_path / "rows.json"
    rows.write_text(json.dumps(ROWS, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    with acting_as(world["police"]):
        call_command("bases_feed", base="population", file=str(rows), to="340100-platform", stdout=out)
    assert ": applied" in out.getvalue()
    incoming = IncomingPackage.objects.get(kind="bases.population.feed")
    assert incoming.state == IncomingState.APPLIED
    assert incoming.result["created"] == 1 and incoming.result["source"] == "合肥市公安局"
    person = Person.objects.get(id_number=ID)
    assert person.source == world["police_org"] and person.version == 1
    assert reads.lookup_person(ID, ["name", "address", "gender"]) == {
        "name": "张伟",
        "address": "蜀山区长江西路1号",
        "gender": "male",
    }
    change = BaseChange.objects.get()
    assert change.batch_id == str(incoming.public_id) and change.created

    # The same package again (announce + bytes): the stored receipt, nothing applied a second time.
    data = read_archive(incoming.archive, str(incoming.public_id), incoming.size)
    with acting_as(world["police"]):
        again = signed_request(
            world["police"],
            world["platform"],
            "POST",
            "/packages",
            announce(str(incoming.public_id), data, kind="bases.population.feed"),
        )
        # The same rows in a new package: every record stale, no change written.
        second = push_package(send_feed("population", ROWS, world["platform"]))
    assert again.status == 200 and again.json()["receipt"]["result"]["created"] == 1
    assert second.state == OutgoingState.APPLIED
    assert second.receipt["result"]["stale"] == 1 and second.receipt["result"]["changes"] == 0
    assert BaseChange.objects.count() == 1


def test_a_tampered_feed_is_refused_and_nothing_applied(world):
    police = world["police"]
    package_id = "4b1e8a52-6d0f-4c43-9a51-2f5f7c1d0a01"
    rows = json.dumps(ROWS).encode()
    data = raw_package(
        police,
        "340100-platform",
        package_id=package_id,
        kind="bases.population.feed",
        entries={"records.json": rows},
        swap={"records.json": rows.replace(b"1\\u53f7", b"9\\u53f7")},  # the address changed after signing
    )
    with acting_as(police):
        signed_request(
            police,
            world["platform"],
            "POST",
            "/packages",
            announce(package_id, data, kind="bases.population.feed"),
        )
        answer = signed_request(
            police, world["platform"], "PUT", f"/packages/{package_id}/chunks?offset=0", data
        )
    assert answer.status == 422 and answer.json()["code"] == ExchangeErrorCode.ENTRY_MISMATCH
    assert IncomingPackage.objects.get(public_id=package_id).state == IncomingState.REFUSED
    assert not Person.objects.exists() and not BaseChange.objects.exists()


def test_a_sender_not_authorised_for_the_base_is_refused_with_a_clear_code(world):
    stranger = _identity("340100-stranger")
    _node(stranger)
    # The police may feed the population base, not the legal-person base.
    company = {"credit_code": factories.credit_code(), "version": 1, "name": "合肥某某科技有限公司"}
    with acting_as(world["police"]):
        by_police = push_package(send_feed("legal_person", [company], world["platform"]))
    assert by_police.state == OutgoingState.REFUSED
    assert by_police.receipt["code"] == BasesErrorCode.FEED_NOT_AUTHORISED
    # A registered node with no authorisation at all (built by hand: the nodes here share one database).
    package_id = "0f6c2a8e-2b7d-4e0b-8f3a-5a1c9d7e6b02"
    data = raw_package(
        stranger,
        "340100-platform",
        package_id=package_id,
        kind="bases.population.feed",
        entries={"records.json": json.dumps(ROWS).encode()},
    )
    with acting_as(stranger):
        signed_request(
            stranger,
            world["platform"],
            "POST",
            "/packages",
            announce(package_id, data, kind="bases.population.feed"),
        )
        signed_request(stranger, world["platform"], "PUT", f"/packages/{package_id}/chunks?offset=0", data)
        receipt = signed_request(stranger, world["platform"], "GET", f"/packages/{package_id}/receipt")
    assert receipt.json()["receipt"]["state"] == "refused"
    assert receipt.json()["receipt"]["code"] == BasesErrorCode.FEED_NOT_AUTHORISED
    assert not Person.objects.exists() and not BaseChange.objects.exists()
    # Authorisation withdrawn: the police are refused too.
    authorise_feed(
        node=world["police_node"], base="population", organisation=world["police_org"], active=False
    )
    assert not FeedSource.objects.filter(active=True).exists()
    with acting_as(world["police"]):
        refused = push_package(send_feed("population", ROWS, world["platform"]))
    assert refused.receipt["code"] == BasesErrorCode.FEED_NOT_AUTHORISED


def test_bad_feeds_are_refused_before_sending_or_by_the_receiver(world, tmp_path):
    with pytest.raises(DomainError) as unknown:
        feed_kind("weather")
    assert unknown.value.code == BasesErrorCode.UNKNOWN_BASE
    with pytest.raises(DomainError) as empty:
        send_feed("population", [], world["platform"])
    assert empty.value.code == BasesErrorCode.INVALID_FEED
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("bases_feed", base="population", file=str(bad), to="340100-platform")
    # A record the receiver finds wrong (gender against the ID number): the whole package refused.
    with acting_as(world["police"]):
        refused = push_package(send_feed("population", [{**ROWS[0], "gender": "female"}], world["platform"]))
    assert refused.state == OutgoingState.REFUSED
    assert refused.receipt["code"] == BasesErrorCode.INVALID_RECORD
    assert not Person.objects.exists()
