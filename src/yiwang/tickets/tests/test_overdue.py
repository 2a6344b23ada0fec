from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from yiwang.accounts.models import InboxMessage
from yiwang.tickets.models import TicketEvent
from yiwang.tickets.reads import filtered_tickets, visible_tickets
from yiwang.tickets.services import accept, scan_overdue

from .helpers import complaint

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def test_scan_flags_once_and_tells_department_and_supervisor(world, django_capture_on_commit_callbacks):
    late = complaint(world)
    accept(late, actor=world.clerk)
    assert scan_overdue() == 0
    with time_machine.travel(datetime(2026, 12, 14, 9, 0, tzinfo=TZ), tick=False):  # after Fri 11 Dec
        with django_capture_on_commit_callbacks(execute=True):
            assert scan_overdue() == 1
        assert scan_overdue() == 0
        call_command("tickets_scan", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert TicketEvent.objects.filter(ticket=late, kind="overdue").count() == 1
        assert InboxMessage.objects.filter(user=world.clerk, title__contains="超期").count() == 1
        assert InboxMessage.objects.filter(user=world.supervisor, title__contains="超期").count() == 1
        rows = filtered_tickets(visible_tickets(world.supervisor), overdue=True)
        assert list(rows) == [late]


def test_not_accepted_by_the_accept_deadline_is_overdue(world):
    ticket = complaint(world)  # accept by Monday 7 Dec
    with time_machine.travel(datetime(2026, 12, 8, 9, 0, tzinfo=TZ), tick=False):
        assert scan_overdue() == 1
    ticket.refresh_from_db()
    assert ticket.overdue_flagged_at is not None
