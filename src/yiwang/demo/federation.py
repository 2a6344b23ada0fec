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


# --- the demo data of each level ------------------------------------------------------------------------
# 省级部门 The province's departments (安徽省, 340000); the city keeps the 合肥市 demo of `yiwang loaddemo`.
PROVINCE_ORGANISATIONS: tuple[tuple[str, str, str, str], ...] = (
    # key, name, short name, organisation body (digits of the credit code)
    ("data", "安徽省数据资源管理局", "省数据资源局", "00300101"),
    ("civil", "安徽省民政厅", "省民政厅", "00300102"),
    ("education", "安徽省教育厅", "省教育厅", "00300103"),
    ("hrss", "安徽省人力资源和社会保障厅", "省人社厅", "00300104"),
    ("market", "安徽省市场监督管理局", "省市场监管局", "00300105"),
)
PROVINCE_ADDRESS = "合肥市包河区中山路1号 安徽省政务服务中心"
PROVINCE_PHONE = "0551-12345"
# 省级实施 Items of the national base catalogue the province itself implements (exercise level 2 省级):
# 省级社会团体, 民办高等学校, 省级人力资源服务机构 and enterprises the province registers.
PROVINCE_ITEMS: dict[str, str] = {
    "社会团体成立登记": "civil",
    "民办学校设立": "education",
    "人力资源服务许可": "hrss",
    "企业设立登记": "market",
}
# username, real name, roles, department key: the province platform's own staff.
PROVINCE_STAFF: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("admin", "许静", ("admin",), "data"),
    ("manager", "方洋", ("service_manager",), "data"),
    ("dataofficial", "何敏", ("data_official",), "data"),
    ("clerk", "宋娜", ("window_clerk",), "market"),
    ("approver", "唐强", ("handler", "approver"), "market"),
)


def _province_region() -> Any:
    from yiwang.core.models import Region, RegionLevel
    from yiwang.core.regions import load_regions

    load_regions(full_city_codes=["34"])  # 安徽省: every city with its counties and townships
    region, _ = Region.objects.get_or_create(
        code="34", defaults={"full_code": "340000000000", "name": "安徽省", "level": RegionLevel.PROVINCE}
    )
    return region


def _province_organisations(region: Any) -> dict[str, Any]:
    from yiwang.core import audit
    from yiwang.core.identifiers import make_credit_code
    from yiwang.core.models import Organisation

    found = {}
    for key, name, short_name, body in PROVINCE_ORGANISATIONS:
        code = make_credit_code("1", "1", PROVINCE_REGION, body)
        organisation = Organisation.objects.filter(credit_code=code).first()
        if organisation is None:
            organisation = Organisation.objects.create(
                name=name,
                short_name=short_name,
                credit_code=code,
                region=region,
                address=PROVINCE_ADDRESS,
                phone=PROVINCE_PHONE,
                office_hours="工作日 9:00-17:00",
            )
            audit.record("demo.organisation_created", obj=organisation, detail={"name": name})
        found[key] = organisation
    return found


def _province_catalogue(organisations: dict[str, Any]) -> tuple[int, int]:
    """基本目录 every base item the demo's items implement (the 四级四同 reference the cities' lists are
    checked against), and the province's own implementation items; returns (base items, items)."""
    from django.db import transaction

    from yiwang.catalog.models import ServiceItem
    from yiwang.catalog.services import create_item, make_implementation_code, publish_item
    from yiwang.demo.content import ITEMS
    from yiwang.demo.loader import _base_item, _item_fields

    for spec in ITEMS:
        fields = _item_fields(spec, organisations["data"])
        _base_item(fields)
    for spec in ITEMS:
        key = PROVINCE_ITEMS.get(spec["name"])
        if key is None:
            continue
        organisation = organisations[key]
        fields = _item_fields({**spec, "exercise_level": "2"}, organisation)
        fields["place"] = f"安徽省政务服务中心 {organisation.short_name}窗口"
        code = make_implementation_code(organisation.credit_code, "2", fields["base_code"])
        if ServiceItem.objects.filter(implementation_code=code).exists():
            continue
        with transaction.atomic():
            item = create_item(
                actor=None,
                implementing_body=organisation,
                base_item=_base_item(fields),
                materials=spec["materials"],
                **fields,
            )
            publish_item(item, None)
    from yiwang.catalog.models import BaseItem

    return BaseItem.objects.count(), ServiceItem.objects.filter(revision_of__isnull=True).count()


