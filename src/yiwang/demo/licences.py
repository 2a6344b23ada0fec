"""演示电子证照 Licence types, one issued 证照专用章 per issuing department, a few licences for
the demo citizen and company, and a 行政审批专用章 for every department that handles cases.

Seals go through the real lifecycle (apply → review → make → file → issue) with the seals services:
the demo administrator 陈静 (``admin``) applies, and a system reviewer account
``seal_reviewer`` (staff, admin role, no usable password: it cannot log in) reviews, because an
applicant may not review her own application.  Ministry codes in the type codes are made-up valid
统一社会信用代码, like every demo organisation's code.  Idempotent: what exists is left alone.
"""

from __future__ import annotations

import secrets
from typing import Any

from yiwang.accounts.models import AccountKind, User
from yiwang.accounts.services import create_staff_account
from yiwang.catalog.models import ServiceItem
from yiwang.core.identifiers import make_credit_code
from yiwang.core.models import Organisation
from yiwang.demo.licence_results import (
    BUSINESS_LICENCE_RESULT,
    BY_CONSENT,
    LEGAL_BASIS,
    PHYSICIAN_RESULT,
    RESULT_TYPES,
    SHARED_LICENCES,
    is_shared,
    type_code,
)
from yiwang.licences import services
from yiwang.licences.models import HolderType, Licence, LicenceType
from yiwang.seals import services as seal_services
from yiwang.seals.models import Seal, SealStatus, SealType

REVIEWER = "seal_reviewer"


def _ministry(body: str) -> str:
    return make_credit_code("1", "1", "100000", body)


TYPES: list[dict[str, Any]] = [
    {
        "suffix": ("00010001", "001"),
        "name": "营业执照",
        "org": "合肥市市场监督管理局",
        "holder_type": HolderType.LEGAL,
        "validity_years": None,
        "fields": [
            {"name": "name", "label": "名称", "type": "text", "required": True},
            {
                "name": "kind",
                "label": "类型",
                "type": "choice",
                "required": True,
                "choices": ["有限责任公司", "股份有限公司", "个人独资企业", "合伙企业", "个体工商户"],
            },
            {"name": "legal_representative", "label": "法定代表人", "type": "text", "required": True},
            {"name": "capital", "label": "注册资本（万元）", "type": "number", "required": True},
            {"name": "established_on", "label": "成立日期", "type": "date", "required": True},
            {"name": "address", "label": "住所", "type": "text", "required": True},
            {"name": "scope", "label": "经营范围", "type": "text", "required": True},
        ],
        **BUSINESS_LICENCE_RESULT,
    },
    {
        "suffix": ("00010001", "002"),
        "name": "食品经营许可证",
        "org": "合肥市市场监督管理局",
        "holder_type": HolderType.LEGAL,
        "validity_years": 5,
        "fields": [
            {"name": "number", "label": "许可证编号", "type": "text", "required": True},
            {
                "name": "legal_representative",
                "label": "法定代表人（负责人）",
                "type": "text",
                "required": True,
            },
            {"name": "address", "label": "经营场所", "type": "text", "required": True},
            {
                "name": "category",
                "label": "主体业态",
                "type": "choice",
                "required": True,
                "choices": ["食品销售经营者", "餐饮服务经营者", "单位食堂"],
            },
            {"name": "items", "label": "经营项目", "type": "text", "required": True},
        ],
        # 办结出证: the items whose approval issues this licence, and where its data comes from
        "result_items": ["000117001000"],
        "case_fields": {
            "address": ["business_address"],
            "category": ["business_category"],
            "items": ["business_items"],
        },
    },
    {
        "suffix": ("00010002", "001"),
        "name": "居民身份证（电子）",
        "org": "合肥市公安局",
        "holder_type": HolderType.NATURAL,
        "validity_years": 20,
        "fields": [
            {"name": "gender", "label": "性别", "type": "choice", "required": True, "choices": ["男", "女"]},
            {"name": "ethnicity", "label": "民族", "type": "text", "required": True},
            {"name": "birth_date", "label": "出生", "type": "date", "required": True},
            {"name": "address", "label": "住址", "type": "text", "required": True},
        ],
    },
    {
        "suffix": ("00010003", "001"),
        "name": "结婚证",
        "org": "合肥市民政局",
        "holder_type": HolderType.NATURAL,
        "validity_years": None,
        "fields": [
            {"name": "number", "label": "结婚证字号", "type": "text", "required": True},
            {"name": "registered_on", "label": "登记日期", "type": "date", "required": True},
            {"name": "spouse_name", "label": "配偶姓名", "type": "text", "required": True},
            {"name": "spouse_id", "label": "配偶身份证件号", "type": "text", "required": True},
        ],
    },
    {
        "suffix": ("00010004", "001"),
        "name": "医师执业证书",
        "org": "合肥市卫生健康委员会",
        "holder_type": HolderType.NATURAL,
        "validity_years": None,
        "fields": [
            {"name": "number", "label": "编码", "type": "text", "required": True},
            {
                "name": "level",
                "label": "医师级别",
                "type": "choice",
                "required": True,
                "choices": ["执业医师", "执业助理医师"],
            },
            {"name": "category", "label": "执业类别", "type": "text", "required": True},
            {"name": "scope", "label": "执业范围", "type": "text", "required": True},
            {"name": "place", "label": "执业地点", "type": "text", "required": True},
        ],
        **PHYSICIAN_RESULT,
    },
    {
        "suffix": ("00010005", "001"),
        "name": "道路运输经营许可证",
        "org": "合肥市交通运输局",
        "holder_type": HolderType.LEGAL,
        "validity_years": 4,
        "fields": [
            {"name": "number", "label": "许可证号", "type": "text", "required": True},
            {"name": "scope", "label": "经营范围", "type": "text", "required": True},
            {"name": "address", "label": "地址", "type": "text", "required": True},
        ],
    },
    *RESULT_TYPES,
]


