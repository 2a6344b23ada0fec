"""事项管理 workbench pages: only service managers; list, edit, submit, review, publish, compare, reports."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from yiwang.accounts.models import User
from yiwang.catalog.models import BaseItem, ItemStatus, ServiceItem, ServiceItemVersion
from yiwang.catalog.tests.factories import BaseItemFactory, ServiceItemFactory, login_verified
from yiwang.core.models import Organisation

W = "/workbench/catalog"


@pytest.fixture
def base(db: None) -> BaseItem:
    return BaseItemFactory(code="117001", name="食品经营许可", legal_basis="《食品安全法》第三十五条")


@pytest.fixture
def published(market_bureau: Organisation, base: BaseItem) -> ServiceItem:
    return ServiceItemFactory(
        implementing_body=market_bureau,
        base_item=base,
        base_code=base.code,
        name=base.name,
        legal_basis=base.legal_basis,
        place="政务服务中心",
        consult_phone="0551-1",
    )


def as_user(user: User) -> Client:
    return login_verified(Client(), user)


def page_urls(item: ServiceItem) -> list[str]:
    return [
        f"{W}/",
        f"{W}/new/",
        f"{W}/review/",
        f"{W}/consistency/",
        f"{W}/quality/",
        f"{W}/statistics/",
        f"{W}/{item.public_id}/",
        f"{W}/{item.public_id}/compare/",
    ]


@pytest.mark.parametrize("who", ["clerk", "admin_user", "citizen"])
def test_only_service_managers(published: ServiceItem, who: str, request: pytest.FixtureRequest) -> None:
    client = as_user(request.getfixturevalue(who))
    for url in page_urls(published):
        assert client.get(url).status_code == 403, url
    for action in ("submit", "review", "publish", "withdraw", "revise", "schedule", "discard"):
        assert client.post(f"{W}/{published.public_id}/{action}/").status_code == 403
    published.refresh_from_db()
    assert published.status == ItemStatus.PUBLISHED


def test_anonymous_goes_to_login(client: Client, published: ServiceItem) -> None:
    response = client.get(f"{W}/")
    assert response.status_code == 302 and "/workbench/" in response["Location"]


def test_manager_of_another_city_cannot_open_the_item(published: ServiceItem, wuhu_manager: User) -> None:
    client = as_user(wuhu_manager)
    assert client.get(f"{W}/{published.public_id}/").status_code == 403
    assert client.post(f"{W}/{published.public_id}/withdraw/").status_code == 403
    published.refresh_from_db()
    assert published.status == ItemStatus.PUBLISHED
    assert "食品经营许可" not in client.get(f"{W}/").content.decode()


def test_pages_render_for_a_manager(
    published: ServiceItem, manager: User, django_assert_max_num_queries: Any
) -> None:
    client = as_user(manager)
    for url in page_urls(published):
        response = client.get(url)
        assert response.status_code == 200, url
    for _ in range(5):
        ServiceItemFactory(implementing_body=published.implementing_body)
    with django_assert_max_num_queries(16):  # session, MFA, role, scope, counts, page: not per item
        response = client.get(f"{W}/")
    assert response.content.decode().count("badge-item-published") == 6
    assert "echarts.min.js" in client.get(f"{W}/statistics/").content.decode()


def test_edit_submit_review_publish_through_the_pages(
    published: ServiceItem, manager: User, manager2: User
) -> None:
    client = as_user(manager)
    response = client.post(f"{W}/{published.public_id}/revise/")
    revision = ServiceItem.objects.get(revision_of=published)
    assert response["Location"] == f"{W}/{revision.public_id}/edit/"
    form = client.get(f"{W}/{revision.public_id}/edit/")
    assert form.status_code == 200 and "id_conditions" in form.content.decode()
    material = revision.materials.first()
    data = {
        "conditions": "新的受理条件",
        "process_description": "申请—受理—决定",
        "place": "政务服务中心",
        "consult_phone": "0551-1",
        "statutory_limit_days": "20",
        "committed_limit_days": "3",
        "visits_required": "0",
        "case_kind": "2",
        "required_assurance_level": "1",
        "tongban_range": "3",
        "handling_forms": ["1", "2"],
        "online_depth": ["1", "2"],
        "service_objects": ["1"],
        "online_apply": "1",
        "form_fields": "[]",
        "legal_basis_url": "https://flk.npc.gov.cn/",
        "material-count": "2",
        "material-0-public_id": str(material.public_id),
        "material-0-name": material.name,
        "material-0-source_kind": "upload",
        "material-0-material_form": "electronic",
        "material-0-originals": "1",
        "material-0-copies": "0",
        "material-0-mandatory": "1",
        "material-1-public_id": "",
        "material-1-name": "营业执照",
        "material-1-source_kind": "licence",
        "material-1-licence_type_code": "11100000000013338W011",
        "material-1-material_form": "electronic",
        "material-1-originals": "0",
        "material-1-copies": "0",
        "fee-count": "1",
        "fee-0-name": "工本费",
        "fee-0-standard": "10元/证",
        "fee-0-legal_basis": "",
        "faq-count": "1",
        "faq-0-question": "能网上办吗？",
        "faq-0-answer": "能。",
        "special-count": "1",
        "special-0-kind": "1",
        "special-0-name": "现场核查",
        "special-0-limit_days": "5",
        "special-0-note": "",
    }
    bad = client.post(f"{W}/{revision.public_id}/edit/", {**data, "committed_limit_days": "30"})
    assert bad.status_code == 400 and "承诺办结时限" in bad.content.decode()
    response = client.post(f"{W}/{revision.public_id}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    revision.refresh_from_db()
    assert revision.conditions == "新的受理条件" and revision.tongban_range == "3"
    assert revision.materials.get(name="营业执照").source_kind == "licence"
    assert revision.fee_items.get().standard == "10元/证" and revision.faq[0]["answer"] == "能。"
    assert revision.special_procedures[0]["limit_days"] == 5
    detail = client.get(f"{W}/{revision.public_id}/").content.decode()
    assert "与已发布版本相比的修改" in detail and "新的受理条件" in detail

    client.post(f"{W}/{revision.public_id}/submit/", {"comment": "请审核"})
    revision.refresh_from_db()
    assert revision.status == ItemStatus.SUBMITTED
    client.post(f"{W}/{revision.public_id}/review/", {"decision": "approve"})  # own submission: refused
    revision.refresh_from_db()
    assert revision.status == ItemStatus.SUBMITTED

    reviewer = as_user(manager2)
    assert "食品经营许可" in reviewer.get(f"{W}/review/").content.decode()
    reviewer.post(f"{W}/{revision.public_id}/review/", {"decision": "approve", "comment": "同意"})
    revision.refresh_from_db()
    assert revision.status == ItemStatus.APPROVED
    response = client.post(f"{W}/{revision.public_id}/publish/")
    assert response["Location"] == f"{W}/{published.public_id}/"
    published.refresh_from_db()
    assert published.version == 2 and published.conditions == "新的受理条件"
    assert ServiceItemVersion.objects.filter(item=published).count() == 2
    compare = client.get(f"{W}/{published.public_id}/compare/?old=1&new=2").content.decode()
    assert "受理条件" in compare and "新的受理条件" in compare
    assert client.get(f"{W}/{published.public_id}/edit/").status_code == 409  # published: not editable


def test_new_item_page(market_bureau: Organisation, base: BaseItem, manager: User) -> None:
    client = as_user(manager)
    response = client.post(f"{W}/new/", {"base_item": "", "implementing_body": ""})
    assert response.status_code == 400 and "请选择基本目录事项" in response.content.decode()
    response = client.post(
        f"{W}/new/",
        {
            "base_item": str(base.public_id),
            "implementing_body": str(market_bureau.public_id),
            "exercise_level": "3",
        },
    )
    item = ServiceItem.objects.get(base_item=base)
    assert response["Location"] == f"{W}/{item.public_id}/edit/"
    assert item.name == base.name and item.status == ItemStatus.DRAFT


def test_reports_show_problems(published: ServiceItem, manager: User) -> None:
    ServiceItem.objects.filter(pk=published.pk).update(name="食品经营许可证核发", legal_basis_url="")
    client = as_user(manager)
    consistency = client.get(f"{W}/consistency/").content.decode()
    assert "食品经营许可证核发" in consistency and "事项名称" in consistency
    quality = client.get(f"{W}/quality/?kind=legal_basis_link").content.decode()
    assert "行政权力事项须提供设定依据链接" in quality
    stats = client.get(f"{W}/statistics/").content.decode()
    assert "合肥市市场监督管理局" in stats and 'id="catalog-stats"' in stats
