"""Two instances in one process: the live server answers as the city (the handling instance), this
thread acts as the province (the filing instance) with ``acting_as``; one test database plays both,
as in the exchange tests.  The city trusts the province's OIDC issuer; the province knows the city's
SSO client (mapping mode: the city sees a pairwise subject)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from yiwang.accounts.models import AssuranceLevel, IntegrationMode
from yiwang.accounts.oidc import register_client
from yiwang.catalog.models import TongbanRange
from yiwang.exchange.identity import NodeIdentity
from yiwang.testing.cases import ServiceItemFactory, make_citizen, make_staff
from yiwang.testing.exchange import as_node, city, identity, node_row, province  # noqa: F401 - pytest fixtures
from yiwang.testing.fixtures import calendar  # noqa: F401 - pytest fixture

ISSUER = "http://testserver/o"  # the issuer the province computes for the test client
CITY_CLIENT = "city-340100"


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.YIWANG_EXCHANGE_PUSH_ON_COMMIT = False
    settings.YIWANG_WEBHOOK_DELIVER_ON_COMMIT = False
    settings.YIWANG_UPSTREAM_OIDC_ISSUER = ISSUER
    settings.YIWANG_UPSTREAM_OIDC_CLIENT_ID = CITY_CLIENT
    settings.YIWANG_FEDERATION_REGION = "340100"
    return tmp_path / "media"


@pytest.fixture
def world(live_server: Any, as_node: Any, province: NodeIdentity, city: NodeIdentity, calendar: None) -> Any:  # noqa: F811
    """Nodes both ways, the city's item open 省内通办, the province's SSO client for the city, a person."""
    as_node(city)
    province_node = node_row(province, base_url=live_server.url, role="parent")
    city_node = node_row(city, base_url=live_server.url, role="child")
    item = ServiceItemFactory(
        tongban_range=TongbanRange.PROVINCE,
        materials=[("营业执照", True), ("委托书", False)],
    )
    register_client(
        name="合肥市政务服务平台",
        redirect_uris=[f"{live_server.url}/accounts/upstream/callback/"],
        mode=IntegrationMode.MAPPING,
        trusted=True,
        allowed_scopes="openid profile phone assurance identity company",
        client_id=CITY_CLIENT,
    )
    person = make_citizen("citizen", level=AssuranceLevel.INTERMEDIATE)
    clerk = make_staff(item.implementing_body, "clerk", ("window_clerk",))
    return type(
        "World",
        (),
        {
            "province_node": province_node,
            "city_node": city_node,
            "item": item,
            "person": person,
            "clerk": clerk,
        },
    )
