"""OpenID Connect conformance: a relying party built on Authlib drives the live provider over HTTP.

Discovery, authorization code + PKCE (S256) with the portal's login form, the ID token checked by
signature against the JWKS and by Authlib's ``CodeIDToken`` (iss, aud, nonce, exp, at_hash),
userinfo, the refresh grant, RP-initiated logout; silent authentication (``prompt=none``,
``max_age``, ``id_token_hint``); one issuer everywhere (discovery, RFC 9207 ``iss``, ID token);
exact redirect URIs outside the demo; and every refusal.  Nothing depends on today's date.
"""

from __future__ import annotations

import html
import re
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from django.test import override_settings
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from yiwang.accounts.models import AssuranceLevel, User
from yiwang.accounts.services import grant_agent_authorisation
from yiwang.accounts.tests import factories
from yiwang.core.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)

REDIRECT = "http://testclient.example/callback"
SECRET = "dept-system-secret-0123456789"


class Browser:
    """A user agent: the portal's login form, then the provider's redirects up to the client."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()

    def login(self, username: str = "citizen", next_url: str = "") -> requests.Response:
        url = f"{self.base}/login/" + (f"?{urlencode({'next': next_url})}" if next_url else "")
        page = self.http.get(url, timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        response = self.http.post(
            url,
            data={"csrfmiddlewaretoken": token, "username": username, "password": factories.PASSWORD},
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 302, response.text[:500]
        return response

    def follow(self, url: str) -> requests.Response:
        """GET ``url`` and follow redirects inside the platform; stop at the client (or a page)."""
        response = self.http.get(url, allow_redirects=False, timeout=30)
        while response.status_code == 302 and response.headers["Location"].startswith(("/", self.base)):
            location = response.headers["Location"]
            response = self.http.get(
                location if location.startswith("http") else self.base + location,
                allow_redirects=False,
                timeout=30,
            )
        return response


class RelyingParty:
    """The department system: Authlib's OAuth2Session configured from the discovery document."""

    def __init__(
        self,
        base: str,
        *,
        client_id: str = "dept-system",
        secret: str = SECRET,
        scope: str = "openid profile assurance",
        redirect_uri: str = REDIRECT,
    ) -> None:
        self.meta: dict[str, Any] = requests.get(
            f"{base}/.well-known/openid-configuration", timeout=30
        ).json()
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self.session = OAuth2Session(
            client_id,
            secret,
            scope=scope,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_basic",
        )
        self.verifier = ""
        self.nonce = ""

    def authorization_url(self, **params: str) -> str:
        self.verifier = secrets.token_urlsafe(48)
        self.nonce = secrets.token_urlsafe(12)
        url, _state = self.session.create_authorization_url(
            self.meta["authorization_endpoint"], code_verifier=self.verifier, nonce=self.nonce, **params
        )
        return str(url)

    def callback(self, response: requests.Response) -> dict[str, str]:
        """The authorization response at the client: always with the provider's issuer (RFC 9207)."""
        assert response.status_code == 302, response.text[:800]
        location = response.headers["Location"]
        assert location.startswith(self.redirect_uri + "?"), location
        params = {key: values[0] for key, values in parse_qs(urlparse(location).query).items()}
        assert params["iss"] == self.meta["issuer"]
        params["_location"] = location
        return params

    def fetch_token(self, params: dict[str, str]) -> dict[str, Any]:
        assert "code" in params, params
        return dict(
            self.session.fetch_token(
                self.meta["token_endpoint"],
                authorization_response=params["_location"],
                code_verifier=self.verifier,
            )
        )

    def id_token_claims(self, token: dict[str, Any], nonce: str | None = None) -> CodeIDToken:
        keys = KeySet.import_key_set(requests.get(self.meta["jwks_uri"], timeout=30).json())
        decoded = jwt.decode(  # raises on a bad signature
            token["id_token"],
            keys,
            registry=JWSRegistry(algorithms=self.meta["id_token_signing_alg_values_supported"]),
        )
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            options={
                "iss": {"essential": True, "value": self.meta["issuer"]},
                "aud": {"essential": True, "value": self.client_id},
                "exp": {"essential": True},
            },
            params={"nonce": nonce, "client_id": self.client_id, "access_token": token["access_token"]},
        )
        claims.validate(leeway=0)  # iss, aud, exp, iat, nonce, azp, at_hash
        return claims

    def sign_in(self, browser: Browser, **params: str) -> tuple[dict[str, Any], CodeIDToken]:
        """A whole code flow for a logged-in browser: the tokens and the verified ID token."""
        token = self.fetch_token(self.callback(browser.follow(self.authorization_url(**params))))
        return token, self.id_token_claims(token, self.nonce)


