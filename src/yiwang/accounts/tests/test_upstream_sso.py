"""The city trusts the province's OIDC provider: a real authorization code + PKCE flow (Authlib) from
the city's pages to the provider, both played by the live server (the same test database) under two
host names, so the browser keeps two separate sessions: ``localhost`` is the province, ``127.0.0.1``
the city.  Assurance kept, the same account on the second log-in, RP-initiated logout, and the
refusals (bad state, replay, wrong issuer/audience, expired token, provider down, staff)."""

from __future__ import annotations

import re
import time
from datetime import date, timedelta
from typing import Any

import pytest
import requests
import time_machine
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import RSAKey
from oauth2_provider.settings import oauth2_settings

from yiwang.accounts import upstream
from yiwang.accounts.models import AccountKind, AssuranceLevel, FederatedIdentity, User
from yiwang.accounts.oidc import pairwise_sub
from yiwang.accounts.services.federation import asserted_level, sign_in_federated
from yiwang.accounts.tests import factories
from yiwang.core.errors import DomainError
from yiwang.core.identifiers import make_credit_code, make_id_number
from yiwang.core.models import AuditEvent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("yiwang.accounts.tests.urls_upstream"),
]

CLIENT_ID = "city-340100"
SECRET = "city-340100-secret-0123456789abcdef"
NOW = timezone.datetime(2026, 12, 7, 9, 0, tzinfo=timezone.get_current_timezone())


class Browser:
    """One user agent visiting the province (localhost) and the city (127.0.0.1)."""

    def __init__(self, province: str, city: str) -> None:
        self.province, self.city = province, city
        self.http = requests.Session()

    def login_at_province(self, username: str) -> None:
        page = self.http.get(f"{self.province}/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        answer = self.http.post(
            f"{self.province}/login/",
            data={"csrfmiddlewaretoken": token, "username": username, "password": factories.PASSWORD},
            allow_redirects=False,
        )
        assert answer.status_code == 302, answer.text[:300]

    def follow(self, url: str, *, stop_at: str = "") -> requests.Response:
        answer = self.http.get(url, allow_redirects=False)
        while answer.status_code == 302 and not (stop_at and answer.headers["Location"].startswith(stop_at)):
            location = answer.headers["Location"]
            base = self.province if answer.url.startswith(self.province) else self.city
            answer = self.http.get(
                location if location.startswith("http") else base + location, allow_redirects=False
            )
        return answer


@pytest.fixture
def sites(live_server: Any, settings: Any) -> tuple[str, str]:
    province = live_server.url.replace("127.0.0.1", "localhost")
    city = province.replace("localhost", "127.0.0.1")
    settings.YIWANG_UPSTREAM_OIDC_ISSUER = f"{province}/o"
    settings.YIWANG_UPSTREAM_OIDC_CLIENT_ID = CLIENT_ID
    settings.YIWANG_UPSTREAM_OIDC_CLIENT_SECRET = SECRET
    settings.YIWANG_UPSTREAM_OIDC_NAME = "安徽政务服务网"
    from django.core.management import call_command

    call_command(
        "federation_trust_upstream",
        "--site-url",
        city,
        "--register-client",
        CLIENT_ID,
        "--client-secret",
        SECRET,
    )
    return province, city


def _log_in_through_province(browser: Browser) -> requests.Response:
    return browser.follow(f"{browser.city}/accounts/upstream/login/?next=/my/cases/", stop_at="/my/cases/")


def _application() -> Any:
    from oauth2_provider.models import get_application_model

    return get_application_model().objects.get(client_id=CLIENT_ID)


