"""Staff catalogue API (/api/v1/catalog/manage): every endpoint's authorisation, and the review flow."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.models import BaseItem, ItemStatus, ServiceItem
from yiwang.catalog.tests.factories import BaseItemFactory, ServiceItemFactory, login_verified
from yiwang.core.models import Organisation

BASE = "/api/v1/catalog/manage"


@pytest.fixture
def base(db: None) -> BaseItem:
    return BaseItemFactory(code="117001", name="食品经营许可", legal_basis="《食品安全法》第三十五条")


@pytest.fixture
def draft(market_bureau: Organisation, base: BaseItem) -> ServiceItem:
    return ServiceItemFactory(
        implementing_body=market_bureau,
        base_item=base,
        base_code=base.code,
        name=base.name,
        legal_basis=base.legal_basis,
        status=ItemStatus.DRAFT,
        version=0,
    )


@pytest.fixture
def published(market_bureau: Organisation) -> ServiceItem:
    return ServiceItemFactory(implementing_body=market_bureau)


def as_user(client: Client, user: User | None) -> Client:
    if user is not None:
        login_verified(client, user)
    return client


def endpoints(
    draft: ServiceItem, published: ServiceItem, market_bureau: Organisation, base: BaseItem
) -> list[tuple[str, str, dict[str, Any] | None]]:
    return [
        (
            "post",
            "/items",
            {
                "implementing_body": str(market_bureau.public_id),
                "base_item": str(base.public_id),
                "exercise_level": "4",
                "statutory_limit_days": 10,
                "committed_limit_days": 5,
            },
        ),
        ("patch", f"/items/{draft.public_id}", {"conditions": "新的受理条件"}),
        ("post", f"/items/{published.public_id}/revision", None),
        ("post", f"/items/{draft.public_id}/submit", {"comment": ""}),
        ("post", f"/items/{draft.public_id}/review", {"approve": True, "comment": ""}),
        ("post", f"/items/{draft.public_id}/schedule", {"publish_at": None, "withdraw_at": None}),
        ("get", f"/items/{published.public_id}/versions", None),
        ("get", f"/items/{published.public_id}/diff", None),
        ("get", f"/items/{draft.public_id}/scenarios", None),
        ("put", f"/items/{draft.public_id}/scenarios", {"conditions": ["x"], "questions": []}),
        (
            "post",
            "/base-items",
            {
                "code": "555",
                "name": "新基本目录事项",
                "item_type": "20",
                "legal_basis": "x",
                "exercise_level": "3",
                "defining_region": "3401",
            },
        ),
        ("get", "/consistency", None),
    ]


def call(client: Client, method: str, path: str, body: dict[str, Any] | None) -> Any:
    if method == "get":
        return client.get(BASE + path)
    return getattr(client, method)(BASE + path, body or {}, content_type="application/json")


@pytest.mark.parametrize("who", [None, "citizen", "clerk", "admin_user", "wuhu_manager"])
def test_every_endpoint_refuses_non_managers(
    client: Client,
    draft: ServiceItem,
    published: ServiceItem,
    market_bureau: Organisation,
    base: BaseItem,
    who: str | None,
    request: pytest.FixtureRequest,
) -> None:
    as_user(client, request.getfixturevalue(who) if who else None)
    for method, path, body in endpoints(draft, published, market_bureau, base):
        response = call(client, method, path, body)
        if path == "/consistency" and who == "wuhu_manager":
            assert response.status_code == 200  # his own region's report
            continue
        expected = 401 if who is None else 403
        assert response.status_code == expected, (method, path, response.content)
        assert set(response.json()) == {"code", "message", "fields"}
    draft.refresh_from_db()
    assert draft.status == ItemStatus.DRAFT and draft.conditions != "新的受理条件"
    assert not ServiceItem.objects.filter(revision_of=published).exists()


def test_manager_flow_through_the_api(
    client: Client, market_bureau: Organisation, base: BaseItem, manager: User, manager2: User
) -> None:
    as_user(client, manager)
    response = call(
        client,
        "post",
        "/items",
        {
            "implementing_body": str(market_bureau.public_id),
            "base_item": str(base.public_id),
            "exercise_level": "3",
            "statutory_limit_days": 10,
            "committed_limit_days": 5,
            "handling_forms": ["1"],
            "service_objects": ["2"],
            "materials": [{"name": "申请书", "originals": 1}],
            "fee_items": [{"name": "工本费", "standard": "10元"}],
            "faq": [{"question": "要多久？", "answer": "5个工作日"}],
        },
    )
    assert response.status_code == 201, response.content
    item_id = response.json()["public_id"]
    assert response.json()["status"] == "draft" and response.json()["base_code"] == "117001"
    response = call(client, "patch", f"/items/{item_id}", {"name": "改名"})
    assert response.status_code == 200  # a draft may differ while being edited ...
    response = call(client, "post", f"/items/{item_id}/submit", {"comment": "请审核"})
    assert response.status_code == 409 and response.json()["code"] == CatalogErrorCode.INCONSISTENT_WITH_BASE
    assert "name" in response.json()["fields"]  # ... but not be submitted
    call(client, "patch", f"/items/{item_id}", {"name": base.name})
    assert (
        call(client, "post", f"/items/{item_id}/submit", {"comment": "请审核"}).json()["status"]
        == "submitted"
    )
    response = call(client, "post", f"/items/{item_id}/review", {"approve": True})
    assert response.status_code == 403 and response.json()["code"] == CatalogErrorCode.SELF_REVIEW

    reviewer = as_user(Client(), manager2)
    response = call(reviewer, "post", f"/items/{item_id}/review", {"approve": True, "comment": "同意"})
    assert response.json()["status"] == "approved" and response.json()["review_comment"] == "同意"
    later = (timezone.now() + timedelta(days=1)).isoformat()
    response = call(client, "post", f"/items/{item_id}/schedule", {"publish_at": later})
    assert response.status_code == 200 and response.json()["publish_at"] is not None
    response = client.post(f"/api/v1/catalog/items/{item_id}/publish")
    assert response.status_code == 200 and response.json()["version"] == 1

    response = call(client, "post", f"/items/{item_id}/revision", None)
    assert response.status_code == 201
    revision_id = response.json()["public_id"]
    assert response.json()["revision_of"] == item_id
    call(client, "patch", f"/items/{revision_id}", {"committed_limit_days": 3})
    diff = call(client, "get", f"/items/{revision_id}/diff", None).json()
    assert diff["old"] == "published" and any(r["field"] == "committed_limit_days" for r in diff["rows"])
    versions = call(client, "get", f"/items/{item_id}/versions", None).json()
    assert [v["version"] for v in versions] == [1] and versions[0]["reviewed_by"] == "manager2"
    assert call(client, "get", f"/items/{item_id}/diff?old=1", None).status_code == 422
    assert call(client, "get", f"/items/{item_id}/diff?old=1&new=2", None).status_code == 404


def test_validation_errors_are_4xx(client: Client, draft: ServiceItem, manager: User) -> None:
    as_user(client, manager)
    for body in (
        {"handling_forms": ["9x"]},
        {"committed_limit_days": 999, "statutory_limit_days": 1},
        {"unknown": 1},
        {"legal_basis_url": "not a url"},
        {"materials": [{"name": "证照", "source_kind": "licence"}]},
    ):
        response = call(client, "patch", f"/items/{draft.public_id}", body)
        assert 400 <= response.status_code < 500, (body, response.content)
        assert set(response.json()) == {"code", "message", "fields"}
    assert call(client, "post", f"/items/{uuid.uuid4()}/submit", {}).status_code == 404


def test_base_items_and_consistency(
    client: Client, hefei: Any, manager: User, published: ServiceItem
) -> None:
    as_user(client, manager)
    response = call(
        client,
        "post",
        "/base-items",
        {
            "code": "AB12",
            "name": "城市道路占用许可",
            "item_type": "01",
            "legal_basis": "《城市道路管理条例》第三十一条",
            "exercise_level": "3",
            "defining_region": "3401",
            "legal_basis_url": "https://flk.npc.gov.cn/",
        },
    )
    assert response.status_code == 201 and response.json()["code"] == "AB12"
    response = call(
        client,
        "post",
        "/base-items",
        {
            "code": "AB12",
            "name": "x",
            "item_type": "01",
            "legal_basis": "x",
            "exercise_level": "3",
            "defining_region": "3401",
        },
    )
    assert response.status_code == 409 and response.json()["code"] == CatalogErrorCode.CODE_ALREADY_USED
    ServiceItem.objects.filter(pk=published.pk).update(name="不同名称")
    report = call(client, "get", "/consistency", None).json()
    assert report["count"] == 1 and report["violations"][0]["field"] == "name"
    assert call(client, "get", "/consistency?region=3402", None).status_code in (403, 404)


def test_code_table_fields_are_checked_by_the_schema(client: Client, hefei: Any, manager: User) -> None:
    as_user(client, manager)
    body = {
        "code": "AB13",
        "name": "城市道路挖掘许可",
        "item_type": "99",
        "legal_basis": "《城市道路管理条例》第三十三条",
        "exercise_level": "8",
        "defining_region": "3401",
    }
    response = call(client, "post", "/base-items", body)
    assert response.status_code == 422
    error = response.json()
    assert set(error) == {"code", "message", "fields"}
    assert "item_type" in str(error["fields"]) and "exercise_level" in str(error["fields"])
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schema["BaseItemIn"]["properties"]["item_type"]["pattern"].startswith("^(01|")
