"""Factories of the gateway tests: a published population resource with a provider service, a
consumer system of the market bureau with a grant, people in the population base."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yiwang.sharing import services
from yiwang.sharing.models import GatewayConsumer, Resource
from yiwang.sharing.services.gateway_auth import ConsumerSecrets
from yiwang.sharing.tests.factories import SharingWorld, ask, published_resource
from yiwang.testing import bases as bases_factories

POPULATION_FIELDS: list[dict[str, Any]] = [
    {"name": "id_number", "label": "公民身份号码", "sensitivity": "personal", "is_personal": True},
    {"name": "name", "label": "姓名", "sensitivity": "personal", "is_personal": True},
    {"name": "gender", "label": "性别", "sensitivity": "internal"},
    {"name": "household_region", "label": "户籍地", "sensitivity": "internal"},
    {"name": "status", "label": "人口状态", "sensitivity": "internal"},
]


@dataclass
class GatewayWorld:
    world: SharingWorld
    resource: Resource
    consumer: GatewayConsumer
    secrets: ConsumerSecrets
    subject: str


def population_resource(world: SharingWorld, **kwargs: Any) -> Resource:
    return published_resource(
        world.police_official,
        world.reviewer,
        name="人口基础信息",
        fields=POPULATION_FIELDS,
        service="bases.population",
        **kwargs,
    )


def grant(
    world: SharingWorld, resource: Resource, fields: list[str], quota_per_day: int | None = None
) -> None:
    request = ask(world.market_official, resource, fields)
    services.decide_request(
        request, actor=world.police_official, decision="approve", quota_per_day=quota_per_day
    )


def make_gateway_world(
    world: SharingWorld, *, fields: list[str] | None = None, quota_per_day: int | None = None, **consumer: Any
) -> GatewayWorld:
    resource = population_resource(world)
    grant(world, resource, fields or ["name", "gender", "household_region"], quota_per_day)
    registered, secrets = services.register_consumer(
        actor=world.market_official, organisation=world.market, name="市场监管审批系统", **consumer
    )
    person = bases_factories.person(name="李娜")
    return GatewayWorld(world, resource, registered, secrets, person.id_number)
