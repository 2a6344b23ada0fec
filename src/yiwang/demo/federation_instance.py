"""省市协同 demo, inside one instance (a Django process on that instance's database): the pairing
(``apply_pairing``: the peer exchange node and, on the province, the city's OIDC client), the
province's own demo data (``load_province_demo``), the city's items open to filing elsewhere
(``open_city_items``), and ``prepare_instance`` (``manage.py federation_prepare``).  What lives outside
the instances (configurations, keys, env files, the plan, the banner): :mod:`yiwang.demo.federation`.

Everything is idempotent: running it twice changes nothing (no new rows, no new audit entries).
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.db import transaction
from oauth2_provider.models import get_application_model

from yiwang.accounts import services as account_services
from yiwang.accounts.models import IntegrationMode, User
from yiwang.accounts.oidc import register_client
from yiwang.catalog.models import BaseItem, ItemStatus, ServiceItem
from yiwang.catalog.services import (
    create_item,
    make_implementation_code,
    publish_item,
    start_revision,
    update_item,
)
from yiwang.core import audit
from yiwang.core.calendar import seed_calendar
from yiwang.core.demo_accounts import DEMO_ACCOUNTS
from yiwang.core.identifiers import make_credit_code
from yiwang.core.models import Channel, Organisation, Region, RegionLevel
from yiwang.core.regions import load_regions
from yiwang.core.request_context import RequestContext, use_context
from yiwang.demo.content import ITEMS
from yiwang.demo.content.people import DETAILS
from yiwang.demo.federation import (
    CITY_TONGBAN,
    PROVINCE,
    PROVINCE_ADDRESS,
    PROVINCE_ITEMS,
    PROVINCE_ORGANISATIONS,
    PROVINCE_PHONE,
    PROVINCE_REGION,
    PROVINCE_STAFF,
)
from yiwang.demo.loader import CALENDAR_YEARS, DEMO_PASSWORD, citizen_id_number, demo_base_item, item_fields
from yiwang.exchange.models import ExchangeNode
from yiwang.exchange.services import register_node


def apply_pairing(*, peer: dict[str, Any], oidc_client: dict[str, Any] | None = None) -> list[str]:
    """Register the peer exchange node (and, on the province, the city's confidential OIDC client);
    what is already registered as wanted is left alone.  Returns what changed."""
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


def _province_region() -> Any:
    load_regions(full_city_codes=["34"])  # 安徽省: every city with its counties and townships
    region, _ = Region.objects.get_or_create(
        code="34", defaults={"full_code": "340000000000", "name": "安徽省", "level": RegionLevel.PROVINCE}
    )
    return region


def _province_organisations(region: Any) -> dict[str, Any]:
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
    for spec in ITEMS:
        fields = item_fields(spec, organisations["data"])
        demo_base_item(fields)
    for spec in ITEMS:
        key = PROVINCE_ITEMS.get(spec["name"])
        if key is None:
            continue
        organisation = organisations[key]
        fields = item_fields({**spec, "exercise_level": "2"}, organisation)
        fields["place"] = f"安徽省政务服务中心 {organisation.short_name}窗口"
        code = make_implementation_code(organisation.credit_code, "2", fields["base_code"])
        if ServiceItem.objects.filter(implementation_code=code).exists():
            continue
        with transaction.atomic():
            item = create_item(
                actor=None,
                implementing_body=organisation,
                base_item=demo_base_item(fields),
                materials=spec["materials"],
                **fields,
            )
            publish_item(item, None)
    return BaseItem.objects.count(), ServiceItem.objects.filter(revision_of__isnull=True).count()


def _province_accounts(organisations: dict[str, Any]) -> list[str]:
    for username, real_name, roles, key in PROVINCE_STAFF:
        if not User.objects.filter(username=username).exists():
            account_services.create_staff_account(
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
        account_services.create_natural_person_account(
            username="citizen",
            password=citizen.password,
            real_name=citizen.real_name,
            id_number=citizen_id_number(),
            phone=DETAILS["citizen"]["phone"],
            assurance_level=DETAILS["citizen"]["assurance_level"],
        )
    return [username for username, *_ in PROVINCE_STAFF] + ["citizen"]


def load_province_demo() -> dict[str, Any]:
    """省级演示数据 The province's regions, calendar, departments, base catalogue, own items and accounts
    (idempotent: what exists is left as it is)."""
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


def open_city_items() -> list[str]:
    """跨域通办 The city's items of :data:`CITY_TONGBAN` opened to filing elsewhere (通办范围 set through a
    revision, published by the system: a new version, audited); returns the items changed (none the
    second time)."""
    changed = []
    items = ServiceItem.objects.filter(
        name__in=CITY_TONGBAN, status=ItemStatus.PUBLISHED, revision_of__isnull=True
    ).order_by("implementation_code")
    with use_context(RequestContext(channel=Channel.CONSOLE)):
        for item in items:
            wanted = CITY_TONGBAN[item.name]
            if item.tongban_range == wanted or ServiceItem.objects.filter(revision_of=item).exists():
                continue  # already open (or a manager is revising it: left alone)
            revision = start_revision(item, None)
            update_item(revision, actor=None, tongban_range=wanted)
            publish_item(revision, None)
            changed.append(f"{item.name} ({wanted})")
    return changed


def prepare_instance(role: str, pairing: dict[str, Any]) -> None:
    """``manage.py federation_prepare`` (run by ``yiwang federation-demo`` with the instance's
    settings): migrate, static files, the level's demo data, the pairing.  Each step is idempotent."""
    call_command("migrate", "--no-input", "-v", "1")
    call_command("collectstatic", "--no-input", "-v", "0")
    if role == PROVINCE:
        report = load_province_demo()
        print(f"省级演示数据 Province demo: {report}", flush=True)
    else:
        call_command("loaddemo")  # the 合肥市 demo: departments, items, accounts, bases, licences …
        call_command("demo_history", stdout=io.StringIO())
        for opened in open_city_items() or ["already open"]:
            print(f"跨域通办 Open elsewhere: {opened}", flush=True)
    for change in apply_pairing(**pairing) or ["pairing already in place"]:
        print(f"配对 Pairing: {change}", flush=True)
