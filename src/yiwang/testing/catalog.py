"""Factories for catalogue tests, plus shared core factories (regions, organisations, users)."""

# factory_boy factories are typed as themselves, not as the model instances they return
# mypy: disable-error-code="arg-type,misc,return-value"

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import factory
from django.utils import timezone

from yiwang.accounts.models import (
    AccountKind,
    AssuranceLevel,
    User,
)
from yiwang.catalog.models import BaseItem, CaseKind, ItemStatus, Material, ServiceItem
from yiwang.catalog.search import refresh_search_fields
from yiwang.catalog.services import make_implementation_code
from yiwang.core.identifiers import make_credit_code
from yiwang.core.models import Organisation, Region, RegionLevel
from yiwang.testing import people

PASSWORD = people.PASSWORD
make_user = people.make_user

_serial = itertools.count(1)


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "34"
    full_code = factory.LazyAttribute(lambda o: o.code.ljust(12, "0"))
    name = "安徽省"
    level = RegionLevel.PROVINCE


class RegionFactory(factory.django.DjangoModelFactory):
    """A city (published 4-digit code, as ``load_regions`` stores it); 合肥市 by default."""

    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "3401"
    full_code = factory.LazyAttribute(lambda o: o.code.ljust(12, "0"))
    name = "合肥市"
    level = RegionLevel.CITY
    parent = factory.SubFactory(
        ProvinceFactory, code=factory.LazyAttribute(lambda o: o.factory_parent.code[:2])
    )


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"合肥市测试局{n}")
    short_name = factory.LazyAttribute(lambda o: o.name[:10])
    region = factory.SubFactory(RegionFactory)
    credit_code = factory.LazyAttributeSequence(
        lambda o, n: make_credit_code("1", "1", o.region.full_code[:6], f"C{n:07d}")
    )
    address = "合肥市政务服务中心"
    phone = "0551-63530000"
    office_hours = "周一至周五 9:00—12:00，13:00—17:00"


class BaseItemFactory(factory.django.DjangoModelFactory):
    """基本目录事项; as a sub-factory of an item it copies the item's name, code, type and basis."""

    class Meta:
        model = BaseItem
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"B{n:07d}")
    name = factory.Sequence(lambda n: f"基本目录事项{n}")
    item_type = "01"
    legal_basis = "《中华人民共和国行政许可法》第十二条"
    legal_basis_url = "https://flk.npc.gov.cn/"
    exercise_level = "7"


class ServiceItemFactory(factory.django.DjangoModelFactory):
    """A published item with three materials; pass ``materials=[...]`` (names or dicts) to choose.

    Its base item (基本目录) is created to match (四级四同) unless ``base_item`` is given.
    """

    class Meta:
        model = ServiceItem
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试事项{n}")
    base_code = factory.Sequence(lambda n: f"0001{n:08d}")
    implementation_code = factory.LazyAttribute(
        lambda o: make_implementation_code(o.implementing_body.credit_code, o.exercise_level, o.base_code)
    )
    item_type = "01"
    exercise_level = "3"
    implementing_body = factory.SubFactory(OrganisationFactory)
    region = factory.LazyAttribute(lambda o: o.implementing_body.region)
    legal_basis = "《中华人民共和国行政许可法》第十二条"
    conditions = "申请人具有完全民事行为能力，材料齐全、符合法定形式"
    process_description = "申请—受理—审查—决定—送达"
    statutory_limit_days = 20
    committed_limit_days = 10
    handling_forms = ["1", "2"]
    online_depth = ["1", "2", "3", "4", "5", "6"]
    service_objects = ["1"]
    case_kind = CaseKind.COMMITMENT
    required_assurance_level = AssuranceLevel.PRIMARY
    result_name = ""
    form_fields = [{"name": "remark", "label": "备注", "type": "textarea", "required": False}]
    status = ItemStatus.PUBLISHED
    version = 1
    published_at = factory.LazyFunction(timezone.now)
    base_item = factory.SubFactory(
        BaseItemFactory,
        code=factory.SelfAttribute("..base_code"),
        name=factory.SelfAttribute("..name"),
        item_type=factory.SelfAttribute("..item_type"),
        legal_basis=factory.SelfAttribute("..legal_basis"),
    )

    @factory.post_generation
    def materials(self, create: bool, extracted: Sequence[Any] | None, **kwargs: Any) -> None:
        if not create:
            return
        specs = extracted if extracted is not None else ["居民身份证", "申请表", "授权委托书"]
        for order, spec in enumerate(specs, start=1):
            data = {"name": spec} if isinstance(spec, str) else dict(spec)
            data.setdefault("order", order)
            data.setdefault("originals", 1)
            Material.objects.create(item=self, **data)
        refresh_search_fields(self)


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Material

    item = factory.SubFactory(ServiceItemFactory)
    name = factory.Sequence(lambda n: f"材料{n}")
    mandatory = True
    originals = 1


def make_citizen(username: str = "citizen", level: int = AssuranceLevel.INTERMEDIATE) -> User:
    return people.make_citizen(
        username, level=level, phone_prefix="138", serial=_serial, sequence_offset=0, through_services=False
    )


def make_staff(organisation: Organisation, username: str, roles: Sequence[str] = ()) -> User:
    return people.make_staff(organisation, username, roles, through_services=False)


def login_verified(client: Any, user: User) -> Any:
    """Log ``user`` in; staff sessions are also marked as having passed the second factor (MFA)."""
    client.force_login(user)
    if user.kind == AccountKind.STAFF:
        try:
            from django_otp import DEVICE_ID_SESSION_KEY
            from django_otp.plugins.otp_static.models import StaticDevice
        except ImportError:  # pragma: no cover - MFA not installed
            return client
        device, _ = StaticDevice.objects.get_or_create(user=user, name="test")
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
