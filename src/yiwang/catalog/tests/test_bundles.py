"""一件事: definition, merged form, deduplicated materials, public API and portal pages."""

from __future__ import annotations

import pytest

from yiwang.catalog.bundles import (
    bundle_materials,
    get_published_bundle,
    licence_type_of,
    merged_form,
    normalised_name,
    save_bundle,
    set_bundle_status,
    split_form_data,
)
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.models import Bundle, BundleStatus, Material, ServiceItem
from yiwang.catalog.tests.factories import ServiceItemFactory
from yiwang.core.errors import DomainError
from yiwang.core.models import AuditEvent, Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(market_bureau: Organisation, police_bureau: Organisation) -> dict[str, ServiceItem]:
    return {
        "birth_cert": ServiceItemFactory(
            name="出生医学证明首次签发",
            implementing_body=market_bureau,
            materials=["父母双方居民身份证", "新生儿出生医学证明信息登记表"],
            form_fields=[
                {"name": "baby_name", "label": "新生儿姓名", "type": "text", "required": True},
                {"name": "mother_name", "label": "母亲姓名", "type": "text", "required": True},
            ],
        ),
        "hukou": ServiceItemFactory(
            name="出生登记",
            implementing_body=police_bureau,
            materials=[
                "出生医学证明",
                "父母双方居民户口簿",
                "居民身份证（原件）",
                {"name": "父母结婚证", "mandatory": False},
            ],
            form_fields=[
                {"name": "baby_name", "label": "新生儿姓名", "type": "text", "required": True},
                {"name": "settle_with", "label": "随父母落户", "type": "text", "required": True},
            ],
        ),
        "insurance": ServiceItemFactory(
            name="城乡居民医保参保登记",
            implementing_body=market_bureau,
            materials=[{"name": "出生医学证明", "mandatory": False, "copies": 1}],
            form_fields=[{"name": "insured_name", "label": "参保人姓名", "type": "text", "required": True}],
        ),
    }


def spec(items: dict[str, ServiceItem], **overrides):  # type: ignore[no-untyped-def]
    code = {key: item.implementation_code for key, item in items.items()}
    data = {
        "code": "newborn",
        "name": "新生儿出生一件事",
        "audience": "person",
        "event": "出生",
        "description": "一次办好",
        "members": [
            {"item": code["birth_cert"]},
            {"item": code["hukou"]},
            {"item": code["insurance"], "optional": True},
        ],
        "fields": [
            {
                "name": "baby_name",
                "label": "新生儿姓名",
                "required": True,
                "maps_to": [
                    {"item": code["birth_cert"], "field": "baby_name"},
                    {"item": code["hukou"], "field": "baby_name"},
                    {"item": code["insurance"], "field": "insured_name"},
                ],
            }
        ],
    }
    data.update(overrides)
    return data


@pytest.fixture
def bundle(members: dict[str, ServiceItem]) -> Bundle:
    return save_bundle(spec(members), actor=None, publish=True)


def test_materials_are_asked_once(bundle: Bundle, members: dict[str, ServiceItem]) -> None:
    rows = bundle_materials(get_published_bundle(bundle.public_id))
    by_name = {row.name: row for row in rows}
    assert list(by_name) == [
        "父母双方居民身份证",
        "新生儿出生医学证明信息登记表",
        "出生医学证明",
        "父母双方居民户口簿",
        "父母结婚证",
    ]
    identity = by_name["父母双方居民身份证"]
    assert identity.licence_type == "居民身份证" and identity.shared
    assert [m.item.name for m in identity.members] == ["出生医学证明首次签发", "出生登记"]
    birth = by_name["出生医学证明"]
    assert [m.item.name for m in birth.members] == ["出生登记", "城乡居民医保参保登记"]
    assert birth.mandatory is True and birth.copies == 1  # mandatory for one member; most copies asked
    assert by_name["新生儿出生医学证明信息登记表"].licence_type == ""  # a form, not the licence
    assert by_name["父母结婚证"].mandatory is False


def test_same_licence_type_code_dedupes_different_names(
    bundle: Bundle, members: dict[str, ServiceItem]
) -> None:
    Material.objects.filter(item=members["insurance"]).update(
        name="新生儿出生证", licence_type_code="出生医学证明"
    )
    rows = bundle_materials(get_published_bundle(bundle.public_id))
    assert [row.name for row in rows].count("新生儿出生证") == 0
    assert len([row for row in rows if row.licence_type == "出生医学证明"]) == 1


