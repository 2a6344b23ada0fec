"""Schemathesis over the whole /api/v1 (issue 15): every operation, anonymously and with a bearer token
of each role, must answer without a server error, only with documented status codes and only with
bodies that match the documented schema.

The app is called in-process through its WSGI handler (Django's own request cycle, middleware
included) inside the test's transaction, so the run needs no server and works on SQLite and
PostgreSQL alike.  Generation is derandomised and small (``EXAMPLES`` cases per operation, each sent
once per identity), so the run is repeatable and bounded.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import schemathesis
import time_machine
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from yiwang.accounts.services import issue_api_token
from yiwang.core.calendar import seed_calendar
from yiwang.testing.accounts import company, staff
from yiwang.testing.cases import ServiceItemFactory, make_citizen, submit_case
from yiwang.testing.catalog import OrganisationFactory

# A fixed working day of a year whose calendar is seeded: nothing depends on today's date.
FROZEN_NOW = datetime(2026, 9, 21, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
EXAMPLES = 3
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Revokes the token it is called with: sent last, so the other operations see live tokens.
LAST = ("DELETE", "/api/v1/accounts/token")


@pytest.fixture
def world(db: None, settings: Any, tmp_path: Path) -> Iterator[dict[str, str | None]]:
    """A department with a published item and a filed case, and a token per role."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(FROZEN_NOW, tick=True):
        seed_calendar([2026])
        department = OrganisationFactory(name="合肥市市场监督管理局", short_name="市市场监管局")
        item = ServiceItemFactory(implementing_body=department)
        citizen = make_citizen("fuzz_citizen")
        submit_case(item, citizen)
        users = {
            "citizen": citizen,
            "company": company(make_citizen("fuzz_rep"), "fuzz_company"),
            "clerk": staff("fuzz_clerk", ["window_clerk"], department),
            "approver": staff("fuzz_approver", ["handler", "approver"], department),
            "manager": staff("fuzz_manager", ["service_manager"], department),
            "security_admin": staff("fuzz_secadmin", ["security_admin"], department),
            "auditor": staff("fuzz_auditor", ["auditor"], department),
        }
        identities: dict[str, str | None] = {"anonymous": None}
        identities.update({role: issue_api_token(user) for role, user in users.items()})
        yield identities


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    """Django's WSGI handler, kept on the test's connection (as django.test.Client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _operations(schema: Any, failures: list[str]) -> list[Any]:
    operations = []
    for result in schema.get_all_operations():
        try:
            operations.append(result.ok())
        except Exception as exc:  # an operation the document describes badly
            failures.append(f"unusable operation in the document: {exc}")
    operations.sort(key=lambda op: (op.method.upper(), op.path) == LAST)
    return operations


def test_the_whole_api_conforms_to_its_document_for_every_role(world, wsgi_app):
    failures: list[str] = []
    crashes: list[str] = []

    def remember_crash(sender: Any, request: Any = None, **kwargs: Any) -> None:
        crashes.append(traceback.format_exc(limit=-4))

    got_request_exception.connect(remember_crash)
    try:
        with time_machine.travel(FROZEN_NOW, tick=True):
            schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
            operations = _operations(schema, failures)
            assert len(operations) > 100
            for operation in operations:
                _fuzz(operation, world, failures, crashes)
    finally:
        got_request_exception.disconnect(remember_crash)
    assert failures == [], _summary(failures)


def _summary(failures: list[str]) -> str:
    """One entry per operation, status and kind of failure (with the roles that met it)."""
    groups: dict[str, tuple[list[str], str]] = {}
    for failure in failures:
        head, _, detail = failure.partition("\n")
        role, _, rest = head.partition("] ")
        kind = detail.strip().split(":", 1)[0]
        roles, _first = groups.setdefault(f"{rest} | {kind}", ([], detail))
        roles.append(role.lstrip("["))
    return f"{len(failures)} failures, {len(groups)} distinct:\n" + "\n".join(
        f"{key} [{', '.join(roles)}]\n{detail[:1200]}" for key, (roles, detail) in groups.items()
    )


def _fuzz(operation: Any, identities: dict[str, str | None], failures: list[str], crashes: list[str]) -> None:
    label = f"{operation.method.upper()} {operation.path}"

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        for role, token in identities.items():
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            crashes.clear()
            response = case.call(headers=headers)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup is the latter
                found = getattr(exc, "exceptions", [exc])
                detail = "\n".join(f"  {getattr(f, 'title', type(f).__name__)}: {f}"[:600] for f in found)
                detail += f"\n  body: {response.text[:300]}"
                crash = ("\n" + crashes[-1][-1500:]) if crashes else ""
                failures.append(f"[{role}] {label} -> {response.status_code}\n{detail}{crash}")

    run()
