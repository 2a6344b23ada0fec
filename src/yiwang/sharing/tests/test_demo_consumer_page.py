"""The demo consumer system's page: the form, the gateway's answer shown escaped, bad input, and
its client (client-credentials token cached, fetched again after a 401) against a fake platform."""

from __future__ import annotations

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import urlencode

import pytest

from yiwang.sharing.demo_consumer_page import GatewayClient, make_app


class FakeClient:
    base_url = "http://platform.test"

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def query(self, *args):
        self.calls.append(args)
        return 200, {"data": {"name": "<李娜>"}}


def call(app, method="GET", path="/", form=None):
    body = urlencode(form or {}).encode()
    status_headers = {}

    def start_response(status, headers):
        status_headers["status"], status_headers["headers"] = status, dict(headers)

    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    out = b"".join(app(environ, start_response)).decode()
    return status_headers["status"], status_headers["headers"], out


def test_form_and_answer_escaped():
    client = FakeClient()
    app = make_app(client, default_resource="RK-0001")
    status, headers, page = call(app)
    assert status.startswith("200") and 'value="RK-0001"' in page and "<script" not in page
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    form = {
        "resource": "RK-0001",
        "subject": "340104199005120017",
        "fields": "name，gender",
        "purpose": "核验",
    }
    status, _h, page = call(app, "POST", form=form)
    assert status.startswith("200") and "&lt;李娜&gt;" in page and "<李娜>" not in page
    assert client.calls == [("RK-0001", "340104199005120017", ["name", "gender"], "核验", "")]
    assert call(app, "POST", form={"resource": "", "subject": ""})[0].startswith("400")
    assert call(app, "GET", "/etc/passwd")[0].startswith("404")
    assert call(app, "DELETE")[0].startswith("405")


class FakePlatform:
    """/o/token/ hands out numbered tokens; the query answers 401 to a revoked one."""

    def __init__(self) -> None:
        self.tokens = 0
        self.revoked: set[str] = set()
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                self.rfile.read(length)
                if self.path == "/o/token/":
                    platform.tokens += 1
                    status, body = 200, {"access_token": f"t{platform.tokens}", "expires_in": 3600}
                elif self.headers.get("Authorization", "").removeprefix("Bearer ") in platform.revoked:
                    status, body = 401, {"code": "gateway_unauthenticated"}
                else:
                    status, body = 200, {"data": {"gender": "女"}, "token": self.headers["Authorization"]}
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def platform():
    p = FakePlatform()
    yield p
    p.server.shutdown()


def test_client_caches_the_token_and_renews_it_after_a_401(platform):
    client = GatewayClient(platform.url, "id", "secret")
    assert client.query("RK-1", "x", [], "p", "")[1]["token"] == "Bearer t1"
    assert client.query("RK-1", "x", [], "p", "")[1]["token"] == "Bearer t1"
    platform.revoked.add("t1")
    status, answer = client.query("RK-1", "x", [], "p", "")
    assert status == 200 and answer["token"] == "Bearer t2" and platform.tokens == 2


def test_unreachable_platform_is_an_answer_not_a_crash():
    status, _answer = GatewayClient("http://127.0.0.1:9", "id", "secret").query("RK-1", "x", [], "p", "")
    assert status == 0 or status >= 400
