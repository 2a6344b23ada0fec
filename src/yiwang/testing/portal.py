"""Test data for the portal, workbench and browser tests: a department, an item, users, cases.

Everything goes through the same models and services the platform uses; the working-day calendar
is seeded for 2026 from ``chinese_calendar`` and 2027 is entered as a year without exceptions so
that deadlines counted from late 2026 can be computed.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from yiwang.accounts.models import AssuranceLevel, User
from yiwang.cases.models import Case
from yiwang.cases.services import submit_application
from yiwang.catalog.models import CaseKind, ItemStatus, Material, ServiceItem
from yiwang.catalog.search import refresh_search_fields
from yiwang.catalog.services import make_implementation_code
from yiwang.core.calendar import seed_calendar
from yiwang.core.identifiers import make_credit_code
from yiwang.core.models import CalendarYear, Organisation, Region, RegionLevel
from yiwang.testing import people

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

PASSWORD = people.PASSWORD

_serial = itertools.count(1)

LICENCE_FORM_FIELDS: list[dict[str, Any]] = [
    {"name": "company_name", "label": "企业名称", "type": "text", "required": True},
    {"name": "registered_capital", "label": "注册资本（万元）", "type": "number", "required": True},
    {"name": "business_scope", "label": "经营范围", "type": "textarea", "required": False},
    {
        "name": "company_type",
        "label": "企业类型",
        "type": "select",
        "required": True,
        "choices": ["有限责任公司", "股份有限公司", "个人独资企业"],
    },
]
LICENCE_MATERIALS: list[dict[str, Any]] = [
    {"name": "公司登记（备案）申请书", "mandatory": True, "originals": 1, "copies": 0},
    {"name": "公司章程", "mandatory": True, "originals": 1, "copies": 0},
    {"name": "住所使用证明", "mandatory": True, "originals": 0, "copies": 1},
    {"name": "委托书", "mandatory": False, "originals": 1, "copies": 0},
]


def pdf_upload(name: str = "material.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def seed_test_calendar() -> None:
    seed_calendar([2026])
    CalendarYear.objects.get_or_create(
        year=2027, defaults={"source": "test", "note": "测试：按周一至周五计算"}
    )


def make_region() -> Region:
    province, _ = Region.objects.get_or_create(
        code="34", defaults={"full_code": "340000000000", "name": "安徽省", "level": RegionLevel.PROVINCE}
    )
    region, _ = Region.objects.get_or_create(
        code="3401",
        defaults={
            "full_code": "340100000000",
            "name": "合肥市",
            "level": RegionLevel.CITY,
            "parent": province,
        },
    )
    return region


def make_department(name: str = "合肥市市场监督管理局", short_name: str = "市市场监管局") -> Organisation:
    n = next(_serial)
    return Organisation.objects.create(
        name=name,
        short_name=short_name,
        credit_code=make_credit_code("1", "1", "340100", f"W{n:07d}"),
        region=make_region(),
        address="合肥市政务服务中心二楼 A 区",
        phone="0551-63530000",
        office_hours="周一至周五 9:00—12:00，13:00—17:00",
    )


def make_item(
    department: Organisation,
    *,
    name: str = "企业设立登记（营业执照）",
    materials: Sequence[dict[str, Any]] | None = None,
    form_fields: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> ServiceItem:
    n = next(_serial)
    base_code = f"00012{n:07d}"
    values: dict[str, Any] = {
        "name": name,
        "base_code": base_code,
        "implementation_code": make_implementation_code(department.credit_code, "3", base_code),
        "item_type": "01",
        "exercise_level": "3",
        "implementing_body": department,
        "region": department.region,
        "legal_basis": "《中华人民共和国公司法》第二十九条\n《中华人民共和国市场主体登记管理条例》第三条",
        "conditions": "申请人具有完全民事行为能力，材料齐全、符合法定形式",
        "process_description": "网上申请—受理—审查—决定—送达",
        "statutory_limit_days": 15,
        "committed_limit_days": 3,
        "visits_required": 0,
        "handling_forms": ["1", "2", "3"],
        "online_depth": ["1", "2", "3", "4", "5", "6", "7"],
        "service_objects": ["1", "2"],
        "case_kind": CaseKind.COMMITMENT,
        "required_assurance_level": AssuranceLevel.PRIMARY,
        "result_name": "营业执照",
        "place": "合肥市政务服务中心二楼市场监管窗口",
        "office_hours": "周一至周五 9:00—17:00",
        "consult_phone": "0551-63530001",
        "supervise_phone": "12345",
        "online_apply": True,
        "express_supported": True,
        "form_fields": LICENCE_FORM_FIELDS if form_fields is None else form_fields,
        "status": ItemStatus.PUBLISHED,
        "version": 1,
        "published_at": timezone.now(),
        "keywords": "开公司 注册公司 执照",
    }
    values.update(extra)
    item = ServiceItem.objects.create(**values)
    for order, spec in enumerate(LICENCE_MATERIALS if materials is None else materials, start=1):
        Material.objects.create(item=item, order=order, **spec)
    refresh_search_fields(item)
    return item


def make_citizen(
    username: str = "citizen", *, real_name: str = "张伟", level: int = AssuranceLevel.PRIMARY
) -> User:
    n = next(_serial)
    return people.make_citizen(
        username,
        real_name=real_name,
        level=level,
        birth_date=date(1988, 3, 15),
        sequence=200 + n % 700,
        phone=f"137{n:08d}",
    )


def make_staff(organisation: Organisation, username: str, roles: Sequence[str], real_name: str = "") -> User:
    return people.make_staff(organisation, username, roles, real_name)


def apply_for(item: ServiceItem, applicant: User, *, key: str = "") -> Case:
    """File an application with every mandatory material, as the apply page would."""
    files = {
        str(material.public_id): [pdf_upload(f"{material.name}.pdf")]
        for material in item.materials.all()
        if material.mandatory
    }
    form_data = {
        "company_name": "合肥徽创科技有限公司",
        "registered_capital": "100",
        "company_type": "有限责任公司",
    }
    return submit_application(
        applicant=applicant, item=item, form_data=form_data, files=files, idempotency_key=key
    )


def materials_by_name(item: ServiceItem) -> dict[str, Material]:
    return {material.name: material for material in item.materials.all()}
