"""Test support of the 一证通办-on-shared-data tests: the market bureau's platform system with a grant on
the police's population resource, a citizen in the population base, an item with a shared material."""

# factory_boy factories are typed as themselves, not as the model instances they return
# mypy: disable-error-code="arg-type"

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.cases.shared_materials import PLATFORM_CONSUMER
from yiwang.catalog.models import MaterialSourceKind, ServiceItem
from yiwang.core.models import Organisation
from yiwang.sharing import services as sharing
from yiwang.sharing.models import GatewayConsumer, Resource
from yiwang.testing import bases as bases_factories
from yiwang.testing.catalog import OrganisationFactory, ServiceItemFactory
from yiwang.testing.clients import make_region_staff
from yiwang.testing.people import make_staff
from yiwang.testing.portal import make_citizen

FIELDS: list[dict[str, Any]] = [
    {"name": "id_number", "label": "公民身份号码", "sensitivity": "personal", "is_personal": True},
    {"name": "name", "label": "姓名", "sensitivity": "personal", "is_personal": True},
    {"name": "gender", "label": "性别", "sensitivity": "internal"},
    {"name": "household_region", "label": "户籍地", "sensitivity": "internal"},
    {"name": "status", "label": "人口状态", "sensitivity": "internal"},
    {"name": "birth_date", "label": "出生日期", "sensitivity": "personal", "is_personal": True},
]


@dataclass
class SharingWorld:
    market: Organisation
    police: Organisation
    market_official: User
    police_official: User
    reviewer: User


def make_world() -> SharingWorld:
    data_bureau = OrganisationFactory(name="合肥市数据资源管理局")
    market = OrganisationFactory(name="合肥市市场监督管理局")
    police = OrganisationFactory(name="合肥市公安局")
    return SharingWorld(
        market=market,
        police=police,
        market_official=make_staff(market, "ys_market", ("data_official",)),
        police_official=make_staff(police, "ys_police", ("data_official",)),
        reviewer=make_region_staff(data_bureau, "ys_reviewer", ("data_official",)),
    )


def published_resource(world: SharingWorld) -> Resource:
    resource = sharing.create_resource(
        actor=world.police_official,
        provider=world.police,
        definition={
            "name": "人口基础信息",
            "share_type": "conditional",
            "subject_kind": "person",
            "service": "bases.population",
        },
        fields=FIELDS,
    )
    sharing.submit_resource(resource, actor=world.police_official)
    return sharing.review_resource(resource, actor=world.reviewer, approve=True)


def grant(world: SharingWorld, resource: Resource, fields: list[str]) -> None:
    request = sharing.request_resource(
        actor=world.market_official,
        resource=resource,
        fields=fields,
        purpose="一网通办调取申请人户籍信息",
        legal_basis="《优化营商环境条例》第三十五条",
        period_start=timezone.localdate(),
        period_end=timezone.localdate() + timedelta(days=365),
    )
    sharing.decide_request(request, actor=world.police_official, decision="approve")


@dataclass
class SharedWorld:
    world: SharingWorld
    resource: Resource
    consumer: GatewayConsumer
    citizen: User
    item: ServiceItem


def make_shared_world(*, granted: list[str] | None = None, materials: list[Any] | None = None) -> SharedWorld:
    world = make_world()
    resource = published_resource(world)
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
