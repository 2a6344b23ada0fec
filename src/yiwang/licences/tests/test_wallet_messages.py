"""The wallet is easy to find and licence messages read well (issue 16 point 8).

* 我的空间 links to 我的证照 (``/licences/``);
* a licence message names the licence and its number (not the raw identifier) and its link is
  labelled 查看证照 (not 查看办件);
* a message shows when its event happened, not when a (late) worker delivered it.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from yiwang.accounts.models import InboxMessage, User
from yiwang.cases import services as case_services
from yiwang.core.models import Organisation
from yiwang.licences.models import LicenceType
from yiwang.licences.tests import factories
from yiwang.testing.cases import ServiceItemFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
EVENT_AT = datetime(2026, 3, 16, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(EVENT_AT, tick=False) as traveller:
        yield traveller


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _nav(page: str) -> str:
    match = re.search(r'<nav class="card[^"]*" aria-label="我的空间">.*?</nav>', page, re.S)
    assert match is not None
    return match.group(0)


def test_my_space_links_to_the_wallet(citizen):
    client = _client(citizen)
    nav = _nav(client.get("/my/messages/").content.decode())
    assert 'href="/licences/"' in nav and "我的证照" in nav
    wallet_nav = _nav(client.get("/licences/").content.decode())
    assert re.search(r'href="/licences/" aria-current="page"', wallet_nav)


def test_licence_message_names_the_licence_and_links_to_it(
    citizen,
    issuer: Organisation,
    seal: Any,
    licence_type: LicenceType,
    django_capture_on_commit_callbacks: Any,
):
    with django_capture_on_commit_callbacks(execute=True):
        licence = factories.issue(licence_type, issuer, citizen)
    message = InboxMessage.objects.get(user=citizen)
    assert licence.licence_type.name in message.body
    assert "JY13401040012345" in message.body  # the licence's number (许可证编号)
    assert licence.identifier not in message.body
    assert message.link == f"/licences/{licence.public_id}/"
    assert message.occurred_at == EVENT_AT
    page = _client(citizen).get("/my/messages/").content.decode()
    link = re.search(rf'<a href="/licences/{licence.public_id}/">(.*?)<span', page)
    assert link is not None and link.group(1) == "查看证照"


def test_a_late_delivery_shows_the_event_time(
    citizen, issuer: Organisation, django_capture_on_commit_callbacks, frozen
):
    item = ServiceItemFactory(implementing_body=issuer, materials=[])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = case_services.submit_application(
            applicant=citizen, item=item, form_data={"shop_name": "小店"}, files={}
        )
    frozen.shift(timedelta(hours=3))  # the worker runs three hours later
    for callback in callbacks:
        callback()
    message = InboxMessage.objects.get(user=citizen, link=f"/my/cases/{case.public_id}/")
    assert message.occurred_at == EVENT_AT
    assert message.created_at == EVENT_AT + timedelta(hours=3)
    page = _client(citizen).get("/my/messages/").content.decode()
    assert "2026-03-16 10:00" in page and "2026-03-16 13:00" not in page
    link = re.search(rf'<a href="/my/cases/{case.public_id}/">(.*?)<span', page)
    assert link is not None and link.group(1) == "查看办件"
