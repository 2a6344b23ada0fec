"""叫号 Calling, recall, skip, re-queue, transfer; two windows never call the same ticket."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, transaction

from yiwang.core.errors import DomainError
from yiwang.hall.models import QueueEvent, QueueStatus, QueueTicket, WindowStatus
from yiwang.hall.services import queue, windows
from yiwang.hall.tests.queue_helpers import sign_in, take


def test_call_needs_an_open_window_held_by_the_clerk(world: Any) -> None:
    take(world)
    with pytest.raises(DomainError) as exc:
        queue.call_next(window=world.window_market, clerk=world.clerk)
    assert exc.value.code == "hall_window_busy"
    sign_in(world.window_market, world.clerk)
    with pytest.raises(DomainError) as exc:
        windows.open_window(window=world.window_market, clerk=world.general_clerk)
    assert exc.value.code == "hall_window_busy"
    with pytest.raises(DomainError):  # one window per clerk
        windows.open_window(window=world.window_general, clerk=world.clerk)
    windows.pause_window(window=world.window_market, clerk=world.clerk)
    with pytest.raises(DomainError) as exc:
        queue.call_next(window=world.window_market, clerk=world.clerk)
    assert exc.value.code == "hall_invalid_state"
    with pytest.raises(DomainError) as exc:
        windows.open_window(window=world.window_market, clerk=world.manager)
    assert exc.value.status == 403


def test_call_announces_and_windows_serve_their_categories(world: Any) -> None:
    a = take(world)
    b = take(world, world.category_police)
    sign_in(world.window_police, world.police_clerk)
    sign_in(world.window_general, world.general_clerk)
    called = queue.call_next(window=world.window_police, clerk=world.police_clerk)
    assert called.pk == b.pk and called.status == QueueStatus.CALLED and called.call_count == 1
    event = QueueEvent.objects.get(ticket=b, kind="called")
    assert event.announcement == "请B001号到03号窗口办理"
    with pytest.raises(DomainError) as exc:  # busy until the current ticket is dealt with
        queue.call_next(window=world.window_police, clerk=world.police_clerk)
    assert exc.value.code == "hall_window_busy"
    assert queue.call_next(window=world.window_general, clerk=world.general_clerk).pk == a.pk
    queue.skip(ticket=called, clerk=world.police_clerk)
    with pytest.raises(DomainError) as exc:
        queue.call_next(window=world.window_police, clerk=world.police_clerk)
    assert exc.value.code == "hall_queue_empty" and exc.value.status == 404


def test_two_windows_never_call_the_same_ticket(world: Any) -> None:
    tickets = [take(world) for _ in range(3)]
    world.window_general.categories.add(world.category_market)
    sign_in(world.window_market, world.clerk)
    sign_in(world.window_general, world.general_clerk)
    first = queue.call_next(window=world.window_market, clerk=world.clerk)
    second = queue.call_next(window=world.window_general, clerk=world.general_clerk)
    assert {first.pk, second.pk} == {tickets[0].pk, tickets[1].pk}
    assert QueueTicket.objects.filter(status=QueueStatus.CALLED).count() == 2
    if connection.vendor == "postgresql":
        assert connection.features.has_select_for_update_skip_locked


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SKIP LOCKED (PostgreSQL; SQLite serialises writers)"
)
def test_a_call_skips_a_ticket_another_window_is_picking(world: Any) -> None:
    """While another transaction holds the best ticket's row, the call takes the next one at once."""
    best, other = take(world), take(world)
    sign_in(world.window_market, world.clerk)
    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold_the_best() -> None:
        try:
            with transaction.atomic():
                QueueTicket.objects.select_for_update().get(pk=best.pk)
                holding.set()
                release.wait(timeout=20)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
            holding.set()
        finally:
            connection.close()

    thread = threading.Thread(target=hold_the_best)
    thread.start()
    try:
        assert holding.wait(timeout=20)
        with transaction.atomic():
            with connection.cursor() as cursor:  # waiting for the held row would fail, not hang
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            called = queue.call_next(window=world.window_market, clerk=world.clerk)
    finally:
        release.set()
        thread.join(timeout=30)
    assert not errors, errors
    assert called.pk == other.pk and called.number == "A002"
    assert QueueEvent.objects.get(ticket=other, kind="called").announcement == "请A002号到02号窗口办理"
    best.refresh_from_db()
    assert best.status == QueueStatus.WAITING


