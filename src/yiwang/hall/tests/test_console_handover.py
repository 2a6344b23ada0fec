"""统一窗口出件 at the console: the general-window clerk hands out another department's result (the
hall's handover predicate in the cases registry), the recipient's ID card checked."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from yiwang.accounts.models import NaturalPerson
from yiwang.cases.delivery import record_handover
from yiwang.cases.models import CaseDelivery, CaseStatus, DeliveryStatus
from yiwang.core.errors import PermissionDenied
from yiwang.hall.services import queue
from yiwang.hall.tests.queue_helpers import sign_in, take
from yiwang.testing.mfa import staff_login
from yiwang.testing.supervision import make_case


def _completed(world: Any, item: Any) -> Any:
    case = make_case(item, world.citizen, status=CaseStatus.COMPLETED, submitted_at=world.hall.created_at)
    CaseDelivery.objects.create(case=case, method="window")
    return case


def test_general_window_hands_over_a_police_result(
    world: Any, client: Client, django_assert_max_num_queries: Any
) -> None:
    id_number = NaturalPerson.objects.get(user=world.citizen).id_number
    police_case = _completed(world, world.police_item)
    market_case = _completed(world, world.market_item)
    with pytest.raises(PermissionDenied):  # not signed in to the general window: the default rule
        record_handover(police_case, actor=world.general_clerk, recipient_name="张", recipient_signature="张")
    take(world, world.category_general, id_number=id_number)
    sign_in(world.window_general, world.general_clerk)
    ticket = queue.call_next(window=world.window_general, clerk=world.general_clerk)
    staff_login(client, world.general_clerk)
    with django_assert_max_num_queries(15):
        page = client.get("/workbench/hall/handover/")
    body = page.content.decode()
    assert page.status_code == 200 and police_case.number in body and market_case.number in body
    name = NaturalPerson.objects.get(user=world.citizen).real_name
    wrong = client.post(
        f"/workbench/hall/handover/{police_case.public_id}/",
        {"recipient_name": name, "recipient_id_number": "110105194912310021", "recipient_signature": name},
    )
    assert wrong.status_code == 400 and "不符" in wrong.content.decode()
    answer = client.post(
        f"/workbench/hall/handover/{police_case.public_id}/",
        {"recipient_name": name, "recipient_id_number": id_number.lower(), "recipient_signature": name},
    )
    assert answer.status_code == 302
    delivery = CaseDelivery.objects.get(case=police_case)
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.recipient_name == name
    ticket.refresh_from_db()
    assert ticket.case_public_ids == [str(police_case.public_id)]
    assert (
        f"/handover/{police_case.public_id}/" not in client.get("/workbench/hall/handover/").content.decode()
    )


def test_department_clerk_keeps_the_default_rule(world: Any, client: Client) -> None:
    police_case = _completed(world, world.police_item)
    sign_in(world.window_market, world.clerk)  # a department window, not a general one
    with pytest.raises(PermissionDenied):
        record_handover(police_case, actor=world.clerk, recipient_name="张", recipient_signature="张")
    record_handover(police_case, actor=world.police_clerk, recipient_name="张", recipient_signature="张")
    assert CaseDelivery.objects.get(case=police_case).status == DeliveryStatus.DELIVERED


def test_lookup_by_id_number_without_a_ticket(world: Any, client: Client) -> None:
    id_number = NaturalPerson.objects.get(user=world.citizen).id_number
    police_case = _completed(world, world.police_item)
    sign_in(world.window_general, world.general_clerk)
    staff_login(client, world.general_clerk)
    assert "暂无正在办理的号码" in client.get("/workbench/hall/handover/").content.decode()
    found = client.post("/workbench/hall/handover/", {"id_number": id_number})
    assert police_case.number in found.content.decode()
