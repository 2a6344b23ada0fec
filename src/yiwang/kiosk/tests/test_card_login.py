"""刷身份证登录: a signed read logs the person in (valid); a bad signature, a stale read, a replayed
nonce and malformed input are refused; an unknown person becomes a guest who cannot see cases."""

from __future__ import annotations

from typing import Any

from yiwang.accounts.models import LoginRecord
from yiwang.core.models import AuditEvent

from .conftest import KioskSetup, id_of

UNKNOWN_ID = "110101199003074514"


def test_valid_read_logs_the_person_in(world: Any, kiosk: KioskSetup) -> None:
    name, id_number = id_of(world.citizen)
    response = kiosk.post_card(kiosk.card(name=name, id_number=id_number))
    assert response.status_code == 200, response.content
    assert response.json() == {"ok": True, "known": True, "next": "/kiosk/"}
    session = kiosk.client.session
    assert session["_auth_user_id"] == str(world.citizen.pk)
    assert session["kiosk"]["via"] == "card"
    assert session["kiosk"]["assurance"] == 2  # 中级: an in-person card check
    assert id_number not in str(dict(session))  # the ID number is kept encrypted
    assert LoginRecord.objects.filter(user=world.citizen, channel="kiosk", succeeded=True).exists()
    assert AuditEvent.objects.filter(action="kiosk.session_started").exists()
    home = kiosk.client.get("/kiosk/")
    assert "退出" in home.content.decode()
    assert kiosk.client.get("/kiosk/cases/").status_code == 200


def test_bad_signature_is_refused(world: Any, kiosk: KioskSetup) -> None:
    name, id_number = id_of(world.citizen)
    body = kiosk.card(name=name, id_number=id_number)
    body["card"]["name"] = "李四"  # changed after signing
    response = kiosk.post_card(body)
    assert response.status_code == 403
    assert response.json()["code"] == "kiosk_card_signature"
    assert "_auth_user_id" not in kiosk.client.session
    other = kiosk.card(name=name, id_number=id_number)
    other["signature"] = "0" * 64
    assert kiosk.post_card(other).json()["code"] == "kiosk_card_signature"


def test_read_for_another_device_is_refused(world: Any, kiosk: KioskSetup) -> None:
    from yiwang.kiosk.services import create_device, sign_card

    other, other_secret, _token = create_device(hall=world.hall, name="二楼")
    name, id_number = id_of(world.citizen)
    body = kiosk.card(name=name, id_number=id_number)
    body["card"]["device"] = str(other.public_id)
    body["signature"] = sign_card(other_secret, body["card"])
    assert kiosk.post_card(body).status_code == 403


def test_stale_read_is_refused(world: Any, kiosk: KioskSetup, frozen: Any) -> None:
    name, id_number = id_of(world.citizen)
    body = kiosk.card(name=name, id_number=id_number)
    frozen.shift(61)
    response = kiosk.post_card(body)
    assert response.status_code == 403
    assert response.json()["code"] == "kiosk_card_stale"
    future = kiosk.card(name=name, id_number=id_number, issued_at=int(body["card"]["issued_at"]) + 200)
    assert kiosk.post_card(future).json()["code"] == "kiosk_card_stale"


def test_replayed_read_is_refused(world: Any, kiosk: KioskSetup) -> None:
    name, id_number = id_of(world.citizen)
    body = kiosk.card(name=name, id_number=id_number)
    assert kiosk.post_card(body).status_code == 200
    kiosk.client.post("/kiosk/logout/")
    again = kiosk.post_card(body)
    assert again.status_code == 409
    assert again.json()["code"] == "kiosk_card_replayed"
    assert "_auth_user_id" not in kiosk.client.session


def test_malformed_reads_are_400_never_500(world: Any, kiosk: KioskSetup) -> None:
    for body in (
        b"not json",
        b"[]",
        b'{"card": 5, "signature": "x"}',
        b'{"card": {"name": "a", "id_number": "1", "issued_at": 1, "nonce": "n", "device": "d"}}',
    ):
        response = kiosk.client.post("/kiosk/login/card/", body, content_type="application/json")
        assert response.status_code == 400, body
        assert response.json()["code"] == "kiosk_card_invalid"
    body = kiosk.card(name="王五", id_number="110101199003074510")  # bad check digit
    assert kiosk.post_card(body).status_code == 400


def test_unknown_person_is_a_guest_without_cases(world: Any, kiosk: KioskSetup) -> None:
    response = kiosk.post_card(kiosk.card(name="王五", id_number=UNKNOWN_ID))
    assert response.status_code == 200
    assert response.json()["known"] is False
    assert "_auth_user_id" not in kiosk.client.session
    home = kiosk.client.get("/kiosk/").content.decode()
    assert "访客" in home and "王*" in home
    assert kiosk.client.get("/kiosk/cases/")["Location"] == "/kiosk/?login=1"
    assert kiosk.client.get("/kiosk/print/")["Location"] == "/kiosk/?login=1"


def test_name_not_matching_the_record_is_a_guest(world: Any, kiosk: KioskSetup) -> None:
    _name, id_number = id_of(world.citizen)
    response = kiosk.post_card(kiosk.card(name="冒名", id_number=id_number))
    assert response.json()["known"] is False
    assert "_auth_user_id" not in kiosk.client.session


def test_the_card_page_waits_for_the_reader(world: Any, kiosk: KioskSetup, settings: Any) -> None:
    settings.YIWANG_KIOSK_READER_URL = "http://127.0.0.1:8731"
    page = kiosk.client.get("/kiosk/login/card/")
    assert page.status_code == 200
    assert 'data-reader-url="http://127.0.0.1:8731"' in page.content.decode()
    assert "connect-src 'self' http://127.0.0.1:8731" in page["Content-Security-Policy"]
