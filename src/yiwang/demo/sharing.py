"""Demo data of the sharing platform (政务信息资源共享): data officials, the catalogue tree, the base
resources (人口、法人、空间地理、电子证照目录) and a few department resources, published through
the review services, one unconditional grant and one pending request.

Idempotent: accounts are keyed by username, catalogues by code, resources by provider and name;
the request and the grant are made once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from yiwang.accounts.models import DataScope, StaffRoleAssignment, User
from yiwang.accounts.services import create_staff_account
from yiwang.accounts.services.mfa import ensure_demo_device
from yiwang.core.demo_accounts import DEMO_TOTP_KEY_HEX, SHARING_DEMO_ACCOUNTS
from yiwang.core.identifiers import make_credit_code
from yiwang.core.models import Organisation
from yiwang.demo.content import AREA_CODE, ORGANISATIONS
from yiwang.sharing import services
from yiwang.sharing.models import Catalogue, CatalogueKind, Resource, ResourceStatus, ShareRequest


def _f(name: str, label: str, data_type: str = "string", sensitivity: str = "internal") -> dict[str, Any]:
    return {
        "name": name,
        "label": label,
        "data_type": data_type,
        "sensitivity": sensitivity,
        "is_personal": sensitivity == "personal",
    }


# (provider key, catalogue codes, definition, fields)
RESOURCES: list[tuple[str, tuple[str, ...], dict[str, Any], list[dict[str, Any]]]] = [
    (
        "police",
        ("JC-RK",),
        {
            "name": "人口基础信息",
            "description": "全市户籍和常住人口的基础信息，按公民身份号码查询。",
            "service": "bases.population",
            "subject_kind": "person",
            "share_type": "conditional",
            "share_conditions": "用于法定职责范围内的身份核验，须经公安机关审核同意",
            "update_cycle": "realtime",
        },
        [
            _f("id_number", "公民身份号码", sensitivity="personal"),
            _f("name", "姓名", sensitivity="personal"),
            _f("gender", "性别", "code"),
            _f("birth_date", "出生日期", "date", "personal"),
            _f("ethnicity", "民族", "code"),
            _f("household_region", "户籍地行政区划", "code"),
            _f("address", "住址", sensitivity="personal"),
            _f("status", "人口状态", "code"),
        ],
    ),
    (
        "market",
        ("JC-FR",),
        {
            "name": "法人基础信息",
            "description": "市场主体登记信息，按统一社会信用代码查询；法定代表人身份号码须审核。",
            "service": "bases.legal_person",
            "subject_kind": "company",
            "share_type": "unconditional",
            "open_type": "conditional",
            "update_cycle": "realtime",
        },
        [
            _f("credit_code", "统一社会信用代码", "code", "public"),
            _f("name", "名称", sensitivity="public"),
            _f("type", "市场主体类型", "code", "public"),
            _f("legal_representative", "法定代表人", sensitivity="public"),
            _f("legal_representative_id", "法定代表人身份号码", sensitivity="personal"),
            _f("registered_capital_fen", "注册资本（分）", "money", "public"),
            _f("established_on", "成立日期", "date", "public"),
            _f("status", "登记状态", "code", "public"),
            _f("region", "所在行政区划", "code", "public"),
            _f("address", "住所", sensitivity="public"),
            _f("business_scope", "经营范围", sensitivity="public"),
            _f("industry", "行业门类", "code", "public"),
            _f("registration_authority", "登记机关", sensitivity="public"),
        ],
    ),
    (
        "nrp",
        ("JC-KJ",),
        {
            "name": "空间地理基础信息",
            "description": "行政区划边界与中心点（GeoJSON）。",
            "service": "bases.geography",
            "subject_kind": "none",
            "share_type": "unconditional",
            "open_type": "open",
            "format": "spatial",
            "update_cycle": "yearly",
        },
        [
            _f("region_code", "行政区划代码", "code", "public"),
            _f("name", "名称", sensitivity="public"),
            _f("centroid", "中心点", "geojson", "public"),
            _f("boundary", "边界", "geojson", "public"),
        ],
    ),
    (
        "gov_service",
        ("JC-ZZ",),
        {
            "name": "电子证照目录",
            "description": "全市签发的电子证照索引，按持证主体查询。",
            "service": "licences.index",
            "subject_kind": "person",
            "share_type": "conditional",
            "share_conditions": "用于办件材料免提交，须持证人授权或有法定依据",
            "update_cycle": "realtime",
        },
        [
            _f("licence_type", "证照类型", "code", "internal"),
            _f("number", "证照编号", sensitivity="internal"),
            _f("holder", "持证主体", sensitivity="personal"),
            _f("issuer", "发证机关", sensitivity="public"),
            _f("valid_from", "有效期起", "date", "internal"),
            _f("valid_until", "有效期止", "date", "internal"),
            _f("status", "证照状态", "code", "internal"),
        ],
    ),
    (
        "market",
        ("BM-market",),
        {
            "name": "食品经营许可信息",
            "description": "食品经营许可证的发证、变更与注销信息。",
            "subject_kind": "company",
            "share_type": "unconditional",
            "open_type": "open",
            "update_cycle": "daily",
        },
        [
            _f("licence_number", "许可证编号", sensitivity="public"),
            _f("credit_code", "经营者统一社会信用代码", "code", "public"),
            _f("operator", "经营者名称", sensitivity="public"),
            _f("valid_until", "有效期至", "date", "public"),
        ],
    ),
    (
        "police",
        ("BM-police",),
        {
            "name": "在逃人员信息",
            "description": "公安机关内部使用。",
            "subject_kind": "person",
            "share_type": "none",
            "no_share_basis": "《中华人民共和国保守国家秘密法》及公安机关执法信息管理规定",
            "update_cycle": "realtime",
        },
        [
            _f("id_number", "公民身份号码", sensitivity="personal"),
            _f("case_number", "案件编号", sensitivity="sensitive"),
        ],
    ),
]


@dataclass
class SharingDemoReport:
    accounts: list[str] = field(default_factory=list)
    catalogues: int = 0
    resources: int = 0
    requests: int = 0


def _organisations() -> dict[str, Organisation]:
    codes = {
        spec["key"]: make_credit_code("1", spec["entity_type"], AREA_CODE, spec["org_body"])
        for spec in ORGANISATIONS
    }
    by_code = {o.credit_code: o for o in Organisation.objects.filter(credit_code__in=codes.values())}
    return {key: by_code[code] for key, code in codes.items() if code in by_code}


def _accounts(organisations: dict[str, Organisation], report: SharingDemoReport) -> dict[str, User]:
    users: dict[str, User] = {}
    for account, organisation_key, scope in SHARING_DEMO_ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        if user is None:
            user = create_staff_account(
                username=account.username,
                password=account.password,
                real_name=account.real_name,
                organisation=organisations[organisation_key],
                roles=list(account.roles),
            )
            report.accounts.append(account.username)
        if scope == DataScope.REGION:
            StaffRoleAssignment.objects.filter(staff__user=user, role__in=account.roles).update(scope=scope)
            user = User.objects.get(pk=user.pk)
        if settings.YIWANG_DEMO and not settings.IS_PRODUCTION:
            ensure_demo_device(user, DEMO_TOTP_KEY_HEX)
        users[organisation_key] = user
    return users


def _catalogues(
    organisations: dict[str, Organisation],
    reviewer: User,
    officials: dict[str, User],
    report: SharingDemoReport,
) -> None:
    def ensure(code: str, name: str, kind: str, actor: User, **kwargs: Any) -> Catalogue:
        existing = Catalogue.objects.filter(code=code).first()
        if existing is not None:
            return existing
        report.catalogues += 1
        return services.create_catalogue(actor=actor, kind=kind, code=code, name=name, **kwargs)

    base = ensure("JC", "基础信息资源目录", CatalogueKind.BASE, reviewer)
    for code, name in (("JC-RK", "人口"), ("JC-FR", "法人"), ("JC-KJ", "空间地理"), ("JC-ZZ", "电子证照")):
        ensure(code, name, CatalogueKind.BASE, reviewer, parent=base)
    thematic = ensure("ZT", "主题信息资源目录", CatalogueKind.THEMATIC, reviewer)
    ensure("ZT-QYKB", "企业开办", CatalogueKind.THEMATIC, reviewer, parent=thematic)
    for key in ("market", "police"):
        ensure(
            f"BM-{key}",
            f"{organisations[key].short_name or organisations[key].name}部门目录",
            CatalogueKind.DEPARTMENT,
            officials[key],
            organisation=organisations[key],
        )


def _resources(
    organisations: dict[str, Organisation],
    officials: dict[str, User],
    reviewer: User,
    report: SharingDemoReport,
) -> dict[str, Resource]:
    resources: dict[str, Resource] = {}
    for provider_key, catalogue_codes, definition, fields in RESOURCES:
        provider = organisations[provider_key]
        resource = Resource.objects.filter(provider=provider, name=definition["name"]).first()
        if resource is None:
            official = officials[provider_key]
            resource = services.create_resource(
                actor=official,
                provider=provider,
                definition=definition,
                fields=fields,
                catalogue_ids=list(
                    Catalogue.objects.filter(code__in=catalogue_codes).values_list("public_id", flat=True)
                ),
            )
            services.submit_resource(resource, actor=official)
            resource = services.review_resource(
                resource, actor=reviewer, approve=True, note="演示数据：符合编目要求"
            )
            report.resources += 1
        resources[definition["name"]] = resource
    return resources


def _requests(officials: dict[str, User], resources: dict[str, Resource], report: SharingDemoReport) -> None:
    today = timezone.localdate()
    population = resources["人口基础信息"]
    legal = resources["法人基础信息"]
    if (
        population.status == ResourceStatus.PUBLISHED
        and not ShareRequest.objects.filter(resource=population).exists()
    ):
        services.request_resource(
            actor=officials["market"],
            resource=population,
            fields=["name", "gender", "household_region"],
            purpose="个体工商户登记时核验经营者身份与户籍地",
            legal_basis="《促进个体工商户发展条例》第十条",
            period_start=today,
            period_end=today + timedelta(days=365),
        )
        report.requests += 1
    if legal.status == ResourceStatus.PUBLISHED and not ShareRequest.objects.filter(resource=legal).exists():
        services.request_resource(  # unconditional and no personal field: granted at once
            actor=officials["police"],
            resource=legal,
            fields=["credit_code", "name", "status", "address"],
            purpose="治安管理中核查企业登记状态",
            legal_basis="《中华人民共和国治安管理处罚法》",
            period_start=today,
            period_end=today + timedelta(days=365),
        )
        report.requests += 1


def load_sharing_demo() -> SharingDemoReport:
    """载入共享平台演示数据; safe to run again.  Needs the demo organisations (``load_demo``)."""
    report = SharingDemoReport()
    organisations = _organisations()
    users = _accounts(organisations, report)
    reviewer = users["data"]
    _catalogues(organisations, reviewer, users, report)
    resources = _resources(organisations, users, reviewer, report)
    _requests(users, resources, report)
    return report
