"""No server error on any input (issue 15): hostile query strings, paths and bodies against every list
endpoint of the API and the key pages, anonymously and as the demo citizen and staff.

Paging out of range is a ``422`` in the API's one error shape and a clamped page on HTML pages;
NUL characters are refused at the edge (``yiwang.core.inputs``); bad dates, UUIDs, huge and negative
numbers and over-long strings are 4xx or ignored — never a 500, on SQLite and PostgreSQL.  Every
request runs in a savepoint, so on PostgreSQL one failure cannot hide the next.  Time is frozen on a
working day the demo calendar covers, so nothing depends on today's date.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yiwang.accounts.models import User
from yiwang.accounts.services import issue_api_token
from yiwang.core.paging import MAX_LIMIT, MAX_OFFSET
from yiwang.testing.mfa import staff_login

pytestmark = pytest.mark.django_db

FROZEN_NOW = datetime(2026, 9, 21, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
NO_HEALTH_CHECKS = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]

# (path, identity) of every list endpoint of the API that pages; the identity may list it.
API_LISTS = [
    ("/api/v1/catalog/items", "anon"),
    ("/api/v1/cases", "citizen"),
    ("/api/v1/bundle-applications", "citizen"),
    ("/api/v1/workbench/todo", "clerk"),
    ("/api/v1/workbench/verifications", "clerk"),
    ("/api/v1/library/cases", "clerk"),
    ("/api/v1/workflow/tasks", "clerk"),
    ("/api/v1/datasets/exports", "admin"),
    (f"/api/v1/seals/{uuid.UUID(int=1)}/stampings", "admin"),
]

# Key pages with the query parameters they read, and who looks at them.
PAGES: list[tuple[str, str, tuple[str, ...]]] = [
    ("/", "anon", ()),
    ("/search/", "anon", ("q", "page", "department", "theme", "object", "level", "full")),
    ("/hall/items/", "anon", ("department",)),
    ("/bundles/", "anon", ("audience",)),
    ("/status/", "anon", ("number", "id_tail")),
    ("/my/cases/", "citizen", ("status", "page", "cursor")),
    ("/my/messages/", "citizen", ("page",)),
    ("/my/upgrade/", "citizen", ("level",)),
    ("/workbench/", "clerk", ("page", "status", "cursor")),
    ("/workbench/cases/", "clerk", ("status", "number", "page", "cursor")),
    (
        "/workbench/library/",
        "clerk",
        (
            "item",
            "department",
            "region",
            "status",
            "channel",
            "date_from",
            "date_to",
            "number",
            "page",
            "cursor",
        ),
    ),
    ("/workbench/library/report/", "clerk", ("group_by", "date_from", "date_to", "region", "status")),
    ("/workbench/tasks/", "clerk", ("item", "status", "task", "due_from", "due_to", "mine", "q", "page")),
    ("/workbench/tasks/done/", "clerk", ("due_from", "due_to", "page")),
    ("/workbench/window/register/", "clerk", ("item", "lookup")),
    ("/workbench/identity/", "clerk", ("document_number",)),
    ("/workbench/audit/", "auditor", ("action", "actor", "object_id", "since", "until", "page")),
    ("/workbench/staff/", "admin", ("org",)),
    ("/workbench/catalog/", "manager", ("status", "department", "type", "q", "page", "cursor")),
    ("/workbench/catalog/consistency/", "manager", ("region",)),
    ("/workbench/catalog/synonyms/", "manager", ("q",)),
    ("/workbench/catalog/base-items/", "manager", ("q",)),
    ("/licences/staff/lookup/", "clerk", ("holder_code", "type_code")),
]

HOSTILE = [
    "-1",
    "0",
    "9223372036854775808",
    "99999999999999999999",
    "-9223372036854775809",
    "1e400",
    "NaN",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "not-a-uuid",
    str(uuid.UUID(int=0)),
    "a\x00b",
    "x" * 5000,
    "",
]

hostile_values = st.one_of(
    st.sampled_from(HOSTILE),
    st.integers().map(str),
    st.integers(min_value=2**62, max_value=2**80).map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.uuids().map(str),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=200, max_size=600),
)


@pytest.fixture(scope="module")
def demo_world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Client]]:
    """The demo data, loaded once for the module in a transaction rolled back at its end (each test
    then runs in a savepoint of it), and a client per identity (session clients for pages, token
    clients for the API)."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media),
        time_machine.travel(FROZEN_NOW, tick=False),
        transaction.atomic(),
    ):
        call_command("loaddemo", "--skip-regions", stdout=io.StringIO())
        clients: dict[str, Client] = {
            "anon": Client(raise_request_exception=False),
            "anon_api": Client(raise_request_exception=False),
        }
        for name in ("citizen", "company", "clerk", "manager", "auditor", "admin"):
            user = User.objects.get(username=name)
            page_client = Client(raise_request_exception=False)
            if user.kind == "staff":
                staff_login(page_client, user)
            else:
                page_client.force_login(user)
            clients[name] = page_client
            clients[f"{name}_api"] = Client(
                raise_request_exception=False, headers={"Authorization": f"Bearer {issue_api_token(user)}"}
            )
        yield clients
        transaction.set_rollback(True)


