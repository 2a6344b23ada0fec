"""事项管理 services: codes, draft validation, publish/withdraw lifecycle, snapshot, popularity, scope."""

from __future__ import annotations

import json
from typing import Any

import pytest

from yiwang.accounts.models import User
from yiwang.catalog import services
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.catalog.search import search_items
from yiwang.catalog.tests.factories import BaseItemFactory, ServiceItemFactory
from yiwang.core.errors import DomainError
from yiwang.core.identifiers import make_credit_code
from yiwang.core.models import AuditEvent, Organisation

CREDIT = make_credit_code("1", "1", "340100", "00302001")


def draft_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": "食品经营许可",
        "base_code": "117001",
        "item_type": "01",
        "exercise_level": "3",
        "legal_basis": "《中华人民共和国食品安全法》第三十五条",
        "conditions": "有与经营的食品品种、数量相适应的食品原料处理和食品加工、销售、贮存等场所",
        "statutory_limit_days": 10,
        "committed_limit_days": 3,
        "handling_forms": ["2", "1"],
        "online_depth": ["1", "2", "3", "4", "5", "6", "7"],
        "service_objects": ["2", "1"],
        "result_name": "食品经营许可证",
        "form_fields": [
            {"name": "shop_name", "label": "经营场所名称", "type": "text", "required": True},
            {
                "name": "category",
                "label": "经营项目",
                "type": "select",
                "choices": ["预包装食品销售", "热食类食品制售"],
            },
        ],
    }
    fields.update(overrides)
    return fields


MATERIALS = [
    {"name": "食品经营许可申请书", "originals": 1, "source": "申请人自备"},
    {"name": "营业执照", "mandatory": True, "copies": 1, "source": "市场监管部门"},
    {"name": "授权委托书", "mandatory": False},
]


def create(body: Organisation, actor: User | None = None, **overrides: Any) -> ServiceItem:
    fields = draft_fields(**overrides)
    if actor is not None:  # a manager derives the item from an existing base item (基本目录)
        BaseItemFactory(
            code=fields["base_code"],
            name=fields["name"],
            item_type=fields["item_type"],
            legal_basis=fields["legal_basis"],
        )
    return services.create_item(actor=actor, implementing_body=body, materials=MATERIALS, **fields)


def approve(item: ServiceItem, submitter: User, reviewer: User) -> None:
    services.submit_item(item, submitter)
    services.review_item(item, reviewer, approve=True, comment="同意")


def error_code(exc: pytest.ExceptionInfo[DomainError]) -> str:
    return exc.value.code


# --- codes ---------------------------------------------------------------------------------------
def test_make_implementation_code() -> None:
    code = services.make_implementation_code(CREDIT, "3", "117001")
    assert code == f"{CREDIT}3000000117001"
    assert len(code) == 31
    assert services.make_implementation_code(CREDIT.lower(), 3, "ab12") == f"{CREDIT}300000000AB12"


@pytest.mark.parametrize(
    ("credit", "level", "base", "expected"),
    [
        ("12345", "3", "1", CatalogErrorCode.INVALID_CREDIT_CODE),
        (CREDIT[:-1] + "I", "3", "1", CatalogErrorCode.INVALID_CREDIT_CODE),
        (CREDIT, "8", "1", CatalogErrorCode.INVALID_LEVEL),
        (CREDIT, "3", "", CatalogErrorCode.INVALID_BASE_CODE),
        (CREDIT, "3", "1234567890123", CatalogErrorCode.INVALID_BASE_CODE),
        (CREDIT, "3", "12-34", CatalogErrorCode.INVALID_BASE_CODE),
    ],
)
def test_make_implementation_code_rejects(credit: str, level: str, base: str, expected: str) -> None:
    with pytest.raises(DomainError) as exc:
        services.make_implementation_code(credit, level, base)
    assert exc.value.code == expected


