"""Authorisation matrix (issue 19): every endpoint × every role × own / other department / other
applicant's object.

The endpoints come from the URL conf (every page pattern outside ``/api/``) and from the OpenAPI
document (every operation of ``/api/v1``); :data:`authorisation_rules.RULES` says who may call each
one.  A new endpoint without a rule fails :func:`test_every_endpoint_has_a_rule` (and a rule left
behind by a removed endpoint fails it too), so nobody can add a page or an API operation without
deciding who may use it.

The probes call every endpoint as every identity of the demo data plus a second citizen:

* ``anon`` — not logged in;
* ``citizen`` — the applicant who owns the case, the licence and the agent authorisation probed;
* ``citizen2`` — another applicant (must never reach ``citizen``'s data);
* ``company`` — a legal person;
* ``clerk`` / ``approver`` — staff of the department that handles the probed case (市场监管局);
* ``clerk_ps`` — a window clerk of another department (公安局: must never reach the case);
* ``manager`` (事项管理员), ``secadmin`` (安全管理员), ``auditor`` (安全审计员), ``admin`` (系统管理员,
  superuser).

Allowed → any answer that is not a refusal and not a server error (2xx, 3xx to somewhere other than a
log-in page, or a 4xx about the input such as 400/409/422); forbidden → 401, 403, 404 (no existence
leak where the code answers 404) or a redirect to a log-in page.  Staff pages are called with a
session that passed MFA, the API with bearer tokens.  Every request runs in a savepoint that is
rolled back, so writes do not leak into the next probe; the demo data is loaded once per module.
"""

from __future__ import annotations

import io
import json
import os
import re
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from authorisation_rules import IDENTITIES, RULES, Rule
from yiwang.accounts.models import User
from yiwang.accounts.services import issue_api_token
from yiwang.testing.mfa import staff_login

pytestmark = pytest.mark.django_db

