"""我的数据被谁使用 (/my/shared-data/): the data subject sees the gateway calls about him that were
served — department, system, resource, field labels, purpose, case number — and nobody else's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from yiwang.sharing.models import CallResult, GatewayCall
from yiwang.sharing.tests.gateway_factories import make_gateway_world
from yiwang.testing.mfa import staff_login
from yiwang.testing.people import make_citizen

pytestmark = pytest.mark.django_db
URL = "/my/shared-data/"


def _call(gw, subject_user, *, result=CallResult.OK, case="HF2026-0001", seconds=0) -> GatewayCall:
    return GatewayCall.objects.create(
        at=timezone.now() - timedelta(seconds=seconds),
        consumer=gw.consumer,
        organisation=gw.consumer.organisation,
        resource=gw.resource,
        resource_code=gw.resource.code,
        fields=["gender", "household_region"],
        subject_user=subject_user,
        purpose="企业登记核验",
        case_number=case,
        result=result,
    )


def test_subject_sees_only_the_served_calls_about_him(world, django_assert_max_num_queries):
    gw = make_gateway_world(world)
    me, other = make_citizen("sd_me"), make_citizen("sd_other")
    _call(gw, me, case="HF-MINE")
    _call(gw, me, result=CallResult.REFUSED, case="HF-REFUSED")
    _call(gw, other, case="HF-OTHER")
    client = Client()
    client.force_login(me)
    client.get(URL)  # warm the session
    with django_assert_max_num_queries(10):
        page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "HF-MINE" in html and "合肥市市场监督管理局" in html and "性别、户籍地" in html
    assert "HF-REFUSED" not in html and "HF-OTHER" not in html
    other_client = Client()
    other_client.force_login(other)
    html = other_client.get(URL).content.decode()
    assert "HF-OTHER" in html and "HF-MINE" not in html


def test_pages_of_twenty_by_keyset(world):
    gw = make_gateway_world(world)
    me = make_citizen("sd_me")
    for n in range(25):
        _call(gw, me, case=f"HF-{n:03d}", seconds=n)
    client = Client()
    client.force_login(me)
    first = client.get(URL)
    assert len(first.context["rows"]) == 20 and first.context["next_query"]
    second = client.get(URL + first.context["next_query"])
    assert len(second.context["rows"]) == 5 and "HF-024" in second.content.decode()
    assert client.get(URL + "?cursor=bad!").status_code == 200


def test_staff_and_anonymous_are_sent_away(world):
    assert Client().get(URL).status_code == 302
    staff = Client()
    staff_login(staff, world.market_official)
    response = staff.get(URL)
    assert response.status_code == 302 and "/workbench/" in response["Location"]