# --- drafts --------------------------------------------------------------------------------------
def test_create_item_makes_a_draft_with_materials_and_audit(
    market_bureau: Organisation, manager: User
) -> None:
    item = create(market_bureau, manager)
    assert item.status == ItemStatus.DRAFT and item.version == 0
    assert item.implementation_code == f"{market_bureau.credit_code}3000000117001"
    assert item.handling_forms == ["1", "2"] and item.service_objects == ["1", "2"]  # code-table order
    assert [m.name for m in item.materials.all()] == [m["name"] for m in MATERIALS]
    assert item.form_fields[1]["type"] == "select"
    assert "shipinjingyingxuke" in item.search_text
    event = AuditEvent.objects.get(action="catalog.item.created")
    assert event.actor == manager and event.object_id == str(item.public_id)
    assert search_items("食品经营")[1] == 0  # drafts are not public


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"committed_limit_days": 21, "statutory_limit_days": 20},
            CatalogErrorCode.COMMITTED_EXCEEDS_STATUTORY,
        ),
        ({"base_code": "食品"}, CatalogErrorCode.INVALID_BASE_CODE),
        ({"exercise_level": "0"}, CatalogErrorCode.INVALID_LEVEL),
        ({"item_type": "99"}, CatalogErrorCode.INVALID_ITEM),
        ({"handling_forms": ["5"]}, CatalogErrorCode.INVALID_ITEM),
        ({"online_depth": "1,2"}, CatalogErrorCode.INVALID_ITEM),
        ({"name": ""}, CatalogErrorCode.INVALID_ITEM),
        ({"legal_basis": "  "}, CatalogErrorCode.INVALID_ITEM),
        ({"required_assurance_level": 0}, CatalogErrorCode.INVALID_ITEM),
        ({"fee_required": True, "fee_description": ""}, CatalogErrorCode.INVALID_ITEM),
        ({"form_fields": [{"name": "Bad Name", "label": "x"}]}, CatalogErrorCode.INVALID_ITEM),
        (
            {"form_fields": [{"name": "kind", "label": "类型", "type": "select"}]},
            CatalogErrorCode.INVALID_ITEM,
        ),
        (
            {"form_fields": [{"name": "a", "label": "A"}, {"name": "a", "label": "B"}]},
            CatalogErrorCode.INVALID_ITEM,
        ),
        ({"version": 5}, CatalogErrorCode.UNKNOWN_FIELD),
        ({"implementation_code": "x"}, CatalogErrorCode.UNKNOWN_FIELD),
    ],
)
def test_create_item_validates(market_bureau: Organisation, overrides: dict[str, Any], expected: str) -> None:
    with pytest.raises(DomainError) as exc:
        create(market_bureau, **overrides)
    assert exc.value.code == expected
    assert exc.value.fields
    assert not ServiceItem.objects.exists()


def test_create_item_validates_materials(market_bureau: Organisation) -> None:
    for materials in (
        [{"name": ""}],
        [{"name": "a"}, {"name": "a"}],
        [{"name": "a", "copies": -1}],
        [{"nme": "a"}],
    ):
        with pytest.raises(DomainError):
            services.create_item(
                actor=None, implementing_body=market_bureau, materials=materials, **draft_fields()
            )
    assert not ServiceItem.objects.exists()


def test_duplicate_implementation_code_is_a_conflict(market_bureau: Organisation) -> None:
    create(market_bureau)
    with pytest.raises(DomainError) as exc:
        create(market_bureau)  # same base item, same body, same level
    assert exc.value.code == CatalogErrorCode.DUPLICATE_IMPLEMENTATION_CODE and exc.value.status == 409
    with pytest.raises(DomainError) as exc:
        create(market_bureau, name="另一个事项", base_code="000000117001")  # same code once padded
    assert exc.value.code == CatalogErrorCode.CODE_ALREADY_USED and exc.value.status == 409


def test_update_draft_and_replace_materials(market_bureau: Organisation, manager: User) -> None:
    item = create(market_bureau)
    kept = item.materials.get(name="营业执照")
    services.update_item(
        item,
        actor=manager,
        committed_limit_days=5,
        keywords="餐饮 开饭店",
        materials=[{"public_id": str(kept.public_id), "name": "营业执照（副本）"}, {"name": "健康证明"}],
    )
    item.refresh_from_db()
    assert item.committed_limit_days == 5
    assert "开饭店" in item.search_text
    names = {m.name: m.public_id for m in item.materials.all()}
    assert set(names) == {"营业执照（副本）", "健康证明"}
    assert names["营业执照（副本）"] == kept.public_id  # identity kept
    assert AuditEvent.objects.filter(action="catalog.item.updated").count() == 1


def test_update_refuses_invalid_changes(market_bureau: Organisation) -> None:
    item = create(market_bureau)
    with pytest.raises(DomainError) as exc:
        services.update_item(item, actor=None, committed_limit_days=11)
    assert exc.value.code == CatalogErrorCode.COMMITTED_EXCEEDS_STATUTORY
    item.refresh_from_db()
    assert item.committed_limit_days == 3


