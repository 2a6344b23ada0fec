"""The demo consumer system's own small page (演示调用方系统): a form where one enters an ID number,
a credit code or a region code, a resource code and fields, and sees what the sharing gateway
answers — over real HTTP, with the system's client-credentials token, as any department system.

A plain WSGI application (standard library only) served by ``yiwang demo_consumer --serve`` on
``PORT+2``; no Django request handling, no database: it only talks to the platform over HTTP."""

from __future__ import annotations

import base64
import html
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

MAX_BODY = 4096


def post_json(url: str, data: bytes, headers: dict[str, str], timeout: float = 10) -> tuple[int, Any]:
    """POST and decode the JSON answer (errors too); ``(0, {...})`` when the platform is unreachable."""
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read() or b"{}")
        except ValueError:
            return exc.code, {}
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return 0, {"code": "unreachable", "message": str(exc)}


@dataclass
class GatewayClient:
    """Client credentials → a cached bearer token → ``POST …/gateway/{code}/query``."""

    base_url: str
    client_id: str
    client_secret: str
    prefix: str = "/api/v1/sharing"
    _token: str = ""
    _expires: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def token(self) -> tuple[int, str, Any]:
        with self._lock:
            if self._token and time.monotonic() < self._expires:
                return 200, self._token, None
            basic = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
            status, body = post_json(
                f"{self.base_url}/o/token/",
                b"grant_type=client_credentials",
                {"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
            )
            if status != 200 or "access_token" not in body:
                return status, "", body
            self._token = str(body["access_token"])
            self._expires = time.monotonic() + max(30, int(body.get("expires_in", 300)) - 30)
            return 200, self._token, None

    def forget_token(self) -> None:
        with self._lock:
            self._token, self._expires = "", 0.0

    def query(
        self, resource: str, subject: str, fields: list[str], purpose: str, case_number: str
    ) -> tuple[int, Any]:
        status, token, error = self.token()
        if status != 200:
            return status, {"code": "token_refused", "message": "令牌获取失败", "fields": error or {}}
        body = json.dumps(
            {"subject": subject, "fields": fields, "purpose": purpose, "case_number": case_number}
        ).encode()
        path = f"{self.base_url}{self.prefix}/gateway/{urllib.parse.quote(resource, safe='')}/query"
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        status, answer = post_json(path, body, headers)
        if status == 401:  # the token was revoked (keys rotated): fetch a new one once
            self.forget_token()
            status, token, error = self.token()
            if status == 200:
                headers["Authorization"] = f"Bearer {token}"
                status, answer = post_json(path, body, headers)
        return status, answer


PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>演示调用方系统 · 共享网关查询</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main>
<h1>演示部门审批系统 · 共享网关查询</h1>
<p>本页面模拟一个部门业务系统：以客户端凭据调用政务信息资源共享平台的共享网关。平台：<code>{base}</code></p>
<form method="post" action="/">
<p><label for="resource">资源代码</label> <input id="resource" name="resource" required maxlength="40" value="{resource}"></p>
<p><label for="subject">身份证号 / 统一社会信用代码 / 区划代码</label> <input id="subject" name="subject" required maxlength="40" value="{subject}"></p>
<p><label for="fields">信息项（逗号分隔，空为授权的全部）</label> <input id="fields" name="fields" maxlength="500" value="{fields}"></p>
<p><label for="purpose">用途</label> <input id="purpose" name="purpose" required maxlength="300" value="{purpose}"></p>
<p><label for="case_number">办件编号（查询个人信息时必填）</label> <input id="case_number" name="case_number" maxlength="64" value="{case_number}"></p>
<p><button type="submit">查询</button></p>
</form>
{answer}
</main></body></html>
"""


def render_page(base: str, values: dict[str, str], answer: str = "") -> bytes:
    escaped = {key: html.escape(value, quote=True) for key, value in values.items()}
    return PAGE.format(base=html.escape(base), answer=answer, **escaped).encode()


def render_answer(status: int, answer: Any) -> str:
    text = html.escape(json.dumps(answer, ensure_ascii=False, indent=2))
    verdict = "成功" if status == 200 else ("平台不可达" if status == 0 else "被拒绝或出错")
    return f'<section><h2>网关应答：HTTP {status}（{verdict}）</h2><pre id="answer">{text}</pre></section>'


DEFAULTS = {"resource": "", "subject": "", "fields": "", "purpose": "演示：办件核验", "case_number": ""}

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def make_app(
    client: GatewayClient, *, default_resource: str = ""
) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """The WSGI application: ``GET /`` the form, ``POST /`` the form and the gateway's answer."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Security-Policy", "default-src 'none'; form-action 'self'"),
            ("Cache-Control", "no-store"),
        ]
        if environ.get("PATH_INFO", "/") != "/":
            start_response("404 Not Found", headers)
            return [b"not found"]
        values = {**DEFAULTS, "resource": default_resource}
        if method == "GET":
            start_response("200 OK", headers)
            return [render_page(client.base_url, values)]
        if method != "POST":
            start_response("405 Method Not Allowed", [*headers, ("Allow", "GET, POST")])
            return [b"method not allowed"]
        try:
            length = min(int(environ.get("CONTENT_LENGTH") or 0), MAX_BODY)
        except ValueError:
            length = 0
        form = urllib.parse.parse_qs(environ["wsgi.input"].read(length).decode("utf-8", "replace"))
        for key, limit in (
            ("resource", 40),
            ("subject", 40),
            ("fields", 500),
            ("purpose", 300),
            ("case_number", 64),
        ):
            values[key] = (form.get(key) or [""])[0].strip()[:limit]
        if not values["resource"] or not values["subject"]:
            start_response("400 Bad Request", headers)
            return [
                render_page(
                    client.base_url, values, render_answer(400, {"message": "请填写资源代码和查询对象"})
                )
            ]
        fields = [name.strip() for name in values["fields"].replace("，", ",").split(",") if name.strip()][
            :50
        ]
        status, answer = client.query(
            values["resource"], values["subject"], fields, values["purpose"], values["case_number"]
        )
        start_response("200 OK", headers)
        return [render_page(client.base_url, values, render_answer(status, answer))]

    return app


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def serve(client: GatewayClient, host: str, port: int, *, default_resource: str = "") -> None:
    """Serve the page until interrupted (``yiwang demo_consumer --serve``)."""
    server = make_server(
        host, port, make_app(client, default_resource=default_resource), _ThreadingWSGIServer, _QuietHandler
    )
    try:
        server.serve_forever()
    finally:
        server.server_close()
