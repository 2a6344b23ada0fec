"""Single sign-on: a real OIDC client (Authlib) against the running provider (live server).

Authorization code + PKCE, ID-token signature against the JWKS, userinfo, refresh, revocation,
RP-initiated logout, consent for third parties, per-client scopes, company logins with the acting
agent, the mapping integration mode, and the refusals (wrong redirect URI, replayed/forged codes).
"""

from __future__ import annotations

import html
import re
import secrets
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import KeySet

from yiwang.accounts.models import AssuranceLevel, IntegrationMode
from yiwang.accounts.oidc import pairwise_sub
from yiwang.accounts.services import grant_agent_authorisation
from yiwang.accounts.tests import factories
from yiwang.core.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)

REDIRECT = "http://testclient.example/callback"


class Browser:
    """A user agent: logs into the portal and follows the provider's redirects up to the client."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()

    def login(self, username: str, password: str = factories.PASSWORD) -> None:
        page = self.http.get(f"{self.base}/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        response = self.http.post(
            f"{self.base}/login/",
            data={"csrfmiddlewaretoken": token, "username": username, "password": password},
            allow_redirects=False,
        )
        assert response.status_code == 302, response.text[:500]

    def authorize(self, url: str) -> requests.Response:
        """GET the authorize URL and follow redirects inside the provider; stop at the client."""
        response = self.http.get(url, allow_redirects=False)
        while response.status_code == 302 and response.headers["Location"].startswith(("/", self.base)):
            location = response.headers["Location"]
            response = self.http.get(
                location if location.startswith("http") else self.base + location, allow_redirects=False
            )
        return response

    def post_form(self, page: requests.Response, url: str, extra: dict[str, str]) -> requests.Response:
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
        fields.update(
            re.findall(r'<input type="hidden" name="([^"]+)" id="[^"]*" value="([^"]*)"', page.text)
        )
        for name, value in re.findall(r'name="([^"]+)" type="hidden" value="([^"]*)"', page.text):
            fields[name] = value
        fields = {name: html.unescape(value) for name, value in fields.items()}
        fields.update(extra)
        return self.http.post(url, data=fields, allow_redirects=False)


def _metadata(base: str) -> dict[str, Any]:
    response = requests.get(f"{base}/.well-known/openid-configuration", timeout=30)
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def _client(
    meta: dict[str, Any], secret: str, scope: str = "openid profile assurance", client_id: str = "dept-system"
) -> OAuth2Session:
    return OAuth2Session(
        client_id,
        secret,
        scope=scope,
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )


def _code_flow(browser: Browser, meta: dict[str, Any], session: OAuth2Session) -> tuple[dict[str, Any], str]:
    verifier = secrets.token_urlsafe(48)
    nonce = secrets.token_urlsafe(12)
    url, _state = session.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    response = browser.authorize(url)
    assert response.status_code == 302, response.text[:800]
    callback = response.headers["Location"]
    assert callback.startswith(REDIRECT)
    token = session.fetch_token(
        meta["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    return token, nonce


def _verify_id_token(
    meta: dict[str, Any], id_token: str, nonce: str, client_id: str = "dept-system"
) -> dict[str, Any]:
    keys = KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=30).json())
    token = jwt.decode(id_token, keys, algorithms=["RS256"])  # fails on a bad signature
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": meta["issuer"]},
        aud={"essential": True, "value": client_id},
        nonce={"essential": True, "value": nonce},
        exp={"essential": True},
    ).validate(token.claims)
    return dict(token.claims)


def test_discovery_is_served_at_the_site_root_and_under_the_issuer(live_server):
    meta = _metadata(live_server.url)
    assert meta["issuer"] == f"{live_server.url}/o"
    assert (
        requests.get(f"{meta['issuer']}/.well-known/openid-configuration", timeout=30).json()["issuer"]
        == meta["issuer"]
    )
    assert "S256" in meta.get("code_challenge_methods_supported", ["S256"])
    assert meta["end_session_endpoint"].endswith("/o/logout/")
    assert "assurance_level" in meta["claims_supported"]


def test_code_pkce_flow_refresh_and_revocation_with_authlib(live_server):
    person = factories.citizen(level=AssuranceLevel.INTERMEDIATE)
    _app, secret = factories.oidc_client()
    meta = _metadata(live_server.url)
    browser = Browser(live_server.url)
    browser.login("citizen")
    session = _client(meta, secret)
    token, nonce = _code_flow(browser, meta, session)

    claims = _verify_id_token(meta, token["id_token"], nonce)  # RS256 signature against the JWKS
    assert claims["sub"] == str(person.public_id)
    assert claims["assurance_level"] == AssuranceLevel.INTERMEDIATE
    assert claims["acr"] == "urn:yiwang:loa:2"
    assert claims["name"] == "张伟"
    assert "phone_number" not in claims  # "phone" scope not requested

    userinfo = session.get(meta["userinfo_endpoint"]).json()
    assert userinfo["sub"] == str(person.public_id) and userinfo["assurance_level"] == 2

    # Refresh: a new access token; the old refresh token is rotated and cannot be used again.
    old_refresh = token["refresh_token"]
    refreshed = session.refresh_token(meta["token_endpoint"], refresh_token=old_refresh)
    assert refreshed["access_token"] != token["access_token"]
    replay = requests.post(
        meta["token_endpoint"],
        data={"grant_type": "refresh_token", "refresh_token": old_refresh},
        auth=("dept-system", secret),
        timeout=30,
    )
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"

    # Revocation: the access token stops working at the userinfo endpoint.
    session.revoke_token(
        meta["issuer"] + "/revoke_token/", token=refreshed["access_token"], token_type_hint="access_token"
    )
    revoked = requests.get(
        meta["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {refreshed['access_token']}"},
        timeout=30,
    )
    assert revoked.status_code == 401
    assert AuditEvent.objects.filter(action="sso.token_issued").count() >= 2
    assert AuditEvent.objects.filter(action="sso.token_refused").exists()


def test_replayed_and_forged_codes_are_refused_and_audited(live_server):
    factories.citizen()
    _app, secret = factories.oidc_client()
    meta = _metadata(live_server.url)
    browser = Browser(live_server.url)
    browser.login("citizen")
    session = _client(meta, secret)
    verifier = secrets.token_urlsafe(48)
    url, _state = session.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=verifier, nonce="n1"
    )
    callback = browser.authorize(url).headers["Location"]
    code = parse_qs(urlparse(callback).query)["code"][0]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
    }

    wrong_verifier = requests.post(
        meta["token_endpoint"],
        data={**form, "code_verifier": "x" * 50},
        auth=("dept-system", secret),
        timeout=30,
    )
    assert wrong_verifier.status_code == 400
    first = requests.post(meta["token_endpoint"], data=form, auth=("dept-system", secret), timeout=30)
    # oauthlib burns a code on a failed PKCE check; either way the code is never accepted twice.
    again = requests.post(meta["token_endpoint"], data=form, auth=("dept-system", secret), timeout=30)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert first.status_code in (200, 400)
    forged = requests.post(
        meta["token_endpoint"], data={**form, "code": "forged-code"}, auth=("dept-system", secret), timeout=30
    )
    assert forged.status_code == 400
    bad_secret = requests.post(meta["token_endpoint"], data=form, auth=("dept-system", "wrong"), timeout=30)
    assert bad_secret.status_code == 401
    refused = AuditEvent.objects.filter(action="sso.token_refused")
    assert refused.count() >= 4
    assert {e.detail["error"] for e in refused} >= {"invalid_grant", "invalid_client"}


def test_wrong_redirect_uri_is_refused_without_redirecting(live_server):
    factories.citizen()
    _app, secret = factories.oidc_client()
    meta = _metadata(live_server.url)
    browser = Browser(live_server.url)
    browser.login("citizen")
    session = OAuth2Session(
        "dept-system",
        secret,
        scope="openid",
        redirect_uri="http://evil.example/steal",
        code_challenge_method="S256",
    )
    url, _ = session.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=secrets.token_urlsafe(48)
    )
    response = browser.authorize(url)
    assert response.status_code == 400
    assert "evil.example" not in response.headers.get("Location", "")
    assert "无法完成单点登录" in response.text
    assert AuditEvent.objects.filter(action="sso.authorize_refused").exists()


def test_pkce_is_required(live_server):
    factories.citizen()
    _app, secret = factories.oidc_client()
    meta = _metadata(live_server.url)
    browser = Browser(live_server.url)
    browser.login("citizen")
    session = OAuth2Session("dept-system", secret, scope="openid", redirect_uri=REDIRECT)
    url, _ = session.create_authorization_url(meta["authorization_endpoint"])
    response = browser.authorize(url)
    location = response.headers.get("Location", "")
    assert "code=" not in location
    assert "error=invalid_request" in location or response.status_code == 400


def test_scopes_beyond_the_clients_allowance_are_refused(live_server):
    factories.citizen()
    _app, secret = factories.oidc_client(scopes="openid profile")
    meta = _metadata(live_server.url)
    browser = Browser(live_server.url)
    browser.login("citizen")
    session = _client(meta, secret, scope="openid profile identity")
    url, _ = session.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=secrets.token_urlsafe(48)
    )
    response = browser.authorize(url)
    assert "error=invalid_scope" in response.headers.get("Location", "")


def test_third_party_client_shows_the_consent_screen(live_server):
    factories.citizen()
    _app, secret = factories.oidc_client(trusted=False)
    meta = _metadata(live_server.url)
    browser = Browser(live_server.url)
    browser.login("citizen")
    session = _client(meta, secret)
    verifier = secrets.token_urlsafe(48)
    url, _ = session.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=verifier, nonce="n"
    )
    page = browser.authorize(url)
    assert page.status_code == 200
    assert "同意并登录" in page.text and "实名认证等级" in page.text
    denied = browser.post_form(page, meta["authorization_endpoint"], {})
    assert "error=access_denied" in denied.headers["Location"]
    assert AuditEvent.objects.filter(action="sso.consent_denied").exists()
    page = browser.authorize(url)
    allowed = browser.post_form(page, meta["authorization_endpoint"], {"allow": "Authorize"})
    assert allowed.headers["Location"].startswith(REDIRECT) and "code=" in allowed.headers["Location"]


def test_company_login_by_an_agent_carries_credit_code_and_acting_agent(live_server):
    from datetime import timedelta

    from django.utils import timezone

    representative = factories.citizen("boss", level=AssuranceLevel.INTERMEDIATE, real_name="王总")
    company_user = factories.company(representative)
    agent = factories.citizen("agent", level=AssuranceLevel.INTERMEDIATE, real_name="李代办")
    grant_agent_authorisation(
        representative,
        company=company_user.legal_person,
        agent_id_number=agent.natural_person.id_number,
        agent_name="李代办",
        valid_until=timezone.now() + timedelta(days=30),
        all_items=True,
    )
    _app, secret = factories.oidc_client()
    meta = _metadata(live_server.url)
    browser = Browser(live_server.url)
    browser.login("agent")
    session = _client(meta, secret, scope="openid profile assurance company")
    verifier = secrets.token_urlsafe(48)
    url, _ = session.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=verifier, nonce="n2"
    )
    chooser = browser.authorize(url)
    assert chooser.status_code == 200 and "选择登录身份" in chooser.text
    response = browser.post_form(
        chooser, f"{live_server.url}/sso/choose/", {"acting_as": company_user.legal_person.credit_code}
    )
    callback = browser.authorize(live_server.url + response.headers["Location"]).headers["Location"]
    token = session.fetch_token(
        meta["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    claims = _verify_id_token(meta, token["id_token"], "n2")
    assert claims["sub"] == str(company_user.public_id)
    assert claims["credit_code"] == company_user.legal_person.credit_code
    assert claims["acting_agent"] == {"sub": str(agent.public_id), "name": "李代办", "role": "agent"}


def test_mapping_mode_gives_pairwise_subjects_and_maps_once(live_server):
    person = factories.citizen()
    app, secret = factories.oidc_client(mode=IntegrationMode.MAPPING)
    meta = _metadata(live_server.url)
    browser = Browser(live_server.url)
    browser.login("citizen")
    session = _client(meta, secret)
    token, nonce = _code_flow(browser, meta, session)
    claims = _verify_id_token(meta, token["id_token"], nonce)
    assert claims["sub"] == pairwise_sub(app, person) != str(person.public_id)
    api = f"{live_server.url}/api/v1/accounts/sso/mappings"
    assert (
        requests.post(
            api, json={"sub": claims["sub"], "local_user_id": "u1"}, auth=("dept-system", "wrong"), timeout=30
        ).status_code
        == 401
    )
    mapped = requests.post(
        api,
        json={"sub": claims["sub"], "local_user_id": "dept-0042"},
        auth=("dept-system", secret),
        timeout=30,
    )
    assert mapped.status_code == 200 and mapped.json()["local_user_id"] == "dept-0042"
    again = requests.post(
        api,
        json={"sub": claims["sub"], "local_user_id": "dept-9999"},
        auth=("dept-system", secret),
        timeout=30,
    )
    assert again.status_code == 409 and again.json()["code"] == "sso_mapping_conflict"
    token2, nonce2 = _code_flow(browser, meta, _client(meta, secret))
    assert _verify_id_token(meta, token2["id_token"], nonce2)["local_user_id"] == "dept-0042"


def test_rp_initiated_logout_ends_the_platform_session(live_server):
    factories.citizen()
    _app, secret = factories.oidc_client()
    meta = _metadata(live_server.url)
    browser = Browser(live_server.url)
    browser.login("citizen")
    token, _ = _code_flow(browser, meta, _client(meta, secret))
    response = browser.http.get(
        meta["end_session_endpoint"],
        params={
            "id_token_hint": token["id_token"],
            "post_logout_redirect_uri": "http://testclient.example/",
            "client_id": "dept-system",
        },
        allow_redirects=False,
    )
    assert response.status_code == 302 and response.headers["Location"] == "http://testclient.example/"
    assert (
        browser.http.get(f"{live_server.url}/my/security/", allow_redirects=False).status_code == 302
    )  # logged out


def test_s256_challenge_helper_matches():  # keeps the helper import honest
    assert create_s256_code_challenge("abc") != "abc"
