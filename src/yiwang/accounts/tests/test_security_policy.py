"""安全策略: only the security admin edits it, every edit is audited, and it takes effect at once."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from yiwang.accounts.models import LoginThrottle, SecurityPolicy
from yiwang.accounts.policy import current_policy, update_security_policy
from yiwang.accounts.tests import factories
from yiwang.core.errors import DomainError
from yiwang.core.models import AuditEvent
from yiwang.testing.mfa import staff_login

pytestmark = pytest.mark.django_db

URL = "/workbench/security/policy/"
STRICT = {
    "password_min_length": 12,
    "password_min_classes": 4,
    "lockout_account_failures": 3,
    "lockout_ip_failures": 50,
    "lockout_base_seconds": 600,
    "lockout_max_seconds": 7200,
    "session_idle_minutes": 15,
}


@pytest.fixture
def staff():
    org = factories.organisation()
    return {
        "secadmin": factories.staff("secadmin", ["security_admin"], org),
        "sysadmin": factories.staff("sysadmin", ["admin"], org),
        "auditor": factories.staff("auditor", ["auditor"], org),
    }


def test_defaults_come_from_settings_until_the_first_edit(settings):
    settings.YIWANG_LOCKOUT_ACCOUNT_FAILURES = 7
    assert current_policy().lockout_account_failures == 7
    assert not SecurityPolicy.objects.exists()


def test_security_admin_edits_the_policy_on_the_page_and_it_is_audited(staff):
    client = staff_login(Client(), staff["secadmin"])
    page = client.get(URL)
    assert page.status_code == 200 and 'name="lockout_account_failures"' in page.content.decode()
    response = client.post(URL, {key: str(value) for key, value in STRICT.items()})
    assert response.status_code == 302
    policy = current_policy()
    assert policy.password_min_length == 12 and policy.session_idle_minutes == 15
    event = AuditEvent.objects.get(action="security.policy_updated")
    assert event.detail["changed"]["lockout_account_failures"] == {"before": 5, "after": 3}


@pytest.mark.parametrize("who", ["sysadmin", "auditor"])
def test_other_roles_cannot_view_or_edit_the_policy(staff, who):
    client = staff_login(Client(), staff[who])
    assert client.get(URL).status_code == 403
    assert client.post(URL, {key: str(value) for key, value in STRICT.items()}).status_code == 403
    assert not SecurityPolicy.objects.exists()
    assert AuditEvent.objects.filter(action="staff.role_refused").exists()
    with pytest.raises(DomainError):
        update_security_policy(staff[who], STRICT)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("password_min_length", "6"),  # weaker than MLPS level 3
        ("session_idle_minutes", "120"),
        ("lockout_account_failures", "abc"),
        ("lockout_max_seconds", "60"),  # shorter than the first lock
    ],
)
def test_out_of_range_values_are_refused_with_the_form_kept(staff, field, value):
    client = staff_login(Client(), staff["secadmin"])
    response = client.post(URL, {**{k: str(v) for k, v in STRICT.items()}, field: value})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}-error"' in html or field in html
    assert value in html
    assert not SecurityPolicy.objects.exists()


def test_stricter_lockout_applies_at_once(staff):
    factories.citizen()  # created under the default policy
    update_security_policy(staff["secadmin"], STRICT)
    client = Client()
    for _ in range(2):
        assert client.post("/login/", {"username": "citizen", "password": "wrong"}).status_code == 401
    assert client.post("/login/", {"username": "citizen", "password": "wrong"}).status_code == 429
    row = LoginThrottle.objects.get(scope="account", key="citizen")
    assert 590 <= (row.locked_until - row.updated_at).total_seconds() <= 610


def test_password_policy_and_session_timeout_follow_the_policy(staff):
    factories.citizen()  # created under the default policy (its password has 11 characters)
    validate_password("Short@2026a")  # 11 characters: fine by default
    update_security_policy(staff["secadmin"], STRICT)
    with pytest.raises(ValidationError):
        validate_password("Short@2026a")  # now too short
    with pytest.raises(ValidationError):
        validate_password("longpassword2026ab")  # only two classes... and not four
    validate_password("Longer@Pass2026")
    client = Client()
    client.post("/login/", {"username": "citizen", "password": factories.PASSWORD})
    assert client.session.get_expiry_age() == 15 * 60
