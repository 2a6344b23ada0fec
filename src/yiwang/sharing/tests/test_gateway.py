"""The gateway call through HTTP: client-credentials tokens from the real token endpoint, signed
requests, field-level authorisation, purpose and case number, quota and rate limit, and a log row
for every call (refusals included)."""

from __future__ import annotations

import json
import time

import pytest
from django.core.cache import caches

from yiwang.core.models import PersonalDataAccess
from yiwang.sharing import services
from yiwang.sharing.models import CallResult, GatewayCall
from yiwang.sharing.services import gateway_auth
from yiwang.sharing.tests import gateway_urls
from yiwang.sharing.tests.gateway_factories import GatewayWorld, make_gateway_world
from yiwang.testing.people import make_citizen

pytestmark = pytest.mark.urls("yiwang.sharing.tests.gateway_urls")
PREFIX = gateway_urls.PREFIX


@pytest.fixture(autouse=True)
def _clear_counters():
    caches["default"].clear()


@pytest.fixture
def gw(world) -> GatewayWorld:
    return make_gateway_world(world)


def token(client, gw: GatewayWorld) -> str:
    response = client.post(
        "/o/token/",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION="Basic "
        + __import__("base64")
        .b64encode(f"{gw.secrets.client_id}:{gw.secrets.client_secret}".encode())
        .decode(),
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def query(
    client,
    gw: GatewayWorld,
    body: dict,
    *,
    bearer: str | None = None,
    headers: dict | None = None,
    code: str | None = None,
):
    path = f"{PREFIX}/gateway/{code or gw.resource.code}/query"
    extra = {}
    if bearer:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {bearer}"
    for name, value in (headers or {}).items():
        extra["HTTP_" + name.upper().replace("-", "_")] = value
    return client.post(path, json.dumps(body), content_type="application/json", **extra)


GOOD = {"fields": ["gender", "household_region"], "purpose": "企业登记核验"}


def test_client_credentials_call_answers_granted_fields_and_logs(client, gw):
    bearer = token(client, gw)
    response = query(client, gw, {**GOOD, "subject": gw.subject}, bearer=bearer)
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body["data"]) == {"gender", "household_region"}
    call = GatewayCall.objects.get(public_id=body["call_id"])
    assert call.result == CallResult.OK and call.consumer == gw.consumer
    assert gw.subject not in call.subject_digest and len(call.subject_digest) == 64


def test_fields_outside_the_grant_are_refused_and_listed(client, gw):
    bearer = token(client, gw)
    response = query(
        client,
        gw,
        {**GOOD, "subject": gw.subject, "fields": ["gender", "id_number", "status"]},
        bearer=bearer,
    )
    assert response.status_code == 403
    assert response.json()["code"] == "gateway_fields_not_granted"
    assert response.json()["fields"]["fields"] == ["id_number", "status"]
    assert GatewayCall.objects.get().result == CallResult.REFUSED


def test_purpose_and_case_number_required(client, gw):
    bearer = token(client, gw)
    response = query(client, gw, {"subject": gw.subject, "fields": ["gender"]}, bearer=bearer)
    assert response.status_code == 400 and response.json()["code"] == "gateway_purpose_required"
    response = query(client, gw, {**GOOD, "subject": gw.subject, "fields": ["name"]}, bearer=bearer)
    assert response.status_code == 400 and response.json()["code"] == "gateway_case_number_required"
    response = query(
        client,
        gw,
        {**GOOD, "subject": gw.subject, "fields": ["name"], "case_number": "SC2026001"},
        bearer=bearer,
    )
    assert response.status_code == 200 and response.json()["data"] == {"name": "李娜"}
    assert list(GatewayCall.objects.order_by("at", "pk").values_list("error_code", flat=True)) == [
        "gateway_purpose_required",
        "gateway_case_number_required",
        "",
    ]


def test_personal_call_shows_in_who_used_my_data(client, world):
    citizen = make_citizen("gw_citizen")
    number = citizen.natural_person.id_number
    from yiwang.testing import bases as bases_factories

    bases_factories.person(id_number=number, name="张伟")
    gw = make_gateway_world(world)
    gw.subject = number
    bearer = token(client, gw)
    response = query(
        client, gw, {**GOOD, "subject": number, "fields": ["name"], "case_number": "SC1"}, bearer=bearer
    )
    assert response.status_code == 200
    access = PersonalDataAccess.objects.get(subject=citizen)
    assert access.fields == ["name"] and access.organisation_id == world.market.pk
    client.force_login(citizen)
    mine = client.get(f"{PREFIX}/me/calls")
    assert mine.status_code == 200
    assert [row["case_number"] for row in mine.json()] == ["SC1"]
    client.force_login(world.market_clerk)


