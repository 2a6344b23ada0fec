"""`make run PORT=18800` puts the demo department system on 18801: its SSO callback is registered."""

from __future__ import annotations

import pytest
from oauth2_provider.models import get_application_model

from yiwang.core.demo_accounts import DEMO_DEPT_CLIENT_ID
from yiwang.demo.loader import _demo_mfa_and_sso


@pytest.mark.django_db
def test_demo_dept_callback_follows_port(monkeypatch, settings):
    settings.YIWANG_DEMO = True
    settings.IS_PRODUCTION = False
    monkeypatch.setenv("PORT", "8000")
    _demo_mfa_and_sso([])
    client = get_application_model().objects.get(client_id=DEMO_DEPT_CLIENT_ID)
    assert "http://127.0.0.1:8001/callback" in client.redirect_uris.split()
    monkeypatch.setenv("PORT", "18800")
    _demo_mfa_and_sso([])
    _demo_mfa_and_sso([])  # idempotent
    client.refresh_from_db()
    uris = client.redirect_uris.split()
    assert uris.count("http://127.0.0.1:18801/callback") == 1
    assert "http://127.0.0.1:8001/callback" in uris
    assert "http://127.0.0.1:18801/" in client.post_logout_redirect_uris.split()
