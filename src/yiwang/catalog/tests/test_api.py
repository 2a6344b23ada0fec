"""Catalogue API: public list/guide/departments, staff publish/withdraw, authorisation, query counts."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client

from yiwang.accounts.models import User
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.catalog.tests.factories import ServiceItemFactory, login_verified
from yiwang.core.models import Organisation

BASE = "/api/v1/catalog"


@pytest.fixture
def items(market_bureau: Organisation, police_bureau: Organisation) -> dict[str, ServiceItem]:
    return {
        "getihu": ServiceItemFactory(
            name="个体工商户设立登记",
            implementing_body=market_bureau,
            result_name="营业执照",
            application_count=3,
        ),
        "company": ServiceItemFactory(
            name="企业设立登记", implementing_body=market_bureau, result_name="营业执照"
        ),
        "id_card": ServiceItemFactory(
            name="居民身份证换领",
            implementing_body=police_bureau,
            fee_required=True,
            fee_description="20元/证",
            fee_basis="《财政部 国家发展改革委关于居民身份证收费标准及有关问题的通知》（财综〔2007〕34号）",
            materials=[
                {"name": "原居民身份证", "originals": 1},
                {"name": "居民户口簿", "originals": 1, "copies": 1},
            ],
        ),
        "draft": ServiceItemFactory(
            name="营业执照草稿", implementing_body=market_bureau, status=ItemStatus.DRAFT, version=0
        ),
        "withdrawn": ServiceItemFactory(
            name="已撤销事项", implementing_body=police_bureau, status=ItemStatus.WITHDRAWN
        ),
    }


def login(client: Client, user: User | None) -> Client:
    if user is not None:
        login_verified(client, user)
    return client


def assert_error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code


# --- public list ---------------------------------------------------------------------------------
def test_list_is_public_and_paginated(client: Client, items: dict[str, ServiceItem]) -> None:
    response = client.get(f"{BASE}/items")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [row["name"] for row in body["items"]] == ["个体工商户设立登记", "企业设立登记", "居民身份证换领"]
    row = body["items"][0]
    assert row["department"]["name"] == "合肥市市场监督管理局"
    assert row["implementation_code"] == items["getihu"].implementation_code
    assert row["item_type_label"] == "行政许可"

    page = client.get(f"{BASE}/items", {"limit": 1, "offset": 1}).json()
    assert page["count"] == 3 and [row["name"] for row in page["items"]] == ["企业设立登记"]


def test_list_search_and_department(
    client: Client, items: dict[str, ServiceItem], police_bureau: Organisation
) -> None:
    found = client.get(f"{BASE}/items", {"q": "营业执照"}).json()
    assert {row["name"] for row in found["items"]} == {"个体工商户设立登记", "企业设立登记"}
    assert client.get(f"{BASE}/items", {"q": "gtgsh"}).json()["count"] == 1
    by_department = client.get(f"{BASE}/items", {"department": str(police_bureau.public_id)}).json()
    assert [row["name"] for row in by_department["items"]] == ["居民身份证换领"]
    assert client.get(f"{BASE}/items", {"department": "x"}).json() == {"items": [], "count": 0}


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 201}, {"offset": -1}, {"offset": 1_000_001}, {"q": "x" * 101}]
)
def test_list_rejects_bad_paging(client: Client, db: None, params: dict[str, Any]) -> None:
    assert_error(client.get(f"{BASE}/items", params), 422, "validation_error")


def test_list_query_count_does_not_grow(
    client: Client,
    items: dict[str, ServiceItem],
    market_bureau: Organisation,
    django_assert_max_num_queries: Any,
) -> None:
    ServiceItemFactory.create_batch(15, implementing_body=market_bureau)
    with django_assert_max_num_queries(3):
        body = client.get(f"{BASE}/items", {"limit": 100}).json()
    assert body["count"] == 18


# --- guide ---------------------------------------------------------------------------------------
def test_guide_is_public_with_materials(
    client: Client, items: dict[str, ServiceItem], django_assert_max_num_queries: Any
) -> None:
    item = items["id_card"]
    with django_assert_max_num_queries(3):
        response = client.get(f"{BASE}/items/{item.public_id}")
    assert response.status_code == 200
    guide = response.json()
    assert guide["name"] == "居民身份证换领"
    assert guide["fee_required"] is True and guide["fee_description"] == "20元/证"
    assert [m["name"] for m in guide["materials"]] == ["原居民身份证", "居民户口簿"]
    assert guide["materials"][1]["copies"] == 1
    assert guide["online_depth"][0] == {"code": "1", "label": "咨询"}
    assert guide["handling_forms"] == [
        {"code": "1", "label": "窗口办理"},
        {"code": "2", "label": "电脑端网上办理"},
    ]
    assert guide["statutory_limit_days"] == 20 and guide["committed_limit_days"] == 10
    assert guide["implementing_body"]["name"] == "合肥市公安局"
    assert guide["form_fields"][0]["name"] == "remark"


@pytest.mark.parametrize("key", ["draft", "withdrawn", None, "bad"])
def test_guide_404_for_unknown_or_unpublished(
    client: Client, items: dict[str, ServiceItem], key: str | None
) -> None:
    public_id = {None: str(uuid.uuid4()), "bad": "not-a-uuid"}.get(key) or str(items[key].public_id)  # type: ignore[index]
    assert_error(client.get(f"{BASE}/items/{public_id}"), 404, CatalogErrorCode.ITEM_NOT_FOUND)


# --- departments ---------------------------------------------------------------------------------
def test_departments_with_published_items(
    client: Client,
    items: dict[str, ServiceItem],
    data_bureau: Organisation,
    django_assert_max_num_queries: Any,
) -> None:
    with django_assert_max_num_queries(1):
        response = client.get(f"{BASE}/departments")
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.json()}
    assert set(rows) == {"合肥市市场监督管理局", "合肥市公安局"}  # the data bureau has no items
    assert rows["合肥市市场监督管理局"]["item_count"] == 2  # drafts not counted
    assert rows["合肥市公安局"]["item_count"] == 1  # withdrawn not counted
    assert rows["合肥市公安局"]["region_code"] == "3401"


# --- staff: publish / withdraw -------------------------------------------------------------------
@pytest.mark.parametrize("action", ["publish", "withdraw"])
def test_publish_withdraw_need_login(client: Client, items: dict[str, ServiceItem], action: str) -> None:
    assert_error(client.post(f"{BASE}/items/{items['draft'].public_id}/{action}"), 401, "not_authenticated")


@pytest.mark.parametrize("action", ["publish", "withdraw"])
@pytest.mark.parametrize("who", ["citizen", "clerk", "admin_user"])
def test_publish_withdraw_need_service_manager(
    client: Client, items: dict[str, ServiceItem], action: str, who: str, request: pytest.FixtureRequest
) -> None:
    login(client, request.getfixturevalue(who))
    target = items["draft"] if action == "publish" else items["getihu"]
    assert_error(
        client.post(f"{BASE}/items/{target.public_id}/{action}"), 403, CatalogErrorCode.ROLE_REQUIRED
    )
    target.refresh_from_db()
    assert target.status == (ItemStatus.DRAFT if action == "publish" else ItemStatus.PUBLISHED)


def test_manager_of_another_city_is_out_of_scope(
    client: Client, items: dict[str, ServiceItem], wuhu_manager: User
) -> None:
    login(client, wuhu_manager)
    assert_error(
        client.post(f"{BASE}/items/{items['draft'].public_id}/publish"), 403, CatalogErrorCode.NOT_IN_SCOPE
    )


def test_manager_publishes_and_withdraws(
    client: Client, items: dict[str, ServiceItem], manager: User
) -> None:
    login(client, manager)
    draft = items["draft"]
    assert_error(
        client.post(f"{BASE}/items/{draft.public_id}/publish"), 409, CatalogErrorCode.INVALID_TRANSITION
    )  # not reviewed yet
    ServiceItem.objects.filter(pk=draft.pk).update(status=ItemStatus.APPROVED)
    response = client.post(f"{BASE}/items/{draft.public_id}/publish")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "published" and response.json()["version"] == 1
    assert client.get(f"{BASE}/items/{draft.public_id}").status_code == 200

    assert_error(
        client.post(f"{BASE}/items/{draft.public_id}/publish"), 409, CatalogErrorCode.INVALID_TRANSITION
    )

    response = client.post(
        f"{BASE}/items/{draft.public_id}/withdraw",
        {"reason": "设定依据已修订"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert client.get(f"{BASE}/items/{draft.public_id}").status_code == 404
    response = client.post(f"{BASE}/items/{items['getihu'].public_id}/withdraw")  # body is optional
    assert response.status_code == 200


def test_publish_unknown_item_is_404(client: Client, db: None, manager: User) -> None:
    login(client, manager)
    assert_error(client.post(f"{BASE}/items/{uuid.uuid4()}/publish"), 404, CatalogErrorCode.ITEM_NOT_FOUND)


def test_withdraw_rejects_a_bad_body(client: Client, items: dict[str, ServiceItem], manager: User) -> None:
    login(client, manager)
    url = f"{BASE}/items/{items['getihu'].public_id}/withdraw"
    assert_error(client.post(url, "{not json", content_type="application/json"), 422, "validation_error")
    assert_error(
        client.post(url, {"reason": "x" * 501}, content_type="application/json"), 422, "validation_error"
    )
    items["getihu"].refresh_from_db()
    assert items["getihu"].status == ItemStatus.PUBLISHED


@pytest.mark.parametrize("who", [None, "citizen", "clerk", "manager"])
def test_public_endpoints_for_everyone(
    client: Client, items: dict[str, ServiceItem], who: str | None, request: pytest.FixtureRequest
) -> None:
    login(client, request.getfixturevalue(who) if who else None)
    assert client.get(f"{BASE}/items").json()["count"] == 3
    assert client.get(f"{BASE}/items/{items['getihu'].public_id}").status_code == 200
    assert client.get(f"{BASE}/items/{items['draft'].public_id}").status_code == 404  # not even for staff
    assert len(client.get(f"{BASE}/departments").json()) == 2
