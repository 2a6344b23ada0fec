"""电子表单 in a browser: a manager adds a field in Form.io's builder (dragged from the palette to the
canvas), makes it conditional and saves; the revision is reviewed and published (services); a citizen
opens the apply page, sees his name prefilled from the real-name account with its source, the
conditional field appears when the condition is met, and the filed case holds the data."""

from __future__ import annotations

from typing import Any

import pytest

from yiwang.accounts.models import StaffRole
from yiwang.cases.models import Case
from yiwang.catalog import services as catalog
from yiwang.catalog.models import ServiceItem
from yiwang.testing import portal as factories
from yiwang.testing.catalog import BaseItemFactory, make_staff

from .helpers import page_as, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SEED = {
    "display": "form",
    "components": [
        {
            "type": "textfield",
            "key": "fullName",
            "label": "申请人姓名",
            "input": True,
            "properties": {"prefill": "applicant:name", "prefillLocked": "true"},
        },
        {
            "type": "radio",
            "key": "hasBranch",
            "label": "是否设立分店",
            "input": True,
            "values": [{"label": "是", "value": "yes"}, {"label": "否", "value": "no"}],
        },
    ],
}


def test_build_a_conditional_form_and_apply_with_it(browser: Any, live_server: Any) -> None:
    department = factories.make_department()
    item = factories.make_item(department, materials=[], form_fields=[])
    base_item = BaseItemFactory(
        code=item.base_code, name=item.name, item_type=item.item_type, legal_basis=item.legal_basis
    )
    ServiceItem.objects.filter(pk=item.pk).update(base_item=base_item)
    item.refresh_from_db()
    bureau = factories.make_department("合肥市数据资源局", "市数据资源局")
    editor = make_staff(bureau, "fb_editor", [StaffRole.SERVICE_MANAGER])
    reviewer = make_staff(bureau, "fb_reviewer", [StaffRole.SERVICE_MANAGER])
    revision = catalog.start_revision(item, editor)
    catalog.update_item(revision, actor=editor, form_definition=SEED)

    # --- the manager drags a text field onto the canvas, names it and makes it conditional ----------
    manager = page_as(browser, live_server, editor)
    violations: list[str] = []
    manager.on(
        "console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None
    )
    manager.goto(f"{live_server.url}/workbench/catalog/{revision.public_id}/form/")
    manager.wait_for_selector("#form-builder[data-ready=true]")
    assert "修订稿" in manager.locator("#builder-version").inner_text()
    manager.locator("[data-type='textfield']").first.drag_to(
        manager.locator(".drag-container.formio-builder-form").first
    )
    dialog = manager.locator(".component-edit-container")
    dialog.wait_for()
    dialog.locator("input[name='data[label]']").fill("分店名称")
    dialog.get_by_role("tab", name="API").click()
    dialog.locator("input[name='data[key]']").fill("branchName")
    dialog.locator("[ref='saveButton']").click()
    manager.wait_for_selector(".formio-component-branchName")
    # the condition: shown when hasBranch is "yes" (the simple conditional the dialog writes)
    manager.evaluate(
        """() => {
        const b = window.yiwangFormBuilder;
        const form = JSON.parse(JSON.stringify(b.schema));
        form.components.find(c => c.key === 'branchName').conditional =
            {show: true, conjunction: 'all', conditions: [{component: 'hasBranch', operator: 'isEqual', value: 'yes'}]};
        return b.setForm(form);
    }"""
    )
    manager.locator("#builder-save").click()
    manager.wait_for_selector("#form-builder[data-saved=true]")
    screenshot(manager, "form-builder-01-saved")
    # no eval anywhere (the CDN code editor Form.io tries to load is refused: its plain textarea stays)
    assert not [v for v in violations if "eval" in v]
    revision.refresh_from_db()
    keys = [c["key"] for c in revision.form_definition["components"]]
    assert sorted(keys) == ["branchName", "fullName", "hasBranch"]  # where it was dropped

    # --- review and publication (services) ---------------------------------------------------------
    catalog.submit_item(revision, editor)
    catalog.review_item(revision, reviewer, approve=True)
    catalog.publish_item(ServiceItem.objects.get(pk=revision.pk), reviewer)
    published = ServiceItem.objects.get(pk=item.pk)
    assert "branchName" in [c["key"] for c in published.form_definition["components"]]

    # --- the citizen applies --------------------------------------------------------------------
    citizen = factories.make_citizen("fb_citizen")
    page = page_as(browser, live_server, citizen)
    page.goto(f"{live_server.url}/items/{published.public_id}/apply/")
    name = page.locator("#id_field_fullName")
    assert name.input_value() == citizen.natural_person.real_name
    assert "实名账户" in page.locator("[data-eform-key=fullName]").inner_text()
    branch = page.locator("[data-eform-key=branchName]")
    assert not branch.is_visible()
    page.get_by_label("是", exact=True).check()
    branch.wait_for(state="visible")
    page.locator("#id_field_branchName").fill("包河分店")
    screenshot(page, "form-builder-02-apply")
    page.locator("form[data-submit-once] button[type=submit]").last.click()
    page.wait_for_url("**/my/cases/**")
    case = Case.objects.get(applicant=citizen)
    assert case.form_data["branchName"] == "包河分店"
    assert case.form_data["fullName"] == citizen.natural_person.real_name
