"""电子表单 in a browser: a manager drags a radio and a text field from the palette onto the canvas of
Form.io's builder, gives the radio its choices, makes the text field conditional on the radio's value
through the edit dialog's 条件显示 tab (native selects: show/hide, when, eq), binds the prefilled name
through the 预填来源 select, and saves; the revision is reviewed and published (services); a citizen
opens the apply page, sees his name prefilled from the real-name account with its source, the
conditional field appears only when the condition is met, and the filed case holds the data (the
hidden field's value dropped when the condition is not met)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

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
    "components": [{"type": "textfield", "key": "fullName", "label": "申请人姓名", "input": True}],
}


def _drag(manager: Any, kind: str) -> Any:
    """Drag the palette's ``kind`` onto the end of the canvas; the edit dialog opens."""
    canvas = manager.locator(".drag-container.formio-builder-form").first
    box = canvas.bounding_box()
    manager.locator(f".formcomponent[data-type='{kind}']").first.drag_to(
        canvas, target_position={"x": box["width"] / 2, "y": box["height"] - 4}
    )
    dialog = manager.locator(".component-edit-container")
    dialog.wait_for()
    return dialog


def _name(dialog: Any, label: str, key: str) -> None:
    """Label, then the key on the API tab; the key is written again until it holds (Form.io derives a
    key from the label a moment after the label changes, which on a loaded machine can come late)."""
    dialog.locator("input[name='data[label]']").fill(label)
    dialog.get_by_role("tab", name="API").click()
    key_input = dialog.locator("input[name='data[key]']")
    for _attempt in range(5):
        key_input.fill(key)
        key_input.page.wait_for_timeout(300)
        if key_input.input_value() == key:
            break
    expect(key_input).to_have_value(key)


def _save(manager: Any, dialog: Any, key: str) -> None:
    """Save the edit dialog; the component appears on the canvas (generous waits: CI runs loaded)."""
    dialog.locator("[ref='saveButton']").click()
    dialog.wait_for(state="detached", timeout=30_000)
    manager.wait_for_selector(f".formio-component-{key}", timeout=30_000)


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

    # --- the manager builds the form in the builder's dialogs ---------------------------------------
    manager = page_as(browser, live_server, editor)
    violations: list[str] = []
    manager.on(
        "console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None
    )
    manager.goto(f"{live_server.url}/workbench/catalog/{revision.public_id}/form/")
    manager.wait_for_selector("#form-builder[data-ready=true]")
    assert "修订稿" in manager.locator("#builder-version").inner_text()
    # the name: prefilled from the real-name account, locked (预填来源 select + 不可修改)
    name_in_builder = manager.locator(".builder-component:has(.formio-component-fullName)").first
    name_in_builder.hover()
    name_in_builder.locator("[ref='editComponent']").first.click()
    dialog = manager.locator(".component-edit-container")
    dialog.wait_for()
    dialog.get_by_role("tab", name="Data").click()
    prefill = dialog.locator("select[name='data[properties.prefill]']")
    assert "previous:" in prefill.locator("option").evaluate_all("os => os.map(o => o.value)")
    prefill.select_option("applicant:name")
    dialog.get_by_label("不可修改（依法以预填值为准）").check()
    dialog.locator("[ref='saveButton']").click()
    dialog.wait_for(state="detached")
    # a radio 是否设立分店 with two choices
    dialog = _drag(manager, "radio")
    dialog.get_by_role("tab", name="Data").click()
    dialog.locator("input[name='data[values][0][label]']").fill("是")
    dialog.locator("input[name='data[values][0][value]']").fill("yes")
    dialog.locator(".formio-component-values [ref='datagrid-values-addRow']").click()
    dialog.locator("input[name='data[values][1][label]']").fill("否")
    dialog.locator("input[name='data[values][1][value]']").fill("no")
    dialog.get_by_role("tab", name="Display").click()
    _name(dialog, "是否设立分店", "hasBranch")
    _save(manager, dialog, "hasBranch")
    # a text field 分店名称, shown when hasBranch is "yes" (条件显示: native selects, no choices.js)
    dialog = _drag(manager, "textfield")
    _name(dialog, "分店名称", "branchName")
    dialog.get_by_role("tab", name="Conditional").click()
    for name in ("show", "when"):  # native selects, not choices.js
        assert dialog.locator(f".choices:has(select[name='data[conditional.{name}]'])").count() == 0
    dialog.locator("select[name='data[conditional.show]']").select_option("true")
    when = dialog.locator("select[name='data[conditional.when]']")
    assert {"fullName", "hasBranch"} <= set(when.locator("option").evaluate_all("os => os.map(o => o.value)"))
    when.select_option("hasBranch")
    dialog.locator("input[name='data[conditional.eq]']").fill("yes")
    expect(when).to_have_value("hasBranch")
    dialog.get_by_role("tab", name="API").click()
    expect(dialog.locator("input[name='data[key]']")).to_have_value("branchName")
    _save(manager, dialog, "branchName")
    manager.locator("#builder-save").click()
    manager.wait_for_selector("#form-builder[data-saved=true]")
    screenshot(manager, "form-builder-01-saved")
    # no eval anywhere (the CDN code editor Form.io tries to load is refused: its plain textarea stays)
    assert not [v for v in violations if "eval" in v]
    revision.refresh_from_db()
    components = {c["key"]: c for c in revision.form_definition["components"]}
    assert sorted(components) == ["branchName", "fullName", "hasBranch"]
    assert components["branchName"]["conditional"] == {"show": True, "when": "hasBranch", "eq": "yes"}
    assert components["fullName"]["properties"] == {"prefill": "applicant:name", "prefillLocked": "true"}
    assert [v["value"] for v in components["hasBranch"]["values"]] == ["yes", "no"]

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
    assert case.form_data["hasBranch"] == "yes"

    # --- again, condition not met: the hidden field's value is dropped ----------------------------
    page.goto(f"{live_server.url}/items/{published.public_id}/apply/")
    page.get_by_label("是", exact=True).check()
    page.locator("#id_field_branchName").fill("不该保存")
    page.get_by_label("否", exact=True).check()
    branch.wait_for(state="hidden")
    page.locator("form[data-submit-once] button[type=submit]").last.click()
    page.wait_for_url("**/my/cases/**")
    second = Case.objects.filter(applicant=citizen).order_by("-pk").first()
    assert second is not None and second.pk != case.pk
    assert second.form_data["hasBranch"] == "no" and "branchName" not in second.form_data
