"""Process-driven case handling in a browser.

(a) 并联审批: a window clerk accepts a case of an item countersigned by two departments; a handler of
    each department approves his task from the work queue; the approver takes the joint decision;
    the applicant sees the case approved and completed.
(b) 补正: an applicant applies, the clerk sends one correction notice (一次性告知), the applicant reads
    it and uploads the corrected material, the clerk accepts and the item's process starts.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from yiwang.cases.models import Case, CaseOutcome, CaseStatus
from yiwang.testing import portal as factories
from yiwang.testing.portal import apply_for
from yiwang.workflow import services as workflow
from yiwang.workflow.models import WorkItem, WorkItemStatus

from .data import PASSWORD, build_world, write_upload_files
from .helpers import assert_no_serious_axe_violations, login, logout, new_context, screenshot, watch_csp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _wait_for_diagram(page: Any, active: str) -> None:
    page.wait_for_selector("#process-diagram[data-rendered='true']")
    marked = page.locator(f"#process-diagram .djs-element.task-active[data-element-id='{active}']")
    assert marked.count() == 1


def _approve_from_the_queue(page: Any, base: str, username: str, number: str, task: str) -> None:
    login(page, base, username, PASSWORD, workbench=True)
    page.wait_for_url(base + "/workbench/")
    page.locator("#task-count-link").click()
    page.wait_for_url("**/workbench/tasks/")
    row = page.locator("tr", has_text=number)
    assert row.count() == 1
    if task == "decide":
        assert_no_serious_axe_violations(page, "workbench-tasks")
        screenshot(page, "workflow-tasks")
    # the claim button, then the task on the case page
    row.get_by_role("button", name=re.compile("^签收")).click()
    page.wait_for_url("**/workbench/tasks/")
    assert "我已签收" in page.locator("tr", has_text=number).inner_text()
    page.locator("tr", has_text=number).get_by_role("link", name=re.compile("^办理")).click()
    page.wait_for_url("**/workbench/cases/*/")
    _wait_for_diagram(page, task)
    screenshot(page, f"workflow-{username}-{task}")
    if task == "decide":
        assert_no_serious_axe_violations(page, "workbench-case-with-process")
    panel = page.locator(f"#my-task-{task}")
    panel.get_by_label("办理意见").fill("同意")
    panel.locator(f"#task-approve-{task}").click()
    page.wait_for_url("**/workbench/cases/*/")
    assert "已办理" in page.locator(".messages").inner_text()
    logout(page)


def test_parallel_countersign_by_two_departments(browser: Any, live_server: Any) -> None:
    world = build_world()
    workflow.install_default_definitions()
    health = factories.make_department("合肥市卫生健康委员会", "市卫健委")
    fire = factories.make_department("合肥市消防救援支队", "市消防支队")
    factories.make_staff(health, "health", ["handler"], "孙丽")
    factories.make_staff(fire, "fire", ["handler"], "郑军")
    world.item.process_key = "parallel"
    world.item.process_departments = [health.credit_code, fire.credit_code]
    world.item.save(update_fields=["process_key", "process_departments"])
    case = apply_for(world.item, world.citizen, key="parallel")
    base = live_server.url

    # --- the window clerk accepts: the parallel process starts, one task per department ------------
    clerk_ctx = new_context(browser)
    clerk = clerk_ctx.new_page()
    csp_violations = watch_csp(clerk)
    login(clerk, base, "clerk", PASSWORD, workbench=True)
    clerk.goto(f"{base}/workbench/cases/{case.public_id}/")
    clerk.locator("#accept-button").click()
    clerk.wait_for_url(f"**/workbench/cases/{case.public_id}/")
    assert "审查中" in clerk.locator("#case-status").inner_text()
    _wait_for_diagram(clerk, "countersign")
    screenshot(clerk, "workflow-01-accepted")
    assert not csp_violations, csp_violations  # the BPMN viewer works under the Content-Security-Policy
    countersign = WorkItem.objects.filter(instance__reference=case.number, task_name="countersign")
    assert {w.organisation for w in countersign} == {health, fire}
    clerk_ctx.close()

    # --- each department approves its own task -------------------------------------------------------
    ctx = new_context(browser)
    page = ctx.new_page()
    _approve_from_the_queue(page, base, "health", case.number, "countersign")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACCEPTED  # the join waits for both
    _approve_from_the_queue(page, base, "fire", case.number, "countersign")
    assert set(countersign.values_list("status", flat=True)) == {WorkItemStatus.COMPLETED}

    # --- the approver of the handling department takes the joint decision ----------------------------
    _approve_from_the_queue(page, base, "approver", case.number, "decide")
    case.refresh_from_db()
    assert (case.status, case.outcome) == (CaseStatus.COMPLETED, CaseOutcome.APPROVED)
    ctx.close()

    # --- the applicant sees the case approved and completed ------------------------------------------
    citizen_ctx = new_context(browser)
    citizen = citizen_ctx.new_page()
    login(citizen, base, "citizen", PASSWORD)
    citizen.goto(f"{base}/my/cases/{case.public_id}/")
    assert "已办结" in citizen.locator("#case-status").inner_text()
    timeline = citizen.locator("ol.timeline").inner_text()
    assert "受理" in timeline and "批准" in timeline
    screenshot(citizen, "workflow-02-applicant-completed")
    citizen_ctx.close()


def test_applicant_goes_through_a_correction_round(browser: Any, live_server: Any, tmp_path: Path) -> None:
    world = build_world()
    workflow.install_default_definitions()
    files = write_upload_files(tmp_path / "uploads")
    base = live_server.url
    materials = {m.name: str(m.public_id) for m in world.item.materials.all()}

    # --- the applicant applies online ----------------------------------------------------------------
    citizen_ctx = new_context(browser)
    citizen = citizen_ctx.new_page()
    login(citizen, base, "citizen", PASSWORD)
    citizen.goto(f"{base}/items/{world.item.public_id}/apply/")
    citizen.get_by_label("企业名称").fill("合肥徽创科技有限公司")
    citizen.get_by_label("注册资本（万元）").fill("100")
    citizen.get_by_label("经营范围").fill("软件开发")
    citizen.get_by_label("企业类型").select_option("有限责任公司")
    citizen.set_input_files(f"#id_material_{materials['公司登记（备案）申请书']}", str(files["pdf"]))
    citizen.set_input_files(f"#id_material_{materials['公司章程']}", str(files["pdf2"]))
    citizen.set_input_files(f"#id_material_{materials['住所使用证明']}", str(files["png"]))
    citizen.locator("#submit-application").click()
    citizen.wait_for_url("**/my/cases/*/")
    number = citizen.locator("#case-number").inner_text().strip()
    case = Case.objects.get(number=number)

    # --- the clerk sends one correction notice listing everything missing ---------------------------
    clerk_ctx = new_context(browser)
    clerk = clerk_ctx.new_page()
    login(clerk, base, "clerk", PASSWORD, workbench=True)
    clerk.goto(f"{base}/workbench/cases/{case.public_id}/")
    clerk.get_by_role("checkbox", name=re.compile("^公司章程")).check()
    clerk.get_by_label("补正原因：公司章程").fill("缺少全体股东签字")
    clerk.locator("#correction-button").click()
    clerk.wait_for_url(f"**/workbench/cases/{case.public_id}/")
    assert "待补正" in clerk.locator("#case-status").inner_text()

    # --- the applicant reads the notice and uploads the corrected material ---------------------------
    citizen.reload()
    notice = citizen.locator("#notice").inner_text()
    assert "公司章程" in notice and "缺少全体股东签字" in notice
    screenshot(citizen, "workflow-03-correction-notice")
    citizen.set_input_files(f"#id_material_{materials['公司章程']}", str(files["pdf3"]))
    citizen.locator("#submit-correction").click()
    citizen.wait_for_url(f"**/my/cases/{case.public_id}/")
    assert "待受理" in citizen.locator("#case-status").inner_text()

    # --- the clerk accepts: the item's standard process starts at 审查 -------------------------------
    clerk.reload()
    clerk.locator("#accept-button").click()
    clerk.wait_for_url(f"**/workbench/cases/{case.public_id}/")
    assert "审查中" in clerk.locator("#case-status").inner_text()
    _wait_for_diagram(clerk, "review")
    assert case.materials.filter(correction_round=1).count() == 1
    assert WorkItem.objects.get(instance__reference=number, task_name="review").status == WorkItemStatus.OPEN

    citizen.reload()
    timeline = citizen.locator("ol.timeline").inner_text()
    for step in ("申请", "补正告知", "补正材料提交", "受理"):
        assert step in timeline
    screenshot(citizen, "workflow-04-accepted")
    for ctx in (citizen_ctx, clerk_ctx):
        ctx.close()
