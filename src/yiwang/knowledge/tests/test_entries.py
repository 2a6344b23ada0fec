"""Writing and reviewing entries: author ≠ reviewer, states, authorisation of the staff API and pages,
proposals from answered tickets, bounded list queries."""

from __future__ import annotations

import pytest
from django.test import Client

from yiwang.core.errors import Conflict, PermissionDenied
from yiwang.knowledge import search
from yiwang.knowledge.errors import KnowledgeErrorCode
from yiwang.knowledge.models import EntryStatus
from yiwang.knowledge.services import create_entry, publish_entry, review_entry, submit_entry, withdraw_entry
from yiwang.testing.clients import token_client
from yiwang.testing.knowledge import World
from yiwang.testing.mfa import staff_login


def test_lifecycle_and_author_is_not_reviewer(world: World) -> None:
    entry = create_entry(
        actor=world.reviewer, title="如何办理居住证", answer="到派出所申请。", synonyms="居住证明"
    )
    assert search.search("居住证") == []  # a draft is not found
    entry = submit_entry(entry, actor=world.reviewer)
    with pytest.raises(PermissionDenied) as own:
        review_entry(entry, actor=world.reviewer, approve=True)
    assert own.value.code == KnowledgeErrorCode.SAME_REVIEWER
    with pytest.raises(PermissionDenied):
        review_entry(entry, actor=world.editor, approve=True)  # 热线坐席 writes but does not review
    with pytest.raises(Conflict):
        publish_entry(entry, actor=world.editor)
    entry = review_entry(entry, actor=world.reviewer2, approve=True, comment="同意")
    entry = publish_entry(entry, actor=world.editor)
    assert (entry.status, entry.version) == (EntryStatus.PUBLISHED, 1)
    assert [hit.entry.pk for hit in search.search("居住证")] == [entry.pk]
    entry = withdraw_entry(entry, actor=world.editor)
    assert search.search("居住证") == []


def test_clerk_and_citizen_may_not_write(world: World) -> None:
    for user in (world.clerk, world.citizen):
        with pytest.raises(PermissionDenied):
            create_entry(actor=user, title="x", answer="y")


def test_staff_api(world: World, django_assert_max_num_queries) -> None:
    editor, reviewer = token_client(world.editor), token_client(world.reviewer)
    made = editor.post(
        "/api/v1/knowledge/entries",
        {"title": "社保卡丢了怎么办", "answer": "挂失后补办。"},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["allowed_actions"] == ["edit", "submit", "view"]
    eid = made.json()["id"]
    blank = editor.patch(f"/api/v1/knowledge/entries/{eid}", {"answer": " "}, content_type="application/json")
    assert blank.status_code == 400 and blank.json()["code"] == "knowledge_text_required"
    assert editor.post(f"/api/v1/knowledge/entries/{eid}/submit").json()["status"] == "in_review"
    assert "approve" in reviewer.get(f"/api/v1/knowledge/entries/{eid}").json()["allowed_actions"]
    reviewed = reviewer.post(
        f"/api/v1/knowledge/entries/{eid}/review", {"approve": True}, content_type="application/json"
    )
    assert reviewed.json()["status"] == "approved"
    assert editor.post(f"/api/v1/knowledge/entries/{eid}/publish").json()["status"] == "published"
    public = Client().get(f"/api/v1/knowledge/articles/{eid}")
    assert public.status_code == 200 and public.json()["answer"] == "挂失后补办。"
    found = Client().get("/api/v1/knowledge/search", {"q": "社保卡"}).json()
    assert found["results"][0]["id"] == eid
    assert token_client(world.clerk).get("/api/v1/knowledge/entries").status_code == 403
    assert token_client(world.citizen).get("/api/v1/knowledge/entries").status_code == 403
    with django_assert_max_num_queries(8):
        listed = editor.get("/api/v1/knowledge/entries", {"limit": 50})
    assert listed.json()["count"] >= 30
    assert (
        Client().get("/api/v1/knowledge/hot-topics", {"period": "week"}).json()["queries"][0]["label"]
        == "社保卡"
    )
    assert Client().get("/api/v1/knowledge/hot-topics", {"period": "year"}).status_code == 422


def test_draft_article_is_404(world: World) -> None:
    entry = create_entry(actor=world.editor, title="草稿", answer="内容")
    assert Client().get(f"/api/v1/knowledge/articles/{entry.public_id}").status_code == 404
    assert Client().get(f"/help/{entry.public_id}/").status_code == 404


def test_pages(world: World) -> None:
    anon = Client()
    index = anon.get("/help/", {"q": "个体户"})
    assert index.status_code == 200 and "个体工商户设立登记" in index.content.decode()
    staff = staff_login(Client(), world.reviewer)
    assert staff.get("/workbench/knowledge/").status_code == 200
    assert staff.get("/workbench/knowledge/review/").status_code == 200
    assert staff.get("/workbench/knowledge/proposals/").status_code == 200
    made = staff.post("/workbench/knowledge/new/", {"title": "如何开具证明", "answer": "在线申请。"})
    assert made.status_code == 302
    assert staff_login(Client(), world.clerk).get("/workbench/knowledge/").status_code == 403
