"""事项管理 in a browser: a manager revises a published item, another manager approves it, it is
published, and the citizen's guide shows the new version."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from yiwang.accounts.models import StaffRole
from yiwang.catalog.models import ItemStatus, ServiceItem, ServiceItemVersion
from yiwang.testing import portal as factories
from yiwang.testing.catalog import BaseItemFactory, login_verified, make_staff

from .helpers import assert_no_serious_axe_violations, new_context, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW_CONDITIONS = "申请人已取得营业执照，且经营场所已通过消防安全检查"


def staff_page(browser: Any, base_url: str, user: Any) -> Any:
    """A browser page logged in as ``user`` with the second factor passed (MFA is tested elsewhere)."""
    client = login_verified(Client(), user)
    context = new_context(browser)
    context.add_cookies(
        [{"name": name, "value": morsel.value, "url": base_url} for name, morsel in client.cookies.items()]
    )
    return context.new_page()


def test_manager_revises_reviews_and_publishes(browser: Any, live_server: Any) -> None:
    base_url = live_server.url
    department = factories.make_department()
    item = factories.make_item(department)
    base_item = BaseItemFactory(
        code=item.base_code, name=item.name, item_type=item.item_type, legal_basis=item.legal_basis
    )
    ServiceItem.objects.filter(pk=item.pk).update(base_item=base_item)
    data_bureau = factories.make_department("合肥市数据资源局", "市数据资源局")
    editor = make_staff(data_bureau, "manager", [StaffRole.SERVICE_MANAGER])
    reviewer = make_staff(data_bureau, "manager2", [StaffRole.SERVICE_MANAGER])

    # --- the manager starts a revision of the published item and edits it -------------------------
    manager = staff_page(browser, base_url, editor)
    manager.goto(f"{base_url}/workbench/catalog/")
    manager.get_by_role("link", name=item.name).click()
    manager.wait_for_url(f"**/workbench/catalog/{item.public_id}/")
    manager.locator("#start-revision").click()
    manager.wait_for_url(re.compile(r"/workbench/catalog/[0-9a-f-]+/edit/$"))
    revision = ServiceItem.objects.get(revision_of=item)
    manager.get_by_label("受理条件").fill(NEW_CONDITIONS)
    manager.get_by_label("承诺办结时限（工作日）").fill("2")
    manager.get_by_label("问题", exact=True).first.fill("可以全程网办吗？")
    manager.get_by_label("解答", exact=True).first.fill("可以，无需到现场。")
    assert_no_serious_axe_violations(manager, "catalog-edit")
    screenshot(manager, "catalog-01-edit")
    manager.locator("#save-draft").click()
    manager.wait_for_url(f"**/workbench/catalog/{revision.public_id}/")
    assert "草稿已保存" in manager.locator(".messages").inner_text()
    assert NEW_CONDITIONS in manager.locator("table.diff-table").inner_text()  # diff against version 1
    manager.get_by_label("提交说明（选填）").fill("更新受理条件和承诺时限")
    manager.locator("#submit-item").click()
    manager.wait_for_url(f"**/workbench/catalog/{revision.public_id}/")
    assert "待审核" in manager.locator("#item-status").inner_text()
    assert manager.locator("#review-form").count() == 0  # nobody reviews his own submission

    # --- a second manager approves it -----------------------------------------------------------
    second = staff_page(browser, base_url, reviewer)
    second.goto(f"{base_url}/workbench/catalog/review/")
    second.get_by_role("link", name=item.name).click()
    second.wait_for_url(f"**/workbench/catalog/{revision.public_id}/")
    assert_no_serious_axe_violations(second, "catalog-review")
    second.get_by_label("通过").check()
    second.get_by_label("审核意见").fill("条件表述准确，同意发布")
    screenshot(second, "catalog-02-review")
    second.locator("#review-button").click()
    second.wait_for_url(f"**/workbench/catalog/{revision.public_id}/")
    assert "审核通过" in second.locator("#item-status").inner_text()

    # --- the manager publishes; the same item now carries version 2 --------------------------------
    manager.reload()
    manager.locator("#publish-item").click()
    manager.wait_for_url(f"**/workbench/catalog/{item.public_id}/")
    assert "已发布第 2 版" in manager.locator(".messages").inner_text()
    screenshot(manager, "catalog-03-published")
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED and item.version == 2 and item.committed_limit_days == 2
    assert list(ServiceItemVersion.objects.filter(item=item).values_list("version", flat=True)) == [2, 1]

    # --- the citizen's guide shows the new version -------------------------------------------------
    citizen_context = new_context(browser)
    citizen = citizen_context.new_page()
    citizen.goto(f"{base_url}/items/{item.public_id}/")
    assert NEW_CONDITIONS in citizen.locator("#conditions").inner_text()
    assert "第 2 版" in citizen.locator("#basic").inner_text()
    screenshot(citizen, "catalog-04-guide")
    for page in (manager, second, citizen):
        page.context.close()
