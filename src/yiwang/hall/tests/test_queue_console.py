"""The window console pages and the statistics page."""

from __future__ import annotations

from typing import Any

from django.test import Client

from yiwang.hall.models import QueueStatus, QueueTicket
from yiwang.hall.services import queue
from yiwang.hall.tests.queue_helpers import sign_in, take
from yiwang.testing.mfa import staff_login


def test_console_open_call_finish(world: Any, client: Client, django_assert_max_num_queries: Any) -> None:
    staff_login(client, world.clerk)
    page = client.get("/workbench/hall/")
    assert page.status_code == 200 and "登录窗口" in page.content.decode()
    take(world)
    take(world, green_reason="elderly")
    client.post(f"/workbench/hall/windows/{world.window_market.public_id}/open/")
    client.post(f"/workbench/hall/windows/{world.window_market.public_id}/call/")
    ticket = QueueTicket.objects.get(status=QueueStatus.CALLED)
    assert ticket.number == "A002"
    with django_assert_max_num_queries(25):
        panel = client.get("/workbench/hall/", headers={"HX-Request": "true"})
    assert "A002" in panel.content.decode() and "A001" in panel.content.decode()
    client.post(f"/workbench/hall/tickets/{ticket.public_id}/finish/")
    ticket.refresh_from_db()
    assert ticket.status == QueueStatus.DONE
    answer = client.post(f"/workbench/hall/tickets/{ticket.public_id}/recall/", follow=True)
    assert "状态" in answer.content.decode()  # the refusal is shown as a message


def test_console_refuses_others(world: Any, client: Client) -> None:
    staff_login(client, world.manager)
    assert client.get("/workbench/hall/").status_code == 403
    assert client.get("/workbench/hall/stats/").status_code == 200
    sign_in(world.window_market, world.clerk)
    take(world)
    ticket = queue.call_next(window=world.window_market, clerk=world.clerk)
    assert client.post(f"/workbench/hall/tickets/{ticket.public_id}/finish/").status_code == 403
    queue.finish(ticket=ticket, clerk=world.clerk)
    stats = client.get("/workbench/hall/stats/?days=7")
    assert stats.status_code == 200 and "A 市场监管" in stats.content.decode()
