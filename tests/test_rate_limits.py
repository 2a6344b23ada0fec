"""Rate limits at the edge (issue 19, Edge): every limited family answers 429 with ``Retry-After`` once
its limit is used up — the one JSON error shape under /api/ and /o/, an error page (or an htmx status
line) for pages — per client address, and API writes per user or token as well; the window ends and
the requests are allowed again; every write operation of the OpenAPI document lists the 429."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from yiwang.accounts.services import issue_api_token
from yiwang.core import ratelimit
from yiwang.testing import accounts as factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def low_limits(settings: Any) -> Iterator[dict[str, str]]:
    limits = {
        "login": "3/300",
        "sms": "2/3600",
        "registration": "2/3600",
        "token": "3/60",
        "api_write_user": "3/60",
        "api_write_ip": "5/60",
    }
    settings.YIWANG_RATE_LIMITS = limits
    cache.clear()
    yield limits
    cache.clear()


def assert_json_429(response: Any) -> None:
    assert response.status_code == 429, response.content
    assert int(response.headers["Retry-After"]) >= 1
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == "rate_limited"
    assert body["fields"]["retry_after"] == int(response.headers["Retry-After"])


def assert_page_429(response: Any) -> None:
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert "请求过于频繁" in response.content.decode()


def test_login_page_and_api_token_by_password_are_limited_per_address(client: Client) -> None:
    for _ in range(3):
        assert client.post("/login/", {"username": "nobody", "password": "x"}).status_code != 429
    assert_page_429(client.post("/login/", {"username": "nobody", "password": "x"}))
    # the same address, another door: the API's token by password counts on the same limit
    assert_json_429(
        client.post(
            "/api/v1/accounts/token", {"username": "nobody", "password": "x"}, content_type="application/json"
        )
    )
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post("/workbench/login/", {"username": "nobody", "password": "x"}).status_code != 429


def test_sms_sending_is_limited(client: Client) -> None:
    for phone in ("13900000001", "13900000002"):
        response = client.post(
            "/api/v1/accounts/sms-codes",
            {"phone": phone, "purpose": "register"},
            content_type="application/json",
        )
        assert response.status_code != 429, response.content
    assert_json_429(
        client.post(
            "/api/v1/accounts/sms-codes",
            {"phone": "13900000003", "purpose": "register"},
            content_type="application/json",
        )
    )
    htmx = client.post("/register/sms/", {"phone": "13900000004"}, headers={"HX-Request": "true"})
    assert htmx.status_code == 429 and htmx.content.decode().startswith(
        '<p class="alert alert-error" role="alert">'
    )
    assert htmx.headers["Retry-After"]


def test_registration_is_limited(client: Client) -> None:
    for _ in range(2):
        assert client.post("/register/", {"username": "x"}).status_code != 429
    assert_page_429(client.post("/register/", {"username": "x"}))
    assert_json_429(client.post("/api/v1/accounts/register", {}, content_type="application/json"))


def test_oidc_token_endpoint_is_limited(client: Client) -> None:
    for _ in range(3):
        assert client.post("/o/token/", {"grant_type": "authorization_code"}).status_code != 429
    assert_json_429(client.post("/o/token/", {"grant_type": "authorization_code"}))


def test_api_writes_are_limited_per_token_and_per_address() -> None:
    first = issue_api_token(factories.citizen("first"))
    second = issue_api_token(factories.citizen("second"))
    one = Client(headers={"Authorization": f"Bearer {first}"})
    two = Client(headers={"Authorization": f"Bearer {second}"})
    for _ in range(3):
        assert one.post("/api/v1/accounts/agents", {}, content_type="application/json").status_code == 422
    assert_json_429(one.post("/api/v1/accounts/agents", {}, content_type="application/json"))
    assert one.get("/api/v1/accounts/me").status_code == 200  # reading is not limited
    # another token from the same address has its own per-user budget, until the address's runs out
    # (5 a minute: the refused request above stopped at the per-token limit and did not count)
    for _ in range(2):
        assert two.post("/api/v1/accounts/agents", {}, content_type="application/json").status_code == 422
    assert_json_429(two.post("/api/v1/accounts/agents", {}, content_type="application/json"))


def test_session_writes_count_per_user(settings: Any, client: Client) -> None:
    settings.YIWANG_RATE_LIMITS = {"api_write_user": "1/60"}
    client.force_login(factories.citizen("session_user"))
    assert client.post("/api/v1/accounts/agents", {}, content_type="application/json").status_code != 429
    assert_json_429(client.post("/api/v1/accounts/agents", {}, content_type="application/json"))


def test_the_window_ends_and_requests_are_allowed_again(client: Client) -> None:
    with time_machine.travel(1_800_000_000, tick=False) as traveller:
        for _ in range(3):
            client.post("/o/token/", {})
        refused = client.post("/o/token/", {})
        assert_json_429(refused)
        assert int(refused.headers["Retry-After"]) <= 60
        traveller.shift(int(refused.headers["Retry-After"]))
        assert client.post("/o/token/", {}).status_code != 429


def test_a_limit_set_to_zero_is_off(settings: Any, client: Client) -> None:
    settings.YIWANG_RATE_LIMITS = {"token": "0/60"}
    for _ in range(5):
        assert client.post("/o/token/", {}).status_code != 429


def test_retry_after_is_the_rest_of_the_window() -> None:
    limit = ratelimit.Limit.parse("2/60")
    assert [ratelimit.hit("t", "k", limit, now=120.5) for _ in range(2)] == [0, 0]
    assert ratelimit.hit("t", "k", limit, now=150.2) == 30
    assert ratelimit.hit("t", "k", limit, now=180.0) == 0  # a new window


def test_every_write_operation_documents_the_429_with_retry_after(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    writes = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method not in ("post", "put", "patch", "delete"):
                continue
            writes += 1
            response = operation["responses"].get("429")
            assert response, (method, path)
            assert "Retry-After" in response["headers"], (method, path)
    assert writes > 50
