"""Process definitions (流程定义与变体): deploy a BPMN/DMN version, install the shipped processes,
upload a variant checked against the lane rules of the case bridge, assign a process to an item."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.text import slugify
from lxml import etree

from yiwang.accounts.models import StaffRole, User
from yiwang.accounts.staff import check_scope, require_role
from yiwang.catalog.services import set_item_process
from yiwang.core import audit
from yiwang.core.errors import DomainError, NotFound
from yiwang.workflow import engine
from yiwang.workflow.errors import WorkflowErrorCode
from yiwang.workflow.models import ProcessDefinition

DEFINITIONS_DIR = Path(__file__).resolve().parent.parent / "definitions"
DEFAULT_DEFINITIONS = (
    ("standard", "标准审批流程（受理 → 审查 → 决定 → 办结）", "standard_process", "standard.bpmn", ""),
    ("parallel", "并联审批流程（多部门会签）", "parallel_process", "parallel.bpmn", ""),
    (
        "auto_approval",
        "秒批流程（规则判定，不满足转人工）",
        "auto_process",
        "auto_approval.bpmn",
        "auto_approval.dmn",
    ),
)
MAX_BPMN_BYTES = 1_000_000
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
# The case bridge (cases/process.py) needs a decision by a person holding one of these roles, or a
# business-rule task that decides on its own (秒批).
DECIDING_ROLES = {"approver"}


def deploy_definition(
    *, key: str, name: str, process_id: str, bpmn_xml: str, dmn_xml: str = "", actor: User | None = None
) -> ProcessDefinition:
    """Validate and store a new version; an identical latest version is returned unchanged."""
    try:
        engine.validate(bpmn_xml, dmn_xml, process_id)
    except engine.DefinitionError as exc:
        raise DomainError(
            WorkflowErrorCode.INVALID_DEFINITION, f"流程定义无效：{exc}", {"bpmn_xml": [str(exc)[:300]]}
        ) from exc
    with transaction.atomic():
        latest = ProcessDefinition.objects.select_for_update().filter(key=key).order_by("-version").first()
        if latest and (latest.bpmn_xml, latest.dmn_xml, latest.process_id) == (bpmn_xml, dmn_xml, process_id):
            return latest
        definition = ProcessDefinition.objects.create(
            key=key,
            version=(latest.version + 1) if latest else 1,
            name=name,
            process_id=process_id,
            bpmn_xml=bpmn_xml,
            dmn_xml=dmn_xml,
            created_by=actor,
        )
        audit.record(
            "workflow.definition_deployed",
            actor=actor,
            obj=definition,
            detail={"key": key, "version": definition.version},
        )
    return definition


def install_default_definitions() -> list[ProcessDefinition]:
    """The standard, parallel and rule-based processes shipped with the platform (idempotent)."""
    deployed = []
    for key, name, process_id, bpmn_file, dmn_file in DEFAULT_DEFINITIONS:
        bpmn = (DEFINITIONS_DIR / bpmn_file).read_text(encoding="utf-8")
        dmn = (DEFINITIONS_DIR / dmn_file).read_text(encoding="utf-8") if dmn_file else ""
        deployed.append(
            deploy_definition(key=key, name=name, process_id=process_id, bpmn_xml=bpmn, dmn_xml=dmn)
        )
    return deployed


def latest_definition(key: str) -> ProcessDefinition:
    definition = ProcessDefinition.objects.filter(key=key).order_by("-version").first()
    if definition is None:
        raise NotFound(f"流程定义“{key}”不存在", code=WorkflowErrorCode.DEFINITION_NOT_FOUND)
    return definition


# --- process variants (流程变体): upload, validate, assign to an item ----------------------------------
def inspect_bpmn(bpmn_xml: str) -> tuple[str, dict[str, str]]:
    """The executable process id and ``{user task id: lane name}`` of a BPMN document.

    Refuses DTDs/entities (no XXE) and oversized input; raises :class:`engine.DefinitionError`.
    """
    if len(bpmn_xml.encode()) > MAX_BPMN_BYTES:
        raise engine.DefinitionError("BPMN 文件过大（上限 1 MB）")
    if "<!DOCTYPE" in bpmn_xml.upper() or "<!ENTITY" in bpmn_xml.upper():
        raise engine.DefinitionError("BPMN 不得包含 DOCTYPE 或实体声明")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(bpmn_xml.encode(), parser=parser)
    except etree.XMLSyntaxError as exc:
        raise engine.DefinitionError(f"XML 格式错误：{exc}") from exc
    processes = [p for p in root.iter(f"{{{BPMN_NS}}}process") if p.get("isExecutable") == "true"]
    if len(processes) != 1:
        raise engine.DefinitionError('须有且仅有一个可执行流程（isExecutable="true"）')
    process = processes[0]
    lanes: dict[str, str] = {}
    for lane in process.iter(f"{{{BPMN_NS}}}lane"):
        for ref in lane.iter(f"{{{BPMN_NS}}}flowNodeRef"):
            lanes[(ref.text or "").strip()] = lane.get("name", "")
    tasks = {t.get("id", ""): lanes.get(t.get("id", ""), "") for t in process.iter(f"{{{BPMN_NS}}}userTask")}
    return str(process.get("id", "")), tasks


def check_roles(bpmn_xml: str) -> str:
    """The lane rules the case bridge relies on: every user task in a lane naming a staff role, and a
    decision (a user task in the approver lane, or a business-rule task). Returns the process id."""
    try:
        process_id, tasks = inspect_bpmn(bpmn_xml)
    except engine.DefinitionError as exc:
        raise DomainError(
            WorkflowErrorCode.INVALID_DEFINITION, f"流程定义无效：{exc}", {"bpmn_xml": [str(exc)]}
        ) from exc
    errors = [
        f"用户任务“{task}”须放在以工作人员角色命名的泳道中（当前：{lane or '无泳道'}）"
        for task, lane in tasks.items()
        if lane not in StaffRole.values
    ]
    has_rules = "businessRuleTask" in bpmn_xml
    if not has_rules and not DECIDING_ROLES & set(tasks.values()):
        errors.append("流程须包含审批人（approver）泳道中的决定任务，或规则判定任务")
    if errors:
        raise DomainError(
            WorkflowErrorCode.MISSING_ROLE_LANES, "流程缺少办件所需的角色泳道", {"bpmn_xml": errors}
        )
    return process_id


def upload_variant(
    *, key: str, name: str, bpmn_xml: str, actor: User, dmn_xml: str = ""
) -> ProcessDefinition:
    """上传流程变体 A service manager deploys a new version of ``key`` (validated by SpiffWorkflow's
    parser and the lane rules); running processes keep the version they started with."""
    require_role(actor, "service_manager", "upload_process")
    key = slugify(key or "")[:80]
    if not key:
        raise DomainError(WorkflowErrorCode.INVALID_DEFINITION, "请填写流程标识", {"key": ["必填"]})
    if not (name or "").strip():
        raise DomainError(WorkflowErrorCode.INVALID_DEFINITION, "请填写流程名称", {"name": ["必填"]})
    process_id = check_roles(bpmn_xml)
    return deploy_definition(
        key=key,
        name=name.strip()[:200],
        process_id=process_id,
        bpmn_xml=bpmn_xml,
        dmn_xml=dmn_xml,
        actor=actor,
    )


def assign_process(item: Any, *, key: str, actor: User) -> Any:
    """启用流程 Make ``key`` (its latest version) the process of an implementation item's new cases."""
    require_role(actor, "service_manager", "assign_process")
    definition = latest_definition(key)
    check_scope(actor, item.implementing_body_id, ["service_manager"], obj=item)
    with transaction.atomic():
        locked, previous = set_item_process(item, process_key=definition.key)
        audit.record(
            "workflow.process_assigned",
            actor=actor,
            obj=locked,
            detail={"from": previous, "to": definition.key, "version": definition.version},
        )
    return locked
