"""四级四同 at the province: each pushed item is checked against the province's base item; findings
open, resolve when the item is pushed again without them, and re-open when a base item changes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from yiwang.catalog.models import BaseItem
from yiwang.exchange.identity import acting_as
from yiwang.federation.models import ConsistencyFinding, FederatedCatalogueItem
from yiwang.federation.services import push_changes
from yiwang.federation.services.backflow import build_backflow
from yiwang.federation.tests.factories import base_item_for, nodes
from yiwang.testing.cases import ServiceItemFactory
from yiwang.testing.exchange import identity

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(live_server: Any, as_node: Any, province: Any, city: Any, settings: Any) -> dict[str, Any]:
    as_node(province)
    settings.YIWANG_FEDERATION_ROLE = "city"
    _, child = nodes(province, city, province_url=live_server.url)
    same = ServiceItemFactory(materials=[])
    renamed = ServiceItemFactory(materials=[], statutory_limit_days=30)
    orphan = ServiceItemFactory(materials=[])
    base_item_for(same)
    base_item_for(renamed, name="食品经营许可（省）", statutory_limit_days=20)
    return {"child": child, "same": same, "renamed": renamed, "orphan": orphan}


def _push(city: Any, frozen: Any) -> None:
    frozen.shift(timedelta(seconds=10))
    with acting_as(city):
        (package,) = push_changes(kind="federation.catalogue")
    assert package.state == "applied"


def _open(item: Any) -> set[str]:
    return set(
        ConsistencyFinding.objects.filter(
            item__implementation_code=item.implementation_code, resolved_at__isnull=True
        ).values_list("field", flat=True)
    )


def test_pushed_items_are_checked_against_the_provinces_base_items(world, city, frozen):
    _push(city, frozen)
    assert _open(world["same"]) == set()
    assert _open(world["renamed"]) == {"name", "statutory_limit_days"}
    assert _open(world["orphan"]) == {"base_item"}
    held = FederatedCatalogueItem.objects.get(implementation_code=world["renamed"].implementation_code)
    assert held.open_findings == 2 and held.checked_at is not None and held.backflow_due

    # The city corrects its item and pushes again: the findings are resolved, not deleted.
    item = world["renamed"]
    item.name, item.statutory_limit_days = "食品经营许可（省）", 20
    item.save(update_fields=["name", "statutory_limit_days", "updated_at"])
    _push(city, frozen)
    assert _open(item) == set()
    assert ConsistencyFinding.objects.filter(item__implementation_code=item.implementation_code).count() == 2


def test_a_changed_base_item_rechecks_the_childs_items(world, city, frozen, settings):
    _push(city, frozen)
    BaseItem.objects.filter(code=world["same"].base_code).update(legal_basis="《新条例》第一条")
    BaseItem.objects.get(code=world["same"].base_code).save()  # updated_at moves
    frozen.shift(timedelta(seconds=10))
    settings.YIWANG_FEDERATION_ROLE = "province"
    with acting_as(identity("340000-province")):
        assert build_backflow(world["child"]) is not None
    assert _open(world["same"]) == {"legal_basis"}
