"""The city as a relying party of the province (上级统一身份认证): authorization code + PKCE with Authlib.

Settings: ``YIWANG_UPSTREAM_OIDC_ISSUER`` (e.g. ``https://province.example/o``), ``_CLIENT_ID``,
``_CLIENT_SECRET`` and ``_NAME`` (the button's label).  :func:`begin` keeps ``state``, ``nonce`` and
the PKCE verifier in the session and returns the provider's authorization URL; :func:`complete`
checks the state (once: a replayed callback finds nothing), the RFC 9207 ``iss``, exchanges the code,
verifies the ID token against the provider's JWKS (signature, ``iss``, ``aud``, ``exp``, ``nonce``)
and reads userinfo (its ``sub`` must be the ID token's).  Failures raise :class:`DomainError`
(``upstream_login_refused`` 400, ``upstream_unavailable`` 502); the views show and audit them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from yiwang.accounts.errors import AccountErrorCode
from yiwang.core.errors import DomainError

SESSION_KEY = "yiwang_upstream_flow"
ID_TOKEN_SESSION_KEY = "yiwang_upstream_id_token"  # noqa: S105 - a session key name
SCOPES = "openid profile phone assurance identity company"
TIMEOUT = 10.0
CLOCK_LEEWAY = 60


@dataclass(frozen=True)
class UpstreamLogin:
    issuer: str
    claims: dict[str, Any]  # ID token claims, completed by userinfo
    id_token: str


def configured() -> bool:
    return bool(settings.YIWANG_UPSTREAM_OIDC_ISSUER and settings.YIWANG_UPSTREAM_OIDC_CLIENT_ID)


def issuer() -> str:
    return str(settings.YIWANG_UPSTREAM_OIDC_ISSUER).rstrip("/")


def display_name() -> str:
    return str(settings.YIWANG_UPSTREAM_OIDC_NAME or "上级统一身份认证")


def redirect_uri(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("accounts_upstream:callback"))


def refused(message: str, reason: str) -> DomainError:
    return DomainError(AccountErrorCode.UPSTREAM_LOGIN_REFUSED, message, {"reason": [reason]}, status=400)


def unavailable(message: str, reason: str) -> DomainError:
    return DomainError(AccountErrorCode.UPSTREAM_UNAVAILABLE, message, {"reason": [reason]}, status=502)


def metadata() -> dict[str, Any]:
    """The provider's discovery document; its ``issuer`` must be the configured one."""
    url = f"{issuer()}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=TIMEOUT)
        data = response.json() if response.status_code == 200 else None
    except (requests.RequestException, ValueError) as exc:
        raise unavailable("上级统一身份认证平台暂时无法访问，请稍后再试", "discovery_failed") from exc
    if not isinstance(data, dict):
        raise unavailable("上级统一身份认证平台暂时无法访问，请稍后再试", "discovery_failed")
    if str(data.get("issuer", "")).rstrip("/") != issuer():
        raise unavailable("上级统一身份认证平台的配置不一致（issuer）", "issuer_mismatch")
    return data


def _session(request: HttpRequest) -> OAuth2Session:
    return OAuth2Session(
        settings.YIWANG_UPSTREAM_OIDC_CLIENT_ID,
        settings.YIWANG_UPSTREAM_OIDC_CLIENT_SECRET,
        scope=SCOPES,
        redirect_uri=redirect_uri(request),
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",  # noqa: S106 - a method name
    )


