"""Up-push over real HTTP: the live server answers as the province, this thread packs and pushes as
the city.  Each kind arrives and is upserted; watermarks pack every record once across batches; a
re-run sends nothing; records younger than the lag wait; a standalone instance does nothing."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command

from yiwang.cases.models import CaseEventType
from yiwang.exchange.identity import acting_as
from yiwang.exchange.models import IncomingPackage, OutgoingPackage, OutgoingState
from yiwang.exchange.storage import read_archive
from yiwang.federation.models import (
    FederatedCase,
    FederatedCatalogueItem,
    FederatedLicence,
    FederatedRating,
    Watermark,
)
from yiwang.federation.services import push_changes
from yiwang.federation.services.records import holder_digest
from yiwang.federation.tests.factories import NOW, case_with_events, nodes
from yiwang.ratings.services import rate
from yiwang.testing import licences as licence_factories
from yiwang.testing.cases import ServiceItemFactory, make_citizen
from yiwang.testing.ratings import complete_case

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(live_server: Any, as_node: Any, province: Any, city: Any, settings: Any) -> dict[str, Any]:
    as_node(province)  # the live server receives as the province
    settings.YIWANG_FEDERATION_ROLE = "city"  # this thread packs as the city
    parent, child = nodes(province, city, province_url=live_server.url)
    item = ServiceItemFactory(materials=[])
    return {"parent": parent, "child": child, "item": item, "citizen": make_citizen("citizen")}


def _push(city: Any, frozen: Any, **kwargs: Any) -> list[OutgoingPackage]:
    frozen.shift(timedelta(seconds=10))  # past the lag
    with acting_as(city):
        return push_changes(**kwargs)


def test_cases_are_pushed_as_gbt_39046_datasets_and_upserted_at_the_province(world, city, frozen):
    case = case_with_events(
        world["item"],
        world["citizen"],
        NOW,
        events=(CaseEventType.APPLIED, CaseEventType.ACCEPTED, CaseEventType.COMPLETED),
    )
    packages = _push(city, frozen, kind="federation.cases")
    assert [p.state for p in packages] == [OutgoingState.APPLIED]
    assert packages[0].receipt["result"]["created"] == 1
    row = FederatedCase.objects.get(number=case.number)
    assert row.node == world["child"] and row.item_code == world["item"].implementation_code
    assert row.applicant_masked == "张*" and row.last_dataset == "completion"
    assert [e["环节序号"] for e in row.events] == [1, 2, 3]
    assert set(row.datasets) == {"application", "acceptance", "completion"}
    # The ID number never leaves the city in the clear: masked, plus its SM3 digest.
    application = row.datasets["application"]
    assert application["申请人证件号码"] == "**************0011"
    assert application["申请人证件号码SM3"] == holder_digest("340104198803150011")
    archive = read_archive(packages[0].archive, str(packages[0].public_id), packages[0].size)
    assert b"340104198803150011" not in archive


def test_watermarks_pack_every_record_once_across_batches_and_a_rerun_sends_nothing(world, city, frozen):
    cases = [case_with_events(world["item"], world["citizen"], NOW + timedelta(minutes=n)) for n in range(5)]
    frozen.shift(timedelta(minutes=6))
    packages = _push(city, frozen, kind="federation.cases", limit=2)
    assert [p.sequence for p in packages] == [1, 2, 3]  # 2 + 2 + 1
    assert all(p.state == OutgoingState.APPLIED for p in packages)
    assert sorted(FederatedCase.objects.values_list("number", flat=True)) == sorted(c.number for c in cases)
    sent = [json.loads(_entry(p, "cases.json")) for p in packages]
    numbers = [r["办件编号"] for batch in sent for r in batch]
    assert sorted(numbers) == sorted(c.number for c in cases)  # none twice, none skipped
    mark = Watermark.objects.get(kind="federation.cases")
    assert mark.records == 5 and mark.packages == 3
    assert _push(city, frozen, kind="federation.cases", limit=2) == []  # nothing changed since
    # A new event of a case already sent: one more package, the province's row moves on.
    case_with_events(world["item"], world["citizen"], NOW + timedelta(minutes=30))
    frozen.shift(timedelta(minutes=31))
    again = _push(city, frozen, kind="federation.cases", limit=2)
    assert [p.sequence for p in again] == [4] and FederatedCase.objects.count() == 6


def _entry(package: OutgoingPackage, name: str) -> bytes:
    import zipfile

    data = read_archive(package.archive, str(package.public_id), package.size)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(f"entries/{name}")


def test_records_younger_than_the_lag_wait_for_the_next_package(world, city, frozen):
    case_with_events(world["item"], world["citizen"], NOW)
    with acting_as(city):
        assert push_changes(kind="federation.cases") == []  # 0 s old: a late commit could still come
    assert len(_push(city, frozen, kind="federation.cases")) == 1


def test_licences_ratings_and_catalogue_are_pushed_by_the_sync_command(world, city, frozen):
    organisation, _, _ = licence_factories.make_issuer()
    licence = licence_factories.issue(licence_factories.make_type(), organisation)
    invitation = complete_case(world["item"], world["citizen"], completed_at=NOW)
    rate(
        invitation,
        level=2,
        channel="pc",
        reasons=[],
        comment="态度差，电话13912345678",
        actor=world["citizen"],
    )
    frozen.shift(timedelta(seconds=10))
    out = io.StringIO()
    with acting_as(city):
        call_command("federation_sync", stdout=out)
    assert "applied" in out.getvalue()
    kinds = set(IncomingPackage.objects.values_list("kind", flat=True))
    assert {"federation.licences", "federation.ratings", "federation.catalogue", "federation.cases"} <= kinds
    held = FederatedLicence.objects.get(identifier=licence.identifier)
    assert held.holder_masked == "张*" and held.holder_code_masked.endswith("002X")
    assert held.holder_code_sm3 == holder_digest("11010519491231002X") and held.status == "valid"
    assert held.issuer_name == organisation.name and len(held.record_sm3) == 64
    rating = FederatedRating.objects.get()
    assert rating.level == 2 and rating.case_number.startswith(world["item"].implementation_code)
    assert "13912345678" not in rating.comment
    item = FederatedCatalogueItem.objects.get(implementation_code=world["item"].implementation_code)
    assert item.name == world["item"].name and item.item_status == "published"


def test_a_standalone_instance_does_nothing(world, city, frozen, settings):
    settings.YIWANG_FEDERATION_ROLE = ""
    case_with_events(world["item"], world["citizen"], NOW)
    out = io.StringIO()
    with acting_as(city):
        assert _push(city, frozen) == []
        call_command("federation_sync", stdout=out)
    assert "standalone" in out.getvalue()
    assert not OutgoingPackage.objects.exists() and not Watermark.objects.exists()