def hidden_fields(page: requests.Response) -> dict[str, str]:
    """The hidden inputs of a page's form, whatever the order of their attributes."""
    fields = {}
    for tag in re.findall(r"<input\b[^>]*>", page.text):
        attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
        if attributes.get("type") == "hidden" and "name" in attributes:
            fields[attributes["name"]] = html.unescape(attributes.get("value", ""))
    return fields


def _error(params: dict[str, str], error: str) -> None:
    assert params.get("error") == error, params
    assert "code" not in params


def test_discovery_code_flow_userinfo_refresh_and_logout(live_server):
    person = factories.citizen(level=AssuranceLevel.INTERMEDIATE)
    factories.oidc_client()
    rp = RelyingParty(live_server.url)
    meta = rp.meta
    assert meta["issuer"] == f"{live_server.url}/o"
    under_issuer = requests.get(f"{meta['issuer']}/.well-known/openid-configuration", timeout=30).json()
    assert under_issuer["issuer"] == meta["issuer"]
    assert {"none", "login"} <= set(meta["prompt_values_supported"])
    assert meta["authorization_response_iss_parameter_supported"] is True
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert "RS256" in meta["id_token_signing_alg_values_supported"]

    browser = Browser(live_server.url)
    browser.login()
    token, claims = rp.sign_in(browser, state="s-1")
    assert claims["sub"] == str(person.public_id)
    assert claims["iss"] == meta["issuer"] and claims["nonce"] == rp.nonce
    assert isinstance(claims["auth_time"], int)

    userinfo = rp.session.get(meta["userinfo_endpoint"]).json()
    assert userinfo["sub"] == claims["sub"] and userinfo["assurance_level"] == AssuranceLevel.INTERMEDIATE

    refreshed = dict(rp.session.refresh_token(meta["token_endpoint"], refresh_token=token["refresh_token"]))
    assert refreshed["access_token"] != token["access_token"]
    assert refreshed["refresh_token"] != token["refresh_token"]
    if "id_token" in refreshed:
        assert rp.id_token_claims(refreshed)["sub"] == claims["sub"]
    assert rp.session.get(meta["userinfo_endpoint"]).json()["sub"] == claims["sub"]

    logout = browser.http.get(
        meta["end_session_endpoint"],
        params={
            "id_token_hint": token["id_token"],
            "post_logout_redirect_uri": "http://testclient.example/",
            "client_id": rp.client_id,
            "state": "bye",
        },
        allow_redirects=False,
        timeout=30,
    )
    assert logout.status_code == 302
    assert logout.headers["Location"] == "http://testclient.example/?state=bye"
    # The platform session is gone: a silent login now answers login_required.
    _error(rp.callback(browser.follow(rp.authorization_url(prompt="none"))), "login_required")


def test_prompt_none_without_session_answers_login_required(live_server):
    factories.oidc_client()
    rp = RelyingParty(live_server.url)
    anonymous = Browser(live_server.url)
    params = rp.callback(anonymous.follow(rp.authorization_url(prompt="none", state="st-9")))
    _error(params, "login_required")
    assert params["state"] == "st-9"
    # Not a refusal worth an audit record: the routine answer of a silent check.
    assert not AuditEvent.objects.filter(action="sso.authorize_refused").exists()

    # Never an open redirector: an unregistered redirect URI gets a page, not a redirect.
    evil = RelyingParty(live_server.url, redirect_uri="http://evil.example/steal")
    response = anonymous.follow(evil.authorization_url(prompt="none"))
    assert response.status_code == 400 and "evil.example" not in response.headers.get("Location", "")
    # prompt=none cannot be combined with other values.
    _error(rp.callback(anonymous.follow(rp.authorization_url(prompt="none login"))), "invalid_request")


def test_prompt_none_with_a_session_issues_the_code_and_checks_id_token_hint(live_server):
    person = factories.citizen()
    other = factories.citizen("other", real_name="李四")
    factories.oidc_client()
    rp = RelyingParty(live_server.url)
    browser = Browser(live_server.url)
    browser.login()
    first, first_claims = rp.sign_in(browser)

    token, claims = rp.sign_in(browser, prompt="none")
    assert claims["sub"] == first_claims["sub"] == str(person.public_id)
    token, _ = rp.sign_in(browser, prompt="none", id_token_hint=first["id_token"])
    assert token["access_token"]

    other_browser = Browser(live_server.url)
    other_browser.login("other")
    other_token, other_claims = RelyingParty(live_server.url).sign_in(other_browser)
    assert other_claims["sub"] == str(other.public_id)
    # The hint names another user than the session's: login_required, silent or not.
    hinted = rp.authorization_url(prompt="none", id_token_hint=other_token["id_token"])
    _error(rp.callback(browser.follow(hinted)), "login_required")
    _error(
        rp.callback(browser.follow(rp.authorization_url(id_token_hint=other_token["id_token"]))),
        "login_required",
    )
    # A hint this provider never signed is not a hint.
    forged = first["id_token"].rsplit(".", 1)[0] + ".AAAA"
    _error(rp.callback(browser.follow(rp.authorization_url(id_token_hint=forged))), "invalid_request")


