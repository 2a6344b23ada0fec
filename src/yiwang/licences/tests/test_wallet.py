"""The holder's wallet and share links: listing, expiry, revocation, every view logged."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from yiwang.core.errors import DomainError, NotFound
from yiwang.licences import services
from yiwang.licences.models import LicenceShare, LicenceShareView
from yiwang.licences.tests import factories

pytestmark = pytest.mark.django_db


def test_wallet_holds_licences_by_account_or_id_number(licence_type, issuer, citizen):
    bound = factories.issue(licence_type, issuer, citizen)
    by_code = factories.issue(
        licence_type, issuer, None, holder_code=citizen.natural_person.id_number, holder_user=None
    )
    factories.issue(licence_type, issuer, None)  # someone else's
    assert set(services.wallet(citizen)) == {bound, by_code}


def test_wallet_list_query_count_does_not_grow(licence_type, issuer, citizen):
    for _ in range(3):
        factories.issue(licence_type, issuer, citizen)
    with CaptureQueriesContext(connection) as ctx:
        names = [
            (lic.licence_type.name, lic.issuer.name if lic.issuer else "") for lic in services.wallet(citizen)
        ]
    assert len(names) == 3
    assert len(ctx.captured_queries) <= 2


def test_share_link_stores_only_the_hash_and_logs_views(licence, citizen):
    share, token = services.create_share(licence, user=citizen, expiry="1d")
    assert token not in share.token_hash and len(share.token_hash) == 64
    opened = services.open_share(token, ip_address="203.0.113.9", user_agent="test")
    assert opened.licence == licence
    services.open_share(token)
    assert LicenceShareView.objects.filter(share=share).count() == 2
    share.refresh_from_db()
    assert share.view_count == 2


def test_share_link_expires(licence, citizen):
    _, token = services.create_share(licence, user=citizen, expiry="1h")
    with time_machine.travel(timezone.now() + timedelta(minutes=61)), pytest.raises(DomainError) as excinfo:
        services.open_share(token)
    assert excinfo.value.code == "licence_share_expired" and excinfo.value.status == 410


def test_share_link_can_be_revoked(licence, citizen):
    share, token = services.create_share(licence, user=citizen, expiry="7d")
    assert share.expires_at - timezone.now() > timedelta(days=6)
    services.revoke_share(share, user=citizen)
    with pytest.raises(DomainError) as excinfo:
        services.open_share(token)
    assert excinfo.value.code == "licence_share_revoked"


def test_share_rules(licence, citizen, approver):
    with pytest.raises(DomainError):
        services.create_share(licence, user=citizen, expiry="30d")
    stranger = factories.make_citizen("stranger")
    with pytest.raises(NotFound):
        services.create_share(licence, user=stranger, expiry="1h")
    services.revoke_licence(licence, actor=approver, reason="注销")
    licence.refresh_from_db()
    with pytest.raises(DomainError):
        services.create_share(licence, user=citizen, expiry="1h")
    with pytest.raises(NotFound):
        services.open_share("no-such-token")
    assert not LicenceShare.objects.exists()
