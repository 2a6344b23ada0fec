"""数据回流 over real HTTP: the live server answers as the city, this thread builds and pushes as the
province.  Ratings given at the province on the city's items, the base items and the city's own
四级四同 findings arrive at the city; a second run sends only what changed."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from yiwang.exchange.handlers import ReceivedPackage
from yiwang.exchange.identity import acting_as
from yiwang.federation.models import BackflowRecord, FederatedCatalogueItem
from yiwang.federation.services import apply_catalogue, push_backflow
from yiwang.federation.services.records import catalogue_record, version_of
from yiwang.federation.tests.factories import NOW, base_item_for, nodes
from yiwang.ratings.services import rate
from yiwang.testing.cases import ServiceItemFactory, make_citizen
from yiwang.testing.ratings import complete_case

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(live_server: Any, as_node: Any, province: Any, city: Any, settings: Any) -> dict[str, Any]:
    as_node(city)  # the live server receives as the city
    settings.YIWANG_FEDERATION_ROLE = "province"  # this thread sends as the province
    _, child = nodes(province, city, city_url=live_server.url)
    good = ServiceItemFactory(materials=[])
    bad = ServiceItemFactory(materials=[])
    base_item_for(good)
    base_item_for(bad, name="食品经营许可（省定名称）")
    records = [catalogue_record(i, version_of(NOW, i.pk)) for i in (good, bad)]
    apply_catalogue(  # what the city pushed earlier
        ReceivedPackage(
            "p-cat",
            city.node_id,
            "federation.catalogue",
            1,
            NOW.isoformat(),
            {"catalogue.json": json.dumps(records).encode()},
        )
    )
    citizen = make_citizen()
    rate(complete_case(good, citizen, completed_at=NOW), level=5, channel="mobile", actor=citizen)
    return {"child": child, "good": good, "bad": bad}


def test_backflow_reaches_the_city_and_a_second_run_sends_only_changes(world, province, frozen):
    frozen.shift(timedelta(seconds=10))
    with acting_as(province):
        (package,) = push_backflow()
    assert package.state == "applied", package.last_error
    result = package.receipt["result"]
    assert result["rating"]["created"] == 1 and result["finding"]["created"] == 2
    assert result["base_item"]["created"] == 2
    finding = BackflowRecord.objects.get(record_type="finding", item_code=world["bad"].implementation_code)
    assert finding.open_findings == 1 and finding.data["findings"][0]["field"] == "name"
    clean = BackflowRecord.objects.get(record_type="finding", item_code=world["good"].implementation_code)
    assert clean.open_findings == 0
    rating = BackflowRecord.objects.get(record_type="rating")
    assert rating.item_code == world["good"].implementation_code and rating.data["level"] == 5
    assert not FederatedCatalogueItem.objects.filter(backflow_due=True).exists()

    frozen.shift(timedelta(seconds=10))
    with acting_as(province):
        assert push_backflow() == []  # nothing changed
    assert BackflowRecord.objects.count() == 5
