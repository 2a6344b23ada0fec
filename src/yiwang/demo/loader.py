"""演示数据载入 Load the 合肥市 demo: regions, holiday calendar, departments, service items, accounts.

Idempotent: organisations are keyed by credit code, items by implementation code, accounts by
username; what exists is left as it is (a published version is immutable anyway), so a second run
changes nothing and the report says so.  Items are created and published through the catalogue
services and accounts through the accounts services, so every change is validated and audited.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from yiwang.accounts import services as accounts
from yiwang.accounts.mfa import ensure_demo_device
from yiwang.accounts.models import DataScope, IntegrationMode, NaturalPerson, StaffRoleAssignment, User
from yiwang.accounts.oidc import register_client
from yiwang.catalog.bundles import save_bundle
from yiwang.catalog.io import set_item_themes
from yiwang.catalog.models import BaseItem, Bundle, ItemStatus, ItemTheme, ScenarioQuestion, ServiceItem
from yiwang.catalog.scenarios import define_scenarios
from yiwang.catalog.services import create_base_item, create_item, make_implementation_code, publish_item
from yiwang.core import audit
from yiwang.core.calendar import replace_year_days, seed_calendar
from yiwang.core.demo_accounts import (
    DEMO_ACCOUNTS,
    DEMO_DEPT_CLIENT_ID,
    DEMO_DEPT_CLIENT_SECRET,
    DEMO_TOTP_KEY_HEX,
    DemoAccount,
    demo_dept_redirect_uri,
)
from yiwang.core.identifiers import make_credit_code, make_id_number
from yiwang.core.models import CalendarYear, Channel, Organisation, Region, RegionLevel
from yiwang.core.regions import load_regions
from yiwang.core.request_context import RequestContext, use_context
from yiwang.demo.bases import load_bases_demo
from yiwang.demo.content import AREA_CODE, ITEMS, ORGANISATIONS
from yiwang.demo.content.common import HALL, HALL_ADDRESS, HALL_HOURS, SUPERVISE_PHONE
from yiwang.demo.content.discovery import BUNDLES, SCENARIOS, THEMES
from yiwang.demo.content.people import (
    CITIZEN_BIRTH,
    CITIZEN_REGION_CODE,
    CITIZEN_SEQUENCE,
    COMPANY_CREDIT,
    DETAILS,
    EXTRA_STAFF,
)
from yiwang.demo.dept_feed import load_demo_dept_feed
from yiwang.demo.hall import load_hall_demo
from yiwang.demo.kiosk import load_kiosk_demo
from yiwang.demo.licences import declare_licence_materials, load_licences
from yiwang.demo.shared_items import load_shared_items
from yiwang.demo.sharing import load_sharing_demo
from yiwang.demo.sharing_consumer import register_demo_consumer
from yiwang.demo.space import load_space_demo
from yiwang.opendata.demo import publish_demo_datasets
from yiwang.proactive.defaults import ensure_demo_rules

CITY_CODE = "3401"  # 合肥市 as load_regions stores it (published 4-digit code)
CITY_FULL_CODE = AREA_CODE.ljust(12, "0")
CALENDAR_YEARS = range(2020, 2027 + 1)
DEMO_PASSWORD = DEMO_ACCOUNTS[0].password

# Defaults for item fields the content leaves out.
ITEM_DEFAULTS: dict[str, Any] = {
    "exercise_level": "3",
    "case_kind": "2",
    "required_assurance_level": 1,
    "visits_required": 0,
    "fee_required": False,
    "fee_description": "不收费",
    "fee_basis": "",
    "online_apply": True,
    "appointment_supported": True,
    "online_payment_supported": False,
    "express_supported": False,
    "office_hours": HALL_HOURS,
    "supervise_phone": SUPERVISE_PHONE,
}


@dataclass
class Counter:
    created: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"新增 {self.created}，未变 {self.unchanged}"


@dataclass
class DemoReport:
    """What :func:`load_demo` did."""

    regions: str = ""
    regions_changed: bool = False
    calendar_years_created: int = 0
    calendar_years: int = 0
    calendar_provisional: list[int] = field(default_factory=list)
    organisations: Counter = field(default_factory=Counter)
    items: Counter = field(default_factory=Counter)
    accounts: Counter = field(default_factory=Counter)
    discovery: Counter = field(default_factory=Counter)
    created_accounts: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(
            self.regions_changed
            or self.calendar_years_created
            or self.organisations.created
            or self.items.created
            or self.accounts.created
            or self.discovery.created
        )

    def lines(self) -> list[str]:
        lines = [
            f"  行政区划 Regions:        {self.regions}",
            f"  节假日 Calendar:         {self.calendar_years} 个年度已载入（新增 {self.calendar_years_created}）"
            + (
                f"；{', '.join(map(str, self.calendar_provisional))} 年尚未公布，按法定节假日推算（预计），"
                "公布后在工作台“节假日安排”导入"
                if self.calendar_provisional
                else ""
            ),
            f"  机构 Organisations:      {self.organisations}",
            f"  事项 Service items:      {self.items}（已发布 {published_count()}）",
            f"  主题/情形/一件事 Discovery: {self.discovery}",
            f"  账户 Accounts:           {self.accounts}"
            + (f"（{', '.join(self.created_accounts)}）" if self.created_accounts else ""),
        ]
        if self.changed:
            lines.append(f"演示数据已载入，用时 {self.seconds:.1f} 秒。Demo data loaded.")
        else:
            lines.append("演示数据已是最新，未作任何更改。Nothing changed: the demo data was already loaded.")
        return lines


def published_count() -> int:
    return ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).count()


# --- regions and calendar -------------------------------------------------------------------------
def _load_regions(report: DemoReport) -> None:
    result = load_regions(full_city_codes=[CITY_CODE])
    report.regions = str(result)
    report.regions_changed = bool(result.created or result.updated)


def _ensure_city(report: DemoReport) -> Region:
    """The region 合肥市; without the region data (``--skip-regions``) a minimal 安徽省/合肥市 pair."""
    city = Region.objects.filter(full_code=CITY_FULL_CODE).first()
    if city is not None:
        return city
    province, created_province = Region.objects.get_or_create(
        code="34",
        defaults={"full_code": "34".ljust(12, "0"), "name": "安徽省", "level": RegionLevel.PROVINCE},
    )
    city = Region.objects.create(
        code=CITY_CODE, full_code=CITY_FULL_CODE, name="合肥市", level=RegionLevel.CITY, parent=province
    )
    report.regions_changed = True
    report.regions += f"（仅建立 安徽省/合肥市 占位：新增 {1 + int(created_province)}）"
    return city


def _seed_calendar(report: DemoReport) -> None:
    before = CalendarYear.objects.count()
    seed_calendar(CALENDAR_YEARS)
    loaded = set(CalendarYear.objects.filter(year__in=list(CALENDAR_YEARS)).values_list("year", flat=True))
    # A year the State Council has not announced yet is counted on the statutory rule (预计) by
    # core.calendar itself; earlier demos stored a hand-made stand-in as if it were official.
    stand_ins = list(CalendarYear.objects.filter(source=DEMO_STAND_IN_SOURCE).values_list("year", flat=True))
    for year in stand_ins:
        replace_year_days(year, {})
    CalendarYear.objects.filter(source=DEMO_STAND_IN_SOURCE).delete()
    loaded -= set(stand_ins)
    report.calendar_years = len(loaded)
    report.calendar_provisional = [year for year in CALENDAR_YEARS if year not in loaded]
    report.calendar_years_created = CalendarYear.objects.count() - before


DEMO_STAND_IN_SOURCE = "demo-provisional"


# --- organisations ---------------------------------------------------------------------------------
def credit_code_of(spec: dict[str, Any]) -> str:
    return make_credit_code("1", spec["entity_type"], AREA_CODE, spec["org_body"])


def _organisations(city: Region, report: DemoReport) -> dict[str, Organisation]:
    organisations: dict[str, Organisation] = {}
    for spec in ORGANISATIONS:
        code = credit_code_of(spec)
        organisation = Organisation.objects.filter(credit_code=code).first()
        if organisation is None:
            organisation = Organisation.objects.create(
                name=spec["name"],
                short_name=spec["short_name"],
                credit_code=code,
                region=city,
                nature=spec["nature"],
                address=spec["address"],
                phone=spec["phone"],
                office_hours=spec["office_hours"],
            )
            audit.record("demo.organisation_created", obj=organisation, detail={"name": organisation.name})
            report.organisations.created += 1
        else:
            report.organisations.unchanged += 1
        organisations[spec["key"]] = organisation
    return organisations


# --- items -----------------------------------------------------------------------------------------
def item_fields(spec: dict[str, Any], organisation: Organisation) -> dict[str, Any]:
    fields = {**ITEM_DEFAULTS, **{k: v for k, v in spec.items() if k not in ("department", "materials")}}
    fields.setdefault("place", f"{HALL}（{HALL_ADDRESS}）{organisation.short_name}窗口")
    fields.setdefault("consult_phone", organisation.phone)
    return fields


# 国家法律法规数据库: where the legal basis of the demo base items can be looked up.
LEGAL_BASIS_URL = "https://flk.npc.gov.cn/"


def demo_base_item(fields: dict[str, Any]) -> BaseItem:
    """基本目录 The base item of a demo item (national catalogue), created on first use."""
    base = BaseItem.objects.filter(code=fields["base_code"]).first()
    if base is None:
        base = create_base_item(
            actor=None,
            code=fields["base_code"],
            name=fields["name"],
            item_type=fields["item_type"],
            legal_basis=fields["legal_basis"],
            legal_basis_url=LEGAL_BASIS_URL,
            exercise_level="7",  # 分级管理: implemented at several levels
            statutory_limit_days=fields.get("statutory_limit_days"),
        )
    return base


def _items(organisations: dict[str, Organisation], report: DemoReport) -> None:
    for spec in ITEMS:
        organisation = organisations[spec["department"]]
        fields = item_fields(spec, organisation)
        fields.setdefault("legal_basis_url", LEGAL_BASIS_URL)
        code = make_implementation_code(
            organisation.credit_code, fields["exercise_level"], fields["base_code"]
        )
        if ServiceItem.objects.filter(implementation_code=code).exists():
            report.items.unchanged += 1
            continue
        with transaction.atomic():
            item = create_item(
                actor=None,
                implementing_body=organisation,
                base_item=demo_base_item(fields),
                materials=declare_licence_materials(spec["materials"]),  # 一证通办
                **fields,
            )
            publish_item(item, None)
        report.items.created += 1


# --- discovery: themes, scenarios, bundles ---------------------------------------------------------
def _discovery(report: DemoReport) -> None:
    """主题, 情形引导 and 一件事 of the demo items; what exists is left alone."""
    live = ServiceItem.objects.filter(revision_of__isnull=True).select_related("region")
    by_name = {item.name: item for item in live}
    for name, themes in THEMES.items():
        item = by_name.get(name)
        if item is None or ItemTheme.objects.filter(item=item).exists():
            report.discovery.unchanged += 1
            continue
        set_item_themes(item, themes, actor=None)
        report.discovery.created += 1
    for name, definition in SCENARIOS.items():
        item = by_name.get(name)
        if item is None or ScenarioQuestion.objects.filter(item=item).exists():
            report.discovery.unchanged += 1
            continue
        define_scenarios(
            item, actor=None, questions=definition["questions"], conditions=definition["conditions"]
        )
        report.discovery.created += 1
    for spec in BUNDLES:
        if Bundle.objects.filter(code=spec["code"]).exists():
            report.discovery.unchanged += 1
            continue
        optional = set(spec.get("optional", []))
        data = {key: value for key, value in spec.items() if key not in ("members", "fields", "optional")}
        data["members"] = [
            {"item": by_name[name].implementation_code, "optional": name in optional}
            for name in spec["members"]
        ]
        data["fields"] = [
            {
                **{key: value for key, value in field_spec.items() if key != "maps_to"},
                "maps_to": [
                    {"item": by_name[name].implementation_code, "field": item_field}
                    for name, item_field in field_spec["maps_to"]
                ],
            }
            for field_spec in spec["fields"]
        ]
        save_bundle(data, actor=None, publish=True)
        report.discovery.created += 1


# --- accounts --------------------------------------------------------------------------------------
def citizen_id_number() -> str:
    return make_id_number(CITIZEN_REGION_CODE, CITIZEN_BIRTH, CITIZEN_SEQUENCE)


def company_credit_code() -> str:
    return make_credit_code(
        COMPANY_CREDIT["registration_department"],
        COMPANY_CREDIT["entity_type"],
        COMPANY_CREDIT["area_code"],
        COMPANY_CREDIT["org_body"],
    )


def _create_account(account: DemoAccount, organisations: dict[str, Organisation]) -> User:
    details = DETAILS[account.username]
    if account.kind == "natural":
        return accounts.create_natural_person_account(
            username=account.username,
            password=account.password,
            real_name=account.real_name,
            id_number=citizen_id_number(),
            phone=details["phone"],
            assurance_level=details["assurance_level"],
        )
    if account.kind == "legal":
        representative = NaturalPerson.objects.get(user__username=details["legal_representative"])
        return accounts.create_legal_person_account(
            username=account.username,
            password=account.password,
            name=account.real_name,
            credit_code=company_credit_code(),
            legal_representative=representative,
            phone=details["phone"],
            assurance_level=details["assurance_level"],
        )
    return accounts.create_staff_account(
        username=account.username,
        password=account.password,
        real_name=account.real_name,
        organisation=organisations[details["organisation"]],
        roles=list(account.roles),
        phone=details.get("phone", ""),
        is_superuser=details.get("is_superuser", False),
    )


def _accounts(organisations: dict[str, Organisation], report: DemoReport) -> None:
    wanted: list[tuple[str, Any]] = [(account.username, account) for account in DEMO_ACCOUNTS]
    wanted += [(staff["username"], staff) for staff in EXTRA_STAFF]
    for username, spec in wanted:
        if User.objects.filter(username=username).exists():
            report.accounts.unchanged += 1
            continue
        if isinstance(spec, DemoAccount):
            created = _create_account(spec, organisations)
            if spec.scope == DataScope.REGION:
                StaffRoleAssignment.objects.filter(staff__user=created, role__in=spec.roles).update(
                    scope=DataScope.REGION
                )
        else:
            accounts.create_staff_account(
                username=username,
                password=DEMO_PASSWORD,
                real_name=spec["real_name"],
                organisation=organisations[spec["organisation"]],
                roles=spec["roles"],
            )
        report.accounts.created += 1
        report.created_accounts.append(username)
    _demo_mfa_and_sso([username for username, _spec in wanted])


def _demo_mfa_and_sso(usernames: list[str]) -> None:
    """Demo only: fixed TOTP devices for the demo staff and the demo department system's client."""
    if not settings.YIWANG_DEMO or settings.IS_PRODUCTION:
        return
    from oauth2_provider.models import get_application_model

    for user in User.objects.filter(username__in=usernames, kind="staff"):
        ensure_demo_device(user, DEMO_TOTP_KEY_HEX)
    redirect_uri = demo_dept_redirect_uri()
    redirect_uris = [redirect_uri, redirect_uri.replace("127.0.0.1", "localhost")]
    logout_uri = redirect_uri.removesuffix("callback")
    existing = get_application_model().objects.filter(client_id=DEMO_DEPT_CLIENT_ID).first()
    if existing is not None:
        # `make run PORT=…` moves the demo department system to PORT+1: let its callback in too.
        known = existing.redirect_uris.split()
        if redirect_uri not in known:
            existing.redirect_uris = " ".join([*known, *redirect_uris])
            existing.post_logout_redirect_uris = " ".join(
                [*existing.post_logout_redirect_uris.split(), logout_uri]
            )
            existing.save(update_fields=["redirect_uris", "post_logout_redirect_uris"])
        return
    register_client(
        name="演示部门业务系统（市场监管）",
        redirect_uris=redirect_uris,
        post_logout_redirect_uris=[logout_uri],
        mode=IntegrationMode.UNIFIED,
        trusted=True,
        allowed_scopes="openid profile assurance company",
        client_id=DEMO_DEPT_CLIENT_ID,
        client_secret=DEMO_DEPT_CLIENT_SECRET,
        organisation=Organisation.objects.filter(name__contains="市场监督").first(),
    )


