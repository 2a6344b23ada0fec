"""前台综合受理 at the console: the general-window clerk registers a walk-in case for a police item
(the case goes to 公安局's queue), the case lands on the ticket with its receipt, and paper
materials scanned afterwards join the case as 窗口扫描."""

from __future__ import annotations

from typing import Any

from django.test import Client

from yiwang.cases.models import Case, CaseMaterialSource, CaseStatus
from yiwang.cases.services import get_case_for
from yiwang.hall.models import QueueTicket
from yiwang.hall.services import queue
from yiwang.hall.tests.queue_helpers import sign_in, take
from yiwang.testing.mfa import staff_login
from yiwang.testing.portal import make_item, pdf_upload

FORM = {
    "form_company_name": "合肥测试公司",
    "form_registered_capital": "10",
    "form_company_type": "有限责任公司",
}


def _serve(world: Any, client: Client, **ticket: Any) -> QueueTicket:
    take(world, world.category_police, **ticket)
    sign_in(world.window_general, world.general_clerk)
    staff_login(client, world.general_clerk)
    return queue.call_next(window=world.window_general, clerk=world.general_clerk)


def test_walk_in_for_a_police_item_goes_to_the_police(
    world: Any, client: Client, django_assert_max_num_queries: Any
) -> None:
    ticket = _serve(world, client, id_number="11010519491231002X")
    panel = client.get("/workbench/hall/", headers={"HX-Request": "true"}).content.decode()
    assert "/workbench/hall/register/" in panel and "/workbench/hall/handover/" in panel
    with django_assert_max_num_queries(12):
        found = client.get("/workbench/hall/register/?q=身份证", headers={"HX-Request": "true"})
    assert world.police_item.name in found.content.decode()
    assert world.market_item.name not in found.content.decode()
    form = client.get(f"/workbench/hall/register/{world.police_item.public_id}/")
    assert form.status_code == 200 and "11010519491231002X" in form.content.decode()  # prefilled
    answer = client.post(
        f"/workbench/hall/register/{world.police_item.public_id}/",
        {"applicant_name": "王芳", "applicant_id_number": "11010519491231002X", **FORM},
    )
    assert answer.status_code == 302
    case = Case.objects.get()
    assert answer["Location"] == f"/workbench/hall/cases/{case.public_id}/"
    assert case.handling_organisation == world.police and case.status == CaseStatus.SUBMITTED
    assert case.registered_by == world.general_clerk
    assert get_case_for(world.police_clerk, case.public_id) == case  # in 公安局's queue
    ticket.refresh_from_db()
    assert ticket.case_public_ids == [str(case.public_id)]
    receipt = client.get(f"/workbench/hall/cases/{case.public_id}/")
    assert receipt.status_code == 200 and case.number in receipt.content.decode()
    pdf = client.get(f"/workbench/hall/cases/{case.public_id}/receipt/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    # another clerk cannot open the case through the console
    client.logout()
    staff_login(client, world.police_clerk)
    sign_in(world.window_police, world.police_clerk)
    assert client.get(f"/workbench/hall/cases/{case.public_id}/").status_code == 404


def test_registration_errors_are_shown_and_outside_items_refused(world: Any, client: Client) -> None:
    _serve(world, client)
    answer = client.post(
        f"/workbench/hall/register/{world.police_item.public_id}/",
        {"applicant_name": "王芳", "applicant_id_number": "11010519491231002X"},
    )
    assert answer.status_code == 400 and Case.objects.count() == 0
    other = make_item(world.centre, name="不在大厅的事项")
    assert client.get(f"/workbench/hall/register/{other.public_id}/").status_code == 404


def test_scans_join_the_case_registered_at_this_visit(world: Any, client: Client) -> None:
    item = make_item(
        world.police,
        name="户口迁移",
        online_apply=False,
        materials=[
            {"name": "户口簿", "mandatory": True, "originals": 1, "copies": 0},
            {"name": "迁入证明", "mandatory": False, "originals": 1, "copies": 0},
        ],
        form_fields=[],
    )
    world.category_police.items.add(item)
    _serve(world, client)
    first, second = item.materials.order_by("pk")
    client.post(
        f"/workbench/hall/register/{item.public_id}/",
        {
            "applicant_name": "王芳",
            "applicant_id_number": "11010519491231002X",
            f"material_{first.public_id}": pdf_upload("hukou.pdf"),
        },
    )
    case = Case.objects.get(item=item)
    page = client.get(f"/workbench/hall/cases/{case.public_id}/").content.decode()
    assert 'id="scan-form"' in page
    answer = client.post(
        f"/workbench/hall/cases/{case.public_id}/scans/",
        {f"material_{second.public_id}": pdf_upload("proof.pdf")},
    )
    assert answer.status_code == 302
    materials = list(case.materials.order_by("pk"))
    assert [m.original_name for m in materials] == ["hukou.pdf", "proof.pdf"]
    assert {m.source for m in materials} == {CaseMaterialSource.CLERK_SCAN}
    assert client.post(f"/workbench/hall/cases/{case.public_id}/scans/", {}).status_code == 400
    # once the department accepted the case, no more scans
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.ACCEPTED)
    late = client.post(
        f"/workbench/hall/cases/{case.public_id}/scans/",
        {f"material_{second.public_id}": pdf_upload("late.pdf")},
    )
    assert late.status_code == 409 and case.materials.count() == 2
