"""A licence issued in a city verifies at the province: the public /verify/ page finds the licence
number in the federated index (status, masked holder, issuer, validity, which city)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from yiwang.exchange.handlers import ReceivedPackage
from yiwang.federation.lookup import find_licence
from yiwang.federation.services import apply_licences
from yiwang.federation.tests.factories import NOW, nodes
from yiwang.licences import remote_lookup
from yiwang.licences.identifiers import make_identifier
from yiwang.testing.exchange import identity

pytestmark = pytest.mark.django_db
IDENTIFIER = make_identifier("11100000000013338W001", "11340100MB1234567X", "JY13401040012345")


def _push(identifier: str, **changes: Any) -> None:
    record = {
        "identifier": identifier,
        "serial": "JY13401040012345",
        "type_code": "11100000000013338W001",
        "type_name": "食品经营许可证",
        "holder_masked": "张*",
        "holder_code_masked": "**************002X",
        "holder_code_sm3": "a" * 64,
        "issuer_name": "合肥市市场监督管理局",
        "issuer_code": "113401040012345",
        "region_code": "340100",
        "issued_on": "2026-03-01",
        "valid_from": "2026-03-01",
        "valid_until": "2031-02-28",
        "status": "valid",
        "document_sha256": "b" * 64,
        "record_sm3": "c" * 64,
        "source_version": "20261207T000000.000000|00000000000000000001",
        **changes,
    }
    apply_licences(
        ReceivedPackage(
            "p-1",
            "340100-city",
            "federation.licences",
            1,
            NOW.isoformat(),
            {"licences.json": json.dumps([record]).encode()},
        )
    )


@pytest.fixture
def indexed(db: None) -> str:
    nodes(identity("340000-province"), identity("340100-city"))
    _push(IDENTIFIER)
    return IDENTIFIER


def test_the_hook_is_connected_and_answers_from_the_index(indexed):
    assert find_licence in remote_lookup._FINDERS
    found = remote_lookup.lookup(indexed)
    assert found is not None and found.current and found.source == "合肥市政务服务平台"
    assert found.holder_code_masked == "**************002X" and found.valid_until == date(2031, 2, 28)
    assert remote_lookup.lookup("1.2.156.0.0") is None


def test_the_public_verification_page_answers_for_a_city_licence(indexed, client, frozen):
    response = client.get(f"/verify/{indexed}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "合肥市政务服务平台" in page and "张*" in page and "**************002X" in page
    assert "食品经营许可证" in page and "2031-02-28" in page


def test_a_revoked_or_expired_city_licence_is_shown_as_such(indexed, frozen):
    _push(indexed, status="revoked", source_version="20261207T000001.000000|00000000000000000001")
    assert remote_lookup.lookup(indexed).status_label == "已注销"
    _push(
        indexed,
        status="valid",
        valid_until="2026-12-01",
        source_version="20261207T000002.000000|00000000000000000001",
    )
    found = remote_lookup.lookup(indexed)
    assert found.status == "expired" and not found.current
