"""省市协同 Two platform instances on one machine: a province (安徽省政务服务网, 340000) and a city
(合肥市政务服务网, 340100), paired as parent and child (docs/federation-demo.md).

Two halves:

* **Outside the instances** (no Django, no database: ``yiwang federation-demo`` and the test
  harness ``yiwang.testing.federation``): :class:`InstanceConfig` (role, region, name, port,
  database, var dir), :func:`instance_env` (the documented settings of one instance, written to
  ``<var>/instance.env``), :func:`ensure_identity` (the SM2 key file of the exchange node) and
  :func:`pairing_plan` (what each side must register about the other).
* **Inside one instance** (a Django process on that instance's database): :func:`apply_pairing`
  registers the peer exchange node and, on the province, the city's OIDC client;
  :func:`load_province_demo` and :func:`split_city_demo` give each level its own demo data.

Everything is idempotent: running it twice changes nothing (no new rows, no new audit entries).
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROVINCE = "province"
CITY = "city"
PROVINCE_REGION = "340000"
CITY_REGION = "340100"
PROVINCE_NAME = "安徽省政务服务网"
CITY_NAME = "合肥市政务服务网"
UPSTREAM_CALLBACK = "/accounts/upstream/callback/"
ENV_FILE = "instance.env"
KEY_FILE = "exchange-key.json"


# --- outside the instances ----------------------------------------------------------------------------
@dataclass
class InstanceConfig:
    """One platform instance: its level, its division code, its name, where it listens and stores."""

    role: str  # province | city
    region: str  # GB/T 2260, 340000 / 340100
    name: str  # 安徽省政务服务网
    port: int
    database_url: str
    var_dir: Path
    host: str = "127.0.0.1"
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def node_id(self) -> str:
        return f"{self.region}-{self.role}"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def key_file(self) -> Path:
        return self.var_dir / KEY_FILE

    @property
    def env_file(self) -> Path:
        return self.var_dir / ENV_FILE


def province_config(port: int, database_url: str, var_dir: Path, **kwargs: Any) -> InstanceConfig:
    return InstanceConfig(PROVINCE, PROVINCE_REGION, PROVINCE_NAME, port, database_url, var_dir, **kwargs)


def city_config(port: int, database_url: str, var_dir: Path, **kwargs: Any) -> InstanceConfig:
    # localhost, not 127.0.0.1: browsers keep cookies per host name (not per port), so the two
    # platforms' session cookies would overwrite each other on one host name.
    kwargs.setdefault("host", "localhost")
    return InstanceConfig(CITY, CITY_REGION, CITY_NAME, port, database_url, var_dir, **kwargs)


def oidc_client_id(city: InstanceConfig) -> str:
    return f"{city.node_id}-upstream"


def read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.lstrip().startswith("#") and "=" in line:
                name, value = line.split("=", 1)
                values[name.strip()] = value.strip()
    return values


def upstream_secret(city: InstanceConfig) -> str:
    """The city's OIDC client secret at the province: made once, then read back from its env file."""
    return read_env_file(city.env_file).get("YIWANG_UPSTREAM_OIDC_CLIENT_SECRET") or secrets.token_urlsafe(40)


def instance_env(config: InstanceConfig, peer: InstanceConfig, *, oidc_secret: str = "") -> dict[str, str]:
    """The settings of one instance (docs/federation-demo.md "Settings of each instance")."""
    env = {
        "YIWANG_VAR_DIR": str(config.var_dir),
        "DATABASE_URL": config.database_url,
        "HOST": "127.0.0.1",
        "PORT": str(config.port),
        "YIWANG_PUBLIC_URL": config.base_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "YIWANG_PLATFORM_NAME": config.name,
        "YIWANG_EXCHANGE_NODE_ID": config.node_id,
        "YIWANG_EXCHANGE_KEY_FILE": str(config.key_file),
        "YIWANG_FEDERATION_ROLE": config.role,
        "YIWANG_FEDERATION_REGION": config.region,
        # The simulated card reader of the kiosk would follow PORT+5: keep it off the other instance.
        "YIWANG_KIOSK_READER_URL": f"http://127.0.0.1:{config.port + 5}",
    }
    if config.role == CITY:
        env.update(
            {
                "YIWANG_UPSTREAM_OIDC_ISSUER": f"{peer.base_url}/o",
                "YIWANG_UPSTREAM_OIDC_CLIENT_ID": oidc_client_id(config),
                "YIWANG_UPSTREAM_OIDC_CLIENT_SECRET": oidc_secret,
                "YIWANG_UPSTREAM_OIDC_NAME": f"{peer.name}统一身份认证",
            }
        )
    env.update(config.extra_env)
    return env


