"""Security headers (issue 19, Edge): every page of the crawl carries the Content-Security-Policy and
the other headers; no template carries an inline script, an ``on*=`` handler, a ``<style>`` element or
a ``style=`` attribute (the policy would block them); logged-in answers are ``no-store``; the
relying parties' origins are allowed as form targets (single sign-on redirects after the log-in form).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, RequestFactory

import test_no_server_error as crawl
from yiwang.core.security_headers import content_security_policy

PAGES, get = crawl.PAGES, crawl.get
demo_world = crawl.demo_world  # the crawl's world: the demo data and a client per identity
SRC = Path(__file__).resolve().parents[1] / "src" / "yiwang"
DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
}
SIGN_ON = RequestFactory().get("/o/authorize/")
EXTRA_PAGES = [
    ("/workbench/catalog/statistics/", "manager"),
    ("/workbench/library/report/", "clerk"),
    ("/login/", "anon"),
    ("/register/", "anon"),
    ("/workbench/login/", "anon"),
    ("/no-such-page/", "anon"),
]


def policy(response: Any) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    parts = [part.strip().split(" ", 1) for part in header.split(";") if part.strip()]
    return {name: (rest[0] if rest else "") for name, *rest in parts}


def assert_secure_page(response: Any, url: str) -> None:
    assert response.headers["Content-Type"].startswith("text/html"), url
    directives = policy(response)
    for name, value in DIRECTIVES.items():
        assert directives.get(name) == value, (url, name, directives.get(name))
    assert directives["form-action"].startswith("'self'"), url
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"], url
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"], url
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin", url
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin", url
    assert "camera=()" in response.headers["Permissions-Policy"], url
    assert response.headers["Referrer-Policy"] == "same-origin", url
    assert response.headers["X-Frame-Options"] == "DENY", url


@pytest.mark.django_db
def test_every_page_of_the_crawl_carries_the_policy_and_headers(demo_world: dict[str, Client]) -> None:
    crawled = [(path, who) for path, who, _params in PAGES] + EXTRA_PAGES
    for path, who in crawled:
        response = get(demo_world[who], path)
        assert response.status_code < 500, (path, response.status_code)
        assert_secure_page(response, path)
        if who != "anon":
            assert "no-store" in response.headers["Cache-Control"], path


@pytest.mark.django_db
def test_api_answers_carry_the_headers_and_personal_ones_are_not_stored(
    demo_world: dict[str, Client],
) -> None:
    response = get(demo_world["citizen_api"], "/api/v1/accounts/me")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "Content-Security-Policy" not in response.headers  # JSON: nothing to render
    public = get(demo_world["anon_api"], "/api/v1/catalog/items")
    assert "no-store" not in public.headers.get("Cache-Control", "")


def test_answers_that_are_not_pages_carry_the_headers_too(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "public, max-age=86400"  # the view's own choice stays


# --- the templates ---------------------------------------------------------------------------------
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
HANDLER = re.compile(r"<[^>]*\s(on[a-z]+)\s*=", re.I)
STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)
JS_URL = re.compile(r"(?:href|src|action)\s*=\s*[\"']?\s*javascript:", re.I)


def templates() -> list[Path]:
    return sorted(p for p in SRC.glob("**/templates/**/*.html"))


def test_there_are_templates_to_check() -> None:
    assert len(templates()) > 100


@pytest.mark.parametrize(
    ("pattern", "what"),
    [
        (INLINE_SCRIPT, "inline <script> (move it to a static file; data goes in json_script)"),
        (HANDLER, "on*= event handler attribute (use addEventListener in a static file)"),
        (STYLE, "<style> element or style= attribute (use a class in a static CSS file)"),
        (JS_URL, "javascript: URL"),
    ],
)
def test_no_template_has_what_the_policy_blocks(pattern: re.Pattern[str], what: str) -> None:
    found = [
        f"{path.relative_to(SRC)}:{text[: match.start()].count(chr(10)) + 1}"
        for path in templates()
        for text in [path.read_text(encoding="utf-8")]
        for match in pattern.finditer(text)
    ]
    assert not found, f"{what}: {found}"


def test_the_check_finds_what_it_looks_for() -> None:
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/a.js" defer></script>')
    assert not INLINE_SCRIPT.search('<script id="d" type="application/json">{}</script>')
    assert HANDLER.search('<button type="button" onclick="x()">')
    assert not HANDLER.search('<button data-onclick="x">')
    assert STYLE.search('<div style="height: 1px">') and STYLE.search("<style>p{}</style>")


# --- form-action and the relying parties -----------------------------------------------------------
@pytest.mark.django_db
def test_form_action_allows_the_registered_relying_parties(settings: Any) -> None:
    from yiwang.accounts.oidc import register_client

    settings.YIWANG_DEMO = False
    before = policy_of(content_security_policy(SIGN_ON))["form-action"].split()
    assert before[0] == "'self'" and "https://dept.example.gov.cn" not in before
    register_client(
        name="部门系统",
        redirect_uris=["https://dept.example.gov.cn/callback"],
        post_logout_redirect_uris=["https://other.example.gov.cn:8443/"],
        client_id="dept",
    )
    form_action = policy_of(content_security_policy(SIGN_ON))["form-action"].split()
    assert form_action[0] == "'self'"
    assert {"https://dept.example.gov.cn", "https://other.example.gov.cn:8443"} <= set(form_action)


@pytest.mark.django_db
def test_demo_allows_loopback_relying_parties_on_any_port(settings: Any) -> None:
    from yiwang.accounts.oidc import register_client

    settings.YIWANG_DEMO = True
    register_client(name="演示", redirect_uris=["http://127.0.0.1:8001/callback"], client_id="demo-dept")
    assert "http://127.0.0.1:*" in policy_of(content_security_policy(SIGN_ON))["form-action"].split()


@pytest.mark.django_db
def test_other_pages_allow_only_their_own_origin(settings: Any, client: Client) -> None:
    from yiwang.accounts.oidc import register_client

    register_client(
        name="部门系统", redirect_uris=["https://dept.example.gov.cn/callback"], client_id="dept2"
    )
    assert (
        "https://dept.example.gov.cn"
        in policy(client.get("/login/?next=/o/authorize/%3Fclient_id%3Ddept2"))["form-action"]
    )
    assert policy(client.get("/login/"))["form-action"] == "'self'"
    assert policy(client.get("/"))["form-action"] == "'self'"


def policy_of(header: str) -> dict[str, str]:
    return {part.strip().split(" ", 1)[0]: part.strip().split(" ", 1)[1] for part in header.split(";")}


# --- cookies in production ---------------------------------------------------------------------------
def test_production_cookies_are_secure_httponly_and_samesite() -> None:
    import json
    import os
    import subprocess
    import sys

    root = SRC.parents[1]
    env = {
        **os.environ,
        "YIWANG_PROFILE": "production",
        "SECRET_KEY": "x" * 20 + "production-secret-key-for-the-check-0123456789",
        "ALLOWED_HOSTS": "zwfw.example.gov.cn",
        "DATABASE_URL": "sqlite:////tmp/yiwang-cookie-check.sqlite3",
        "YIWANG_PUBLIC_URL": "https://zwfw.example.gov.cn",
        "YIWANG_AUDIT_KEY": "audit-chain-key-for-the-cookie-check-0123456789",
        "YIWANG_AUDIT_CHECKPOINT_KEY": "audit-checkpoint-key-for-the-cookie-check-0123456789",
        "YIWANG_DATA_KEK": "ab" * 32,
    }
    names = [
        f"{cookie}_COOKIE_{flag}"
        for cookie in ("SESSION", "CSRF", "LANGUAGE")
        for flag in ("SECURE", "HTTPONLY", "SAMESITE")
    ]
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        env={**env, "DJANGO_SETTINGS_MODULE": "yiwang.settings", "PYTHONPATH": str(root / "src")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    values = json.loads(result.stdout.strip().splitlines()[-1])
    for cookie in ("SESSION", "CSRF", "LANGUAGE"):
        assert values[f"{cookie}_COOKIE_SECURE"] is True, cookie
        assert values[f"{cookie}_COOKIE_HTTPONLY"] is True, cookie
        assert values[f"{cookie}_COOKIE_SAMESITE"] == "Lax", cookie