def begin(request: HttpRequest, next_url: str = "") -> str:
    """The authorization URL; state, nonce and the PKCE verifier wait in the session."""
    meta = metadata()
    state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    url, _state = _session(request).create_authorization_url(
        meta["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier
    )
    request.session[SESSION_KEY] = {"state": state, "nonce": nonce, "verifier": verifier, "next": next_url}
    return str(url)


def pending_next(request: HttpRequest) -> str:
    return str((request.session.get(SESSION_KEY) or {}).get("next", ""))


def complete(request: HttpRequest) -> UpstreamLogin:
    """Check the callback and return the verified claims (see the module docstring)."""
    flow = request.session.pop(SESSION_KEY, None)
    state = request.GET.get("state", "")
    if not flow or not state or not secrets.compare_digest(str(flow.get("state", "")), state):
        raise refused("登录请求已失效或来源不明（state 不符），请重新登录", "bad_state")
    if request.GET.get("error"):
        raise refused(f"上级统一身份认证未完成：{request.GET.get('error', '')[:60]}", "provider_error")
    returned_issuer = request.GET.get("iss")
    if returned_issuer is not None and returned_issuer.rstrip("/") != issuer():
        raise refused("登录响应来自其他身份认证平台（iss 不符）", "wrong_issuer")
    code = request.GET.get("code", "")
    if not code:
        raise refused("登录响应缺少授权码", "no_code")
    meta = metadata()
    client = _session(request)
    try:
        token = client.fetch_token(
            meta["token_endpoint"], code=code, code_verifier=flow["verifier"], timeout=TIMEOUT
        )
    except OAuthError as exc:
        raise refused(f"授权码无效或已使用（{exc.error}）", "token_refused") from exc
    except (requests.RequestException, ValueError) as exc:
        raise unavailable("上级统一身份认证平台暂时无法访问，请稍后再试", "token_failed") from exc
    id_token = str(token.get("id_token") or "")
    claims = verify_id_token(meta, id_token, flow["nonce"])
    try:
        answer = client.get(meta["userinfo_endpoint"], timeout=TIMEOUT)
        userinfo = answer.json() if answer.status_code == 200 else None
    except (requests.RequestException, ValueError) as exc:
        raise unavailable("上级统一身份认证平台暂时无法访问，请稍后再试", "userinfo_failed") from exc
    if not isinstance(userinfo, dict) or userinfo.get("sub") != claims.get("sub"):
        raise refused("用户信息与身份令牌不一致", "userinfo_mismatch")
    return UpstreamLogin(issuer(), {**userinfo, **claims}, id_token)


def verify_id_token(meta: dict[str, Any], id_token: str, nonce: str) -> dict[str, Any]:
    """The ID token's claims after checking the signature (JWKS), iss, aud, exp and nonce."""
    try:
        keys = KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=TIMEOUT).json())
    except (requests.RequestException, ValueError, KeyError, JoseError) as exc:
        raise unavailable("无法取得上级统一身份认证平台的签名公钥", "jwks_failed") from exc
    try:
        token = jwt.decode(id_token, keys, algorithms=["RS256"])
    except (JoseError, ValueError) as exc:
        raise refused("身份令牌签名无效", "bad_signature") from exc
    registry = jwt.JWTClaimsRegistry(
        leeway=CLOCK_LEEWAY,
        iss={"essential": True, "value": meta["issuer"]},
        aud={"essential": True, "value": settings.YIWANG_UPSTREAM_OIDC_CLIENT_ID},
        nonce={"essential": True, "value": nonce},
        exp={"essential": True},
        sub={"essential": True},
    )
    try:
        registry.validate(token.claims)
    except JoseError as exc:
        raise refused(f"身份令牌无效：{exc.error}", f"id_token_{exc.error}"[:60]) from exc
    return dict(token.claims)


def logout_url(request: HttpRequest, id_token: str, post_logout_redirect_uri: str) -> str:
    """RP-initiated logout at the provider (its ``end_session_endpoint``), or "" when it has none."""
    try:
        end_session = metadata().get("end_session_endpoint")
    except DomainError:
        return ""
    if not end_session:
        return ""
    query = {
        "post_logout_redirect_uri": post_logout_redirect_uri,
        "client_id": settings.YIWANG_UPSTREAM_OIDC_CLIENT_ID,
    }
    if id_token:
        query["id_token_hint"] = id_token
    return f"{end_session}?{urlencode(query)}"