def write_env_file(config: InstanceConfig, env: dict[str, str]) -> bool:
    """``<var>/instance.env`` (``NAME=value`` lines, mode 0600: it holds the OIDC client secret);
    False when it already held exactly this."""
    text = "".join(
        [
            f"# {config.name} ({config.role}, {config.region}): written by yiwang federation-demo\n",
            *(f"{name}={value}\n" for name, value in env.items()),
        ]
    )
    if config.env_file.exists() and config.env_file.read_text(encoding="utf-8") == text:
        return False
    config.var_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(config.env_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return True


def ensure_identity(config: InstanceConfig) -> str:
    """The instance's exchange key file (what ``exchange_identity --generate`` writes), made once;
    returns its SM2 public key (128 hex)."""
    from yiwang.exchange.identity import NodeIdentity, generate_identity, write_key_file

    config.var_dir.mkdir(parents=True, exist_ok=True)
    if config.key_file.exists():
        data = json.loads(config.key_file.read_text())
        identity = NodeIdentity(data["node_id"], data["sm2_private_key"])
        if identity.node_id == config.node_id:
            return identity.sm2_public_key
    identity = generate_identity(config.node_id)
    write_key_file(config.key_file, identity)
    return identity.sm2_public_key


def pairing_plan(
    province: InstanceConfig, city: InstanceConfig, oidc_secret: str
) -> dict[str, dict[str, Any]]:
    """What each instance registers about the other: {role: kwargs of :func:`apply_pairing`}."""
    province_key, city_key = ensure_identity(province), ensure_identity(city)
    return {
        PROVINCE: {
            "peer": {
                "node_id": city.node_id,
                "name": city.name,
                "base_url": city.base_url,
                "role": "child",
                "sm2_public_key": city_key,
            },
            "oidc_client": {
                "client_id": oidc_client_id(city),
                "client_secret": oidc_secret,
                "name": city.name,
                "redirect_uris": [f"{city.base_url}{UPSTREAM_CALLBACK}"],
                "post_logout_redirect_uris": [f"{city.base_url}/"],
            },
        },
        CITY: {
            "peer": {
                "node_id": province.node_id,
                "name": province.name,
                "base_url": province.base_url,
                "role": "parent",
                "sm2_public_key": province_key,
            },
            "oidc_client": None,
        },
    }


def configure_pair(province: InstanceConfig, city: InstanceConfig) -> dict[str, Any]:
    """Key files, env files and the pairing plan of a province and its city (no database touched)."""
    secret = upstream_secret(city)
    envs = {
        PROVINCE: instance_env(province, city),
        CITY: instance_env(city, province, oidc_secret=secret),
    }
    plan = pairing_plan(province, city, secret)
    write_env_file(province, envs[PROVINCE])
    write_env_file(city, envs[CITY])
    return {"env": envs, "plan": plan}


# --- inside one instance (Django set up on that instance's database) ---------------------------------
def apply_pairing(*, peer: dict[str, Any], oidc_client: dict[str, Any] | None = None) -> list[str]:
    """Register the peer exchange node (and, on the province, the city's confidential OIDC client);
    what is already registered as wanted is left alone.  Returns what changed."""
    from yiwang.exchange.models import ExchangeNode
    from yiwang.exchange.services import register_node

    changed: list[str] = []
    node = ExchangeNode.objects.filter(node_id=peer["node_id"]).first()
    wanted = {
        "name": peer["name"],
        "base_url": peer["base_url"].rstrip("/"),
        "role": peer["role"],
        "sm2_public_key": peer["sm2_public_key"],
    }
    if node is None or not node.active or any(getattr(node, k) != v for k, v in wanted.items()):
        register_node(node_id=peer["node_id"], **wanted)
        changed.append(f"exchange node {peer['node_id']} ({peer['role']})")
    if oidc_client is not None and _register_oidc_client(**oidc_client):
        changed.append(f"OIDC client {oidc_client['client_id']}")
    return changed


def _register_oidc_client(
    *,
    client_id: str,
    client_secret: str,
    name: str,
    redirect_uris: list[str],
    post_logout_redirect_uris: list[str],
) -> bool:
    from django.contrib.auth.hashers import check_password
    from oauth2_provider.models import get_application_model

    from yiwang.accounts.models import IntegrationMode
    from yiwang.accounts.oidc import register_client

    existing = get_application_model().objects.filter(client_id=client_id).first()
    if (
        existing is not None
        and existing.redirect_uris.split() == redirect_uris
        and existing.post_logout_redirect_uris.split() == post_logout_redirect_uris
        and (existing.client_secret == client_secret or check_password(client_secret, existing.client_secret))
    ):
        return False
    register_client(
        name=name,
        redirect_uris=redirect_uris,
        post_logout_redirect_uris=post_logout_redirect_uris,
        mode=IntegrationMode.UNIFIED,
        trusted=True,  # the city is the province's own child platform: no consent screen
        allowed_scopes="openid profile phone assurance identity company",
        client_id=client_id,
        client_secret=client_secret,
    )
    return True
