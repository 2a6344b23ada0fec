from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from yiwang.core.errors import DomainError
from yiwang.tickets.models import Ticket, TicketStatus
from yiwang.tickets.reads import answered_tickets
from yiwang.tickets.services import create_ticket

pytestmark = pytest.mark.django_db


def test_web_complaint_is_numbered_classified_and_routed(world):
    ticket = create_ticket(
        actor=world.citizen,
        category="complaint",
        title="超市销售过期食品",
        content="我在某超市买到过期食品，商家拒绝退换，投诉。",
        channel="web",
        region_code="340104",
    )
    assert ticket.number == "12345-20261204-000001"
    assert "食品安全" in ticket.tags
    assert ticket.status == TicketStatus.DISPATCHED
    assert ticket.department == world.market
    assert ticket.accept_due == date(2026, 12, 7)  # Friday + 1 working day = Monday
    assert ticket.reply_due == date(2026, 12, 11)
    assert ticket.contact_phone == "13900000001"
    second = create_ticket(
        actor=world.citizen, category="consultation", title="问", content="请问", channel="web"
    )
    assert second.number.endswith("-000002")


def test_assistant_ticket_keeps_the_conversation(world):
    ticket = create_ticket(
        actor=None,
        category="consultation",
        title="居住证办理",
        content="请问居住证需要什么材料？",
        channel="assistant",
        conversation=[{"role": "user", "text": "居住证"}, {"role": "assistant", "text": "请补充"}],
    )
    ticket.refresh_from_db()
    assert ticket.conversation[1]["role"] == "assistant"
    assert ticket.department == world.police


def test_bad_input_is_refused(world):
    with pytest.raises(DomainError) as err:
        create_ticket(actor=world.citizen, category="x", title="t", content="c", channel="web")
    assert err.value.fields == {"category": ["x"]}
    with pytest.raises(DomainError):
        create_ticket(actor=world.citizen, category="help", title="t", content=" ", channel="web")
    with pytest.raises(DomainError):
        create_ticket(
            actor=None,
            category="help",
            title="t",
            content="c",
            channel="assistant",
            conversation=[{"role": "x"}],
        )
    assert not Ticket.objects.exists()


def test_answered_tickets_lists_replies(world):
    ticket = create_ticket(
        actor=world.citizen, category="consultation", title="问", content="请问", channel="web"
    )
    assert answered_tickets() == []
    Ticket.objects.filter(pk=ticket.pk).update(reply="答", replied_at=ticket.created_at)
    rows = answered_tickets()
    assert [r.public_id for r in rows] == [ticket.public_id]
    assert rows[0].answer == "答" and rows[0].question == "请问"


def test_contact_and_conversation_are_encrypted_at_rest(world):
    ticket = create_ticket(
        actor=None,
        category="consultation",
        title="转人工",
        content="我要找人工",
        channel="assistant",
        contact_name="李四",
        contact_phone="13912345678",
        conversation=[{"role": "user", "text": "身份证 340104199005120015"}],
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT contact_name, contact_phone, conversation FROM tickets_ticket WHERE id = %s", [ticket.pk]
        )
        row = [str(value) for value in cursor.fetchone()]
    assert all(value.startswith("yw1$") for value in row)
    assert "李四" not in "".join(row) and "5678" not in "".join(row) and "0015" not in "".join(row)
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.contact_name, stored.contact_phone) == ("李四", "13912345678")
    assert stored.conversation[0]["text"].endswith("0015")
