"""Answered tickets become draft entries once (knowledge_sync is idempotent)."""

from __future__ import annotations

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from yiwang.knowledge.models import EntryKind, EntryStatus, KnowledgeEntry
from yiwang.knowledge.services import propose_from_tickets
from yiwang.testing.knowledge import World
from yiwang.tickets.models import Ticket
from yiwang.tickets.services.intake import create_ticket


def test_answered_tickets_proposed_once(world: World) -> None:
    ticket = create_ticket(
        actor=world.citizen,
        category="consultation",
        title="居住证多久能办好",
        content="请问居住证多久能办好？",
        channel="web",
    )
    Ticket.objects.filter(pk=ticket.pk).update(
        reply="一般7个工作日。", replied_at=timezone.now() - timedelta(hours=1)
    )
    assert propose_from_tickets() == 1
    assert propose_from_tickets() == 0
    entry = KnowledgeEntry.objects.get(source_key=f"ticket:{ticket.public_id}")
    assert (entry.kind, entry.status, entry.answer) == (
        EntryKind.TICKET,
        EntryStatus.DRAFT,
        "一般7个工作日。",
    )
    call_command("knowledge_sync")
    call_command("knowledge_defaults")
    assert KnowledgeEntry.objects.filter(kind=EntryKind.TICKET).count() == 1