def _exchange_identity() -> None:
    """The demo instance's exchange node key (docs/exchange.md), generated once."""
    key_file = Path(settings.YIWANG_EXCHANGE_KEY_FILE)
    if not key_file.exists():
        call_command(
            "exchange_identity",
            generate=settings.YIWANG_EXCHANGE_NODE_ID or "yiwang-demo-3401",
            key_file=str(key_file),
            stdout=io.StringIO(),
        )


def _gateway_consumer() -> None:
    """The demo consumer system (``yiwang demo_consumer --serve``, PORT+2) of 公安局, whose demo grant on
    法人基础信息 lets it query the gateway at once (docs/sharing.md "Gateway")."""
    police = Organisation.objects.filter(name="合肥市公安局").first()
    official = User.objects.filter(username="dataofficial_ps").first()
    if police is not None and official is not None:
        register_demo_consumer(official=official, organisation=police)


# --- entry point -----------------------------------------------------------------------------------
def load_demo(*, skip_regions: bool = False, skip_calendar: bool = False) -> DemoReport:
    """载入演示数据 Load everything the demo needs; safe to run again (see module docstring)."""
    started = time.monotonic()
    report = DemoReport()
    with use_context(RequestContext(channel=Channel.CONSOLE)):
        if skip_regions:
            report.regions = "已跳过（--skip-regions）"
        else:
            _load_regions(report)
        if not skip_calendar:
            _seed_calendar(report)
        city = _ensure_city(report)
        organisations = _organisations(city, report)
        _items(organisations, report)
        _discovery(report)
        # 基础库 before the accounts: the demo company is checked against the legal-person base.
        load_bases_demo()
        _accounts(organisations, report)
        load_licences()  # 电子证照: types, 证照专用章 per issuing body, demo licences
        load_sharing_demo()  # 信息资源目录: the base resources, department resources, a request
        load_shared_items()  # 一证通办: items whose materials come from the bases, and their grants
        _exchange_identity()
        _gateway_consumer()
        load_demo_dept_feed()  # 演示部门系统 feeds the population base through the exchange
        publish_demo_datasets()  # 数据开放: datasets of the open resources
        call_command("assessment_defaults", stdout=io.StringIO())  # 考核评估: the demo scheme
        call_command("supervision_defaults", stdout=io.StringIO())  # 电子监察: the default rules
        call_command("ratings_defaults", stdout=io.StringIO())  # 好差评: reasons and rectification deadlines
        call_command("tickets_defaults", stdout=io.StringIO())  # 12345: categories, keywords, routing rules
        call_command("knowledge_defaults", stdout=io.StringIO())  # 知识库: the common questions
        call_command("knowledge_sync", stdout=io.StringIO())  # 知识库: an entry per published item guide
        load_hall_demo()  # 智能化大厅: the hall, categories, windows, schedules, the next 30 days of slots
        load_kiosk_demo()  # 自助终端: the hall's kiosk and its simulated card reader's configuration
        load_space_demo()  # 材料库: a few stored materials of the demo citizen
        ensure_demo_rules()  # 主动服务: the demo rules (notify and 免申即享), active
    report.seconds = time.monotonic() - started
    return report
