from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from yiwang.accounts.models import InboxMessage
from yiwang.core.errors import DomainError
from yiwang.ratings.models import RatingInvitation
from yiwang.tickets.actions import allowed_actions
from yiwang.tickets.models import TicketEvent, TicketStatus
from yiwang.tickets.services import (
    accept,
    answer,
    close,
    decide_extension,
    dispatch,
    merge,
    reply,
    request_extension,
    return_ticket,
    revisit,
    transfer,
)

from .helpers import call, complaint

pytestmark = pytest.mark.django_db(transaction=False)
TZ = ZoneInfo("Asia/Shanghai")


def test_full_flow_accept_reply_revisit_close(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = complaint(world)
        accept(ticket, actor=world.clerk)
        reply(ticket, actor=world.clerk, text="已责令商家退换并立案调查。")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.REPLIED
    assert RatingInvitation.objects.filter(subject_kind="ticket", subject_id=ticket.public_id).exists()
    assert InboxMessage.objects.filter(user=world.citizen, body__contains="已答复").exists()
    assert InboxMessage.objects.filter(user=world.clerk, title__contains="新工单").exists()
    revisit(ticket, actor=world.agent, result="satisfied")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED and ticket.revisit_result == "satisfied"
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds == ["created", "dispatched", "accepted", "replied", "revisited", "closed"]


def test_transfer_restarts_the_clock_across_the_weekend(world):
    ticket = complaint(world)  # Friday 4 Dec
    with time_machine.travel(datetime(2026, 12, 7, 9, 0, tzinfo=TZ), tick=False):  # Monday
        transfer(ticket, actor=world.clerk, department=world.police, reason="属户政问题")
    ticket.refresh_from_db()
    assert ticket.department == world.police and ticket.status == TicketStatus.DISPATCHED
    assert ticket.accept_due == date(2026, 12, 8)
    assert ticket.reply_due == date(2026, 12, 14)
    assert "accept" not in allowed_actions(world.clerk, ticket)
    assert "accept" in allowed_actions(world.police_clerk, ticket)


def test_return_then_redispatch(world, django_capture_on_commit_callbacks):
    ticket = complaint(world)
    with pytest.raises(DomainError):
        return_ticket(ticket, actor=world.clerk, reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        return_ticket(ticket, actor=world.clerk, reason="非本部门职责")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RETURNED and ticket.department is None
    assert InboxMessage.objects.filter(user=world.agent, title__contains="退回").exists()
    dispatch(ticket, actor=world.agent, department=world.police)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.DISPATCHED and ticket.department == world.police


def test_extension_moves_the_reply_deadline_in_working_days(world):
    ticket = complaint(world)
    accept(ticket, actor=world.clerk)
    ticket.refresh_from_db()
    assert ticket.reply_due == date(2026, 12, 11)  # Friday + 5 working days
    request_extension(ticket, actor=world.clerk, days=3, reason="需现场核查")
    with pytest.raises(DomainError) as err:
        request_extension(ticket, actor=world.clerk, days=3, reason="again")
    assert err.value.status == 409
    with pytest.raises(DomainError) as err:
        decide_extension(ticket, actor=world.clerk, approve=True)
    assert err.value.status == 403
    decide_extension(ticket, actor=world.supervisor, approve=True, comment="同意")
    ticket.refresh_from_db()
    assert ticket.reply_due == date(2026, 12, 16)  # Fri 11 + 3 working days (over the weekend)
    request_extension(ticket, actor=world.clerk, days=2, reason="再延")
    decide_extension(ticket, actor=world.agent, approve=False)
    ticket.refresh_from_db()
    assert ticket.reply_due == date(2026, 12, 16)


def test_extension_days_are_bounded(world):
    ticket = complaint(world)
    accept(ticket, actor=world.clerk)
    with pytest.raises(DomainError) as err:
        request_extension(ticket, actor=world.clerk, days=0, reason="x")
    assert err.value.fields == {"days": ["0"]}


def test_unsatisfied_revisit_reopens_once(world):
    ticket = complaint(world)
    accept(ticket, actor=world.clerk)
    reply(ticket, actor=world.clerk, text="已处理")
    revisit(ticket, actor=world.citizen, result="unsatisfied", note="商家仍未退换")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ACCEPTED and ticket.reopened_count == 1
    assert "reply" in allowed_actions(world.clerk, ticket)
    reply(ticket, actor=world.clerk, text="已再次督促")
    revisit(ticket, actor=world.agent, result="unsatisfied")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED and ticket.revisit_result == "unsatisfied"


def test_applicant_may_rate_only_own_replied_ticket(world):
    ticket = complaint(world)
    with pytest.raises(DomainError) as err:
        revisit(ticket, actor=world.citizen, result="satisfied")
    assert err.value.status == 409
    accept(ticket, actor=world.clerk)
    reply(ticket, actor=world.clerk, text="已处理")
    with pytest.raises(DomainError) as err:
        revisit(ticket, actor=world.citizen2, result="satisfied")
    assert err.value.status == 404
    with pytest.raises(DomainError):
        revisit(ticket, actor=world.citizen, result="great")
    revisit(ticket, actor=world.citizen, result="basic")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED


def test_merge_closes_duplicates_with_the_main_ticket(world, django_capture_on_commit_callbacks):
    main = complaint(world)
    dup = complaint(world, actor=world.citizen2)
    with pytest.raises(DomainError):
        merge(dup, actor=world.agent, into=dup)
    with pytest.raises(DomainError) as err:
        merge(dup, actor=world.clerk, into=main)
    assert err.value.status == 403
    with django_capture_on_commit_callbacks(execute=True):
        merge(dup, actor=world.agent, into=main)
    dup.refresh_from_db()
    assert dup.status == TicketStatus.MERGED and dup.merged_into == main
    assert InboxMessage.objects.filter(user=world.citizen2, body__contains="合并").exists()
    accept(main, actor=world.clerk)
    reply(main, actor=world.clerk, text="已处理")
    with django_capture_on_commit_callbacks(execute=True):
        close(main, actor=world.agent, note="无法联系")
    dup.refresh_from_db()
    assert dup.status == TicketStatus.CLOSED and dup.reply == "已处理"
    assert InboxMessage.objects.filter(user=world.citizen2, body__contains="已办结").exists()


def test_agent_answers_a_consultation_directly(world):
    ticket = call(world)
    answer(ticket, actor=world.agent, text="需身份证、经营场所证明。")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED and ticket.department == world.centre
    assert ticket.replied_by == world.agent


def test_wrong_state_is_409_and_stranger_404(world):
    ticket = complaint(world)
    with pytest.raises(DomainError) as err:
        reply(ticket, actor=world.clerk, text="x")
    assert err.value.status == 409
    with pytest.raises(DomainError) as err:
        accept(ticket, actor=world.police_clerk)
    assert err.value.status == 404