def _province_accounts(organisations: dict[str, Any]) -> list[str]:
    from yiwang.accounts import services as accounts
    from yiwang.accounts.models import User
    from yiwang.core.demo_accounts import DEMO_ACCOUNTS
    from yiwang.demo.content.people import DETAILS
    from yiwang.demo.loader import DEMO_PASSWORD, _citizen_id_number

    for username, real_name, roles, key in PROVINCE_STAFF:
        if not User.objects.filter(username=username).exists():
            accounts.create_staff_account(
                username=username,
                password=DEMO_PASSWORD,
                real_name=real_name,
                organisation=organisations[key],
                roles=list(roles),
            )
    citizen = next(account for account in DEMO_ACCOUNTS if account.username == "citizen")
    if not User.objects.filter(username="citizen").exists():
        # 统一身份认证: the citizen registered at the province platform (the same person as the city
        # demo's 张伟: one ID number); the city trusts the province's login (YIWANG_UPSTREAM_OIDC_*).
        accounts.create_natural_person_account(
            username="citizen",
            password=citizen.password,
            real_name=citizen.real_name,
            id_number=_citizen_id_number(),
            phone=DETAILS["citizen"]["phone"],
            assurance_level=DETAILS["citizen"]["assurance_level"],
        )
    return [username for username, *_ in PROVINCE_STAFF] + ["citizen"]


def load_province_demo() -> dict[str, Any]:
    """省级演示数据 The province's regions, calendar, departments, base catalogue, own items and accounts
    (idempotent: what exists is left as it is)."""
    from yiwang.core.calendar import seed_calendar
    from yiwang.core.models import Channel
    from yiwang.core.request_context import RequestContext, use_context
    from yiwang.demo.loader import CALENDAR_YEARS

    with use_context(RequestContext(channel=Channel.CONSOLE)):
        region = _province_region()
        seed_calendar(CALENDAR_YEARS)
        organisations = _province_organisations(region)
        base_items, items = _province_catalogue(organisations)
        accounts = _province_accounts(organisations)
    return {
        "organisations": len(organisations),
        "base_items": base_items,
        "items": items,
        "accounts": accounts,
    }


def prepare_instance(role: str, pairing: dict[str, Any]) -> None:
    """``yiwang federation-prepare`` (run by ``yiwang federation-demo`` with the instance's settings):
    migrate, static files, the level's demo data, the pairing.  Each step is idempotent."""
    import io

    from django.core.management import call_command

    call_command("migrate", "--no-input", "-v", "1")
    call_command("collectstatic", "--no-input", "-v", "0")
    if role == PROVINCE:
        report = load_province_demo()
        print(f"省级演示数据 Province demo: {report}", flush=True)
    else:
        call_command("loaddemo")  # the 合肥市 demo: departments, items, accounts, bases, licences …
        call_command("demo_history", stdout=io.StringIO())
    for change in apply_pairing(**pairing) or ["pairing already in place"]:
        print(f"配对 Pairing: {change}", flush=True)


# --- yiwang federation-demo: where the two instances live -------------------------------------------------
DEMO_DATABASES = {PROVINCE: "yiwang_province", CITY: "yiwang_city"}
CITY_PORT_OFFSET = 100


def _postgres_base() -> str:
    """``FEDERATION_DATABASE_URL_BASE`` (e.g. ``postgres://postgres@127.0.0.1:5432``; ``sqlite`` for
    SQLite files), else the local PostgreSQL when it answers, else "" (SQLite files)."""
    base = os.environ.get("FEDERATION_DATABASE_URL_BASE", "").rstrip("/")
    if base == "sqlite":
        return ""
    candidate = base or "postgres://postgres@127.0.0.1:5432"
    try:
        import psycopg

        with psycopg.connect(
            candidate.replace("postgres://", "postgresql://", 1) + "/postgres",
            connect_timeout=3,
            autocommit=True,
        ) as admin:
            for name in DEMO_DATABASES.values():
                if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
                    admin.execute(f'CREATE DATABASE "{name}"')  # fixed names above
    except Exception as exc:
        if base:  # asked for explicitly: say why it cannot be used
            raise RuntimeError(f"FEDERATION_DATABASE_URL_BASE={base}: {exc}") from exc
        return ""
    return candidate


def demo_configs(project_var: Path, port: int) -> tuple[InstanceConfig, InstanceConfig]:
    """The province on ``port`` and the city on ``port + 100``, under ``<project var>/federation/``;
    PostgreSQL databases yiwang_province / yiwang_city when reachable, else SQLite files."""
    pg = _postgres_base()
    static = {"STATIC_ROOT": str(project_var / "static")}  # one collected copy for both
    made = []
    for role, factory, at in (
        (PROVINCE, province_config, port),
        (CITY, city_config, port + CITY_PORT_OFFSET),
    ):
        var_dir = project_var / "federation" / role
        url = f"{pg}/{DEMO_DATABASES[role]}" if pg else f"sqlite:///{var_dir / 'yiwang.sqlite3'}"
        made.append(factory(at, url, var_dir, extra_env=dict(static)))
    return made[0], made[1]
