"""办结出证 in a browser: a citizen's approved case → the case page shows the issued licence → my
licences (/licences/) → the public verification page reports it valid."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection

from yiwang.cases import services as case_services
from yiwang.catalog.models import ServiceItem
from yiwang.core.calendar import seed_calendar
from yiwang.licences import services
from yiwang.licences.models import Licence
from yiwang.testing import licences as factories
from yiwang.testing.cases import ServiceItemFactory

from .helpers import login, new_context, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _completed_case() -> tuple[Any, Licence]:
    """File, accept and approve a case of an item that yields a licence; the after-commit task
    issues the licence (immediate task backend in the test profile)."""
    try:
        seed_calendar([2026, 2027])
        issuer, _seal, _approver = factories.make_issuer()
        licence_type = factories.make_type()
        item: ServiceItem = ServiceItemFactory(
            implementing_body=issuer,
            materials=[],
            form_fields=[
                {"name": "address", "label": "经营场所", "type": "text", "required": True},
                {"name": "category", "label": "主体业态", "type": "text", "required": True},
            ],
            result_licence_type_code=licence_type.code,
        )
        citizen = factories.make_citizen("case_holder")
        staff = factories.make_staff(issuer, "case_decider", ("window_clerk", "handler", "approver"))
        case = case_services.submit_application(
            applicant=citizen,
            item=item,
            form_data={"address": "合肥市包河区徽州大道 1 号", "category": "餐饮服务经营者"},
            files={},
        )
        case = case_services.accept_case(case, actor=staff)
        case = case_services.decide_case(case, actor=staff, approve=True)
        return case, Licence.objects.get(source_case=case)
    finally:
        connection.close()


def test_citizen_finds_the_licence_of_a_completed_case(browser: Any, live_server: Any, settings: Any) -> None:
    settings.YIWANG_PUBLIC_URL = live_server.url
    # pyHanko signs with asyncio.run(), which cannot run inside Playwright's event loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        case, licence = pool.submit(_completed_case).result(timeout=120)
    base = live_server.url

    ctx = new_context(browser)
    page = ctx.new_page()
    login(page, base, "case_holder", factories.PASSWORD)
    page.goto(f"{base}/my/cases/{case.public_id}/")
    section = page.locator("#case-licences")
    assert licence.identifier in section.inner_text()
    screenshot(page, "case-licence-00-case")
    section.get_by_role("link", name="我的证照夹").click()
    page.wait_for_url("**/licences/")
    assert page.get_by_role("heading", level=1).inner_text() == "我的证照"
    assert licence.licence_type.name in page.locator("table").inner_text()
    screenshot(page, "case-licence-01-wallet")
    page.goto(f"{base}/my/cases/{case.public_id}/")
    page.locator("a.case-licence").click()
    page.wait_for_url(f"**/licences/{licence.public_id}/")
    assert licence.identifier in page.locator("dl.licence-facts").inner_text()

    page.goto(services.verify_url(licence.identifier))
    result = page.locator("#verify-result")
    assert "有效" in result.inner_text()
    assert "电子证照真实" in result.inner_text()
    screenshot(page, "case-licence-02-verify")
    ctx.close()
