from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from yiwang.kiosk.models import KioskDevice
from yiwang.kiosk.services import create_device, sign_card
from yiwang.testing.hall import NOW, make_world
from yiwang.testing.worlds import frozen_world_fixtures

media_root, frozen, world = frozen_world_fixtures(NOW, make_world, tick=False)


@dataclass
class KioskSetup:
    device: KioskDevice
    secret: str
    token: str
    client: Client

    def card(
        self, *, name: str, id_number: str, issued_at: int | None = None, nonce: str = ""
    ) -> dict[str, Any]:
        fields = {
            "name": name,
            "id_number": id_number,
            "issued_at": int(timezone.now().timestamp()) if issued_at is None else issued_at,
            "nonce": nonce or secrets.token_hex(12),
            "device": str(self.device.public_id),
        }
        return {"card": fields, "signature": sign_card(self.secret, fields)}

    def post_card(self, body: dict[str, Any]) -> Any:
        return self.client.post("/kiosk/login/card/", body, content_type="application/json")


@pytest.fixture
def kiosk(world: Any) -> KioskSetup:
    device, secret, token = create_device(hall=world.hall, name="一楼自助终端 1 号")
    client = Client()
    response = client.get(f"/kiosk/?device={token}")
    assert response.status_code == 302
    return KioskSetup(device=device, secret=secret, token=token, client=client)


def id_of(user: Any) -> tuple[str, str]:
    person = user.natural_person
    return person.real_name, person.id_number