def all_types() -> list[dict[str, Any]]:
    return [*TYPES, *RESULT_TYPES]


def licence_codes() -> dict[str, str]:
    """Demo licence type name → code."""
    return {spec["name"]: type_code(*spec["suffix"]) for spec in all_types()}


def declare_licence_materials(materials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The item's materials with each shared one the demo issues declared as an e-licence material."""
    codes = licence_codes()
    result = []
    for material in materials:
        licence = SHARED_LICENCES.get(material["name"])
        if licence and licence in codes and is_shared(material) and not material.get("source_kind"):
            material = {
                **material,
                "source_kind": "licence",
                "licence_type_code": codes[licence],
                "licence_legal_basis": "" if licence in BY_CONSENT else LEGAL_BASIS,
            }
        result.append(material)
    return result


def _update_type(licence_type: LicenceType, spec: dict[str, Any]) -> None:
    """Bring a type made by an older demo up to the content: new choices (营业执照: 个体工商户) and
    where its fields come from in a case (办结出证)."""
    changed = []
    wanted = {f["name"]: f for f in spec["fields"]}
    fields = []
    for field in licence_type.fields:  # only choices are added: issued licences stay valid
        extra = [
            c for c in wanted.get(field["name"], {}).get("choices", []) if c not in field.get("choices", [])
        ]
        fields.append({**field, "choices": [*field["choices"], *extra]} if extra else field)
    if fields != licence_type.fields:
        licence_type.fields = fields
        changed.append("fields")
    template = dict(licence_type.template)
    for key in ("case_fields", "case_defaults"):
        if spec.get(key) and template.get(key) != spec[key]:
            template[key] = spec[key]
    if template != licence_type.template:
        licence_type.template = template
        changed.append("template")
    if changed:
        licence_type.save(update_fields=[*changed, "updated_at"])


def _reviewer(admin: User) -> User:
    existing = User.objects.filter(username=REVIEWER).first()
    if existing is not None:
        return existing
    reviewer = create_staff_account(
        username=REVIEWER,
        password=secrets.token_urlsafe(24) + "Aa1!",
        real_name="印章审核（系统）",
        organisation=admin.staff_profile.organisation,
        roles=["admin"],
    )
    reviewer.set_unusable_password()
    reviewer.save(update_fields=["password"])
    return reviewer


def _ensure_seal(
    organisation: Organisation,
    admin: User,
    reviewer: User,
    *,
    seal_type: str = SealType.CERTIFICATE,
    name: str = "证照专用章",
    purpose: str = "电子证照签发（演示）",
) -> Seal:
    seal = Seal.objects.filter(
        organisation=organisation, status=SealStatus.ISSUED, seal_type=seal_type
    ).first()
    if seal is not None:
        return seal
    seal = seal_services.apply_for_seal(
        organisation=organisation,
        name=name,
        seal_type=seal_type,
        purpose=purpose,
        actor=admin,
    )
    seal_services.review_seal(seal, actor=reviewer, approve=True, comment="演示数据")
    seal_services.make_seal(seal, actor=reviewer)
    seal_services.file_seal(seal, actor=reviewer)
    return seal_services.issue_seal(seal, actor=reviewer)


def load_licences() -> dict[str, int]:
    """Types, seals and demo licences; returns what was created."""
    created = {"types": 0, "seals": 0, "licences": 0}
    admin = User.objects.filter(username="admin", kind=AccountKind.STAFF).first()
    if admin is None:
        return created
    reviewer = _reviewer(admin)
    types: dict[str, LicenceType] = {}
    for spec in TYPES:
        organisation = Organisation.objects.filter(name=spec["org"]).first()
        if organisation is None:
            continue
        if not Seal.objects.filter(organisation=organisation, status=SealStatus.ISSUED).exists():
            _ensure_seal(organisation, admin, reviewer)
            created["seals"] += 1
        body, suffix = spec["suffix"]
        code = _ministry(body) + suffix
        licence_type = LicenceType.objects.filter(code=code).first()
        if licence_type is None:
            licence_type = services.create_licence_type(
                code=code,
                name=spec["name"],
                holder_type=spec["holder_type"],
                fields=spec["fields"],
                validity_years=spec["validity_years"],
                issuing_department_kind=spec["org"].replace("合肥市", ""),
                actor=admin,
            )
            created["types"] += 1
        types[spec["name"]] = licence_type
        _update_type(licence_type, spec)
        if spec.get("result_items"):
            ServiceItem.objects.filter(
                base_code__in=spec["result_items"],
                implementing_body=organisation,
                result_licence_type_code="",
            ).update(result_licence_type_code=licence_type.code)
    citizen = User.objects.filter(username="citizen").select_related("natural_person").first()
    company = User.objects.filter(username="company").select_related("legal_person").first()
    person = getattr(citizen, "natural_person", None)
    legal = getattr(company, "legal_person", None)
    demo: list[tuple[str, Any, dict[str, Any]]] = []
    if person is not None:
        demo.append(
            (
                "居民身份证（电子）",
                (person.real_name, person.id_number, "居民身份证", "合肥市公安局"),
                {
                    "gender": "男",
                    "ethnicity": "汉",
                    "birth_date": "1990-05-12",
                    "address": "安徽省合肥市包河区徽州大道 1 号",
                },
            )
        )
    if legal is not None:
        demo.append(
            (
                "营业执照",
                (legal.name, legal.credit_code, "统一社会信用代码", "合肥市市场监督管理局"),
                {
                    "name": legal.name,
                    "kind": "有限责任公司",
                    "legal_representative": legal.legal_representative.real_name,
                    "capital": 100,
                    "established_on": "2024-03-18",
                    "address": "安徽省合肥市高新区望江西路 800 号",
                    "scope": "软件开发；信息技术咨询服务",
                },
            )
        )
    for type_name, (holder, code, code_type, org_name), data in demo:
        licence_type = types.get(type_name)
        organisation = Organisation.objects.filter(name=org_name).first()
        if licence_type is None or organisation is None:
            continue
        if Licence.objects.filter(licence_type=licence_type, holder_code=code).exists():
            continue
        services.issue_licence(
            licence_type,
            holder_name=holder,
            holder_code=code,
            holder_code_type=code_type,
            issuer=organisation,
            data=data,
            actor=admin,
        )
        created["licences"] += 1
    created["seals"] += _load_document_seals(admin, reviewer)
    return created


def _load_document_seals(admin: User, reviewer: User) -> int:
    """行政审批专用章 for every body that handles cases: its notices and decisions are sealed (a body
    without a usable seal cannot accept or decide).  Returns how many seals were made."""
    made = 0
    bodies = Organisation.objects.filter(
        pk__in=ServiceItem.objects.values("implementing_body").distinct()
    ).order_by("pk")
    for organisation in bodies:
        if seal_services.organisation_seal(organisation) is None:
            _ensure_seal(
                organisation,
                admin,
                reviewer,
                seal_type=SealType.ADMINISTRATIVE_APPROVAL,
                name="行政审批专用章",
                purpose="受理通知书、审批决定书等文书用印（演示）",
            )
            made += 1
    return made
