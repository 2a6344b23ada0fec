"""演示一证通办 Demo items whose materials come from the sharing platform's base resources.

Three demo items stop asking for what another department holds (docs/sharing.md "一证通办 on shared
data"):

- 职业技能等级证书查询 (人社局): the applicant's identity from 人口基础信息; its process decides on the
  shared data alone (无人干预秒批: status normal and aged 16 or more → answered at filing, no clerk);
- 高龄津贴申领 (民政局): identity, age and household registration from 人口基础信息;
- 人力资源服务许可 (人社局, companies): the business licence's particulars from 法人基础信息, and the
  form's organisation name and address prefilled from it.

Each handling department gets a data official (who registers its systems), its platform system
(:data:`yiwang.cases.shared_materials.PLATFORM_CONSUMER`) and the grants it needs: requested by its
data official, approved by the police's data official (人口基础信息 is conditional) or at once
(法人基础信息 is unconditional).  The items are changed through a revision (修订稿) published by the
system, so the guide's version history shows it.

Idempotent: accounts by username, consumers by organisation and name, grants by consumer and
resource, items once one of their materials comes from shared data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.accounts.services import create_staff_account
from yiwang.accounts.services.mfa import ensure_demo_device
from yiwang.cases.shared_materials import PLATFORM_CONSUMER, is_shared_material
from yiwang.catalog.models import ItemStatus, MaterialSourceKind, ServiceItem
from yiwang.catalog.services import (
    MATERIAL_FIELDS,
    publish_item,
    set_item_process,
    start_revision,
    update_item,
)
from yiwang.core import audit
from yiwang.core.demo_accounts import DEMO_TOTP_KEY_HEX, SHARING_DEMO_ACCOUNTS
from yiwang.core.identifiers import make_credit_code
from yiwang.core.models import Organisation
from yiwang.demo.content import AREA_CODE, ORGANISATIONS
from yiwang.sharing import services as sharing
from yiwang.sharing.models import GatewayConsumer, RequestStatus, Resource, ResourceStatus, ShareRequest
from yiwang.workflow.services import deploy_definition
from yiwang.workflow.services.definitions import DEFINITIONS_DIR

DEMO_PASSWORD = SHARING_DEMO_ACCOUNTS[0][0].password
POPULATION = "人口基础信息"
LEGAL_PERSON = "法人基础信息"

# (username, real name, organisation key): the data officials of the departments that consume.
OFFICIALS: tuple[tuple[str, str, str], ...] = (
    ("dataofficial_hrss", "钱芳", "hrss"),
    ("dataofficial_ca", "孙丽", "civil"),
)
PROVIDER_OFFICIAL = "dataofficial_ps"  # answers the requests for 人口基础信息 (公安局)

# (consumer organisation key, resource name, fields, purpose, legal basis)
GRANTS: tuple[tuple[str, str, list[str], str, str], ...] = (
    (
        "hrss",
        POPULATION,
        ["name", "gender", "birth_date", "status"],
        "职业技能等级证书查询等事项核验申请人身份，免提交身份证件（一证通办）",
        "《国务院关于加快推进全国一体化在线政务服务平台建设的指导意见》（国发〔2018〕27号）",
    ),
    (
        "hrss",
        LEGAL_PERSON,
        ["credit_code", "name", "type", "legal_representative", "status", "address", "established_on"],
        "人力资源服务许可核验申请单位的登记信息，免提交营业执照",
        "《人力资源市场暂行条例》第十八条",
    ),
    (
        "civil",
        POPULATION,
        ["name", "birth_date", "household_region", "status"],
        "高龄津贴申领核验申请人年龄与户籍，免提交身份证件和户口簿",
        "《中华人民共和国老年人权益保障法》第三十三条",
    ),
)

# item name → (department key, the material it replaces, the shared material, form fields added)
ITEMS: dict[str, tuple[str, str, dict[str, Any], list[dict[str, Any]]]] = {
    "职业技能等级证书查询": (
        "hrss",
        "居民身份证",
        {
            "name": "申请人身份信息",
            "source": "公安机关人口基础信息（共享数据调取，免提交）",
            "description": "由平台向人口基础信息库核验姓名、性别、出生日期和人口状态，无需上传身份证件",
            "shared_resource_code": "bases.population",
            "shared_fields": ["name", "gender", "birth_date", "status"],
        },
        [],
    ),
    "高龄津贴申领": (
        "civil",
        "居民身份证",
        {
            "name": "申请人身份及户籍信息",
            "source": "公安机关人口基础信息（共享数据调取，免提交）",
            "description": "由平台向人口基础信息库核验年龄与户籍，无需上传身份证件和户口簿",
            "shared_resource_code": "bases.population",
            "shared_fields": ["name", "birth_date", "household_region", "status"],
        },
        [],
    ),
    "人力资源服务许可": (
        "hrss",
        "营业执照",
        {
            "name": "营业执照信息",
            "source": "市场监督管理部门法人基础信息（共享数据调取，免提交）",
            "description": "由平台向法人基础信息库调取申请单位的登记信息，无需上传营业执照",
            "shared_resource_code": "bases.legal_person",
            "shared_fields": [
                "credit_code",
                "name",
                "type",
                "legal_representative",
                "status",
                "address",
                "established_on",
            ],
        },
        [
            {"name": "org_name", "label": "机构名称", "type": "text", "prefill": "bases.legal_person:name"},
            {"name": "org_address", "label": "住所", "type": "text", "prefill": "bases.legal_person:address"},
        ],
    ),
}

# 无人干预秒批 of 职业技能等级证书查询: decided on the shared identity alone.
UNATTENDED_ITEM = "职业技能等级证书查询"
PROCESS_KEY = "shared_identity_auto"
PROCESS_NAME = "身份核验秒批流程（共享数据，无人干预）"
DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="shared_identity_definitions"
  name="身份核验秒批规则" namespace="https://yiwang.example/dmn">
  <!-- 职业技能等级证书查询: the applicant's identity is confirmed from the population base (人口状态
       正常, aged 16 or more); the answer is given at once, with no clerk.  Otherwise a clerk checks. -->
  <decision id="auto_approval" name="身份核验秒批规则">
    <decisionTable id="shared_identity_table" hitPolicy="FIRST">
      <input id="input_status" label="人口状态（人口库）"><inputExpression id="expr_status" typeRef="string"><text>status</text></inputExpression></input>
      <input id="input_age" label="年龄（人口库）"><inputExpression id="expr_age" typeRef="integer"><text>age</text></inputExpression></input>
      <output id="output_approve" label="秒批" name="auto_approve" typeRef="boolean" />
      <output id="output_reason" label="说明" name="auto_reason" typeRef="string" />
      <rule id="rule_identity_confirmed">
        <description>人口状态正常且年满16周岁，即时出具查询结果</description>
        <inputEntry id="r1_status"><text>"normal"</text></inputEntry>
        <inputEntry id="r1_age"><text>&gt;= 16</text></inputEntry>
        <outputEntry id="r1_out"><text>True</text></outputEntry>
        <outputEntry id="r1_reason"><text>"人口库核验身份通过，即时出具查询结果"</text></outputEntry>
      </rule>
      <rule id="rule_otherwise">
        <description>其他情形转人工核验</description>
        <inputEntry id="r2_status"><text>-</text></inputEntry>
        <inputEntry id="r2_age"><text>-</text></inputEntry>
        <outputEntry id="r2_out"><text>False</text></outputEntry>
        <outputEntry id="r2_reason"><text>"身份信息需人工核验"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""


@dataclass
class SharedItemsReport:
    accounts: list[str] = field(default_factory=list)
    consumers: int = 0
    grants: int = 0
    items: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _organisations() -> dict[str, Organisation]:
    codes = {
        spec["key"]: make_credit_code("1", spec["entity_type"], AREA_CODE, spec["org_body"])
        for spec in ORGANISATIONS
    }
    by_code = {o.credit_code: o for o in Organisation.objects.filter(credit_code__in=codes.values())}
    return {key: by_code[code] for key, code in codes.items() if code in by_code}


def _officials(organisations: dict[str, Organisation], report: SharedItemsReport) -> dict[str, User]:
    officials: dict[str, User] = {}
    for username, real_name, key in OFFICIALS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = create_staff_account(
                username=username,
                password=DEMO_PASSWORD,
                real_name=real_name,
                organisation=organisations[key],
                roles=["data_official"],
            )
            report.accounts.append(username)
        if settings.YIWANG_DEMO and not settings.IS_PRODUCTION:
            ensure_demo_device(user, DEMO_TOTP_KEY_HEX)
        officials[key] = user
    return officials


def _consumers(
    organisations: dict[str, Organisation], officials: dict[str, User], report: SharedItemsReport
) -> None:
    for key, official in officials.items():
        organisation = organisations[key]
        if GatewayConsumer.objects.filter(organisation=organisation, name=PLATFORM_CONSUMER).exists():
            continue
        sharing.register_consumer(actor=official, organisation=organisation, name=PLATFORM_CONSUMER)
        report.consumers += 1


def _grants(
    organisations: dict[str, Organisation], officials: dict[str, User], report: SharedItemsReport
) -> None:
    provider_official = User.objects.filter(username=PROVIDER_OFFICIAL).first()
    today = timezone.localdate()
    for key, resource_name, fields, purpose, legal_basis in GRANTS:
        official = officials[key]
        resource = Resource.objects.filter(name=resource_name, status=ResourceStatus.PUBLISHED).first()
        consumer_id = organisations[key].pk
        if resource is None:
            report.skipped.append(f"{resource_name}（未发布）")
            continue
        if ShareRequest.objects.filter(resource=resource, consumer_id=consumer_id).exists():
            continue
        request = sharing.request_resource(
            actor=official,
            resource=resource,
            fields=fields,
            purpose=purpose,
            legal_basis=legal_basis,
            period_start=today,
            period_end=today + timedelta(days=365),
        )
        if request.status == RequestStatus.PENDING and provider_official is not None:
            sharing.decide_request(
                request, actor=provider_official, decision="approve", note="演示数据：用于一证通办"
            )
        report.grants += 1


def _material_rows(item: ServiceItem, replaced: str, shared: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for material in item.materials.all():
        row = {name: getattr(material, name) for name in MATERIAL_FIELDS}
        if material.name == replaced:
            row.update(
                shared,
                source_kind=MaterialSourceKind.SHARED,
                licence_type_code="",
                licence_legal_basis="",
                mandatory=True,
            )
        rows.append(row)
    return rows


def _items(organisations: dict[str, Organisation], report: SharedItemsReport) -> None:
    for name, (key, replaced, shared, form_fields) in ITEMS.items():
        item = (
            ServiceItem.objects.filter(
                name=name,
                implementing_body=organisations.get(key),
                revision_of__isnull=True,
                status=ItemStatus.PUBLISHED,
            )
            .prefetch_related("materials")
            .first()
        )
        if item is None or any(is_shared_material(m) for m in item.materials.all()):
            continue
        if ServiceItem.objects.filter(revision_of=item).exists():  # someone is editing it: leave it
            report.skipped.append(f"{name}（已有修订稿）")
            continue
        revision = start_revision(item, None)
        existing = {spec.get("name") for spec in revision.form_fields or []}
        update_item(
            revision,
            actor=None,
            materials=_material_rows(revision, replaced, shared),
            form_fields=[
                *(revision.form_fields or []),
                *(spec for spec in form_fields if spec["name"] not in existing),
            ],
        )
        publish_item(revision, None)
        report.items.append(name)


def _unattended_process(organisations: dict[str, Organisation]) -> None:
    """The 秒批 process of :data:`UNATTENDED_ITEM`: the shipped rule-based BPMN with its own table."""
    item = ServiceItem.objects.filter(
        name=UNATTENDED_ITEM, implementing_body=organisations.get("hrss"), revision_of__isnull=True
    ).first()
    if item is None or item.process_key == PROCESS_KEY:
        return
    definition = deploy_definition(
        key=PROCESS_KEY,
        name=PROCESS_NAME,
        process_id="auto_process",
        bpmn_xml=(DEFINITIONS_DIR / "auto_approval.bpmn").read_text(encoding="utf-8"),
        dmn_xml=DMN,
    )
    locked, previous = set_item_process(item, process_key=definition.key)
    audit.record(
        "workflow.process_assigned",
        actor=None,
        obj=locked,
        detail={"from": previous, "to": definition.key, "version": definition.version},
    )


def load_shared_items() -> SharedItemsReport:
    """一证通办演示: consumers, grants, the shared materials and the 秒批 process; safe to run again.
    Needs the demo items and the sharing demo (``load_sharing_demo``)."""
    report = SharedItemsReport()
    organisations = _organisations()
    if not all(key in organisations for _u, _n, key in OFFICIALS):
        return report
    officials = _officials(organisations, report)
    _consumers(organisations, officials, report)
    _grants(organisations, officials, report)
    _items(organisations, report)
    _unattended_process(organisations)
    return report