def test_max_age_asks_for_a_recent_login(live_server):
    person = factories.citizen()
    factories.oidc_client()
    rp = RelyingParty(live_server.url)
    browser = Browser(live_server.url)
    browser.login()
    _token, claims = rp.sign_in(browser, prompt="none", max_age="3600")
    assert abs(claims["auth_time"] - timezone.now().timestamp()) < 600

    User.objects.filter(pk=person.pk).update(last_login=timezone.now() - timedelta(hours=2))
    _error(rp.callback(browser.follow(rp.authorization_url(prompt="none", max_age="3600"))), "login_required")
    _token, claims = rp.sign_in(browser, prompt="none", max_age="86400")  # two hours is recent enough

    # Interactive: the provider signs the user out and asks for the password again, then goes on.
    login_page = browser.follow(rp.authorization_url(max_age="3600"))
    assert login_page.status_code == 200 and "csrfmiddlewaretoken" in login_page.text
    next_url = parse_qs(urlparse(login_page.url).query)["next"][0]
    assert "max_age" not in next_url
    params = rp.callback(
        browser.follow(live_server.url + browser.login(next_url=next_url).headers["Location"])
    )
    token = rp.fetch_token(params)
    assert abs(rp.id_token_claims(token, rp.nonce)["auth_time"] - timezone.now().timestamp()) < 600

    # prompt=login re-authenticates as well, and does not loop.
    login_page = browser.follow(rp.authorization_url(prompt="login"))
    assert login_page.status_code == 200 and "csrfmiddlewaretoken" in login_page.text
    next_url = parse_qs(urlparse(login_page.url).query)["next"][0]
    assert "prompt" not in next_url
    params = rp.callback(
        browser.follow(live_server.url + browser.login(next_url=next_url).headers["Location"])
    )
    assert "code" in params


def test_prompt_none_for_staff_needs_the_second_factor(live_server, client):
    from django.conf import settings

    from yiwang.testing.mfa import verify_mfa

    clerk = factories.staff("clerk", ["window_clerk"])
    factories.oidc_client()
    rp = RelyingParty(live_server.url)
    client.force_login(clerk)  # password only: no MFA yet
    browser = Browser(live_server.url)
    browser.http.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    _error(rp.callback(browser.follow(rp.authorization_url(prompt="none"))), "login_required")
    verify_mfa(client, clerk)
    _token, claims = rp.sign_in(browser, prompt="none")
    assert claims["sub"] == str(clerk.public_id)


def test_prompt_none_for_a_third_party_client_needs_consent_first(live_server):
    factories.citizen()
    factories.oidc_client(trusted=False)
    rp = RelyingParty(live_server.url)
    browser = Browser(live_server.url)
    browser.login()
    _error(rp.callback(browser.follow(rp.authorization_url(prompt="none"))), "consent_required")

    page = browser.follow(rp.authorization_url())  # the consent screen
    assert page.status_code == 200 and "同意并登录" in page.text
    form = hidden_fields(page)
    form["allow"] = "Authorize"
    allowed = browser.http.post(
        rp.meta["authorization_endpoint"], data=form, allow_redirects=False, timeout=30
    )
    rp.fetch_token(rp.callback(allowed))

    rp.sign_in(browser, prompt="none")  # consent given: silent from now on
    wider = RelyingParty(live_server.url, scope="openid profile assurance phone")
    _error(wider.callback(browser.follow(wider.authorization_url(prompt="none"))), "consent_required")


