"""The appointments API: halls and slots (public), booking as applicant / hotline agent, lists,
cancel and reschedule, blocks and appeals, error shapes and bounded queries."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from yiwang.hall.models import Appointment, AppointmentSlot, BookingBlock
from yiwang.hall.services import slots
from yiwang.hall.tests.appt_helpers import stranger
from yiwang.testing.clients import token_client

pytestmark = pytest.mark.django_db
BASE = "/api/v1/hall"
CT = "application/json"


def _slots(world, days=7, **extra):
    slots.materialise_slots(world.hall, days=14)
    res = Client().get(
        f"{BASE}/halls/{world.hall.public_id}/slots",
        {"item": str(world.market_item.public_id), "days": days, **extra},
    )
    assert res.status_code == 200, res.content
    return res.json()


def test_halls_and_slots_public(world, django_assert_max_num_queries):
    halls = Client().get(f"{BASE}/halls").json()
    assert [h["code"] for h in halls] == ["hefei"]
    rows = _slots(world)
    assert len(rows) == 5 * 6 and rows[0]["remaining"] == 2
    with django_assert_max_num_queries(4):
        Client().get(
            f"{BASE}/halls/{world.hall.public_id}/slots",
            {"item": str(world.market_item.public_id), "days": 31},
        )
    bad = Client().get(
        f"{BASE}/halls/{world.hall.public_id}/slots", {"item": str(world.market_item.public_id), "days": 99}
    )
    assert bad.status_code == 422
    missing = Client().get(f"{BASE}/halls/{uuid.uuid4()}/slots", {"item": str(world.market_item.public_id)})
    assert missing.status_code == 404 and missing.json()["code"] == "hall_not_found"


def test_citizen_books_lists_cancels(world):
    rows = _slots(world)
    client = token_client(world.citizen)
    res = client.post(
        f"{BASE}/appointments",
        content_type=CT,
        data={"slot": rows[0]["id"], "item": str(world.market_item.public_id)},
    )
    assert res.status_code == 201, res.json()
    body = res.json()
    assert body["name"] == "张伟" and body["channel"] == "web" and body["checkin_token"]
    assert set(body["allowed_actions"]) == {"cancel", "reschedule"}
    assert client.get(f"{BASE}/appointments").json()["count"] == 1
    other = token_client(world.citizen2)
    assert other.get(f"{BASE}/appointments/{body['id']}").status_code == 404
    assert other.post(f"{BASE}/appointments/{body['id']}/cancel", content_type=CT, data={}).status_code == 404
    res = client.post(
        f"{BASE}/appointments/{body['id']}/reschedule", content_type=CT, data={"slot": rows[7]["id"]}
    )
    assert res.status_code == 200 and res.json()["reschedule_count"] == 1
    res = client.post(f"{BASE}/appointments/{body['id']}/cancel", content_type=CT, data={"reason": "有事"})
    assert res.json()["status"] == "cancelled"
    again = client.post(f"{BASE}/appointments/{body['id']}/cancel", content_type=CT, data={})
    assert again.status_code == 409 and again.json()["code"] == "hall_invalid_state"


def test_agent_books_for_caller_and_staff_list_masked(world, django_assert_max_num_queries):
    rows = _slots(world)
    agent = token_client(world.agent)
    res = agent.post(
        f"{BASE}/appointments",
        content_type=CT,
        data={"slot": rows[0]["id"], "item": str(world.market_item.public_id), **stranger(1)},
    )
    assert res.status_code == 201, res.json()
    assert res.json()["channel"] == "hotline" and "*" in res.json()["id_number"]
    full = agent.post(
        f"{BASE}/appointments",
        content_type=CT,
        data={"slot": rows[0]["id"], "item": str(world.market_item.public_id), **stranger(2)},
    )
    assert full.status_code == 201
    res = agent.post(
        f"{BASE}/appointments",
        content_type=CT,
        data={"slot": rows[0]["id"], "item": str(world.market_item.public_id), **stranger(3)},
    )
    assert res.status_code == 409 and res.json()["code"] == "hall_slot_full"
    bad = agent.post(
        f"{BASE}/appointments",
        content_type=CT,
        data={
            "slot": rows[1]["id"],
            "item": str(world.market_item.public_id),
            **stranger(4),
            "id_number": "1",
        },
    )
    assert bad.status_code == 400 and "id_number" in bad.json()["fields"]
    clerk = token_client(world.clerk)
    with django_assert_max_num_queries(12):
        listing = clerk.get(f"{BASE}/appointments").json()
    assert listing["count"] == 2 and all("*" in r["phone"] for r in listing["results"])
    assert token_client(world.supervisor).get(f"{BASE}/appointments").status_code == 403


def test_blocks_appeal_and_decision(world):
    block = BookingBlock.objects.create(
        applicant=world.citizen,
        id_number=world.citizen.natural_person.id_number,
        hall=world.hall,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=29),
        no_show_codes=["A", "B", "C"],
    )
    rows = _slots(world)
    client = token_client(world.citizen)
    res = client.post(
        f"{BASE}/appointments",
        content_type=CT,
        data={"slot": rows[0]["id"], "item": str(world.market_item.public_id)},
    )
    assert res.status_code == 403 and res.json()["code"] == "hall_booking_blocked"
    mine = client.get(f"{BASE}/blocks").json()
    assert mine["count"] == 1 and mine["results"][0]["allowed_actions"] == ["appeal"]
    res = client.post(f"{BASE}/blocks/{block.public_id}/appeal", content_type=CT, data={"reason": "因病"})
    assert res.json()["status"] == "appealed"
    assert token_client(world.clerk).get(f"{BASE}/blocks").status_code == 403
    manager = token_client(world.manager)
    assert manager.get(f"{BASE}/blocks").json()["results"][0]["allowed_actions"] == ["decide"]
    assert client.post(
        f"{BASE}/blocks/{block.public_id}/decision", content_type=CT, data={"lift": True}
    ).status_code in (403, 404, 409)
    res = manager.post(f"{BASE}/blocks/{block.public_id}/decision", content_type=CT, data={"lift": True})
    assert res.json()["status"] == "lifted"
    res = client.post(
        f"{BASE}/appointments",
        content_type=CT,
        data={"slot": rows[0]["id"], "item": str(world.market_item.public_id)},
    )
    assert res.status_code == 201
    assert (
        Appointment.objects.count() == 1 and AppointmentSlot.objects.get(public_id=rows[0]["id"]).booked == 1
    )
