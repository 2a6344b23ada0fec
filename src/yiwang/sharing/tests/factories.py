"""Factories of sharing's tests: organisations with data officials, a catalogue reviewer, and
resources walked through review to publication."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from yiwang.accounts.models import User
from yiwang.core.models import Organisation
from yiwang.sharing import services
from yiwang.sharing.models import Catalogue, CatalogueKind, Resource, ShareType
from yiwang.testing.catalog import OrganisationFactory
from yiwang.testing.clients import make_region_staff
from yiwang.testing.people import make_staff

PERSON_FIELDS: list[dict[str, Any]] = [
    {"name": "id_number", "label": "公民身份号码", "sensitivity": "personal", "is_personal": True},
    {"name": "name", "label": "姓名", "sensitivity": "personal", "is_personal": True},
    {"name": "gender", "label": "性别", "sensitivity": "internal"},
    {"name": "household_region", "label": "户籍地", "sensitivity": "internal"},
]
COMPANY_FIELDS: list[dict[str, Any]] = [
    {"name": "credit_code", "label": "统一社会信用代码", "sensitivity": "public"},
    {"name": "name", "label": "名称", "sensitivity": "public"},
    {"name": "status", "label": "登记状态", "sensitivity": "public"},
    {"name": "legal_representative_id", "label": "法定代表人身份号码", "sensitivity": "personal"},
]


@dataclass
class SharingWorld:
    data_bureau: Organisation
    market: Organisation
    police: Organisation
    reviewer: User  # 数据资源管理局 data official, region scope
    market_official: User
    police_official: User
    market_clerk: User  # staff, not a data official
    base: Catalogue


def make_world() -> SharingWorld:
    data_bureau = OrganisationFactory(name="合肥市数据资源管理局")
    market = OrganisationFactory(name="合肥市市场监督管理局")
    police = OrganisationFactory(name="合肥市公安局")
    reviewer = make_region_staff(data_bureau, "sh_reviewer", ("data_official",))
    world = SharingWorld(
        data_bureau=data_bureau,
        market=market,
        police=police,
        reviewer=reviewer,
        market_official=make_staff(market, "sh_market", ("data_official",)),
        police_official=make_staff(police, "sh_police", ("data_official",)),
        market_clerk=make_staff(market, "sh_clerk", ("window_clerk",)),
        base=services.create_catalogue(actor=reviewer, kind=CatalogueKind.BASE, code="JC", name="基础目录"),
    )
    return world


def draft_resource(
    official: User,
    *,
    name: str = "人口基础信息",
    share_type: str = ShareType.CONDITIONAL,
    fields: list[dict[str, Any]] | None = None,
    **definition: Any,
) -> Resource:
    return services.create_resource(
        actor=official,
        provider=official.staff_profile.organisation,
        definition={"name": name, "share_type": share_type, "subject_kind": "person", **definition},
        fields=fields if fields is not None else PERSON_FIELDS,
    )


def published_resource(official: User, reviewer: User, **kwargs: Any) -> Resource:
    resource = draft_resource(official, **kwargs)
    services.submit_resource(resource, actor=official)
    return services.review_resource(resource, actor=reviewer, approve=True)


def ask(
    official: User,
    resource: Resource,
    fields: list[str],
    start: date = date(2026, 9, 21),
    end: date = date(2027, 9, 20),
) -> Any:
    return services.request_resource(
        actor=official,
        resource=resource,
        fields=fields,
        purpose="办理户籍迁移核验",
        legal_basis="《户口登记条例》第十条",
        period_start=start,
        period_end=end,
    )
