"""省市协同 Two platform instances on one machine: a province (安徽省政务服务网, 340000) and a city
(合肥市政务服务网, 340100), paired as parent and child (docs/federation-demo.md).

Two halves:

* **Outside the instances** (this module: no Django set up, no database — ``yiwang federation-demo``
  and the test harness ``yiwang.testing.federation``): :class:`InstanceConfig` (role, region, name,
  port, database, var dir), :func:`instance_env` (the documented settings of one instance, written
  to ``<var>/instance.env``), :func:`ensure_identity` (the SM2 key file of the exchange node),
  :func:`pairing_plan` (what each side must register about the other), what each level's demo
  holds (:data:`PROVINCE_ITEMS`, :data:`CITY_TONGBAN`, …) and the banner.
* **Inside one instance** (:mod:`yiwang.demo.federation_instance`, a Django process on that
  instance's database): ``apply_pairing`` registers the peer exchange node and, on the province,
  the city's OIDC client; ``load_province_demo`` / ``open_city_items`` give each level its demo.

Everything is idempotent: running it twice changes nothing (no new rows, no new audit entries).
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yiwang.core.demo_accounts import DEMO_ACCOUNTS, SHARING_DEMO_ACCOUNTS
from yiwang.exchange.identity import NodeIdentity, generate_identity, write_key_file

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


# 跨域通办 City items a person may file at another instance (the province's /crossregion/): 通办范围
# 全国通办 1, 跨省通办 2, 省内通办 3 (catalog.TongbanRange; docs/crossregion.md).
CITY_TONGBAN: dict[str, str] = {
    "个体工商户设立登记": "3",
    "营业执照补领、换发": "3",
    "无犯罪记录证明开具": "2",
    "住房公积金提取": "2",
    "社会保障卡申领": "1",
}


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


def federation_banner(province: InstanceConfig, city: InstanceConfig) -> str:
    """What ``yiwang federation-demo`` prints: both instances, their accounts and where to try SSO,
    跨域通办 and the federation overview."""
    city_accounts = [a.username for a in (*DEMO_ACCOUNTS, *(entry[0] for entry in SHARING_DEMO_ACCOUNTS))]
    p, c = province.base_url, city.base_url
    lines = [
        "",
        "=" * 72,
        "  一网 Yiwang — 省市协同 federation demo (docs/federation-demo.md)",
        "=" * 72,
        f"  省 {province.name} (province, {province.region})  {p}/",
        f"      workbench {p}/workbench/   exchange node {province.node_id}",
        f"      OIDC provider {p}/o/.well-known/openid-configuration",
        f"      accounts: {', '.join(u for u, *_ in PROVINCE_STAFF)}, citizen",
        f"  市 {city.name} (city, {city.region})  {c}/",
        f"      workbench {c}/workbench/   exchange node {city.node_id}",
        f"      trusts {p}/o (YIWANG_UPSTREAM_OIDC_ISSUER)",
        f"      accounts: {', '.join(city_accounts)}",
        "  Password of every demo account: Yiwang@2026.  Settings: <var>/federation/<role>/instance.env",
        "-" * 72,
        "  Try:",
        f"  统一身份认证 SSO    {c}/login/ → 使用{province.name}统一身份认证登录",
        "                     (log in at the province as citizen; you land at the city as 张伟)",
        f"  跨域通办 Filing     {p}/crossregion/ (log in at the province as citizen): a city item,",
        f"                     numbered and handled at the city ({c}/workbench/ as clerk),",
        f"                     its status back at {p}/crossregion/mine/",
        f"  省市协同 Overview   {p}/workbench/federation/ (admin or dataofficial at the province)",
        "=" * 72,
    ]
    return "\n".join(lines)
