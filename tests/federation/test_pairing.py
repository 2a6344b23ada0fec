"""The pairing of a province and its city (docs/federation-demo.md): each knows the other as an exchange
node with its SM2 key, each one's node-signed request is accepted by the other over real HTTP, and the
province has the city as a confidential OIDC client whose callback is the city's upstream login."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.federation

SIGNED_GET = """
from yiwang.exchange.client import signed_request
from yiwang.exchange.identity import local_identity
from yiwang.exchange.models import ExchangeNode

peer = ExchangeNode.objects.get(node_id={peer!r})
answer = signed_request(local_identity(), peer, "GET", "/outbox")
result = [answer.status, answer.json(), peer.role]
"""


def test_each_instance_signs_a_request_the_other_accepts(fed):
    province, city = fed.province, fed.city
    status, body, role = province.python(SIGNED_GET.format(peer=city.node_id))
    assert (status, body, role) == (200, {"items": []}, "child")
    status, body, role = city.python(SIGNED_GET.format(peer=province.node_id))
    assert (status, body, role) == (200, {"items": []}, "parent")
    # The same endpoint without a node signature: refused.
    status, raw = city.get("/api/v1/exchange/outbox")
    assert status == 401, raw
    print(
        f"province -> city and city -> province: signed GET /outbox 200; unsigned 401 ({json.loads(raw)['code']})"
    )


def test_the_province_has_the_city_as_oidc_client_and_the_city_trusts_the_province(fed):
    province, city = fed.province, fed.city
    rows = province.query(
        "SELECT client_id, client_type, redirect_uris FROM oauth2_provider_application WHERE client_id = ?",
        f"{city.node_id}-upstream",
    )
    assert rows == [
        (f"{city.node_id}-upstream", "confidential", f"{city.base_url}/accounts/upstream/callback/")
    ]
    assert city.env["YIWANG_UPSTREAM_OIDC_ISSUER"] == f"{province.base_url}/o"
    assert city.env["YIWANG_UPSTREAM_OIDC_CLIENT_ID"] == f"{city.node_id}-upstream"
    assert len(city.env["YIWANG_UPSTREAM_OIDC_CLIENT_SECRET"]) >= 40
    # The secret the city holds is the one the province checks (client credentials at the token endpoint
    # are verified against the stored hash).
    assert province.python(
        "from django.contrib.auth.hashers import check_password\n"
        "from oauth2_provider.models import get_application_model\n"
        f"app = get_application_model().objects.get(client_id={city.node_id + '-upstream'!r})\n"
        f"result = check_password({city.env['YIWANG_UPSTREAM_OIDC_CLIENT_SECRET']!r}, app.client_secret)"
    )
    status, raw = province.get("/o/.well-known/openid-configuration")
    assert status == 200
    assert json.loads(raw)["issuer"] == f"{province.base_url}/o"
    # Both instance.env files hold what the processes run with.
    assert f"YIWANG_EXCHANGE_NODE_ID={city.node_id}\n" in (city.var_dir / "instance.env").read_text()
    assert "YIWANG_FEDERATION_ROLE=province\n" in (province.var_dir / "instance.env").read_text()


def test_pairing_again_changes_nothing(fed):
    from yiwang.demo.federation import configure_pair

    province, city = fed.province, fed.city
    audits = {i.role: i.scalar("SELECT count(*) FROM core_auditevent") for i in fed}
    env_before = {i.role: (i.var_dir / "instance.env").read_text() for i in fed}
    setup = configure_pair(province.config, city.config)
    for instance in fed:
        plan = json.dumps(json.dumps(setup["plan"][instance.role]))
        changed = instance.python(
            f"import json\nfrom yiwang.demo.federation_instance import apply_pairing\nresult = apply_pairing(**json.loads({plan}))"
        )
        assert changed == []
        assert instance.scalar("SELECT count(*) FROM core_auditevent") == audits[instance.role]
        assert (instance.var_dir / "instance.env").read_text() == env_before[instance.role]
    assert setup["env"]["city"] == {k: v for k, v in city.env.items() if k in setup["env"]["city"]}
