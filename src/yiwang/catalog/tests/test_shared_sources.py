"""一证通办 in the catalogue: a material's shared-data source (resource and 信息项) and a form field's
预填 are edited wherever an item is edited (manage API, workbench page, import/export, revisions) and
checked against the sharing catalogue: an unknown or unpublished resource or a field it does not
have is a clear 400."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from yiwang.accounts.models import User
from yiwang.catalog import services
from yiwang.catalog.io import export_json, export_queryset, export_xlsx, import_catalog
from yiwang.catalog.models import ItemStatus, MaterialSourceKind, ServiceItem
from yiwang.catalog.tests.factories import ServiceItemFactory, login_verified
from yiwang.core.errors import DomainError
from yiwang.core.models import Organisation
from yiwang.sharing import services as sharing
from yiwang.sharing.models import Resource
from yiwang.testing.catalog import OrganisationFactory
from yiwang.testing.clients import make_region_staff
from yiwang.testing.people import make_staff

pytestmark = pytest.mark.django_db

M = "/api/v1/catalog/manage"
W = "/workbench/catalog"
SHARED = {
    "name": "户籍信息",
    "source_kind": MaterialSourceKind.SHARED,
    "shared_resource_code": "bases.population",
    "shared_fields": ["name", "status"],
}


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(datetime(2026, 9, 21, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        yield


@pytest.fixture
def resource(db: None) -> Resource:
    """人口基础信息 of a police bureau, published (what the shared materials name)."""
    police = OrganisationFactory(name="某市公安局")
    official = make_staff(police, "ss_police", ("data_official",))
    reviewer = make_region_staff(
        OrganisationFactory(name="某市数据资源局"), "ss_reviewer", ("data_official",)
    )
    fields = [
        {
            "name": name,
            "label": label,
            "sensitivity": "personal" if personal else "internal",
            "is_personal": personal,
        }
        for name, label, personal in (
            ("id_number", "公民身份号码", True),
            ("name", "姓名", True),
            ("household_region", "户籍地", False),
            ("status", "人口状态", False),
            ("birth_date", "出生日期", True),
        )
    ]
    draft = sharing.create_resource(
        actor=official,
        provider=police,
        definition={
            "name": "人口基础信息",
            "share_type": "conditional",
            "subject_kind": "person",
            "service": "bases.population",
        },
        fields=fields,
    )
    sharing.submit_resource(draft, actor=official)
    return sharing.review_resource(draft, actor=reviewer, approve=True)


@pytest.fixture
def published(market_bureau: Organisation, resource: Resource) -> ServiceItem:
    return ServiceItemFactory(implementing_body=market_bureau, materials=[SHARED, "申请书"])


@pytest.fixture
def draft(published: ServiceItem, manager: User) -> ServiceItem:
    return services.start_revision(published, manager)


def api(user: User) -> Client:
    return login_verified(Client(), user)


def shared_material(item: ServiceItem) -> Any:
    return item.materials.get(source_kind=MaterialSourceKind.SHARED)


# --- manage API ------------------------------------------------------------------------------------
def _patch(client: Client, item: ServiceItem, material: dict[str, Any], **extra: Any) -> Any:
    return client.patch(
        f"{M}/items/{item.public_id}",
        {"materials": [{"name": "申请书"}, material], **extra},
        content_type="application/json",
    )


def test_api_sets_shared_fields_and_form_prefill(
    draft: ServiceItem, manager: User, resource: Resource
) -> None:
    client = api(manager)
    material = {**SHARED, "shared_resource_code": resource.code, "shared_fields": ["household_region"]}
    form = [{"name": "region", "label": "户籍地", "prefill": "bases.population:household_region"}]
    response = _patch(client, draft, material, form_fields=form)
    assert response.status_code == 200, response.content.decode()
    saved = shared_material(draft)
    assert (saved.shared_resource_code, saved.shared_fields) == (resource.code, ["household_region"])
    draft.refresh_from_db()
    assert draft.form_fields[0]["prefill"] == "bases.population:household_region"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"shared_resource_code": "NO-SUCH-RESOURCE"}, "不存在或尚未发布"),
        ({"shared_fields": ["name", "salary"]}, "salary"),
        ({"shared_fields": ["Not A Field"]}, "字段名"),
    ],
)
def test_api_refuses_a_bad_source(
    draft: ServiceItem, manager: User, change: dict[str, Any], message: str
) -> None:
    response = _patch(api(manager), draft, {**SHARED, **change})
    assert response.status_code == 400, response.content.decode()
    body = response.json()
    assert body["code"] == "invalid_item" and message in json.dumps(body["fields"], ensure_ascii=False)
    assert shared_material(draft).shared_fields == ["name", "status"]  # nothing changed


def test_api_refuses_a_bad_prefill(draft: ServiceItem, manager: User) -> None:
    form = [{"name": "region", "label": "户籍地", "prefill": "bases.population:salary"}]
    response = _patch(api(manager), draft, SHARED, form_fields=form)
    assert response.status_code == 400
    assert "form_fields.0.prefill" in response.json()["fields"]
    bad_applicant = [{"name": "x", "label": "x", "prefill": "applicant:phone"}]
    assert _patch(api(manager), draft, SHARED, form_fields=bad_applicant).status_code == 400


def test_api_needs_a_manager_of_the_region(draft: ServiceItem, clerk: User, wuhu_manager: User) -> None:
    assert _patch(api(clerk), draft, SHARED).status_code == 403
    assert _patch(api(wuhu_manager), draft, SHARED).status_code in (403, 404)
    assert _patch(Client(), draft, SHARED).status_code == 401


def test_guide_api_shows_the_source(published: ServiceItem) -> None:
    guide = Client().get(f"/api/v1/catalog/items/{published.public_id}").json()
    entry = next(m for m in guide["materials"] if m["source_kind"] == "shared")
    assert entry["shared_resource_code"] == "bases.population"
    assert entry["shared_fields"] == ["name", "status"]


# --- workbench page ----------------------------------------------------------------------------------
def _form(item: ServiceItem, shared_fields: str) -> dict[str, str]:
    data = {
        "conditions": "条件",
        "process_description": "申请—受理—决定",
        "place": "政务服务中心",
        "consult_phone": "0551-1",
        "statutory_limit_days": "20",
        "committed_limit_days": "3",
        "visits_required": "0",
        "case_kind": "2",
        "required_assurance_level": "1",
        "tongban_range": "3",
        "handling_forms": "1",
        "online_depth": "1",
        "service_objects": "1",
        "online_apply": "1",
        "form_fields": "[]",
        "legal_basis_url": "https://flk.npc.gov.cn/",
        "fee-count": "0",
        "faq-count": "0",
        "special-count": "0",
    }
    materials = list(item.materials.order_by("order", "pk"))
    data["material-count"] = str(len(materials))
    for index, material in enumerate(materials):
        prefix = f"material-{index}-"
        data |= {
            prefix + "public_id": str(material.public_id),
            prefix + "name": material.name,
            prefix + "source_kind": material.source_kind,
            prefix + "shared_resource_code": material.shared_resource_code,
            prefix + "shared_fields": shared_fields if material.source_kind == "shared" else "",
            prefix + "material_form": "electronic",
            prefix + "originals": "0",
            prefix + "copies": "0",
            prefix + "mandatory": "1",
        }
    return data


def test_workbench_page_edits_shared_fields(draft: ServiceItem, manager: User) -> None:
    client = api(manager)
    page = client.get(f"{W}/{draft.public_id}/edit/").content.decode()
    assert 'name="material-0-shared_fields"' in page and 'value="name、status"' in page
    response = client.post(f"{W}/{draft.public_id}/edit/", _form(draft, "name, household_region、birth_date"))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert shared_material(draft).shared_fields == ["name", "household_region", "birth_date"]
    bad = client.post(f"{W}/{draft.public_id}/edit/", _form(draft, "name salary"))
    assert bad.status_code == 400 and "salary" in bad.content.decode()
    assert shared_material(draft).shared_fields == ["name", "household_region", "birth_date"]


# --- import / export -------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_export_import_round_trip(published: ServiceItem, fmt: str) -> None:
    items = export_queryset()
    data = export_json(items) if fmt == "json" else export_xlsx(items)
    if fmt == "json":
        exported = json.loads(data)["items"][0]["申请材料"]
        assert {"共享数据资源编码": "bases.population", "共享数据信息项": "name、status"}.items() <= next(
            m for m in exported if m["材料名称"] == "户籍信息"
        ).items()
    else:
        sheet = load_workbook(io.BytesIO(data))["申请材料"]
        header = [cell.value for cell in sheet[1]]
        assert "共享数据信息项" in header
    report = import_catalog(data, filename=f"catalog.{fmt}")
    assert report.revisions == 1
    revision = ServiceItem.objects.get(revision_of=published)
    assert shared_material(revision).shared_fields == ["name", "status"]


def test_import_refuses_an_unknown_field(published: ServiceItem) -> None:
    payload = json.loads(export_json(export_queryset()))
    for material in payload["items"][0]["申请材料"]:
        if material["材料名称"] == "户籍信息":
            material["共享数据信息项"] = "name、salary"
    with pytest.raises(DomainError) as refused:
        import_catalog(json.dumps(payload, ensure_ascii=False).encode(), filename="x.json")
    assert "salary" in json.dumps(refused.value.fields, ensure_ascii=False)
    assert not ServiceItem.objects.filter(revision_of=published).exists()


# --- versions ----------------------------------------------------------------------------------------
def test_revision_copies_the_source_and_publishing_records_the_change(
    published: ServiceItem, manager: User
) -> None:
    services.ensure_version_recorded(published)
    revision = services.start_revision(published, manager)
    assert shared_material(revision).shared_fields == ["name", "status"]
    rows = [
        {name: getattr(m, name) for name in services.MATERIAL_FIELDS}
        | ({"shared_fields": ["name", "status", "birth_date"]} if m.source_kind == "shared" else {})
        for m in revision.materials.all()
    ]
    services.update_item(revision, actor=manager, materials=rows)
    services.publish_item(revision, None)
    published.refresh_from_db()
    assert published.status == ItemStatus.PUBLISHED and published.version == 2
    assert shared_material(published).shared_fields == ["name", "status", "birth_date"]
    diff = services.diff_versions(published, 1, 2)
    row = next(r for r in diff if r.field.endswith("shared_fields"))
    assert row.label.endswith("共享数据信息项") and "birth_date" in row.new