def test_a_province_account_logs_into_the_city_keeping_its_level_and_one_identity(sites):
    province, city = sites
    person = factories.citizen(level=AssuranceLevel.INTERMEDIATE)
    browser = Browser(province, city)
    page = browser.http.get(f"{city}/accounts/upstream/test-login-page/")
    assert "使用安徽政务服务网登录" in page.text  # the button of the log-in page
    browser.login_at_province("citizen")

    answer = _log_in_through_province(browser)
    assert answer.status_code == 302 and answer.headers["Location"] == "/my/cases/", answer.text[:500]
    identity = FederatedIdentity.objects.get()
    assert identity.issuer == f"{province}/o" and identity.user == person
    assert identity.subject == pairwise_sub(_application(), person)  # the province's pairwise subject
    assert identity.asserted_level == AssuranceLevel.INTERMEDIATE
    mine = browser.http.get(f"{city}/my/cases/", allow_redirects=False)
    assert mine.status_code == 200  # logged in at the city
    assert AuditEvent.objects.filter(action="federation.identity_linked").count() == 1

    # The second log-in finds the same link: no new identity, no new account.
    browser.http.post(f"{city}/accounts/upstream/logout/", data={"csrfmiddlewaretoken": _csrf(browser, city)})
    users = User.objects.count()
    answer = _log_in_through_province(browser)
    assert answer.status_code == 302
    assert FederatedIdentity.objects.count() == 1 and User.objects.count() == users
    assert AuditEvent.objects.filter(action="auth.login", detail__channel="upstream").count() == 2

    # Log-out at the city offers RP-initiated logout at the province, which returns to the city.
    out = browser.http.post(
        f"{city}/accounts/upstream/logout/", data={"csrfmiddlewaretoken": _csrf(browser, city)}
    )
    link = re.search(r'id="upstream-end-session" href="([^"]+)"', out.text).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    assert link.startswith(f"{province}/o/logout/") and "id_token_hint=" in link
    ended = browser.follow(link, stop_at=city)
    assert ended.status_code == 302 and ended.headers["Location"].startswith(f"{city}/")
    assert (
        browser.http.get(f"{province}/my/cases/", allow_redirects=False).status_code == 302
    )  # province session gone


def _csrf(browser: Browser, base: str) -> str:
    page = browser.http.get(f"{base}/accounts/upstream/test-login-page/")
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


def test_a_forged_state_and_a_replayed_callback_are_refused_and_audited(sites):
    province, city = sites
    factories.citizen(level=AssuranceLevel.PRIMARY)
    browser = Browser(province, city)
    browser.login_at_province("citizen")
    forged = browser.http.get(f"{city}/accounts/upstream/callback/?code=abc&state=forged")
    assert forged.status_code == 400 and "state" in forged.text

    start = browser.follow(f"{city}/accounts/upstream/login/", stop_at=f"{city}/accounts/upstream/callback/")
    callback = start.headers["Location"]
    assert browser.http.get(callback, allow_redirects=False).status_code == 302  # logged in
    replay = browser.http.get(callback, allow_redirects=False)
    assert replay.status_code == 400
    assert FederatedIdentity.objects.count() == 1
    refusals = AuditEvent.objects.filter(action="federation.login_refused")
    assert [e.detail["reason"] for e in refusals.order_by("id")] == ["bad_state", "bad_state"]


def test_a_province_that_does_not_answer_is_a_clear_error(sites, settings):
    settings.YIWANG_UPSTREAM_OIDC_ISSUER = "http://127.0.0.1:9/o"
    _province, city = sites
    answer = requests.get(f"{city}/accounts/upstream/login/", allow_redirects=False, timeout=30)
    assert answer.status_code == 502 and "暂时无法访问" in answer.text
    assert AuditEvent.objects.filter(
        action="federation.login_refused", detail__reason="discovery_failed"
    ).exists()
    assert not FederatedIdentity.objects.exists()


def _signed(claims: dict[str, Any]) -> str:
    """An ID token signed with the provider's own key (the one its JWKS publishes)."""
    key = RSAKey.import_key(oauth2_settings.OIDC_RSA_PRIVATE_KEY)
    return jwt.encode({"alg": "RS256", "kid": key.thumbprint()}, claims, key)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"aud": "another-client"}, "id_token_invalid_claim"),
        ({"iss": "http://evil.example/o"}, "id_token_invalid_claim"),
        ({"exp": -3600}, "id_token_expired_token"),
        ({"nonce": "other"}, "id_token_invalid_claim"),
    ],
)
def test_id_tokens_with_the_wrong_issuer_audience_nonce_or_expiry_are_refused(sites, change, reason):
    province, _city = sites
    meta = upstream.metadata()
    now = int(time.time())
    claims = {
        "iss": f"{province}/o",
        "aud": CLIENT_ID,
        "sub": "s1",
        "nonce": "n",
        "iat": now,
        "exp": now + 300,
    }
    claims.update({k: (now + v if k == "exp" else v) for k, v in change.items()})
    with pytest.raises(DomainError) as refused:
        upstream.verify_id_token(meta, _signed(claims), "n")
    assert refused.value.fields["reason"] == [reason]
    good = {**claims, "iss": f"{province}/o", "aud": CLIENT_ID, "nonce": "n", "exp": now + 300}
    assert upstream.verify_id_token(meta, _signed(good), "n")["sub"] == "s1"


