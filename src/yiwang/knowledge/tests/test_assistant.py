"""The assistant: answers with sources per intent, hand-over to a ticket (asked for, or after two
misses) with the conversation attached, rating, conversation ownership, API shapes."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from yiwang.knowledge.models import Conversation
from yiwang.knowledge.services import post_message
from yiwang.testing.knowledge import World
from yiwang.testing.supervision import make_case
from yiwang.tickets.models import Ticket

API = "/api/v1/knowledge/assistant/messages"


def ask(client: Client, text: str, conversation_id: str | None = None) -> dict:
    body = {"text": text} | ({"conversation_id": conversation_id} if conversation_id else {})
    response = client.post(API, body, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def test_howto_cites_guide_and_apply(world: World) -> None:
    reply = ask(Client(), "怎么办理个体工商户")
    assert reply["intent"] == "howto"
    urls = [s["url"] for s in reply["sources"]]
    assert f"/items/{world.item.public_id}/" in urls
    assert f"/items/{world.item.public_id}/apply/" in urls
    assert any(url.startswith("/help/") for url in urls)


def test_materials_lists_the_items_materials(world: World) -> None:
    reply = ask(Client(), "个体工商户设立登记需要带什么材料")
    assert reply["intent"] == "materials"
    first = world.item.materials.order_by("order").first()
    assert first.name in reply["text"]


def test_faq_and_greeting_and_complaint(world: World) -> None:
    client = Client()
    assert ask(client, "你好")["intent"] == "greeting"
    reply = ask(client, "忘记密码了怎么办")
    assert "重设密码" in reply["text"] and reply["sources"][0]["title"] == "忘记密码怎么办"
    assert "转人工" in ask(client, "我要投诉")["text"]


def test_progress_lists_my_cases(world: World) -> None:
    from_case = make_case(world.item, world.citizen, submitted_at=world.item.published_at)
    client = Client()
    client.force_login(world.citizen)
    reply = ask(client, "我的办件办到哪了")
    assert reply["intent"] == "progress"
    assert from_case.number in reply["text"]
    assert any(s["url"] == "/status/" for s in reply["sources"])


def test_handover_on_request_creates_ticket_with_conversation(world: World) -> None:
    client = Client()
    first = ask(client, "个体户怎么办理")
    reply = ask(client, "转人工", first["conversation_id"])
    assert reply["intent"] == "human" and reply["ticket_code"]
    ticket = Ticket.objects.get(number=reply["ticket_code"])
    assert ticket.channel == "assistant"
    conversation = Conversation.objects.get(public_id=first["conversation_id"])
    assert conversation.ticket_public_id == ticket.public_id
    assert reply["ticket_code"] in reply["text"]


def test_two_misses_hand_over(world: World) -> None:
    client = Client()
    first = ask(client, "量子纠缠")
    assert first["ticket_code"] == ""
    second = ask(client, "黑洞辐射", first["conversation_id"])
    assert second["ticket_code"] and second["intent"] == "human"


def test_conversation_belongs_to_its_session(world: World) -> None:
    mine, other = Client(), Client()
    reply = ask(mine, "你好")
    assert (
        mine.get(f"/api/v1/knowledge/assistant/conversations/{reply['conversation_id']}").status_code == 200
    )
    stolen = other.post(
        API, {"text": "你好", "conversation_id": reply["conversation_id"]}, content_type="application/json"
    )
    assert stolen.status_code == 404 and stolen.json()["code"] == "knowledge_not_found"
    assert (
        other.get(f"/api/v1/knowledge/assistant/conversations/{reply['conversation_id']}").status_code == 404
    )


def test_rating_once(world: World) -> None:
    client = Client()
    reply = ask(client, "你好")
    url = f"/api/v1/knowledge/assistant/conversations/{reply['conversation_id']}/rating"
    ok = client.post(url, {"helpful": True, "score": 5}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["score"] == 5
    again = client.post(url, {"helpful": False}, content_type="application/json")
    assert again.status_code == 409 and set(again.json()) == {"code", "message", "fields"}
    bad = client.post(url, {"helpful": True, "score": 9}, content_type="application/json")
    assert bad.status_code in (409, 422)


def test_bad_input_is_4xx(world: World) -> None:
    client = Client()
    assert client.post(API, {"text": ""}, content_type="application/json").status_code == 422
    assert client.post(API, {"text": "x" * 501}, content_type="application/json").status_code == 422
    missing = client.post(
        API, {"text": "你好", "conversation_id": str(uuid.uuid4())}, content_type="application/json"
    )
    assert missing.status_code == 404


def test_page_endpoint_htmx_and_without_js(world: World) -> None:
    client = Client()
    fragment = client.post("/help/assistant/", {"text": "怎么办理个体工商户"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert f"/items/{world.item.public_id}/" in fragment.content.decode()
    plain = client.post("/help/assistant/", {"text": "转人工"})
    assert plain.status_code == 302
    page = client.get("/help/assistant/").content.decode()
    assert "data-ticket-code" in page
    rated = client.post("/help/assistant/rate/", {"helpful": "yes", "score": "4"})
    assert rated.status_code == 302
    assert Conversation.objects.get(ticket_code__gt="").score == 4


def test_answer_queries_bounded(world: World, django_assert_max_num_queries) -> None:
    conversation, _ = post_message("你好", user=None, session_key="s" * 32)
    with django_assert_max_num_queries(20):
        post_message(
            "怎么办理个体工商户", user=None, session_key="s" * 32, conversation_id=conversation.public_id
        )


@pytest.mark.parametrize("text", ["", "   "])
def test_blank_message_refused(world: World, text: str) -> None:
    with pytest.raises(Exception) as caught:
        post_message(text, user=None, session_key="k" * 32)
    assert getattr(caught.value, "code", "") == "knowledge_text_required"