def test_recall_skip_requeue(world: Any, frozen: Any) -> None:
    first, second = take(world), take(world)
    sign_in(world.window_market, world.clerk)
    ticket = queue.call_next(window=world.window_market, clerk=world.clerk)
    ticket = queue.recall(ticket=ticket, clerk=world.clerk)
    assert ticket.call_count == 2
    assert (
        QueueEvent.objects.filter(ticket=first, kind="recalled").get().announcement
        == "请A001号到02号窗口办理"
    )
    queue.skip(ticket=ticket, clerk=world.clerk)
    nxt = queue.call_next(window=world.window_market, clerk=world.clerk)
    assert nxt.pk == second.pk
    with pytest.raises(DomainError):  # the window is busy with A002
        queue.recall(ticket=first, clerk=world.clerk)
    queue.finish(ticket=nxt, clerk=world.clerk)
    back = queue.recall(ticket=first, clerk=world.clerk)  # the late comer is called back
    assert back.status == QueueStatus.CALLED and back.call_count == 3
    queue.skip(ticket=back, clerk=world.clerk)
    requeued = queue.requeue(ticket=back, clerk=world.clerk)
    assert requeued.status == QueueStatus.WAITING and requeued.window_id is None
    again = queue.call_next(window=world.window_market, clerk=world.clerk)
    queue.skip(ticket=again, clerk=world.clerk)
    with pytest.raises(DomainError) as exc:  # only once
        queue.requeue(ticket=again, clerk=world.clerk)
    assert exc.value.code == "hall_invalid_state"
    with pytest.raises(DomainError) as exc:  # not at another clerk's window
        queue.recall(ticket=again, clerk=world.police_clerk)
    assert exc.value.status == 403


def test_transfer_to_category_and_window(world: Any, frozen: Any) -> None:
    green = take(world, green_reason="pregnant")
    later = take(world, world.category_police)
    sign_in(world.window_market, world.clerk)
    ticket = queue.call_next(window=world.window_market, clerk=world.clerk)
    queue.start_service(ticket=ticket, clerk=world.clerk)
    continuation = queue.transfer(ticket=ticket, clerk=world.clerk, category=world.category_police)
    ticket.refresh_from_db()
    assert ticket.status == QueueStatus.TRANSFERRED
    assert continuation.number == "A001" and continuation.category == world.category_police
    assert continuation.priority == green.priority and continuation.transferred_from_id == green.pk
    sign_in(world.window_police, world.police_clerk)
    # the continuation keeps its place (green, earlier) ahead of B001
    at_police = queue.call_next(window=world.window_police, clerk=world.police_clerk)
    assert at_police.pk == continuation.pk
    to_window = queue.transfer(ticket=at_police, clerk=world.police_clerk, window=world.window_general)
    assert to_window.target_window_id == world.window_general.pk
    # B001 goes to window 03, the targeted ticket only to window 01
    assert queue.call_next(window=world.window_police, clerk=world.police_clerk).pk == later.pk
    sign_in(world.window_general, world.general_clerk)
    assert queue.call_next(window=world.window_general, clerk=world.general_clerk).pk == to_window.pk
    with pytest.raises(DomainError):
        queue.transfer(ticket=to_window, clerk=world.general_clerk)


def test_close_window_needs_no_ticket_at_it(world: Any) -> None:
    take(world)
    sign_in(world.window_market, world.clerk)
    ticket = queue.call_next(window=world.window_market, clerk=world.clerk)
    with pytest.raises(DomainError):
        windows.close_window(window=world.window_market, clerk=world.clerk)
    queue.finish(ticket=ticket, clerk=world.clerk)
    closed = windows.close_window(window=world.window_market, clerk=world.clerk)
    assert closed.status == WindowStatus.CLOSED and closed.clerk_id is None
    key = windows.issue_device_key(window=closed)
    closed.refresh_from_db()
    assert windows.device_key_valid(closed, key) and not windows.device_key_valid(closed, key + "x")
    assert key not in closed.device_key_digest
