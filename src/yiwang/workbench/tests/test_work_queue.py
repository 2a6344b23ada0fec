"""The work queue (流程待办): assignment by role + department + region, filters, deadline colours,
claim / release / delegate, batch actions, the done list, the API and who may see what."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from yiwang.accounts.models import StaffRoleAssignment
from yiwang.cases.models import Case, CaseOutcome, CaseStatus
from yiwang.cases.services import accept_case
from yiwang.cases.work_queue import clock_state
from yiwang.testing import portal as factories
from yiwang.testing.fixtures import logged_in
from yiwang.testing.portal import apply_for
from yiwang.workflow import services as workflow
from yiwang.workflow.models import WorkItem, WorkItemStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def definitions(db):
    return {d.key: d for d in workflow.install_default_definitions()}


@pytest.fixture
def handler(department):
    return factories.make_staff(department, "handler", ["handler"], "陈静")


@pytest.fixture
def handler2(department):
    return factories.make_staff(department, "handler2", ["handler"], "周涛")


def _accepted(item, citizen, clerk, key):
    return accept_case(apply_for(item, citizen, key=key), actor=clerk)


def _review(case) -> WorkItem:
    return WorkItem.objects.get(instance__reference=case.number, task_name="review")


def test_review_items_are_offered_by_role_and_department(
    definitions, item, citizen, clerk, handler, other_department
):
    case = _accepted(item, citizen, clerk, "a")
    foreign_handler = factories.make_staff(other_department, "ps_handler", ["handler"])
    assert [w.instance.reference for w in workflow.todo(handler)] == [case.number]
    assert list(workflow.todo(clerk)) == []  # wrong role
    assert list(workflow.todo(foreign_handler)) == []  # wrong department
    # A handler role with the region data scope covers the departments of his region (合肥市).
    StaffRoleAssignment.objects.filter(staff__user=foreign_handler).update(scope="region")
    foreign_handler = type(foreign_handler).objects.get(pk=foreign_handler.pk)
    assert [w.instance.reference for w in workflow.todo(foreign_handler)] == [case.number]
    assert workflow.eligible(foreign_handler, _review(case))


def test_task_page_lists_filters_and_colours(
    definitions, item, citizen, clerk, handler, django_assert_max_num_queries
):
    cases = [_accepted(item, citizen, clerk, f"k{n}") for n in range(4)]
    today = timezone.localdate()
    Case.objects.filter(pk=cases[0].pk).update(due_date=today - timedelta(days=2))
    WorkItem.objects.filter(instance__reference=cases[0].number).update(due_date=today - timedelta(days=2))
    client = logged_in(handler)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("workbench:tasks"))
    html = response.content.decode()
    assert response.status_code == 200
    for case in cases:
        assert case.number in html
    assert "due-overdue" in html and "已超期 2 天" in html
    assert "张伟" in html  # the applicant
    # htmx: the search answers with the rows only
    response = client.get(reverse("workbench:tasks"), {"q": cases[1].number[-8:]}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and cases[1].number in html and cases[2].number not in html
    # by applicant name, by item, by task type, by due range
    assert cases[3].number in client.get(reverse("workbench:tasks"), {"q": "张伟"}).content.decode()
    other = factories.make_item(item.implementing_body, name="个体工商户注册登记")
    assert (
        cases[0].number
        not in client.get(reverse("workbench:tasks"), {"item": str(other.public_id)}).content.decode()
    )
    assert (
        cases[0].number
        in client.get(reverse("workbench:tasks"), {"item": str(item.public_id)}).content.decode()
    )
    assert cases[0].number not in client.get(reverse("workbench:tasks"), {"task": "decide"}).content.decode()
    html = client.get(reverse("workbench:tasks"), {"due_to": today.isoformat()}).content.decode()
    assert cases[0].number in html and cases[1].number not in html
    # claimed by me / unclaimed
    workflow.claim(_review(cases[2]), user=handler)
    html = client.get(reverse("workbench:tasks"), {"mine": "mine"}).content.decode()
    assert cases[2].number in html and cases[1].number not in html
    html = client.get(reverse("workbench:tasks"), {"mine": "unclaimed"}).content.decode()
    assert cases[2].number not in html and cases[1].number in html
    # bad filter values are ignored or give an empty list, never a 500
    assert client.get(reverse("workbench:tasks"), {"item": "nope", "due_from": "x"}).status_code == 200


def test_clock_colours_count_working_days(calendar):
    friday = date(2026, 9, 25)
    assert clock_state(date(2026, 9, 24), friday)["css"] == "due-overdue"
    # 3 working days ahead crosses the weekend: Mon 28, Tue 29, Wed 30 → due soon
    assert clock_state(date(2026, 9, 30), friday)["css"] == "due-soon"
    # National Day holidays (Oct 1-8) are not working days: still due soon on Oct 9
    assert clock_state(date(2026, 10, 9), date(2026, 9, 29))["css"] == "due-soon"
    assert clock_state(date(2026, 10, 30), friday)["css"] == "due-ok"
    assert clock_state(None, friday) is None


def test_claim_release_and_delegate_from_the_page(definitions, item, citizen, clerk, handler, handler2):
    case = _accepted(item, citizen, clerk, "a")
    review = _review(case)
    client = logged_in(handler)
    response = client.post(reverse("workbench:task_action", args=[review.public_id, "claim"]))
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.assignee) == (WorkItemStatus.CLAIMED, handler)
    # Claimed items leave the colleague's list of unclaimed items and cannot be taken by him.
    assert list(workflow.todo(handler2)) == []
    logged_in(handler2).post(reverse("workbench:task_action", args=[review.public_id, "claim"]))
    review.refresh_from_db()
    assert review.assignee == handler
    client.post(reverse("workbench:task_action", args=[review.public_id, "release"]))
    review.refresh_from_db()
    assert (review.status, review.assignee) == (WorkItemStatus.OPEN, None)
    # Delegation only to staff of the same organisation and role (the page offers only them).
    html = client.get(reverse("workbench:tasks")).content.decode()
    assert f'value="{handler2.public_id}"' in html and f'value="{clerk.public_id}"' not in html
    client.post(
        reverse("workbench:task_action", args=[review.public_id, "delegate"]), {"to": str(clerk.public_id)}
    )
    review.refresh_from_db()
    assert review.assignee is None
    client.post(
        reverse("workbench:task_action", args=[review.public_id, "delegate"]), {"to": str(handler2.public_id)}
    )
    review.refresh_from_db()
    assert (review.assignee, review.delegated_by) == (handler2, handler)
    assert [w.pk for w in workflow.todo(handler2)] == [review.pk]


def test_batch_claim_and_approve_report_each_item(
    definitions, item, citizen, clerk, handler, handler2, approver, django_assert_max_num_queries
):
    cases = [_accepted(item, citizen, clerk, f"b{n}") for n in range(3)]
    reviews = [_review(case) for case in cases]
    workflow.claim(reviews[0], user=handler2)  # a colleague took the first one
    client = logged_in(handler)
    response = client.post(
        reverse("workbench:task_batch"),
        {"action": "claim", "selected": [str(r.public_id) for r in reviews]},
        follow=True,
    )
    text = response.content.decode()
    assert "已被他人签收" in text and text.count("已签收") >= 2
    for review in reviews:
        review.refresh_from_db()
    assert [r.assignee for r in reviews] == [handler2, handler, handler]
    # 审查 allows batch approval (BPMN property batch_approve); the failures are reported per item
    results = workflow.batch("approve", [str(r.public_id) for r in reviews], user=handler)
    assert [r.ok for r in results] == [False, True, True]
    for review in reviews[1:]:
        review.refresh_from_db()
        assert review.status == WorkItemStatus.COMPLETED and review.result["approve"] is True
    # 决定 does not allow batch approval: each decision is taken one by one
    decides = list(WorkItem.objects.filter(task_name="decide"))
    assert len(decides) == 2 and not any(d.allow_batch for d in decides)
    results = workflow.batch("approve", [str(d.public_id) for d in decides], user=approver)
    assert [r.code for r in results] == ["batch_approval_not_allowed"] * 2
    # the done list shows what I completed
    with django_assert_max_num_queries(13):  # constant: one query for the cases behind the rows
        html = client.get(reverse("workbench:tasks_done")).content.decode()
    assert cases[1].number in html and cases[2].number in html and cases[0].number not in html


def test_decide_task_on_the_case_page_completes_the_case(definitions, item, citizen, clerk, approver):
    case = _accepted(item, citizen, clerk, "d")
    client = logged_in(approver)  # handler + approver
    html = client.get(reverse("workbench:case_detail", args=[case.public_id])).content.decode()
    assert 'id="process-diagram"' in html and "process-bpmn" in html
    assert 'id="approve-button"' not in html  # the process decides, not the direct form
    review = _review(case)
    client.post(
        reverse("workbench:task_action", args=[review.public_id, "complete"]),
        {"decision": "approve", "comment": "材料齐全"},
    )
    html = client.get(reverse("workbench:case_detail", args=[case.public_id])).content.decode()
    assert '"decide"' in html  # the active element highlighted in the viewer
    decide = WorkItem.objects.get(task_name="decide")
    response = client.post(
        reverse("workbench:task_action", args=[decide.public_id, "complete"]), {"decision": "refuse"}
    )
    assert "不同意时必须说明理由" in client.get(response["Location"]).content.decode()
    client.post(
        reverse("workbench:task_action", args=[decide.public_id, "complete"]),
        {"decision": "approve", "comment": "同意"},
    )
    case.refresh_from_db()
    assert (case.status, case.outcome) == (CaseStatus.COMPLETED, CaseOutcome.APPROVED)


def test_tasks_api_filters_and_actions(
    definitions, item, citizen, clerk, handler, handler2, django_assert_max_num_queries
):
    from yiwang.testing.clients import token_client

    cases = [_accepted(item, citizen, clerk, f"api{n}") for n in range(3)]
    api = token_client(handler)
    with django_assert_max_num_queries(10):
        response = api.get("/api/v1/workflow/tasks")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3 and {t["case_number"] for t in body["items"]} == {c.number for c in cases}
    assert body["items"][0]["clock"] in {"due-ok", "due-soon", "due-overdue"}
    assert api.get("/api/v1/workflow/tasks", {"q": cases[0].number}).json()["count"] == 1
    assert api.get("/api/v1/workflow/tasks", {"task": "decide"}).json()["count"] == 0
    assert api.get("/api/v1/workflow/tasks", {"due_from": "not-a-date"}).status_code == 422
    task_id = body["items"][0]["id"]
    assert api.post(f"/api/v1/workflow/tasks/{task_id}/claim").json()["status"] == "claimed"
    conflict = token_client(handler2).post(f"/api/v1/workflow/tasks/{task_id}/claim")
    assert conflict.status_code == 409 and conflict.json()["code"] == "work_item_taken"
    bad = api.post(
        f"/api/v1/workflow/tasks/{task_id}/delegate",
        {"to": str(clerk.public_id)},
        content_type="application/json",
    )
    assert bad.status_code == 403
    refused = api.post(
        f"/api/v1/workflow/tasks/{task_id}/complete", {"approve": False}, content_type="application/json"
    )
    assert refused.status_code == 400
    ok = api.post(
        f"/api/v1/workflow/tasks/{task_id}/complete",
        {"approve": True, "comment": "ok"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "completed"
    results = api.post(
        "/api/v1/workflow/tasks/batch",
        {"action": "approve", "ids": [t["id"] for t in body["items"]]},
        content_type="application/json",
    ).json()
    assert sorted(r["ok"] for r in results) == [False, True, True]
    done = api.get("/api/v1/workflow/tasks", {"done": "true"}).json()
    assert done["count"] == 3


def test_work_queue_authorisation(
    definitions, item, citizen, clerk, handler, other_department, citizen_client
):
    from yiwang.testing.clients import token_client

    case = _accepted(item, citizen, clerk, "z")
    review = _review(case)
    outsider = factories.make_staff(other_department, "ps_handler", ["handler"])
    # anonymous → login; citizens → 403; the API → 401 / 403
    assert logged_in(handler).get(reverse("workbench:tasks")).status_code == 200
    assert citizen_client.get(reverse("workbench:tasks")).status_code == 403
    assert (
        citizen_client.post(reverse("workbench:task_action", args=[review.public_id, "claim"])).status_code
        == 403
    )
    from django.test import Client

    assert Client().get("/api/v1/workflow/tasks").status_code == 401
    assert token_client(citizen).get("/api/v1/workflow/tasks").status_code == 403
    # staff of another department neither see nor act on the item (reported as not found)
    assert token_client(outsider).get("/api/v1/workflow/tasks").json()["count"] == 0
    assert token_client(outsider).post(f"/api/v1/workflow/tasks/{review.public_id}/claim").status_code == 404
    response = logged_in(outsider).post(reverse("workbench:task_action", args=[review.public_id, "claim"]))
    assert response.status_code == 404
    assert logged_in(outsider).get(reverse("workbench:case_detail", args=[case.public_id])).status_code == 404
    review.refresh_from_db()
    assert review.status == WorkItemStatus.OPEN
    # a clerk (wrong role) of the same department cannot complete it either
    assert (
        token_client(clerk)
        .post(
            f"/api/v1/workflow/tasks/{review.public_id}/complete",
            {"approve": True},
            content_type="application/json",
        )
        .status_code
        == 404
    )


def test_a_case_decided_outside_its_process_cancels_the_open_tasks(
    definitions, item, citizen, clerk, approver
):
    from yiwang.testing.clients import token_client
    from yiwang.workflow.models import ProcessStatus

    case = _accepted(item, citizen, clerk, "direct")
    response = token_client(approver).post(
        f"/api/v1/workbench/cases/{case.public_id}/decide",
        {"approve": True, "comment": "同意"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "completed"
    review = _review(case)
    assert review.status == WorkItemStatus.CANCELLED
    assert review.instance.status == ProcessStatus.TERMINATED
    assert list(workflow.todo(approver)) == []