@pytest.fixture
def world(demo_world: dict[str, Client], db: None) -> dict[str, Client]:
    return demo_world


def get(client: Client, url: str) -> Any:
    """One request in a savepoint: on PostgreSQL a failed statement must not poison the next request."""
    with transaction.atomic():
        response = client.get(url)
        transaction.set_rollback(True)
    return response


def assert_no_server_error(response: Any, url: str) -> None:
    assert response.status_code < 500, f"{response.status_code} for {url!r}: {response.content[:300]!r}"


def assert_api_error_shape(response: Any, url: str) -> dict[str, Any]:
    assert_no_server_error(response, url)
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, (url, body)
    return body


# --- paging ------------------------------------------------------------------------------------------
BAD_PAGING = [
    ("offset", "9223372036854775808"),
    ("offset", "-1"),
    ("offset", str(MAX_OFFSET + 1)),
    ("offset", "1e400"),
    ("limit", "0"),
    ("limit", "-5"),
    ("limit", str(MAX_LIMIT + 1)),
    ("limit", "99999999999999999999"),
]


def test_every_list_endpoint_refuses_out_of_range_paging_with_422(world):
    for path, who in API_LISTS:
        client = world[f"{who}_api"] if who != "anon" else world["anon_api"]
        for name, value in BAD_PAGING:
            url = f"{path}?{urlencode({name: value})}"
            response = get(client, url)
            assert response.status_code == 422, (url, response.status_code, response.content[:300])
            body = assert_api_error_shape(response, url)
            assert body["code"] == "validation_error" and name in body["fields"], (url, body)
        for query in (f"offset={MAX_OFFSET}&limit={MAX_LIMIT}", "offset=0&limit=1"):
            response = get(client, f"{path}?{query}")
            assert response.status_code in (200, 403, 404), (path, query, response.content[:300])


def test_paged_pages_clamp_the_page_number(world):
    for path, who, params in PAGES:
        if "page" not in params:
            continue
        for value in ("99999999999999999999", "-1", "0", "abc", "1e400", "9223372036854775808"):
            url = f"{path}?{urlencode({'page': value})}"
            response = get(world[who], url)
            assert response.status_code == 200, (url, response.status_code)


def test_search_past_the_last_page_shows_the_last_page(world):
    response = get(world["anon"], "/search/?q=a&page=99999999999999999999")
    assert response.status_code == 200
    last = response.context["page_obj"]
    assert last.number == last.paginator.num_pages
    if last.paginator.count:
        assert response.context["items"]


# --- hostile values everywhere ---------------------------------------------------------------------
def test_api_lists_never_fail_on_hostile_query_strings(world):
    names = ("offset", "limit", "q", "department", "theme", "status", "item", "due_from", "due_to", "target")

    @given(
        endpoint=st.sampled_from(API_LISTS),
        anonymous=st.booleans(),
        params=st.dictionaries(st.sampled_from(names), hostile_values, max_size=4),
    )
    @settings(max_examples=120, deadline=None, suppress_health_check=NO_HEALTH_CHECKS, database=None)
    def check(endpoint: tuple[str, str], anonymous: bool, params: dict[str, str]) -> None:
        path, who = endpoint
        client = world["anon_api"] if anonymous or who == "anon" else world[f"{who}_api"]
        url = f"{path}?{urlencode(params)}"
        response = get(client, url)
        if response.status_code >= 400:
            assert_api_error_shape(response, url)

    check()


def test_pages_never_fail_on_hostile_query_strings(world):
    @given(page=st.sampled_from(PAGES), data=st.data())
    @settings(max_examples=150, deadline=None, suppress_health_check=NO_HEALTH_CHECKS, database=None)
    def check(page: tuple[str, str, tuple[str, ...]], data: st.DataObject) -> None:
        path, who, names = page
        keys = st.sampled_from(names) if names else st.just("q")
        params = data.draw(st.dictionaries(keys, hostile_values, max_size=4))
        url = f"{path}?{urlencode(params)}"
        assert_no_server_error(get(world[who], url), url)

    check()