@time_machine.travel(NOW, tick=False)
def test_the_first_log_in_creates_the_account_from_the_claims_never_above_the_asserted_level():
    number = make_id_number("340104", date(1988, 3, 1), 417)
    claims = {
        "sub": "pairwise-1",
        "account_kind": "natural",
        "name": "李娜",
        "id_number": number,
        "phone_number": "13912345678",
        "assurance_level": 3,
        "acr": "urn:yiwang:loa:3",
    }
    user = sign_in_federated("http://province.example/o", claims)
    assert user.kind == AccountKind.NATURAL and user.natural_person.id_number == number
    assert not user.has_usable_password() and user.phone == "13912345678"
    # 高级实名 is held like after a local face check: level 2 plus a limited advanced window.
    assert user.assurance_level == AssuranceLevel.INTERMEDIATE
    assert user.advanced_until == NOW + timedelta(minutes=30)
    # The next log-in at a lower level lowers it: never above what the province asserts.
    again = sign_in_federated(
        "http://province.example/o", {**claims, "assurance_level": 1, "acr": "urn:yiwang:loa:1"}
    )
    again.refresh_from_db()
    assert again == user and again.assurance_level == 1 and again.advanced_until is None
    assert asserted_level({"assurance_level": 2, "acr": "urn:yiwang:loa:1"}) == 1
    assert asserted_level({"acr": "urn:other"}) == 0


@time_machine.travel(NOW, tick=False)
def test_a_company_is_created_by_its_legal_representative_and_an_agent_cannot_create_one():
    number = make_id_number("340104", date(1979, 7, 9), 418)
    credit = make_credit_code("9", "1", "340100", "MA0000Q1")
    base = {
        "account_kind": "legal",
        "company_name": "合肥云帆科技有限公司",
        "credit_code": credit,
        "id_number": number,
    }
    with pytest.raises(DomainError) as refused:
        sign_in_federated(
            "http://province.example/o",
            {
                **base,
                "sub": "co-1",
                "acting_agent": {"sub": "p-2", "name": "王强", "role": "agent"},
                "acr": "urn:yiwang:loa:2",
            },
        )
    assert refused.value.fields["reason"] == ["company_unknown"]
    company = sign_in_federated(
        "http://province.example/o",
        {
            **base,
            "sub": "co-1",
            "acting_agent": {"sub": "p-1", "name": "王强", "role": "legal_representative"},
            "assurance_level": 2,
        },
    )
    assert company.kind == AccountKind.LEGAL and company.legal_person.credit_code == credit
    assert company.legal_person.legal_representative.id_number == number
    assert FederatedIdentity.objects.filter(subject__in=["co-1", "p-1"]).count() == 2


def test_staff_and_stronger_local_accounts_are_not_taken_over():
    with pytest.raises(DomainError) as refused:
        sign_in_federated(
            "http://province.example/o", {"sub": "x", "account_kind": "staff", "acr": "urn:yiwang:loa:2"}
        )
    assert refused.value.fields["reason"] == ["staff_not_federated"]
    local = factories.citizen("local", level=AssuranceLevel.INTERMEDIATE, sequence=419)
    with pytest.raises(DomainError) as weaker:
        sign_in_federated(
            "http://province.example/o",
            {"sub": "y", "name": "张伟", "id_number": local.natural_person.id_number, "assurance_level": 1},
        )
    assert weaker.value.fields["reason"] == ["local_account_stronger"]
    assert not FederatedIdentity.objects.exists() and User.objects.count() == 1
    assert AuditEvent.objects.filter(action="federation.login_refused").count() == 2


def test_the_trust_command_prints_what_the_province_registers(sites, capsys):
    from django.core.management import call_command

    _province, city = sites
    call_command("federation_trust_upstream", "--site-url", city, "--check")
    out = capsys.readouterr().out
    assert f"redirect_uri={city}/accounts/upstream/callback/" in out and "discovery ok" in out
