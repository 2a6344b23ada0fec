"""Catalogue discovery in a browser: the scenario questions (情形引导) on a guide change the material
list and carry into the application form; axe-core on the bundle pages and the hall screen."""

from __future__ import annotations

from typing import Any

import pytest

from yiwang.catalog.bundles import save_bundle
from yiwang.catalog.scenarios import define_scenarios
from yiwang.testing import portal as factories

from .data import PASSWORD, build_world
from .helpers import assert_no_serious_axe_violations, login, new_context, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

QUESTIONS = [
    {
        "key": "agent",
        "text": "本人办理还是委托代理人办理？",
        "options": [
            {"value": "self", "label": "本人办理"},
            {"value": "agent", "label": "委托代理人办理", "adds_materials": ["委托书"]},
        ],
    },
    {
        "key": "premises",
        "text": "是否有固定住所？",
        "options": [
            {"value": "own", "label": "有固定住所"},
            {"value": "virtual", "label": "集群注册（无实体住所）", "removes_materials": ["住所使用证明"]},
        ],
    },
]


def _materials(page: Any) -> list[str]:
    return [text.strip() for text in page.locator("#materials tbody th").all_inner_texts()]


def test_scenario_questions_lead_to_the_applicable_materials(browser: Any, live_server: Any) -> None:
    world = build_world()
    define_scenarios(world.item, actor=None, questions=QUESTIONS)
    base = live_server.url
    ctx = new_context(browser)
    page = ctx.new_page()
    login(page, base, "citizen", PASSWORD)
    page.goto(f"{base}/items/{world.item.public_id}/")
    assert _materials(page) == ["公司登记（备案）申请书", "公司章程", "住所使用证明", "委托书"]

    # htmx swaps the scenario block on every change (wait for each swap before the next click)
    def choose(label: str) -> None:
        with page.expect_response(lambda response: "/items/" in response.url and "s_" in response.url):
            page.get_by_label(label).check()
        page.wait_for_timeout(100)  # let htmx settle the swap

    choose("委托代理人办理")
    choose("有固定住所")
    page.wait_for_selector("#scenario-summary")
    assert _materials(page) == ["公司登记（备案）申请书", "公司章程", "住所使用证明", "委托书"]
    choose("本人办理")
    choose("集群注册（无实体住所）")
    page.wait_for_function("() => document.querySelectorAll('#materials tbody tr').length === 2")
    assert _materials(page) == ["公司登记（备案）申请书", "公司章程"]
    assert "s_premises=virtual" in page.url  # the answers are in the address: shareable, back button
    assert_no_serious_axe_violations(page, "guide with scenario")
    screenshot(page, "scenario-guide")

    page.locator("#apply-with-scenario").click()
    page.wait_for_url(f"**/items/{world.item.public_id}/apply/?*")
    assert "集群注册（无实体住所）" in page.locator("#scenario-summary").inner_text()
    names = {m.name: str(m.public_id) for m in world.item.materials.all()}
    assert page.locator(f"#id_material_{names['公司章程']}").count() == 1
    assert page.locator(f"#id_material_{names['住所使用证明']}").count() == 0
    assert page.locator(f"#id_material_{names['委托书']}").count() == 0
    assert_no_serious_axe_violations(page, "apply with scenario")
    screenshot(page, "scenario-apply")

    # without answers the form asks the questions first
    page.goto(f"{base}/items/{world.item.public_id}/apply/")
    page.get_by_label("委托代理人办理").check()
    page.get_by_label("有固定住所").check()
    assert_no_serious_axe_violations(page, "apply scenario step")
    page.locator("#scenario-next").click()
    page.wait_for_selector(f"#id_material_{names['委托书']}")
    ctx.close()


def test_bundle_pages_and_hall_screen_are_accessible(browser: Any, live_server: Any) -> None:
    world = build_world()
    second = factories.make_item(world.department, name="食品经营许可")
    bundle = save_bundle(
        {
            "code": "restaurant",
            "name": "开办餐饮店一件事",
            "audience": "business",
            "event": "开办",
            "description": "一表申请、并联审批",
            "members": [{"item": world.item.implementation_code}, {"item": second.implementation_code}],
            "fields": [
                {
                    "name": "company_name",
                    "label": "企业名称",
                    "required": True,
                    "maps_to": [
                        {"item": world.item.implementation_code, "field": "company_name"},
                        {"item": second.implementation_code, "field": "company_name"},
                    ],
                }
            ],
        },
        actor=None,
        publish=True,
    )
    base = live_server.url
    for elderly in (False, True):
        ctx = new_context(browser)
        if elderly:
            ctx.add_cookies([{"name": "elderly", "value": "1", "url": base}])
        page = ctx.new_page()
        for name, url in [
            ("bundles", f"{base}/bundles/"),
            ("bundle-guide", f"{base}/bundles/{bundle.public_id}/"),
            ("hall", f"{base}/hall/items/"),
            ("search-filters", f"{base}/search/?q=营业执照&full=1"),
        ]:
            page.goto(url)
            assert_no_serious_axe_violations(page, f"{name} ({'elderly' if elderly else 'normal'})")
            screenshot(page, f"axe-{'elderly' if elderly else 'normal'}-{name}")
        ctx.close()