def test_every_page_parameter_takes_every_fixed_hostile_value(world):
    for path, who, names in PAGES:
        for value in HOSTILE:
            url = f"{path}?{urlencode(dict.fromkeys(names or ('q',), value))}"
            assert_no_server_error(get(world[who], url), url)


ID_PATHS = [
    "/api/v1/catalog/items/{}",
    "/api/v1/catalog/items/{}/scenarios",
    "/api/v1/catalog/bundles/{}",
    "/api/v1/cases/{}",
    "/api/v1/workbench/cases/{}",
    "/api/v1/licences/verify/{}",
    "/api/v1/accounts/sso/mappings/{}",
    "/verify/{}/",
]


def test_bad_identifiers_in_paths_are_4xx(world):
    for path in ID_PATHS:
        for value in ("not-a-uuid", str(uuid.UUID(int=0)), "9223372036854775808", "-1", "x" * 3000, "%00"):
            url = path.format(value)
            for who in ("anon_api", "citizen_api", "clerk_api", "anon"):
                assert_no_server_error(get(world[who], url), url)


# --- NUL characters ----------------------------------------------------------------------------------
def test_nul_in_api_query_or_path_is_422_in_the_error_shape(world):
    for url in (
        "/api/v1/catalog/items?q=a%00b",
        "/api/v1/catalog/items/a%00b",
        "/api/v1/cases/status?number=%00&id_tail=1",
    ):
        response = get(world["anon_api"], url)
        assert response.status_code == 422, (url, response.content)
        body = assert_api_error_shape(response, url)
        assert body["code"] == "validation_error"
    body = get(world["anon_api"], "/api/v1/catalog/items?q=a%00b").json()
    assert list(body["fields"]) == ["q"]


def test_nul_in_a_page_query_string_is_a_400_page(world):
    response = get(world["anon"], "/search/?q=%00")
    assert response.status_code == 400
    assert "空字符".encode() in response.content


def test_nul_in_a_json_body_is_refused_and_nothing_is_stored(world):
    users = User.objects.count()
    with transaction.atomic():
        response = world["anon_api"].post(
            "/api/v1/accounts/register",
            data='{"username": "nul\\u0000user", "password": "Yiwang@2026x", "phone": "13900000000"}',
            content_type="application/json",
        )
    assert response.status_code == 422, response.content
    assert assert_api_error_shape(response, "register")["fields"] == {"username": ["不能包含空字符"]}
    assert User.objects.count() == users


def test_nul_in_a_form_post_is_refused(world):
    with transaction.atomic():
        response = world["anon"].post("/login/", {"username": "citizen\x00", "password": "x"})
    assert response.status_code == 400


@given(text=st.text(min_size=1, max_size=20).map(lambda s: s[:10] + "\x00" + s[10:]))
@settings(max_examples=25, deadline=None, suppress_health_check=NO_HEALTH_CHECKS, database=None)
def test_any_text_with_nul_is_found(text: str) -> None:
    from django.test import RequestFactory

    from yiwang.core.inputs import nul_fields

    request = RequestFactory().get("/api/v1/catalog/items", {"q": text})
    assert nul_fields(request) == ["q"]


@pytest.mark.parametrize(
    "query", ["client_id=-1", "client_id=unknown", "id_token_hint=x.y.z", "client_id=1&id_token_hint=a"]
)
def test_oidc_logout_with_bad_parameters_is_a_400(world, query: str) -> None:
    response = get(world["anon"], f"/o/logout/?{query}")
    assert response.status_code == 400, (query, response.status_code)


@pytest.mark.django_db
def test_a_form_posted_to_a_json_endpoint_is_a_4xx(client):
    """Multipart and urlencoded bodies sent to JSON endpoints: the API refuses them (4xx, error shape);
    reading the form for the NUL check must not make the raw body unreadable (was a 500)."""
    for path in ("/api/v1/accounts/token", "/api/v1/cases/nonexistent/withdraw"):
        multipart = client.post(path, {"username": "a", "password": "b"})
        urlencoded = client.post(
            path, "username=a&password=b", content_type="application/x-www-form-urlencoded"
        )
        for response in (multipart, urlencoded):
            assert 400 <= response.status_code < 500, (path, response.status_code)
            assert "code" in response.json()
