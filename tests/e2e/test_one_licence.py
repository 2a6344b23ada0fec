"""一证通办 in a browser: the apply page offers the citizen's e-licence with "授权使用"; ticking it
files the case without uploading that material; the wallet's 用证记录 shows who used it for which case."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection

from yiwang.cases.models import Case
from yiwang.catalog.models import Material, MaterialSourceKind, ServiceItem
from yiwang.core.calendar import seed_calendar
from yiwang.licences.models import Licence
from yiwang.testing import licences as factories
from yiwang.testing.cases import PDF_BYTES, ServiceItemFactory

from .helpers import login, new_context, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _world() -> tuple[ServiceItem, Licence]:
    try:
        seed_calendar([2026, 2027])
        issuer, _seal, _approver = factories.make_issuer("合肥市数据资源局")
        licence_type = factories.make_type(name="营业执照")
        citizen = factories.make_citizen("one_licence_holder")
        licence = factories.issue(licence_type, issuer, citizen)
        department = factories.make_issuer("合肥市市场监督管理局")[0]
        item: ServiceItem = ServiceItemFactory(
            implementing_body=department, materials=[("经营场所证明", True)], form_fields=[]
        )
        Material.objects.create(
            item=item,
            name="营业执照",
            mandatory=True,
            source_kind=MaterialSourceKind.LICENCE,
            licence_type_code=licence_type.code,
            order=0,
        )
        return item, licence
    finally:
        connection.close()


def test_citizen_authorises_the_use_of_his_licence(browser: Any, live_server: Any, tmp_path: Any) -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        item, licence = pool.submit(_world).result(timeout=120)
    base = live_server.url
    lease = tmp_path / "lease.pdf"
    lease.write_bytes(PDF_BYTES)

    ctx = new_context(browser)
    page = ctx.new_page()
    login(page, base, "one_licence_holder", factories.PASSWORD)
    page.goto(f"{base}/items/{item.public_id}/apply/")
    offer = page.locator(f"#licence-{item.materials.get(name='营业执照').public_id}")
    assert licence.identifier in offer.inner_text()
    screenshot(page, "one-licence-00-apply")
    offer.get_by_label("授权使用").check()
    page.get_by_label("经营场所证明").set_input_files(str(lease))
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url("**/my/cases/*/")
    case = Case.objects.get(item=item)
    attached = case.materials.get(material_name="营业执照")
    assert (attached.source, attached.trust_level, attached.licence_id) == ("e_licence", "A", licence.pk)

    page.goto(f"{base}/licences/")
    uses = page.locator("#uses-title").locator("..").inner_text()
    assert case.number in uses and "合肥市市场监督管理局" in uses and "经您授权" in uses
    screenshot(page, "one-licence-01-wallet")
    ctx.close()