# --- lifecycle -----------------------------------------------------------------------------------
def test_publish_withdraw_republish(market_bureau: Organisation, manager: User, manager2: User) -> None:
    item = create(market_bureau)
    with pytest.raises(DomainError) as exc:
        services.publish_item(item, manager)  # a manager publishes only what another approved
    assert exc.value.code == CatalogErrorCode.INVALID_TRANSITION
    approve(item, manager, manager2)
    services.publish_item(item, manager)
    assert item.status == ItemStatus.PUBLISHED and item.version == 1 and item.published_at is not None
    assert search_items("食品经营许可")[0] == [item]

    with pytest.raises(DomainError) as exc:
        services.update_item(item, actor=manager, name="改名")
    assert exc.value.code == CatalogErrorCode.ITEM_NOT_EDITABLE and exc.value.status == 409
    with pytest.raises(DomainError) as exc:
        services.publish_item(item, manager)
    assert exc.value.code == CatalogErrorCode.INVALID_TRANSITION

    services.withdraw_item(item, manager, reason="依据修订")
    assert item.status == ItemStatus.WITHDRAWN
    assert search_items("食品经营许可")[1] == 0
    with pytest.raises(DomainError) as exc:
        services.withdraw_item(item, manager)
    assert exc.value.code == CatalogErrorCode.INVALID_TRANSITION

    services.publish_item(item, manager)  # a withdrawn version may go live again as it was
    assert item.version == 2
    services.withdraw_item(item, manager)
    services.update_item(item, actor=manager, keywords="告知承诺")  # editing makes it a draft again
    assert item.status == ItemStatus.DRAFT
    approve(item, manager, manager2)
    services.publish_item(item, manager)
    item.refresh_from_db()
    assert item.version == 3 and item.keywords == "告知承诺"
    assert search_items("告知承诺")[0] == [item]
    actions = list(AuditEvent.objects.filter(object_id=str(item.public_id)).values_list("action", flat=True))
    assert actions == [
        "catalog.item.created",
        "catalog.item.submitted",
        "catalog.item.approved",
        "catalog.item.published",
        "catalog.item.withdrawn",
        "catalog.item.published",
        "catalog.item.withdrawn",
        "catalog.item.updated",
        "catalog.item.submitted",
        "catalog.item.approved",
        "catalog.item.published",
    ]


def test_publish_needs_forms_and_objects(market_bureau: Organisation) -> None:
    item = create(market_bureau, handling_forms=[], service_objects=[])
    with pytest.raises(DomainError) as exc:
        services.publish_item(item, None)
    assert set(exc.value.fields) == {"handling_forms", "service_objects"}


# --- authorisation -------------------------------------------------------------------------------
def test_only_service_managers_in_scope_change_items(
    market_bureau: Organisation, citizen: User, clerk: User, wuhu_manager: User, manager: User
) -> None:
    for actor, code in (
        (citizen, CatalogErrorCode.ROLE_REQUIRED),
        (clerk, CatalogErrorCode.ROLE_REQUIRED),
        (wuhu_manager, CatalogErrorCode.NOT_IN_SCOPE),
    ):
        with pytest.raises(DomainError) as exc:
            create(market_bureau, actor)
        assert exc.value.code == code and exc.value.status == 403
    item = create(market_bureau, manager)
    for actor in (citizen, clerk, wuhu_manager):
        for action in (services.publish_item, services.withdraw_item):
            with pytest.raises(DomainError) as exc:
                action(item, actor)
            assert exc.value.status == 403
        with pytest.raises(DomainError):
            services.update_item(item, actor=actor, name="x")
    assert services.can_manage_region(manager, market_bureau.region)
    assert not services.can_manage_region(wuhu_manager, market_bureau.region)


# --- snapshot and popularity ---------------------------------------------------------------------
def test_guide_snapshot_is_json_and_complete(market_bureau: Organisation) -> None:
    item = create(market_bureau, fee_required=True, fee_description="20元/证", fee_basis="财综〔2007〕34号")
    services.publish_item(item, None)
    snapshot = services.guide_snapshot(ServiceItem.objects.get(pk=item.pk))
    assert json.loads(json.dumps(snapshot, ensure_ascii=False)) == snapshot
    assert snapshot["version"] == 1 and snapshot["implementation_code"] == item.implementation_code
    assert snapshot["item_type_label"] == "行政许可"
    assert snapshot["handling_forms"] == [
        {"code": "1", "label": "窗口办理"},
        {"code": "2", "label": "电脑端网上办理"},
    ]
    assert snapshot["is_fully_online"] is True
    assert snapshot["implementing_body"]["credit_code"] == market_bureau.credit_code
    assert [m["name"] for m in snapshot["materials"]] == [m["name"] for m in MATERIALS]
    assert snapshot["materials"][0]["material_form_label"] == "电子"
    assert snapshot["form_fields"][0]["name"] == "shop_name"
    assert snapshot["fee_basis"] == "财综〔2007〕34号"


def test_increment_popularity(db: None) -> None:
    item = ServiceItemFactory()
    services.increment_popularity(item)
    services.increment_popularity(item)
    item.refresh_from_db()
    assert item.application_count == 2


def test_get_published_item(db: None) -> None:
    item = ServiceItemFactory()
    draft = ServiceItemFactory(status=ItemStatus.DRAFT)
    assert services.get_published_item(str(item.public_id)) == item
    for public_id in (draft.public_id, "nonsense", "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(DomainError) as exc:
            services.get_published_item(public_id)
        assert exc.value.status == 404 and exc.value.code == CatalogErrorCode.ITEM_NOT_FOUND
    assert services.get_item(draft.public_id) == draft