def test_prompt_none_when_the_principal_must_be_chosen(live_server):
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
    factories.oidc_client()
    rp = RelyingParty(live_server.url, scope="openid profile company")
    browser = Browser(live_server.url)
    browser.login("agent")
    _error(rp.callback(browser.follow(rp.authorization_url(prompt="none"))), "account_selection_required")

    chooser = browser.follow(rp.authorization_url())
    assert chooser.status_code == 200 and "选择登录身份" in chooser.text
    chosen = browser.http.post(
        f"{live_server.url}/sso/choose/",
        data={**hidden_fields(chooser), "acting_as": company_user.legal_person.credit_code},
        allow_redirects=False,
        timeout=30,
    )
    token = rp.fetch_token(rp.callback(browser.follow(live_server.url + chosen.headers["Location"])))
    assert rp.id_token_claims(token, rp.nonce)["sub"] == str(company_user.public_id)
    # The principal chosen before stands for the silent login.
    _token, claims = rp.sign_in(browser, prompt="none")
    assert claims["sub"] == str(company_user.public_id)
    assert claims["acting_agent"]["sub"] == str(agent.public_id)


def test_refusals(live_server):
    factories.citizen()
    factories.oidc_client()
    rp = RelyingParty(live_server.url)
    browser = Browser(live_server.url)
    browser.login()
    token_endpoint = rp.meta["token_endpoint"]

    def code() -> dict[str, str]:
        params = rp.callback(browser.follow(rp.authorization_url()))
        return {
            "grant_type": "authorization_code",
            "code": params["code"],
            "redirect_uri": REDIRECT,
            "code_verifier": rp.verifier,
        }

    # Authorization endpoint: no redirect for a bad redirect URI or an unknown client.
    bad_redirect = RelyingParty(live_server.url, redirect_uri="http://testclient.example/other")
    response = browser.follow(bad_redirect.authorization_url())
    assert response.status_code == 400 and "Location" not in response.headers
    unknown = RelyingParty(live_server.url, client_id="no-such-client")
    response = browser.follow(unknown.authorization_url())
    assert response.status_code == 400 and "Location" not in response.headers
    unsupported = rp.callback(browser.follow(rp.authorization_url(response_type="foo")))
    _error(unsupported, "unsupported_response_type")
    implicit = rp.callback(browser.follow(rp.authorization_url(response_type="token")))  # RFC 9700: none
    _error(implicit, "unauthorized_client")

    # Token endpoint.
    wrong_verifier = requests.post(
        token_endpoint, data={**code(), "code_verifier": "x" * 50}, auth=(rp.client_id, SECRET), timeout=30
    )
    assert wrong_verifier.status_code == 400 and wrong_verifier.json()["error"] == "invalid_grant"
    wrong_secret = requests.post(token_endpoint, data=code(), auth=(rp.client_id, "wrong"), timeout=30)
    assert wrong_secret.status_code == 401 and wrong_secret.json()["error"] == "invalid_client"
    unknown_client = requests.post(token_endpoint, data=code(), auth=("no-such-client", SECRET), timeout=30)
    assert unknown_client.status_code == 401 and unknown_client.json()["error"] == "invalid_client"
    form = code()
    first = requests.post(token_endpoint, data=form, auth=(rp.client_id, SECRET), timeout=30)
    assert first.status_code == 200 and first.json()["id_token"]
    reused = requests.post(token_endpoint, data=form, auth=(rp.client_id, SECRET), timeout=30)
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    other_redirect = requests.post(
        token_endpoint,
        data={**code(), "redirect_uri": "http://testclient.example/other"},
        auth=(rp.client_id, SECRET),
        timeout=30,
    )
    assert other_redirect.status_code == 400
    refused = {event.detail["error"] for event in AuditEvent.objects.filter(action="sso.token_refused")}
    assert {"invalid_grant", "invalid_client"} <= refused
    assert AuditEvent.objects.filter(action="sso.authorize_refused").count() >= 3


def test_redirect_uris_match_exactly_outside_the_demo(live_server):
    factories.citizen()
    registered = "http://127.0.0.1:8765/callback"
    factories.oidc_client(registered)
    browser = Browser(live_server.url)
    browser.login()
    other_port = RelyingParty(live_server.url, redirect_uri="http://127.0.0.1:9999/callback")
    exact = RelyingParty(live_server.url, redirect_uri=registered)
    logout = {"client_id": "dept-system", "post_logout_redirect_uri": "http://127.0.0.1:9999/"}

    with override_settings(YIWANG_DEMO=False):
        response = browser.follow(other_port.authorization_url())
        assert response.status_code == 400 and "Location" not in response.headers
        assert "code" in exact.callback(browser.follow(exact.authorization_url()))
        refused = browser.http.get(exact.meta["end_session_endpoint"], params=logout, timeout=30)
        assert refused.status_code == 400
    with override_settings(YIWANG_DEMO=True):  # the demo keeps RFC 8252's loopback port allowance
        assert "code" in other_port.callback(browser.follow(other_port.authorization_url()))
