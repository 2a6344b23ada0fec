"""The department system's pages: home, login (to the platform), callback, logout, and the push of a
population feed package to the platform's exchange (推送人口库更新)."""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import urlencode

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_POST

from yiwang.exchange.identity import NodeIdentity
from yiwang_demo_dept.feeds import Platform, push_population_update

LEVELS = {0: "匿名", 1: "初级实名", 2: "中级实名", 3: "高级实名"}


@cache
def _client() -> Any:
    oauth = OAuth()
    oauth.register(
        "yiwang",
        client_id=settings.SSO_CLIENT_ID,
        client_secret=settings.SSO_CLIENT_SECRET,
        server_metadata_url=f"{settings.SSO_BASE_URL}/.well-known/openid-configuration",
        client_kwargs={"scope": settings.SSO_SCOPES, "code_challenge_method": "S256"},
    )
    return oauth.yiwang


def home(request: HttpRequest) -> HttpResponse:
    user = request.session.get("user")
    context: dict[str, Any] = {
        "dept_name": settings.DEPT_NAME,
        "user": user,
        "error": request.session.pop("error", ""),
        "feed": request.session.pop("feed", None),
    }
    if user:
        context["level_label"] = LEVELS.get(int(user.get("assurance_level", 0)), "")
    return render(request, "dept_home.html", context)


def login(request: HttpRequest) -> HttpResponse:
    redirect_uri = request.build_absolute_uri("/callback")
    return _client().authorize_redirect(request, redirect_uri)  # type: ignore[no-any-return]


def callback(request: HttpRequest) -> HttpResponse:
    """Code → tokens (PKCE verifier, client secret); the ID token is checked against the JWKS."""
    try:
        token = _client().authorize_access_token(request)
    except OAuthError as exc:
        request.session["error"] = f"登录失败：{exc.error} {exc.description or ''}"
        return HttpResponseRedirect("/")
    claims = dict(token.get("userinfo") or {})
    request.session["user"] = {
        "sub": claims.get("sub"),
        "name": claims.get("name", ""),
        "assurance_level": claims.get("assurance_level", 0),
        "company_name": claims.get("company_name", ""),
        "credit_code": claims.get("credit_code", ""),
        "acting_agent": claims.get("acting_agent"),
    }
    request.session["id_token"] = token.get("id_token", "")
    return HttpResponseRedirect("/")


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """RP-initiated logout: end the platform session too, then come back here."""
    id_token = request.session.get("id_token", "")
    request.session.flush()
    metadata = _client().load_server_metadata()
    end_session = metadata.get("end_session_endpoint")
    if not end_session or not id_token:
        return HttpResponseRedirect("/")
    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": request.build_absolute_uri("/"),
            "client_id": settings.SSO_CLIENT_ID,
        }
    )
    return HttpResponseRedirect(f"{end_session}?{query}")


@require_POST
def push_feed(request: HttpRequest) -> HttpResponse:
    """推送人口库更新 A logged-in official pushes one birth registration to the platform's population base."""
    if not request.session.get("user"):
        return HttpResponseRedirect("/")
    identity = NodeIdentity(settings.DEPT_EXCHANGE_NODE_ID, settings.DEPT_EXCHANGE_SM2_PRIVATE_KEY)
    platform = Platform(settings.DEPT_PLATFORM_NODE_ID, settings.SSO_BASE_URL)
    try:
        request.session["feed"] = push_population_update(identity, platform, settings.DEPT_EXCHANGE_STATE)
    except OSError as exc:
        request.session["error"] = f"推送失败：{exc}"
    return HttpResponseRedirect("/")