FROZEN_NOW = datetime(2026, 9, 21, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
LOGIN_PAGES = ("/login/", "/workbench/login/", "/workbench/mfa/", "/admin/login/")
# Probing these would end the sessions of the clients every later probe uses.
LOGS_OUT = {"PAGE /logout/", "PAGE /o/logout/", "DELETE /api/v1/accounts/token"}
# Patterns that are not endpoints of the platform: Django's admin (superuser only: probed through its
# index), static media of the catalogue.
NOT_PAGES = ("admin/", "media/")


# --- the endpoints ----------------------------------------------------------------------------------
def _walk(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def page_routes() -> list[str]:
    """Every page pattern of the URL conf (the API is covered by the OpenAPI document)."""
    routes = {
        route for route in _walk(get_resolver().url_patterns) if not route.startswith(("api/", *NOT_PAGES))
    }
    return sorted(f"PAGE /{route}" for route in routes)


def api_operations() -> list[str]:
    from yiwang.api import api

    schema = api.get_openapi_schema()
    return sorted(
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    )


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def example(schema: dict[str, Any], document: dict[str, Any]) -> Any:
    """A small value the schema accepts: required properties only, first enum members, minimum
    lengths (enough to get past input validation to the permission check)."""
    schema = _resolve(schema, document)
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            options = [o for o in schema[combinator] if _resolve(o, document).get("type") != "null"]
            return example(options[0], document) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type", "object")
    if kind == "object":
        properties = schema.get("properties", {})
        return {
            name: example(properties[name], document)
            for name in schema.get("required", [])
            if name in properties
        }
    if kind == "array":
        return [example(schema.get("items", {}), document) for _ in range(schema.get("minItems", 0))]
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    if kind == "boolean":
        return True
    formats = {"uuid": MISSING, "date": "2026-09-22", "date-time": "2026-09-22T10:00:00+08:00"}
    return formats.get(schema.get("format", ""), "x" * max(1, schema.get("minLength", 1)))


def json_bodies() -> dict[str, Any]:
    """An example JSON body for every API operation that takes one."""
    from yiwang.api import api

    document = api.get_openapi_schema()
    bodies: dict[str, Any] = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                bodies[f"{method.upper()} {path}"] = example(content["application/json"]["schema"], document)
    return bodies


def test_every_endpoint_has_a_rule():
    endpoints = set(page_routes()) | set(api_operations()) | {"PAGE /admin/"}
    missing = sorted(endpoints - set(RULES))
    stale = sorted(set(RULES) - endpoints)
    assert not missing, (
        "endpoints without an authorisation rule (tests/authorisation_rules.py): " + ", ".join(missing)
    )
    assert not stale, "rules for endpoints that no longer exist: " + ", ".join(stale)


# --- the world --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The demo data, one case of ``citizen`` in 市场监管局 with its materials, and a page client and
    an API client per identity; loaded once, rolled back at the end of the module."""
    from yiwang.accounts.models import AgentAuthorisation, StaffProfile
    from yiwang.cases.models import CaseMaterial
    from yiwang.licences.models import Licence
    from yiwang.seals.models import Seal
    from yiwang.testing import portal

    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media),
        time_machine.travel(FROZEN_NOW, tick=False),
        transaction.atomic(),
    ):
        call_command("loaddemo", "--skip-regions", stdout=io.StringIO())
        citizen = User.objects.get(username="citizen")
        clerk = User.objects.get(username="clerk")
        portal.make_citizen("citizen2")
        item = portal.make_item(clerk.staff_profile.organisation)
        case = portal.apply_for(item, citizen)
        objects: dict[str, str] = {
            "case": str(case.public_id),
            "item": str(item.public_id),
            "material": str(
                CaseMaterial.objects.filter(case=case).values_list("public_id", flat=True).first()
            ),
            "staff": str(StaffProfile.objects.get(user=clerk).public_id),
        }
        licence = Licence.objects.filter(holder_user=citizen).first()
        if licence is not None:
            objects["licence"] = str(licence.public_id)
        seal = Seal.objects.filter(organisation=clerk.staff_profile.organisation).first()
        if seal is not None:
            objects["seal"] = str(seal.public_id)
        agent = AgentAuthorisation.objects.filter(company__user__username="company").first()
        if agent is not None:
            objects["agent"] = str(agent.public_id)
        clients: dict[str, tuple[Client, Client]] = {"anon": (Client(), Client())}
        for name in IDENTITIES - {"anon"}:
            user = User.objects.get(username=name)
            page = Client(raise_request_exception=False)
            if user.kind == "staff":
                staff_login(page, user)
            else:
                page.force_login(user)
            token = issue_api_token(user)
            clients[name] = (
                page,
                Client(raise_request_exception=False, headers={"Authorization": f"Bearer {token}"}),
            )
        clients["anon"] = (Client(raise_request_exception=False), Client(raise_request_exception=False))
        yield {"objects": objects, "clients": clients, "bodies": json_bodies()}
        transaction.set_rollback(True)


# --- filling in paths -------------------------------------------------------------------------------
MISSING = str(uuid.UUID(int=7))
# (pattern matched against the route, object) — the first match fills the parameter.
OBJECTS: list[tuple[str, str, str]] = [
    (r"materials/", "material_id", "material"),
    (r"cases/|archives/|window/receipt/", "case_id", "case"),
    (r"cases/|archives/|window/receipt/", "public_id", "case"),
    (r"items/|catalog/", "public_id", "item"),
    (r"workflow/items/", "item_id", "item"),
    (r"seals/", "seal_id", "seal"),
    (r"seals/", "public_id", "seal"),
    (r"licences/", "licence_id", "licence"),
    (r"licences/", "public_id", "licence"),
    (r"staff/", "public_id", "staff"),
    (r"agents/", "agent_id", "agent"),
    (r"agents/", "public_id", "agent"),
]
CONSTANTS = {"action": "claim", "key": "standard", "fmt": "json", "identifier": "x", "token": "x", "sub": "x"}
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>|\{(\w+)\}")


def fill(route: str, objects: dict[str, str]) -> tuple[str, bool]:
    """The concrete path of ``route``; ``True`` when every object in it exists."""
    complete = True

    def value(match: re.Match[str]) -> str:
        nonlocal complete
        name = match.group(2) or match.group(3)
        before = route[: match.start()]
        for where, param, kind in OBJECTS:
            if param == name and re.search(where, before) and kind in objects:
                return objects[kind]
        if name in CONSTANTS:
            return CONSTANTS[name]
        complete = False
        return MISSING

    path = PARAMETER.sub(value, route)
    path = (
        path.replace("^", "").replace("$", "").replace("\\.", ".").replace("(?P<name>root|issuing)", "root")
    )
    path = path.replace("(?P<extension>crt|cer|pem|crl)", "crt").replace("/?", "")
    return ("/" + path.lstrip("/")), complete


# --- one probe ----------------------------------------------------------------------------------------
def refused(response: Any) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    if response.status_code in (301, 302, 303, 307):
        location = urlparse(response.headers.get("Location", "")).path
        # staff sent from an applicant's page to their workbench are refused too
        return location.startswith(LOGIN_PAGES) or location == "/workbench/"
    return False


def call(client: Client, method: str, path: str, body: dict[str, Any] | None) -> Any:
    with transaction.atomic():
        if method == "GET":
            response = client.get(path)
        elif body is None and method == "POST":
            response = client.post(path, {})
        elif body is None:
            response = client.generic(method, path)
        else:
            response = client.generic(method, path, data=json.dumps(body), content_type="application/json")
        transaction.set_rollback(True)
    return response


def probe(world: dict[str, Any], key: str, rule: Rule) -> list[str]:
    """The disagreements between ``rule`` and what the endpoint answers, as readable lines."""
    kind, route = key.split(" ", 1)
    path, complete = fill(route, world["objects"])
    problems = []
    for identity in sorted(IDENTITIES):
        page_client, api_client = world["clients"][identity]
        if kind == "PAGE":
            response = call(page_client, "GET", path, None)
            if response.status_code == 405:
                response = call(page_client, "POST", path, None)
        else:
            body = rule.body if rule.body is not None else world["bodies"].get(key)
            response = call(api_client, kind, path, body if kind != "GET" else None)
        status = response.status_code
        if status >= 500:
            problems.append(f"{key} as {identity}: {status}")
        elif status == 429:
            continue  # rate-limited: says nothing about authorisation
        elif identity in rule.allowed:
            if refused(response) and not (status == 404 and (not complete or rule.absent_ok)):
                problems.append(f"{key} as {identity}: refused ({status}) but the rule allows it")
        elif not refused(response):
            problems.append(f"{key} as {identity}: answered {status} but the rule forbids it")
    return problems


def test_every_endpoint_refuses_everyone_its_rule_does_not_allow(world):
    problems: list[str] = []
    with time_machine.travel(FROZEN_NOW, tick=False):
        for key in sorted(RULES):
            rule = RULES[key]
            if rule.skip:
                continue
            problems += probe(world, key, rule)
    assert not problems, f"{len(problems)} disagreements:\n" + "\n".join(problems)


@pytest.mark.skipif(not os.environ.get("YIWANG_MATRIX_RECORD"), reason="records the observed matrix")
def test_record_the_observed_matrix(world):  # pragma: no cover - a tool for writing the rules
    observed: dict[str, Any] = {}
    with time_machine.travel(FROZEN_NOW, tick=False):
        for key in page_routes() + api_operations() + ["PAGE /admin/"]:
            if key in LOGS_OUT:
                continue
            kind, route = key.split(" ", 1)
            path, complete = fill(route, world["objects"])
            rule = RULES.get(key)
            row: dict[str, Any] = {"complete": complete, "path": path, "answers": {}}
            for identity in sorted(IDENTITIES):
                page_client, api_client = world["clients"][identity]
                if kind == "PAGE":
                    response = call(page_client, "GET", path, None)
                    if response.status_code == 405:
                        response = call(page_client, "POST", path, None)
                else:
                    body = rule.body if rule and rule.body is not None else world["bodies"].get(key)
                    response = call(api_client, kind, path, body if kind != "GET" else None)
                location = urlparse(response.headers.get("Location", "")).path
                row["answers"][identity] = [response.status_code, refused(response), location]
            observed[key] = row
    with open(os.environ["YIWANG_MATRIX_RECORD"], "w") as out:
        json.dump(observed, out, indent=1, ensure_ascii=False)
