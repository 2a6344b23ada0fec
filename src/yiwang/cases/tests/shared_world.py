"""Test support of the 一证通办-on-shared-data tests: the market bureau's platform system with a grant on
the police's population resource, a citizen in the population base, an item with a shared material."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yiwang.accounts.models import User
from yiwang.cases.shared_materials import PLATFORM_CONSUMER
from yiwang.catalog.models import MaterialSourceKind, ServiceItem
from yiwang.sharing import services as sharing
from yiwang.sharing.models import GatewayConsumer, Resource
from yiwang.sharing.tests.factories import SharingWorld, make_world, published_resource
from yiwang.sharing.tests.gateway_factories import POPULATION_FIELDS, grant
from yiwang.testing import bases as bases_factories
from yiwang.testing.catalog import ServiceItemFactory
from yiwang.testing.portal import make_citizen

FIELDS: list[dict[str, Any]] = [
    *POPULATION_FIELDS,
    {"name": "birth_date", "label": "出生日期", "sensitivity": "personal", "is_personal": True},
]


@dataclass
class SharedWorld:
    world: SharingWorld
    resource: Resource
    consumer: GatewayConsumer
    citizen: User
    item: ServiceItem


def make_shared_world(*, granted: list[str] | None = None, materials: list[Any] | None = None) -> SharedWorld:
    world = make_world()
    resource = published_resource(
        world.police_official, world.reviewer, name="人口基础信息", fields=FIELDS, service="bases.population"
    )
    grant(world, resource, granted or ["name", "household_region", "status", "birth_date"])
    consumer, _secrets = sharing.register_consumer(
        actor=world.market_official, organisation=world.market, name=PLATFORM_CONSUMER
    )
    citizen = make_citizen("shared_citizen")
    bases_factories.person(id_number=citizen.natural_person.id_number, name=citizen.natural_person.real_name)
    shared = {
        "name": "户籍信息",
        "source_kind": MaterialSourceKind.SHARED,
        "shared_resource_code": "bases.population",
        "shared_fields": ["name", "household_region", "status", "birth_date"],
    }
    item = ServiceItemFactory(
        implementing_body=world.market,
        materials=[shared, *(materials or [])],
        form_fields=[
            {"name": "applicant_name", "label": "姓名", "type": "text", "prefill": "applicant:name"},
            {
                "name": "region",
                "label": "户籍地",
                "type": "text",
                "prefill": "bases.population:household_region",
            },
        ],
    )
    return SharedWorld(world, resource, consumer, citizen, item)
