"""ADR 0016: machine-to-machine POSTs take the short middleware chain, everything else the full one."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_started
from django.db import close_old_connections

from yiwang.core.machine import MachineDispatch


@pytest.fixture
def app() -> Iterator[MachineDispatch]:
    # As Django's test client does: the request must not close the test's database connection.
    request_started.disconnect(close_old_connections)
    try:
        yield MachineDispatch(WSGIHandler(), enabled=True)
    finally:
        request_started.connect(close_old_connections)


def call(app: Any, method: str, path: str, body: bytes = b"") -> tuple[str, dict[str, str], bytes]:
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "HTTP_ACCEPT_LANGUAGE": "en",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
    }
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    content = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], content


@pytest.mark.parametrize(
    ("method", "path", "machine"),
    [
        ("POST", "/api/v1/payments/notify/fiscal", True),
        ("POST", "/api/v1/sharing/gateway/population.basic/query", True),
        ("POST", "/api/v1/logistics/callbacks/sim", True),
        ("GET", "/api/v1/payments/notify/fiscal", False),
        ("GET", "/api/v1/sharing/gateway/calls", False),
        ("POST", "/api/v1/sharing/gateway/x/query/extra", False),
        ("POST", "/api/v1/payments/orders", False),
        ("POST", "/workbench/", False),
    ],
)
def test_which_requests_are_machine_calls(method: str, path: str, machine: bool) -> None:
    dispatch = MachineDispatch(lambda *a: [], enabled=False)
    assert dispatch.is_machine({"REQUEST_METHOD": method, "PATH_INFO": path}) is machine


@pytest.mark.django_db
def test_a_notification_takes_the_short_chain_and_keeps_the_error_shape_and_headers(
    app: MachineDispatch,
) -> None:
    status, headers, body = call(app, "POST", "/api/v1/payments/notify/fiscal", b'{"x": 1}')
    assert status.startswith("4")
    assert b'"code"' in body and b'"message"' in body
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "Permissions-Policy" in headers
    assert "Accept-Language" not in headers.get("Vary", "")  # no locale middleware
    assert "Set-Cookie" not in headers  # no session, no CSRF cookie


@pytest.mark.django_db
def test_everything_else_takes_the_full_chain(app: MachineDispatch) -> None:
    status, headers, _ = call(app, "GET", "/api/v1/payments/notify/fiscal")
    assert status.startswith("405")
    assert "Accept-Language" in headers.get("Vary", "")
    off = MachineDispatch(app.web, enabled=False)
    _, headers, _ = call(off, "POST", "/api/v1/payments/notify/fiscal", b"{}")
    assert "Accept-Language" in headers.get("Vary", "")
