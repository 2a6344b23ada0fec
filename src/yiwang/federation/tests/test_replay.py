"""Replays apply nothing new: the same package announced again gets its stored receipt; an older
record handed to a handler after a newer one changes nothing (the upserts are order-safe)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from yiwang.core.errors import DomainError
from yiwang.exchange.client import signed_request
from yiwang.exchange.handlers import ReceivedPackage
from yiwang.exchange.identity import acting_as
from yiwang.exchange.models import IncomingPackage
from yiwang.exchange.storage import read_archive
from yiwang.federation.errors import FederationErrorCode
from yiwang.federation.models import FederatedCase, FederatedLicence
from yiwang.federation.services import apply_cases, apply_licences, push_changes
from yiwang.federation.tests.factories import NOW, case_with_events, nodes
from yiwang.testing.cases import ServiceItemFactory, make_citizen
from yiwang.testing.exchange import announce

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(live_server: Any, as_node: Any, province: Any, city: Any, settings: Any) -> dict[str, Any]:
    as_node(province)
    settings.YIWANG_FEDERATION_ROLE = "city"
    parent, child = nodes(province, city, province_url=live_server.url)
    return {
        "parent": parent,
        "child": child,
        "item": ServiceItemFactory(materials=[]),
        "citizen": make_citizen(),
    }


def test_a_replayed_package_returns_its_receipt_and_applies_nothing(world, city, frozen):
    case = case_with_events(world["item"], world["citizen"], NOW)
    frozen.shift(timedelta(seconds=10))
    with acting_as(city):
        (package,) = push_changes(kind="federation.cases")
        data = read_archive(package.archive, str(package.public_id), package.size)
        before = FederatedCase.objects.get(number=case.number)
        again = signed_request(
            city,
            world["parent"],
            "POST",
            "/packages",
            announce(str(package.public_id), data, kind="federation.cases", sequence=1),
        )
    assert again.status == 200 and again.json()["receipt"] == package.receipt
    after = FederatedCase.objects.get(number=case.number)
    assert (after.received_at, after.package_id) == (before.received_at, before.package_id)
    assert IncomingPackage.objects.filter(kind="federation.cases").count() == 1


def _package(sender: str, kind: str, entries: dict[str, Any], package_id: str) -> ReceivedPackage:
    return ReceivedPackage(
        package_id=package_id,
        sender=sender,
        kind=kind,
        sequence=1,
        created_at=NOW.isoformat(),
        entries={name: json.dumps(rows, ensure_ascii=False).encode() for name, rows in entries.items()},
    )


def _summary(number: str, status: str, version: str) -> dict[str, Any]:
    return {
        "办件编号": number,
        "实施编码": "X",
        "事项名称": "事项",
        "办件状态": status,
        "最近环节时间": NOW.isoformat(),
        "source_version": version,
    }


def test_upserts_are_order_safe_an_older_record_changes_nothing(world, city):
    newer = _summary("N-1", "completed", "20261207T020000.000000|00000000000000000002")
    older = _summary("N-1", "accepted", "20261207T010000.000000|00000000000000000001")
    first = apply_cases(_package(city.node_id, "federation.cases", {"cases.json": [newer]}, "p-1"))
    second = apply_cases(_package(city.node_id, "federation.cases", {"cases.json": [older]}, "p-2"))
    third = apply_cases(_package(city.node_id, "federation.cases", {"cases.json": [newer]}, "p-3"))
    assert first["created"] == 1 and second["skipped"] == 1 and third["skipped"] == 1
    row = FederatedCase.objects.get(number="N-1")
    assert row.status == "completed" and row.package_id == "p-1"
    # process records merge by step number, whatever order they come in
    steps = [{"办件编号": "N-1", "环节序号": n, "环节名称": f"步骤{n}"} for n in (3, 1, 2, 1)]
    apply_cases(_package(city.node_id, "federation.cases", {"process.json": steps}, "p-4"))
    assert [e["环节序号"] for e in FederatedCase.objects.get(number="N-1").events] == [1, 2, 3]


def test_a_package_from_a_node_that_is_not_a_child_is_refused(world, province):
    with pytest.raises(DomainError) as refused:
        apply_licences(_package(province.node_id, "federation.licences", {"licences.json": []}, "p-9"))
    assert refused.value.code == FederationErrorCode.NOT_A_CHILD and refused.value.status == 403
    with pytest.raises(DomainError) as malformed:
        apply_licences(
            ReceivedPackage("p-8", "340100-city", "federation.licences", 1, "", {"licences.json": b"{"})
        )
    assert malformed.value.code == FederationErrorCode.INVALID_PACKAGE
    assert not FederatedLicence.objects.exists()
