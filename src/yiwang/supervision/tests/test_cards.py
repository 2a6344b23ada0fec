"""Red and yellow cards: issued, suggested by thresholds, appealed (upheld and revoked)."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from yiwang.core.audit import AuditEvent
from yiwang.core.errors import DomainError
from yiwang.supervision import services
from yiwang.supervision.models import AppealStatus, Card, CardStatus
from yiwang.supervision.scan import run_scan
from yiwang.testing.supervision import NOW, World, make_case

SEPT = (date(2026, 9, 1), date(2026, 9, 30))


def issue(world: World, colour: str = "yellow") -> Card:
    return services.issue_card(
        world.department,
        actor=world.supervisor,
        colour=colour,
        period_start=SEPT[0],
        period_end=SEPT[1],
        reason="超期办件较多",
    )


def test_appeal_upheld(world: World) -> None:
    card = issue(world)
    appeal = services.file_appeal(card, actor=world.handler, reasons="超期系系统故障所致")
    card.refresh_from_db()
    assert card.status == CardStatus.APPEALED
    decided = services.decide_appeal(card, actor=world.supervisor, revoke=False, comment="故障不影响办理")
    card.refresh_from_db()
    assert decided.pk == appeal.pk and decided.status == AppealStatus.UPHELD
    assert card.status == CardStatus.UPHELD
    with pytest.raises(DomainError) as exc:
        services.file_appeal(card, actor=world.handler, reasons="再次申诉")
    assert exc.value.status == 409


def test_appeal_revoked(world: World) -> None:
    card = issue(world, "red")
    services.file_appeal(card, actor=world.clerk, reasons="数据有误")
    services.decide_appeal(card, actor=world.supervisor, revoke=True, comment="核实数据有误")
    card.refresh_from_db()
    assert card.status == CardStatus.REVOKED
    assert AuditEvent.objects.filter(action="supervision.appeal.revoked").exists()


def test_who_may_not(world: World) -> None:
    with pytest.raises(DomainError) as exc:
        services.issue_card(
            world.department,
            actor=world.approver,
            colour="red",
            period_start=SEPT[0],
            period_end=SEPT[1],
            reason="x",
        )
    assert exc.value.status == 403
    with pytest.raises(DomainError) as exc:
        services.issue_card(
            world.far_department,
            actor=world.supervisor,
            colour="red",
            period_start=SEPT[0],
            period_end=SEPT[1],
            reason="x",
        )
    assert exc.value.status == 403
    card = issue(world)
    with pytest.raises(DomainError) as exc:
        services.file_appeal(card, actor=world.other_clerk, reasons="x")
    assert exc.value.status == 403
    with pytest.raises(DomainError) as exc:
        services.file_appeal(card, actor=world.handler, reasons=" ")
    assert exc.value.code == "supervision_text_required"


def test_suggested_from_red_warnings(world: World, rules: None) -> None:
    for n in range(3):
        make_case(
            world.item, world.citizen, submitted_at=NOW - timedelta(days=9), due_date=date(2026, 9, 14 + n)
        )
    run_scan()
    assert services.suggest_cards(*SEPT) == 1
    assert services.suggest_cards(*SEPT) == 0
    card = Card.objects.get()
    assert (card.status, card.colour, card.red_warnings) == (CardStatus.SUGGESTED, "yellow", 3)
    services.confirm_suggestion(card, actor=world.supervisor, accept=True)
    card.refresh_from_db()
    assert card.status == CardStatus.ISSUED


def test_the_scheduled_job_suggests_for_the_last_whole_month(world: World, rules: None) -> None:
    for n in range(3):
        make_case(
            world.item, world.citizen, submitted_at=NOW - timedelta(days=9), due_date=date(2026, 9, 14 + n)
        )
    run_scan()
    with time_machine.travel(datetime(2026, 10, 2, 1, 15, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        out = io.StringIO()
        call_command("supervision_suggest_cards", stdout=out)
        call_command("supervision_suggest_cards", stdout=io.StringIO())
    assert "1 suggested for 2026-09-01–2026-09-30" in out.getvalue()
    card = Card.objects.get()
    assert (card.period_start, card.period_end, card.status) == (*SEPT, CardStatus.SUGGESTED)
    call_command("supervision_suggest_cards", "--month", "2026-09", stdout=io.StringIO())
    assert Card.objects.count() == 1
    with pytest.raises(CommandError):
        call_command("supervision_suggest_cards", "--month", "2026-13")
