"""The whole journey in a browser: search → guide → apply → correction → accept → approve → result."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from yiwang.accounts.models import SmsOutboxMessage, User
from yiwang.cases.models import Case, CaseStatus
from yiwang.core.identifiers import make_id_number

from .data import PASSWORD, build_world, write_upload_files
from .helpers import login, new_context, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_citizen_clerk_and_approver_complete_a_case(browser: Any, live_server: Any, tmp_path: Path) -> None:
    world = build_world()
    base = live_server.url
    files = write_upload_files(tmp_path / "uploads")

    # --- the citizen finds the item from the home page and reads its guide -------------------------
    citizen_ctx = new_context(browser)
    citizen = citizen_ctx.new_page()
    citizen.goto(base + "/")
    screenshot(citizen, "01-home")
    citizen.get_by_role("searchbox", name="搜索办事事项").fill("营业执照")
    citizen.keyboard.press("Enter")
    citizen.wait_for_url(re.compile(r"/search/\?q="))
    results = citizen.locator("#search-results")
    assert "企业设立登记（营业执照）" in results.inner_text()
    screenshot(citizen, "02-search")
    results.get_by_role("link", name="企业设立登记（营业执照）").click()
    citizen.wait_for_url(f"**/items/{world.item.public_id}/")
    assert citizen.get_by_role("heading", level=1).inner_text() == "企业设立登记（营业执照）"
    materials_table = citizen.locator("#materials table")
    assert "公司章程" in materials_table.inner_text() and "住所使用证明" in materials_table.inner_text()
    screenshot(citizen, "03-guide")

    # --- "在线办理" asks for a login, then comes back to the form -----------------------------------
    citizen.locator("#apply-online").click()
    citizen.wait_for_url(re.compile(r"/login/\?next="))
    citizen.locator("#id_username").fill("citizen")
    citizen.locator("#id_password").fill(PASSWORD)
    citizen.locator("main form button[type=submit]").click()
    citizen.wait_for_url(f"**/items/{world.item.public_id}/apply/")

    citizen.get_by_label("企业名称").fill("合肥徽创科技有限公司")
    citizen.get_by_label("注册资本（万元）").fill("100")
    citizen.get_by_label("经营范围").fill("软件开发；信息技术咨询服务")
    citizen.get_by_label("企业类型").select_option("有限责任公司")
    materials = {m.name: str(m.public_id) for m in world.item.materials.all()}
    citizen.set_input_files(f"#id_material_{materials['公司登记（备案）申请书']}", str(files["pdf"]))
    citizen.set_input_files(f"#id_material_{materials['公司章程']}", str(files["pdf2"]))
    citizen.set_input_files(f"#id_material_{materials['住所使用证明']}", str(files["png"]))
    citizen.get_by_role("radio", name="快递送达").check()
    citizen.get_by_role("textbox", name="快递送达地址（选择快递送达时必填）").fill(
        "安徽省合肥市蜀山区长江西路 100 号"
    )
    screenshot(citizen, "04-apply")
    citizen.locator("#submit-application").click()
    citizen.wait_for_url("**/my/cases/*/")
    number = citizen.locator("#case-number").inner_text().strip()
    case = Case.objects.get(number=number)
    assert len(number) == 43 and number.startswith(world.item.implementation_code)
    assert case.status == CaseStatus.SUBMITTED and case.materials.count() == 3
    assert "申请已提交" in citizen.locator(".messages").inner_text()
    screenshot(citizen, "05-case-submitted")

    # --- the clerk asks for two materials in one notice -------------------------------------------
    clerk_ctx = new_context(browser)
    clerk = clerk_ctx.new_page()
    login(clerk, base, "clerk", PASSWORD, workbench=True)
    clerk.wait_for_url(base + "/workbench/")
    row = clerk.locator("tr", has_text=number)
    assert "张伟" in row.inner_text()
    screenshot(clerk, "06-workbench-todo")
    row.get_by_role("link").click()
    clerk.wait_for_url(f"**/workbench/cases/{case.public_id}/")
    assert "*" in clerk.locator("#masked-id").inner_text()
    clerk.get_by_role("checkbox", name=re.compile("^公司章程")).check()
    clerk.get_by_label("补正原因：公司章程").fill("缺少全体股东签字")
    clerk.get_by_role("checkbox", name=re.compile("^住所使用证明")).check()
    clerk.get_by_label("补正原因：住所使用证明").fill("复印件不清晰")
    clerk.get_by_label("补充说明（选填）").fill("请一次性补齐以上材料")
    screenshot(clerk, "07-workbench-case")
    clerk.locator("#correction-button").click()
    clerk.wait_for_url(f"**/workbench/cases/{case.public_id}/")
    assert "待补正" in clerk.locator("#case-status").inner_text()

    # --- the citizen sees the notice listing both and uploads them ---------------------------------
    citizen.goto(base + "/my/cases/")
    citizen.locator("tr", has_text=number).get_by_role("link").click()
    notice = citizen.locator("#notice")
    notice_text = notice.inner_text()
    assert "公司章程" in notice_text and "缺少全体股东签字" in notice_text
    assert "住所使用证明" in notice_text and "复印件不清晰" in notice_text
    screenshot(citizen, "08-case-notice")
    citizen.set_input_files(f"#id_material_{materials['公司章程']}", str(files["pdf3"]))
    citizen.set_input_files(f"#id_material_{materials['住所使用证明']}", str(files["png2"]))
    citizen.locator("#submit-correction").click()
    citizen.wait_for_url(f"**/my/cases/{case.public_id}/")
    assert "待受理" in citizen.locator("#case-status").inner_text()

    # --- the clerk accepts ------------------------------------------------------------------------
    clerk.goto(f"{base}/workbench/cases/{case.public_id}/")
    clerk.locator("#accept-button").click()
    clerk.wait_for_url(f"**/workbench/cases/{case.public_id}/")
    assert "审查中" in clerk.locator("#case-status").inner_text()

    # --- the approver approves --------------------------------------------------------------------
    approver_ctx = new_context(browser)
    approver = approver_ctx.new_page()
    login(approver, base, "approver", PASSWORD, workbench=True)
    approver.locator("tr", has_text=number).get_by_role("link").click()
    approver.get_by_label("审批意见").fill("材料齐全，符合法定条件")
    approver.locator("#approve-button").click()
    approver.wait_for_url(f"**/workbench/cases/{case.public_id}/")
    assert "已办结" in approver.locator("#case-status").inner_text()

    # --- the citizen sees the completed timeline and downloads the result ---------------------------
    citizen.reload()
    timeline = citizen.locator("ol.timeline").inner_text()
    for step in ("申请", "补正告知", "补正材料提交", "受理", "批准", "办结"):
        assert step in timeline
    assert "已办结" in citizen.locator("#case-status").inner_text()
    screenshot(citizen, "09-case-completed")
    with citizen.expect_download() as download_info:
        citizen.locator("#download-result").click()
    pdf = Path(download_info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")

    # The in-site messages followed every step.
    citizen.goto(base + "/my/messages/")
    assert number in citizen.locator("main").inner_text()

    for ctx in (citizen_ctx, clerk_ctx, approver_ctx):
        ctx.close()


def test_elderly_mode_toggle_enlarges_the_type(page: Any, live_server: Any) -> None:
    build_world()
    page.goto(live_server.url + "/")
    size = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    line_height = page.evaluate("() => parseFloat(getComputedStyle(document.body).lineHeight)")
    assert size == 16 and line_height / size >= 1.5
    page.locator("#elderly-toggle").click()
    page.wait_for_load_state()
    elderly = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    elderly_line = page.evaluate("() => parseFloat(getComputedStyle(document.body).lineHeight)")
    assert elderly >= 20 and elderly_line / elderly >= 1.5
    assert "elderly" in page.evaluate("() => document.body.className")
    screenshot(page, "10-home-elderly")
    # It sticks while browsing, and the same link switches back.
    page.goto(live_server.url + "/search/?q=营业执照")
    assert page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)") >= 20
    page.locator("#elderly-toggle").click()
    page.wait_for_load_state()
    assert page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)") == 16


def test_live_search_and_registration_with_an_sms_code(page: Any, live_server: Any) -> None:
    build_world()
    base = live_server.url

    # Live search: typing updates the results in place (htmx) and the address bar follows.
    page.goto(base + "/search/")
    assert "个体工商户注册登记" in page.locator("#search-results").inner_text()
    page.locator("#search-q").fill("换领")
    page.wait_for_function(
        "() => !document.querySelector('#search-results').innerText.includes('个体工商户注册登记')"
    )
    assert "居民身份证换领" in page.locator("#search-results").inner_text()
    page.wait_for_url(re.compile(r"q=(%E6%8D%A2%E9%A2%86|换领)"))

    # Registration: "获取验证码" posts with htmx and shows the result beside the button.
    page.goto(base + "/register/")
    page.locator("#id_username").fill("wangfang")
    page.locator("#id_real_name").fill("王芳")
    page.locator("#id_id_number").fill(make_id_number("340104", date(1992, 8, 1), 124))
    page.locator("#id_phone").fill("13912345678")
    page.locator("#sms-button").click()
    page.wait_for_function("() => document.querySelector('#sms-status').innerText.includes('验证码已发送')")
    assert page.locator("#sms-button").is_disabled()  # counting down before it can be used again
    body = SmsOutboxMessage.objects.filter(phone="13912345678").latest("created_at").body
    code = re.search(r"(\d{6})", body).group(1)  # type: ignore[union-attr]
    page.locator("#id_sms_code").fill(code)
    page.locator("#id_password").fill("Hefei#2026pass")
    page.locator("#id_password2").fill("Hefei#2026pass")
    page.locator("#register-submit").click()
    page.wait_for_url(base + "/my/cases/")
    assert "注册成功" in page.locator(".messages").inner_text()
    assert User.objects.get(username="wangfang").natural_person.real_name == "王芳"