def test_no_grant_unknown_resource_and_no_credentials_are_logged(client, gw, world):
    response = query(client, gw, {**GOOD, "subject": gw.subject})
    assert response.status_code == 401
    bearer = token(client, gw)
    response = query(client, gw, {**GOOD, "subject": gw.subject}, bearer=bearer, code="NOPE-1")
    assert response.status_code == 404
    response = query(client, gw, {**GOOD, "subject": gw.subject}, bearer="forged-token")
    assert response.status_code == 401
    assert GatewayCall.objects.filter(result=CallResult.REFUSED).count() == 3


def test_daily_quota_answers_429_with_retry_after(client, world):
    gw = make_gateway_world(world, quota_per_day=2)
    bearer = token(client, gw)
    for _ in range(2):
        assert query(client, gw, {**GOOD, "subject": gw.subject}, bearer=bearer).status_code == 200
    response = query(client, gw, {**GOOD, "subject": gw.subject}, bearer=bearer)
    assert response.status_code == 429 and response.json()["code"] == "gateway_quota_exceeded"
    assert int(response["Retry-After"]) > 0
    assert GatewayCall.objects.filter(error_code="gateway_quota_exceeded").count() == 1


def test_rate_limit_per_minute(client, world):
    gw = make_gateway_world(world, rate_per_minute=2)
    bearer = token(client, gw)
    statuses = [
        query(client, gw, {**GOOD, "subject": gw.subject}, bearer=bearer).status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_signed_request_forged_and_replayed(client, gw):
    body = json.dumps({**GOOD, "subject": gw.subject}).encode()
    path = f"{PREFIX}/gateway/{gw.resource.code}/query"
    headers = gateway_auth.signed_headers(
        str(gw.consumer.public_id), gw.secrets.hmac_secret, "POST", path, body
    )
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    ok = client.post(path, body, content_type="application/json", **meta)
    assert ok.status_code == 200, ok.content
    replay = client.post(path, body, content_type="application/json", **meta)
    assert replay.status_code == 401 and replay.json()["code"] == "gateway_nonce_replayed"
    forged = dict(meta, HTTP_X_YIWANG_NONCE="another-nonce-123456", HTTP_X_YIWANG_SIGNATURE="00" * 32)
    response = client.post(path, body, content_type="application/json", **forged)
    assert response.status_code == 401 and response.json()["code"] == "gateway_signature_invalid"
    stale = gateway_auth.signed_headers(
        str(gw.consumer.public_id), gw.secrets.hmac_secret, "POST", path, body
    )
    stale["X-Yiwang-Timestamp"] = str(int(time.time()) - 3600)
    stale["X-Yiwang-Signature"] = gateway_auth.sign_hmac(
        gw.secrets.hmac_secret, "POST", path, "", body, stale["X-Yiwang-Timestamp"], stale["X-Yiwang-Nonce"]
    )
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in stale.items()}
    response = client.post(path, body, content_type="application/json", **meta)
    assert response.status_code == 401 and response.json()["code"] == "gateway_clock_skew"
    assert GatewayCall.objects.filter(result=CallResult.REFUSED).count() == 3


def test_internal_entry_point_same_checks(gw):
    answer = services.call_resource(gw.consumer, gw.resource.code, gw.subject, ["gender"], "一证通办核验")
    assert set(answer.data) == {"gender"}
    with pytest.raises(services.GatewayRefusal) as refused:
        services.call_resource(gw.consumer, gw.resource.code, gw.subject, ["id_number"], "一证通办核验")
    assert refused.value.status == 403
    assert refused.value.call is not None and refused.value.call.channel == "internal"


def test_unknown_subject_is_not_found_and_logged(gw):
    from yiwang.testing.bases import id_number

    with pytest.raises(services.GatewayRefusal) as refused:
        services.call_resource(gw.consumer, gw.resource.code, id_number(), ["gender"], "核验")
    assert refused.value.status == 404
    assert GatewayCall.objects.get().result == CallResult.NOT_FOUND
