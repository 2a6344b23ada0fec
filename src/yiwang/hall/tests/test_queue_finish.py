"""办结 Finishing a service invites a rating (hall visit) and serves the appointment."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from yiwang.hall.models import AppointmentStatus, QueueStatus
from yiwang.hall.services import queue
from yiwang.hall.services.checkin import check_in
from yiwang.hall.tests.queue_helpers import book, sign_in, take
from yiwang.ratings.models import RatingInvitation

TZ = ZoneInfo("Asia/Shanghai")


def test_finish_invites_a_rating_and_serves_the_appointment(world: Any, frozen: Any) -> None:
    frozen.move_to(datetime(2026, 12, 7, 9, 30, tzinfo=TZ))
    appointment = book(world, datetime(2026, 12, 7, 10, 0, tzinfo=TZ), item=world.police_item)
    ticket = check_in(appointment=appointment)
    sign_in(world.window_police, world.police_clerk)
    called = queue.call_next(window=world.window_police, clerk=world.police_clerk)
    assert called.pk == ticket.pk
    queue.start_service(ticket=called, clerk=world.police_clerk)
    frozen.move_to(datetime(2026, 12, 7, 9, 42, tzinfo=TZ))
    done = queue.finish(ticket=called, clerk=world.police_clerk, case_public_ids=["abc"])
    assert done.status == QueueStatus.DONE and done.case_public_ids == ["abc"]
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SERVED and appointment.served_at is not None
    invitation = RatingInvitation.objects.get(subject_kind="hall_visit", subject_id=done.public_id)
    assert invitation.organisation == world.police and invitation.item == world.police_item
    assert invitation.region_code == "340100" and invitation.applicant == world.citizen
    assert done.number in invitation.subject_label


def test_walk_in_ticket_rated_for_the_clerks_department(world: Any) -> None:
    take(world)
    sign_in(world.window_market, world.clerk)
    ticket = queue.call_next(window=world.window_market, clerk=world.clerk)
    queue.finish(ticket=ticket, clerk=world.clerk)
    invitation = RatingInvitation.objects.get(subject_kind="hall_visit", subject_id=ticket.public_id)
    assert invitation.organisation == world.market and invitation.item is None