def test_name_normalisation() -> None:
    assert normalised_name("营业执照（正、副本）原件") == "营业执照"
    assert licence_type_of(Material(name="营业执照正、副本")) == "营业执照"
    assert licence_type_of(Material(name="营业执照或者其他主体资格证明文件")) == "营业执照"
    assert licence_type_of(Material(name="法定代表人身份证明")) == ""


def test_merged_form_maps_one_field_to_every_member(bundle: Bundle) -> None:
    form = merged_form(get_published_bundle(bundle.public_id))
    assert [f.field.name for f in form.fields] == ["baby_name"]
    assert [(m.item.name, name) for m, name in form.fields[0].targets] == [
        ("出生医学证明首次签发", "baby_name"),
        ("出生登记", "baby_name"),
        ("城乡居民医保参保登记", "insured_name"),
    ]
    assert [(m.item.name, [s["name"] for s in specs]) for m, specs in form.remaining] == [
        ("出生医学证明首次签发", ["mother_name"]),
        ("出生登记", ["settle_with"]),
    ]
    split = split_form_data(get_published_bundle(bundle.public_id), {"baby_name": "张小宝"})
    assert sorted(split.values(), key=str) == sorted(
        [{"baby_name": "张小宝"}, {"baby_name": "张小宝"}, {"insured_name": "张小宝"}], key=str
    )


def test_definition_errors(members: dict[str, ServiceItem]) -> None:
    data = spec(members)
    data["members"].append({"item": "X" * 31})
    data["fields"][0]["maps_to"].append({"item": members["hukou"].implementation_code, "field": "no_such"})
    with pytest.raises(DomainError) as exc:
        save_bundle(data, actor=None)
    assert exc.value.code == CatalogErrorCode.INVALID_BUNDLE
    assert "members.3" in exc.value.fields and "fields.0.maps_to.3" in exc.value.fields
    with pytest.raises(DomainError):
        save_bundle(spec(members, members=[]), actor=None)
    assert not Bundle.objects.exists()


def test_save_replaces_and_is_audited(bundle: Bundle, members: dict[str, ServiceItem]) -> None:
    save_bundle(spec(members, name="新生儿出生“一件事”", fields=[]), actor=None)
    bundle.refresh_from_db()
    assert bundle.name == "新生儿出生“一件事”" and bundle.fields.count() == 0
    assert AuditEvent.objects.filter(action__startswith="catalog.bundle.").count() == 2


def test_only_managers_define_bundles(members: dict[str, ServiceItem], clerk, manager) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as exc:
        save_bundle(spec(members), actor=clerk)
    assert exc.value.status == 403
    bundle = save_bundle(spec(members), actor=manager)
    with pytest.raises(DomainError):
        set_bundle_status(bundle, BundleStatus.PUBLISHED, actor=clerk)
    set_bundle_status(bundle, BundleStatus.PUBLISHED, actor=manager)
    assert Bundle.objects.get().status == BundleStatus.PUBLISHED


# --- API and pages -------------------------------------------------------------------------------
def test_api_list_and_detail_are_public(client, bundle: Bundle, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_max_num_queries(6):
        listing = client.get("/api/v1/catalog/bundles").json()
    assert [b["name"] for b in listing] == ["新生儿出生一件事"]
    assert [m["name"] for m in listing[0]["members"]] == [
        "出生医学证明首次签发",
        "出生登记",
        "城乡居民医保参保登记",
    ]
    detail = client.get(f"/api/v1/catalog/bundles/{bundle.public_id}").json()
    assert detail["fields"][0]["maps_to"][2]["field"] == "insured_name"
    assert detail["materials_without_bundle"] == 7 and len(detail["materials"]) == 5
    assert client.get("/api/v1/catalog/bundles", {"audience": "business"}).json() == []


def test_api_draft_bundle_is_404(client, members: dict[str, ServiceItem]) -> None:  # type: ignore[no-untyped-def]
    draft = save_bundle(spec(members), actor=None)
    response = client.get(f"/api/v1/catalog/bundles/{draft.public_id}")
    assert response.status_code == 404 and response.json()["code"] == CatalogErrorCode.BUNDLE_NOT_FOUND
    assert client.get("/api/v1/catalog/bundles/nope").status_code == 404


def test_bundle_pages(client, bundle: Bundle, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_max_num_queries(8):
        listing = client.get("/bundles/")
    assert listing.status_code == 200 and "新生儿出生一件事" in listing.content.decode()
    html = client.get(f"/bundles/{bundle.public_id}/").content.decode()
    assert "一张表单" in html and "新生儿姓名" in html and "只交一次" in html
    assert "少交 2 份" in html
    assert client.get("/bundles/00000000-0000-0000-0000-000000000000/").status_code == 404
