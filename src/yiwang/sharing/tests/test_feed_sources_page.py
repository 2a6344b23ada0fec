"""供数授权 page: the system administrator authorises an exchange node to feed a base as a department,
moves it, and stops it; every change audited; everyone else refused."""

from __future__ import annotations

import pytest

from yiwang.bases.models import FeedSource
from yiwang.bases.services import feed_source
from yiwang.core.models import AuditEvent
from yiwang.exchange.models import ExchangeNode
from yiwang.sharing.tests.factories import make_staff
from yiwang.testing.fixtures import logged_in

pytestmark = pytest.mark.django_db
URL = "/workbench/sharing/feed-sources/"


def test_admin_authorises_moves_and_stops_a_feed(world):
    admin = make_staff(world.data_bureau, "sh_admin", ("admin",))
    node = ExchangeNode.objects.create(
        node_id="340100-gaj", name="公安局人口系统", base_url="http://127.0.0.1:9"
    )
    client = logged_in(admin)
    page = client.get(URL)
    assert page.status_code == 200 and "340100-gaj" in page.content.decode()
    bad = client.post(URL, {"node": "nope", "base": "population", "organisation": world.police.credit_code})
    assert bad.status_code == 302 and not FeedSource.objects.exists()
    done = client.post(
        URL, {"node": node.node_id, "base": "population", "organisation": world.police.credit_code}
    )
    assert done.status_code == 302
    source = feed_source("340100-gaj", "population")
    assert source is not None and source.organisation == world.police
    client.post(URL, {"node": node.node_id, "base": "population", "organisation": world.market.credit_code})
    source.refresh_from_db()
    assert source.organisation == world.market and FeedSource.objects.count() == 1
    listing = client.get(URL).content.decode()
    assert 'data-feed="340100-gaj:population"' in listing and world.market.name in listing
    stopped = client.post(f"{URL}{source.pk}/revoke/")
    assert stopped.status_code == 302 and feed_source("340100-gaj", "population") is None
    assert client.post(f"{URL}999999/revoke/").status_code == 404
    assert list(
        AuditEvent.objects.filter(action__startswith="bases.feed_")
        .order_by("sequence")
        .values_list("action", flat=True)
    ) == ["bases.feed_authorised", "bases.feed_authorised", "bases.feed_revoked"]


def test_only_the_system_administrator(world):
    for user in (world.reviewer, world.police_official, world.market_clerk):
        client = logged_in(user)
        assert client.get(URL).status_code == 403
        assert client.post(f"{URL}1/revoke/").status_code == 403
