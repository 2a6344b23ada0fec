"""事项管理 Every state change of the catalogue: base items, drafts, review, publication, withdrawal.

Lifecycle of an implementation item (实施清单):

    草稿 draft → 待审核 submitted → 审核通过 approved → 已发布 published → 已撤销 withdrawn
                 ↖ 退回 rejected ↙

A service manager of the owning body's region edits a draft and submits it; a *different* service
manager covering the region approves or rejects it with a comment (``review_item``); an approved
item is published at once or at its ``publish_at`` (``apply_schedule``).  A published item is frozen:
to change it, :func:`start_revision` makes a revision draft (修订稿, a separate row sharing the
item's code) that goes through the same review; publishing it copies its content onto the item,
increases ``version`` and writes an immutable :class:`ServiceItemVersion` with the full guide.  Cases
keep :func:`guide_snapshot` and the version number they were filed under.

Publishing refuses an item that breaks 四级四同 (``inconsistent_with_base``, see
:mod:`yiwang.catalog.consistency`); codes follow :mod:`yiwang.catalog.coding` and are never reused.

``actor=None`` means the system itself (demo loader, imports, the scheduler); it may publish a
draft without review (imports are reviewed at the source).  Any other actor must be a staff member
holding the 事项管理员 (service_manager) role whose organisation's region covers the item's region.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone, translation
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from yiwang.accounts.models import AccountKind, AssuranceLevel, StaffRole, StaffRoleAssignment, User
from yiwang.catalog import cache as catalog_cache
from yiwang.catalog import coding
from yiwang.catalog.coding import BASE_CODE_RE, make_implementation_code, normalise_base_code
from yiwang.catalog.consistency import REGION_PREFIX_LENGTH, Violation, item_violations
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.models import (
    BaseItem,
    BaseItemStatus,
    CaseKind,
    CodeKind,
    ExerciseLevel,
    FeeItem,
    HandlingForm,
    ItemReview,
    ItemStatus,
    ItemType,
    Material,
    MaterialForm,
    MaterialSourceKind,
    OnlineDepthStep,
    ReviewDecision,
    ServiceItem,
    ServiceItemVersion,
    ServiceObject,
    SpecialProcedureKind,
    TongbanRange,
)
from yiwang.catalog.scenarios import copy_scenarios, scenario_definition
from yiwang.catalog.search import refresh_search_fields
from yiwang.catalog.versions import DiffRow, diff_snapshots
from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from yiwang.core.models import Organisation, Region

CREDIT_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
__all__ = ["BASE_CODE_RE", "REGION_PREFIX_LENGTH", "make_implementation_code", "normalise_base_code"]
FORM_FIELD_NAME_RE = r"^[a-z][a-z0-9_]{0,49}$"

# Fields a draft may set through create_item/update_item (the rest are derived or lifecycle state).
EDITABLE_FIELD_ORDER: tuple[str, ...] = (
    "name",
    "base_code",
    "item_type",
    "exercise_level",
    "legal_basis",
    "legal_basis_url",
    "authority_division",
    "exercise_content",
    "jurisdiction",
    "conditions",
    "process_description",
    "joint_bodies",
    "intermediary_services",
    "quantity_limits",
    "special_procedures",
    "statutory_limit_days",
    "committed_limit_days",
    "limit_note",
    "fee_required",
    "fee_description",
    "fee_basis",
    "visits_required",
    "handling_forms",
    "online_depth",
    "service_objects",
    "case_kind",
    "required_assurance_level",
    "result_name",
    "tongban_range",
    "place",
    "office_hours",
    "consult_phone",
    "supervise_phone",
    "online_apply",
    "online_url",
    "appointment_supported",
    "online_payment_supported",
    "express_supported",
    "form_fields",
    "faq",
    "keywords",
)
EDITABLE_FIELDS: frozenset[str] = frozenset(EDITABLE_FIELD_ORDER)
MATERIAL_FIELDS: frozenset[str] = frozenset(
    {
        "public_id",
        "name",
        "description",
        "source",
        "source_kind",
        "licence_type_code",
        "shared_resource_code",
        "licence_legal_basis",
        "mandatory",
        "originals",
        "copies",
        "material_form",
        "order",
    }
)
CODE_LIST_FIELDS: dict[str, type[Any]] = {
    "handling_forms": HandlingForm,
    "online_depth": OnlineDepthStep,
    "service_objects": ServiceObject,
}
FEE_ITEM_FIELDS: frozenset[str] = frozenset({"name", "standard", "legal_basis"})
# The fields that make up an item's code; frozen once the item has been published.
CODE_FIELDS = ("base_code", "exercise_level")
# Copied from a revision onto its item when the revision is published.
REVISION_FIELDS: tuple[str, ...] = (*EDITABLE_FIELD_ORDER, "result_sample", "base_item_id", "withdraw_at")
_url_validator = URLValidator(schemes=["http", "https"])


class FormFieldSpec(BaseModel):
    """One field of an item's application form (申请表字段)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=FORM_FIELD_NAME_RE)
    label: str = Field(min_length=1, max_length=100)
    type: Literal["text", "textarea", "date", "number", "select"] = "text"
    required: bool = False
    choices: list[str] = Field(default_factory=list)
    help_text: str = ""


class FaqEntry(BaseModel):
    """常见问题 One question and its answer."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=300)
    answer: str = Field(min_length=1, max_length=3000)


class SpecialProcedureSpec(BaseModel):
    """特别程序 A special procedure that pauses the clock (行政许可法 第45条)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["1", "2"] = "2"
    name: str = Field(min_length=1, max_length=100)
    limit_days: int | None = Field(default=None, ge=0, le=999)
    note: str = Field(default="", max_length=500)


# Codes (基本编码, 实施编码) live in yiwang.catalog.coding; normalise_base_code and
# make_implementation_code are re-exported here for existing callers.


# --- authorisation -------------------------------------------------------------------------------
def region_covers(scope: Region, region: Region) -> bool:
    """True when ``region`` is ``scope`` or lies inside it (prefix of the 12-digit code)."""
    length = REGION_PREFIX_LENGTH.get(scope.level, 12)
    return region.full_code.startswith(scope.full_code[:length])


def is_service_manager(user: Any) -> bool:
    """事项管理员: an active staff account holding the service_manager role."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", None) != AccountKind.STAFF:
        return False
    return StaffRoleAssignment.objects.filter(staff__user=user, role=StaffRole.SERVICE_MANAGER).exists()


def can_manage_region(user: Any, region: Region) -> bool:
    """A service manager acts for the region of his organisation and everything below it."""
    if not is_service_manager(user):
        return False
    organisation = Organisation.objects.select_related("region").filter(staff__user=user).first()
    return organisation is not None and region_covers(organisation.region, region)


def require_manager(actor: User | None, region: Region) -> None:
    """Refuse unless ``actor`` is the system (None) or a service manager covering ``region``."""
    if actor is None:
        return
    if not is_service_manager(actor):
        raise PermissionDenied("需要事项管理员角色", code=CatalogErrorCode.ROLE_REQUIRED)
    if not can_manage_region(actor, region):
        raise PermissionDenied("该事项不在您的管理范围内", code=CatalogErrorCode.NOT_IN_SCOPE)


# --- validation ----------------------------------------------------------------------------------
def _clean_code_list(field: str, values: Any, enum: type[Any]) -> list[str]:
    if not isinstance(values, list | tuple | set):
        raise DomainError(CatalogErrorCode.INVALID_ITEM, "代码列表格式不正确", {field: ["应为代码列表"]})
    codes = [str(value) for value in values]
    unknown = [code for code in codes if code not in enum.values]
    if unknown:
        raise DomainError(
            CatalogErrorCode.INVALID_ITEM, "代码不在代码表内", {field: [f"未知代码：{', '.join(unknown)}"]}
        )
    return sorted(set(codes), key=enum.values.index)


def _clean_form_fields(values: Any) -> list[dict[str, Any]]:
    if not isinstance(values, list | tuple):
        raise DomainError(
            CatalogErrorCode.INVALID_ITEM, "申请表字段格式不正确", {"form_fields": ["应为字段列表"]}
        )
    cleaned: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    for index, value in enumerate(values):
        try:
            spec = FormFieldSpec.model_validate(value)
        except PydanticValidationError as exc:
            errors[f"form_fields.{index}"] = [str(error["msg"]) for error in exc.errors()]
            continue
        if spec.type == "select" and not spec.choices:
            errors[f"form_fields.{index}"] = ["下拉字段需要可选项"]
        cleaned.append(spec.model_dump(exclude_defaults=False))
    names = [spec["name"] for spec in cleaned]
    if len(names) != len(set(names)):
        errors["form_fields"] = ["字段名重复"]
    if errors:
        raise DomainError(CatalogErrorCode.INVALID_ITEM, "申请表字段不正确", errors)
    return cleaned


def _clean_materials(materials: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    cleaned: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    for index, raw in enumerate(materials):
        unknown = set(raw) - MATERIAL_FIELDS
        if unknown:
            raise DomainError(
                CatalogErrorCode.UNKNOWN_FIELD, "材料包含未知字段", {f"materials.{index}": sorted(unknown)}
            )
        name = str(raw.get("name", "")).strip()
        material = {
            "public_id": raw.get("public_id"),
            "name": name,
            "description": str(raw.get("description", "")).strip(),
            "source": str(raw.get("source", "")).strip(),
            "source_kind": raw.get("source_kind") or MaterialSourceKind.UPLOAD,
            "licence_type_code": str(raw.get("licence_type_code", "") or "").strip()[:40],
            "shared_resource_code": str(raw.get("shared_resource_code", "") or "").strip()[:60],
            "licence_legal_basis": str(raw.get("licence_legal_basis", "") or "").strip()[:300],
            "mandatory": bool(raw.get("mandatory", True)),
            "originals": raw.get("originals", 0),
            "copies": raw.get("copies", 0),
            "material_form": raw.get("material_form", MaterialForm.ELECTRONIC),
            "order": raw.get("order", index + 1),
        }
        problems = []
        if not name or len(name) > 200:
            problems.append("材料名称必填，且不超过200字")
        for key in ("originals", "copies", "order"):
            if (
                not isinstance(material[key], int)
                or isinstance(material[key], bool)
                or not 0 <= material[key] <= 999
            ):
                problems.append(f"{key} 应为0至999的整数")
        if material["material_form"] not in MaterialForm.values:
            problems.append("材料形式不正确")
        if material["source_kind"] not in MaterialSourceKind.values:
            problems.append("材料来源方式不正确")
        elif material["source_kind"] == MaterialSourceKind.LICENCE and not material["licence_type_code"]:
            problems.append("电子证照类材料须填写证照类型代码")
        elif material["source_kind"] == MaterialSourceKind.SHARED and not material["shared_resource_code"]:
            problems.append("共享数据类材料须填写共享资源编码")
        if problems:
            errors[f"materials.{index}"] = problems
        cleaned.append(material)
    names = [material["name"] for material in cleaned]
    if len(names) != len(set(names)):
        errors["materials"] = ["材料名称重复"]
    if errors:
        raise DomainError(CatalogErrorCode.INVALID_ITEM, "申请材料不正确", errors)
    return cleaned


def _clean_fee_items(fee_items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """收费项目: name and standard required, legal basis optional; names unique."""
    cleaned: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    for index, raw in enumerate(fee_items):
        unknown = set(raw) - FEE_ITEM_FIELDS
        if unknown:
            raise DomainError(
                CatalogErrorCode.UNKNOWN_FIELD,
                "收费项目包含未知字段",
                {f"fee_items.{index}": sorted(unknown)},
            )
        fee = {key: str(raw.get(key, "") or "").strip() for key in ("name", "standard", "legal_basis")}
        problems = []
        if not fee["name"] or len(fee["name"]) > 200:
            problems.append("收费项目名称必填，且不超过200字")
        if not fee["standard"] or len(fee["standard"]) > 300:
            problems.append("收费标准必填，且不超过300字")
        if problems:
            errors[f"fee_items.{index}"] = problems
        fee["order"] = index + 1  # type: ignore[assignment]
        cleaned.append(fee)
    names = [fee["name"] for fee in cleaned]
    if len(names) != len(set(names)):
        errors["fee_items"] = ["收费项目名称重复"]
    if errors:
        raise DomainError(CatalogErrorCode.INVALID_ITEM, "收费项目不正确", errors)
    return cleaned


def _clean_model_list(field: str, values: Any, spec: type[BaseModel]) -> list[dict[str, Any]]:
    if not isinstance(values, list | tuple):
        raise DomainError(CatalogErrorCode.INVALID_ITEM, "列表格式不正确", {field: ["应为列表"]})
    cleaned: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    for index, value in enumerate(values):
        try:
            cleaned.append(spec.model_validate(value).model_dump())
        except PydanticValidationError as exc:
            errors[f"{field}.{index}"] = [str(error["msg"]) for error in exc.errors()]
    if errors:
        raise DomainError(CatalogErrorCode.INVALID_ITEM, "内容格式不正确", errors)
    return cleaned


def _clean_url(field: str, value: Any) -> str:
    url = str(value or "").strip()
    if url:
        try:
            _url_validator(url)
        except DjangoValidationError as exc:
            raise DomainError(
                CatalogErrorCode.INVALID_ITEM, "链接格式不正确", {field: ["应为 http(s):// 开头的网址"]}
            ) from exc
    return url


def _apply_fields(item: ServiceItem, fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise DomainError(
            CatalogErrorCode.UNKNOWN_FIELD,
            f"未知或不可编辑的字段：{', '.join(sorted(unknown))}",
            {field: ["不可编辑"] for field in sorted(unknown)},
        )
    for field, value in fields.items():
        if field in CODE_LIST_FIELDS:
            value = _clean_code_list(field, value, CODE_LIST_FIELDS[field])
        elif field == "form_fields":
            value = _clean_form_fields(value)
        elif field == "faq":
            value = _clean_model_list(field, value, FaqEntry)
        elif field == "special_procedures":
            value = _clean_model_list(field, value, SpecialProcedureSpec)
        elif field in ("legal_basis_url", "online_url"):
            value = _clean_url(field, value)
        elif field == "base_code":
            value = normalise_base_code(value)
        elif isinstance(value, str):
            value = value.strip()
        setattr(item, field, value)


_NOT_MODEL_CLEANED = [
    "implementation_code",
    "handling_forms",
    "online_depth",
    "service_objects",
    "form_fields",
    "faq",
    "special_procedures",
    "base_item",
    "revision_of",
    "submitted_by",
    "reviewed_by",
]


def _owner_public_id(item: ServiceItem) -> uuid.UUID:
    """The canonical item a code belongs to (a revision's code belongs to the item it revises)."""
    if item.revision_of_id is not None:
        return item.revision_of.public_id  # type: ignore[union-attr]
    return item.public_id


def _validate(item: ServiceItem) -> None:
    """Check a draft: code formats, committed ≤ statutory, code tables, then the model's own rules."""
    item.base_code = normalise_base_code(item.base_code)
    if item.exercise_level not in ExerciseLevel.values:
        raise DomainError(
            CatalogErrorCode.INVALID_LEVEL, "行使层级不正确", {"exercise_level": ["应为1至7之间的层级代码"]}
        )
    item.implementation_code = make_implementation_code(
        item.implementing_body.credit_code, item.exercise_level, item.base_code
    )
    statutory, committed = item.statutory_limit_days, item.committed_limit_days
    if isinstance(statutory, int) and isinstance(committed, int) and committed > statutory:
        raise DomainError(
            CatalogErrorCode.COMMITTED_EXCEEDS_STATUTORY,
            "承诺办结时限不得超过法定办结时限",
            {"committed_limit_days": [f"不得超过法定时限 {statutory} 个工作日"]},
        )
    live = ServiceItem.objects.filter(implementation_code=item.implementation_code, revision_of__isnull=True)
    live = live.exclude(pk=item.revision_of_id if item.revision_of_id else item.pk)
    if live.exists():
        raise Conflict(
            "该实施编码已存在",
            code=CatalogErrorCode.DUPLICATE_IMPLEMENTATION_CODE,
            fields={"base_code": [f"实施编码 {item.implementation_code} 已被使用"]},
        )
    coding.ensure_code_available(CodeKind.IMPLEMENTATION, item.implementation_code, _owner_public_id(item))
    errors: dict[str, list[str]] = {}
    if item.item_type not in ItemType.values:
        errors["item_type"] = ["事项类型不在代码表内"]
    if item.case_kind not in CaseKind.values:
        errors["case_kind"] = ["办件类型不在代码表内"]
    if item.tongban_range not in TongbanRange.values:
        errors["tongban_range"] = ["通办范围不在代码表内"]
    if item.required_assurance_level not in (
        AssuranceLevel.PRIMARY,
        AssuranceLevel.INTERMEDIATE,
        AssuranceLevel.ADVANCED,
    ):
        errors["required_assurance_level"] = ["应为1（初级）、2（中级）或3（高级）"]
    if item.fee_required and not item.fee_description:
        errors["fee_description"] = ["收费事项须写明收费标准"]
    try:
        # Code lists and the form are checked above (an empty list is legitimate, e.g. no online step).
        item.full_clean(exclude=_NOT_MODEL_CLEANED, validate_unique=False, validate_constraints=False)
    except DjangoValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(str(message) for message in messages)
    if errors:
        raise DomainError(CatalogErrorCode.INVALID_ITEM, "事项信息不完整或有误", errors)


def _check_publishable(item: ServiceItem) -> None:
    errors: dict[str, list[str]] = {}
    if not item.handling_forms:
        errors["handling_forms"] = ["请至少选择一种办理形式"]
    if not item.service_objects:
        errors["service_objects"] = ["请至少选择一类服务对象"]
    if not item.legal_basis:
        errors["legal_basis"] = ["请填写设定依据"]
    if errors:
        raise DomainError(CatalogErrorCode.INVALID_ITEM, "事项信息不完整，不能发布", errors)


def violation_fields(violations: Sequence[Violation]) -> dict[str, list[str]]:
    """The ``fields`` of an ``inconsistent_with_base`` error: one reason per field."""
    fields: dict[str, list[str]] = {}
    for violation in violations:
        fields.setdefault(violation.field, []).append(
            f"{violation.field_label}应为“{violation.expected}”，实为“{violation.actual}”"
        )
    return fields


def _check_consistent(item: ServiceItem) -> None:
    """四级四同: refuse (``inconsistent_with_base``) an item that differs from its base item."""
    violations = item_violations(item)
    if violations:
        raise DomainError(
            CatalogErrorCode.INCONSISTENT_WITH_BASE,
            "事项与基本目录不一致（四级四同），不能提交或发布："
            + "；".join(f"{v.field_label}应为“{v.expected[:40]}”" for v in violations),
            violation_fields(violations),
            status=409,
        )


def _save_materials(item: ServiceItem, materials: list[dict[str, Any]]) -> None:
    """Make the item's materials exactly ``materials``; entries with a known public_id keep it."""
    existing = {str(material.public_id): material for material in item.materials.all()}
    kept: set[int] = set()
    for data in materials:
        public_id = str(data.pop("public_id") or "")
        material = existing.get(public_id) or Material(item=item)
        for field, value in data.items():
            setattr(material, field, value)
        material.save()
        kept.add(material.pk)
    item.materials.exclude(pk__in=kept).delete()


def _save_fee_items(item: ServiceItem, fee_items: list[dict[str, Any]]) -> None:
    item.fee_items.all().delete()
    FeeItem.objects.bulk_create([FeeItem(item=item, **fee) for fee in fee_items])


def _locked(item: ServiceItem) -> ServiceItem:
    return (
        ServiceItem.objects.select_for_update(of=("self",))
        .select_related("implementing_body", "region", "base_item", "revision_of")
        .get(pk=item.pk)
    )


def _copy_state(target: ServiceItem, source: ServiceItem) -> None:
    for field in ServiceItem._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def _ever_published(item: ServiceItem) -> bool:
    return item.revision_of_id is not None or item.version > 0


def _check_code_frozen(item: ServiceItem, fields: Mapping[str, Any]) -> None:
    """Once published, an item's code (base code, level, body) is its identity and cannot change."""
    if not _ever_published(item):
        return
    changed = [
        field
        for field in CODE_FIELDS
        if field in fields
        and (normalise_base_code(fields[field]) if field == "base_code" else str(fields[field]))
        != getattr(item, field)
    ]
    if changed:
        raise Conflict(
            "已发布过的事项不能修改编码要素（基本编码、行使层级）",
            code=CatalogErrorCode.CODE_FROZEN,
            fields={field: ["已发布过的事项编码不可修改"] for field in changed},
        )


# --- base catalogue (基本目录) ----------------------------------------------------------------------
BASE_ITEM_FIELDS: frozenset[str] = frozenset(
    {"name", "item_type", "legal_basis", "legal_basis_url", "exercise_level", "statutory_limit_days"}
)


def require_base_manager(actor: User | None, defining_region: Region | None) -> None:
    """Base items: the system, or a service manager whose region covers the defining region."""
    if actor is None:
        return
    if defining_region is None:
        if not is_service_manager(actor):
            raise PermissionDenied("需要事项管理员角色", code=CatalogErrorCode.ROLE_REQUIRED)
        raise PermissionDenied("国家级基本目录只能由系统导入", code=CatalogErrorCode.NOT_IN_SCOPE)
    require_manager(actor, defining_region)


def _validate_base_item(base: BaseItem) -> None:
    errors: dict[str, list[str]] = {}
    if not base.name or len(base.name) > 200:
        errors["name"] = ["事项名称必填，且不超过200字"]
    if base.item_type not in ItemType.values:
        errors["item_type"] = ["事项类型不在代码表内"]
    if base.exercise_level not in ExerciseLevel.values:
        errors["exercise_level"] = ["行使层级不在代码表内"]
    if not base.legal_basis:
        errors["legal_basis"] = ["请填写设定依据"]
    if base.statutory_limit_days is not None and (
        not isinstance(base.statutory_limit_days, int) or base.statutory_limit_days < 0
    ):
        errors["statutory_limit_days"] = ["应为非负整数"]
    if errors:
        raise DomainError(CatalogErrorCode.INVALID_ITEM, "基本目录事项信息不完整或有误", errors)


def create_base_item(
    *,
    actor: User | None,
    code: str,
    name: str,
    item_type: str,
    legal_basis: str,
    exercise_level: str,
    defining_region: Region | None = None,
    legal_basis_url: str = "",
    statutory_limit_days: int | None = None,
) -> BaseItem:
    """新增基本目录事项 Define a base item; its code is registered and can never be reused."""
    require_base_manager(actor, defining_region)
    base = BaseItem(
        code=normalise_base_code(code),
        name=name.strip(),
        item_type=str(item_type),
        legal_basis=legal_basis.strip(),
        legal_basis_url=_clean_url("legal_basis_url", legal_basis_url),
        exercise_level=str(exercise_level),
        defining_region=defining_region,
        statutory_limit_days=statutory_limit_days,
    )
    _validate_base_item(base)
    with transaction.atomic():
        # Codes that differ only by leading zeros give the same implementation code: one code.
        if BaseItem.objects.filter(code__in=coding.base_code_variants(base.code)).exists():
            raise Conflict(
                f"基本编码 {base.code} 已存在",
                code=CatalogErrorCode.CODE_ALREADY_USED,
                fields={"code": [f"基本编码 {base.code} 已存在"]},
            )
        coding.register_code(CodeKind.BASE, coding.padded_base_code(base.code), base.public_id)
        base.save()
        audit.record(
            "catalog.base_item.created", actor=actor, obj=base, detail={"code": base.code, "name": base.name}
        )
    return base


def update_base_item(base: BaseItem, *, actor: User | None, **fields: Any) -> BaseItem:
    """修改基本目录事项 Change a base item; implementation items that now differ show up in the report."""
    require_base_manager(actor, base.defining_region)
    unknown = set(fields) - BASE_ITEM_FIELDS
    if unknown:
        raise DomainError(
            CatalogErrorCode.UNKNOWN_FIELD,
            f"未知或不可编辑的字段：{', '.join(sorted(unknown))}",
            {field: ["不可编辑"] for field in sorted(unknown)},
        )
    with transaction.atomic():
        current = BaseItem.objects.select_for_update().get(pk=base.pk)
        for field, value in fields.items():
            if field == "legal_basis_url":
                value = _clean_url(field, value)
            elif isinstance(value, str):
                value = value.strip()
            setattr(current, field, value)
        _validate_base_item(current)
        current.save()
        audit.record("catalog.base_item.updated", actor=actor, obj=current, detail={"fields": sorted(fields)})
    for model_field in BaseItem._meta.concrete_fields:
        setattr(base, model_field.attname, getattr(current, model_field.attname))
    return base


def retire_base_item(base: BaseItem, *, actor: User | None, reason: str = "") -> BaseItem:
    """废止基本目录事项 Its code stays registered; published implementations are flagged in the report."""
    require_base_manager(actor, base.defining_region)
    with transaction.atomic():
        updated = BaseItem.objects.filter(pk=base.pk, status=BaseItemStatus.ACTIVE).update(
            status=BaseItemStatus.RETIRED, updated_at=timezone.now()
        )
        if not updated:
            raise Conflict("基本目录事项已废止", code=CatalogErrorCode.INVALID_TRANSITION)
        audit.record(
            "catalog.base_item.retired", actor=actor, obj=base, detail={"reason": reason.strip()[:500]}
        )
    base.status = BaseItemStatus.RETIRED
    return base


def get_base_item(public_id: Any) -> BaseItem:
    base = BaseItem.objects.filter(public_id=public_id).first() if _is_uuid(public_id) else None
    if base is None:
        raise NotFound("基本目录事项不存在", code=CatalogErrorCode.BASE_ITEM_NOT_FOUND)
    return base


def _resolve_base_item(
    actor: User | None, base_item: BaseItem | None, fields: dict[str, Any], region: Region
) -> BaseItem:
    """The base item a new implementation item derives from.

    Given explicitly, or found by ``base_code``; only the system (imports, demo) may derive a
    missing base item from the item itself.  The base item's name, code, type and legal basis fill
    the fields the caller left out (四级四同).
    """
    if base_item is None and fields.get("base_code"):
        base_item = BaseItem.objects.filter(code=normalise_base_code(fields["base_code"])).first()
    if base_item is None:
        if actor is not None:
            raise DomainError(
                CatalogErrorCode.BASE_ITEM_REQUIRED,
                "请先选择基本目录事项（实施清单须由基本目录派生）",
                {"base_item": ["请选择基本目录事项"]},
            )
        base_item = create_base_item(
            actor=None,
            code=str(fields.get("base_code", "")),
            name=str(fields.get("name", "")),
            item_type=str(fields.get("item_type", "")),
            legal_basis=str(fields.get("legal_basis", "")),
            exercise_level=(
                str(fields["exercise_level"])
                if str(fields.get("exercise_level")) in ExerciseLevel.values
                else ExerciseLevel.GRADED
            ),
            legal_basis_url=fields.get("legal_basis_url", ""),
        )
    if base_item.status != BaseItemStatus.ACTIVE:
        raise DomainError(
            CatalogErrorCode.BASE_ITEM_REQUIRED, "该基本目录事项已废止", {"base_item": ["已废止"]}
        )
    fields.setdefault("base_code", base_item.code)
    fields.setdefault("name", base_item.name)
    fields.setdefault("item_type", base_item.item_type)
    fields.setdefault("legal_basis", base_item.legal_basis)
    if base_item.legal_basis_url:
        fields.setdefault("legal_basis_url", base_item.legal_basis_url)
    return base_item


# --- state changes -------------------------------------------------------------------------------
def create_item(
    *,
    actor: User | None,
    implementing_body: Organisation,
    region: Region | None = None,
    base_item: BaseItem | None = None,
    materials: Sequence[Mapping[str, Any]] = (),
    fee_items: Sequence[Mapping[str, Any]] = (),
    **fields: Any,
) -> ServiceItem:
    """新建事项草稿 Create a draft implementation item (实施清单) derived from a base item.

    ``fields`` are the editable item fields (see :data:`EDITABLE_FIELDS`); name, base code, type and
    legal basis default to the base item's.  The implementation code is derived from the body's
    credit code, the level and the base code, and may not be a code ever issued to another item.
    """
    item_region = region or implementing_body.region
    require_manager(actor, item_region)
    cleaned_materials = _clean_materials(materials)
    cleaned_fees = _clean_fee_items(fee_items)
    with transaction.atomic():
        base = _resolve_base_item(actor, base_item, fields, item_region)
        item = ServiceItem(
            implementing_body=implementing_body, region=item_region, status=ItemStatus.DRAFT, base_item=base
        )
        _apply_fields(item, fields)
        _validate(item)
        item.save()
        _save_materials(item, cleaned_materials)
        _save_fee_items(item, cleaned_fees)
        refresh_search_fields(item)
        audit.record(
            "catalog.item.created",
            actor=actor,
            obj=item,
            detail={
                "name": item.name,
                "implementation_code": item.implementation_code,
                "base_code": base.code,
            },
        )
    return item


def update_item(
    item: ServiceItem,
    *,
    actor: User | None,
    materials: Sequence[Mapping[str, Any]] | None = None,
    fee_items: Sequence[Mapping[str, Any]] | None = None,
    **fields: Any,
) -> ServiceItem:
    """修改事项 Edit a draft (or a withdrawn item, which becomes a draft again).

    ``materials``/``fee_items`` (when given) replace the lists.  Submitted and approved items are
    under review and not editable; a published item is edited through :func:`start_revision`.
    """
    require_manager(actor, item.region)
    cleaned_materials = _clean_materials(materials) if materials is not None else None
    cleaned_fees = _clean_fee_items(fee_items) if fee_items is not None else None
    with transaction.atomic():
        current = _locked(item)
        if current.status == ItemStatus.PUBLISHED:
            raise Conflict("已发布的事项不能修改，请新建修订稿", code=CatalogErrorCode.ITEM_NOT_EDITABLE)
        if current.status in (ItemStatus.SUBMITTED, ItemStatus.APPROVED):
            raise Conflict(
                f"事项处于“{current.get_status_display()}”状态，不能修改",
                code=CatalogErrorCode.ITEM_NOT_EDITABLE,
            )
        _check_code_frozen(current, fields)
        previous = current.status
        _apply_fields(current, fields)
        _validate(current)
        if previous == ItemStatus.WITHDRAWN:
            current.status = ItemStatus.DRAFT
        current.save()
        if cleaned_materials is not None:
            _save_materials(current, cleaned_materials)
        if cleaned_fees is not None:
            _save_fee_items(current, cleaned_fees)
        refresh_search_fields(current)
        audit.record(
            "catalog.item.updated",
            actor=actor,
            obj=current,
            detail={
                "fields": sorted(fields),
                "materials_replaced": cleaned_materials is not None,
                "fee_items_replaced": cleaned_fees is not None,
            },
        )
    _copy_state(item, current)
    return item


def set_item_file(
    item: ServiceItem, *, actor: User | None, field: str, upload: Any, material: Any = None
) -> None:
    """上传样表/样本 Attach a blank form or sample to a material, or the result sample to the item."""
    require_manager(actor, item.region)
    if item.status not in (ItemStatus.DRAFT, ItemStatus.WITHDRAWN):
        raise Conflict("只能在草稿中上传文件", code=CatalogErrorCode.ITEM_NOT_EDITABLE)
    if upload is None or getattr(upload, "size", 0) > 10 * 1024 * 1024:
        raise DomainError(
            CatalogErrorCode.INVALID_ITEM, "文件为空或超过10MB", {field: ["文件为空或超过10MB"]}
        )
    with transaction.atomic():
        if material is None:
            if field != "result_sample":
                raise DomainError(CatalogErrorCode.UNKNOWN_FIELD, "未知文件字段", {field: ["不可上传"]})
            item.result_sample.save(upload.name, upload, save=False)
            item.save(update_fields=["result_sample", "updated_at"])
        else:
            if field not in ("blank_form", "sample") or material.item_id != item.pk:
                raise DomainError(CatalogErrorCode.UNKNOWN_FIELD, "未知文件字段", {field: ["不可上传"]})
            getattr(material, field).save(upload.name, upload, save=False)
            material.save(update_fields=[field, "updated_at"])
        audit.record("catalog.item.file_attached", actor=actor, obj=item, detail={"field": field})


def start_revision(item: ServiceItem, actor: User | None) -> ServiceItem:
    """新建修订稿 Make an editable draft copy of a published item (its materials, fees, FAQ and
    scenarios too).

    The published item stays on every channel until the revision is approved and published.
    """
    require_manager(actor, item.region)
    with transaction.atomic():
        current = _locked(item)
        if current.status != ItemStatus.PUBLISHED or current.revision_of_id is not None:
            raise Conflict("只有已发布的事项可以新建修订稿", code=CatalogErrorCode.INVALID_TRANSITION)
        existing = ServiceItem.objects.filter(revision_of=current).first()
        if existing is not None:
            raise Conflict(
                "该事项已有修订稿，请继续编辑该修订稿",
                code=CatalogErrorCode.REVISION_EXISTS,
                fields={"revision": [str(existing.public_id)]},
            )
        ensure_version_recorded(current)
        revision = ServiceItem(revision_of=current)
        for field in ServiceItem._meta.concrete_fields:
            if field.name in ("id", "public_id", "created_at", "updated_at", "revision_of"):
                continue
            setattr(revision, field.attname, getattr(current, field.attname))
        revision.status = ItemStatus.DRAFT
        revision.application_count = 0
        for field_name in ("publish_at", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at"):
            setattr(revision, field_name, None)
        revision.review_comment = ""
        revision.save()
        Material.objects.bulk_create(
            [
                Material(
                    item=revision,
                    origin_public_id=material.public_id,
                    **{
                        field.attname: getattr(material, field.attname)
                        for field in Material._meta.concrete_fields
                        if field.name
                        not in ("id", "public_id", "created_at", "updated_at", "item", "origin_public_id")
                    },
                )
                for material in current.materials.all()
            ]
        )
        copies = {material.origin_public_id: material for material in revision.materials.all()}
        copy_scenarios(
            current,
            revision,
            {material.pk: copies[material.public_id] for material in current.materials.all()},
        )
        FeeItem.objects.bulk_create(
            [
                FeeItem(
                    item=revision,
                    name=fee.name,
                    standard=fee.standard,
                    legal_basis=fee.legal_basis,
                    order=fee.order,
                )
                for fee in current.fee_items.all()
            ]
        )
        audit.record(
            "catalog.item.revision_started",
            actor=actor,
            obj=current,
            detail={"revision": str(revision.public_id), "base_version": current.version},
        )
    return revision


def _canonical(item: ServiceItem) -> ServiceItem:
    return item.revision_of if item.revision_of_id else item  # type: ignore[return-value]


def _review_record(item: ServiceItem, decision: str, actor: User, comment: str) -> None:
    canonical = _canonical(item)
    ItemReview.objects.create(
        item_public_id=canonical.public_id,
        item_name=item.name,
        base_version=canonical.version,
        decision=decision,
        comment=comment,
        actor=actor,
    )


def submit_item(item: ServiceItem, actor: User, comment: str = "") -> ServiceItem:
    """提交审核 draft → submitted; the draft must be complete and consistent with its base item."""
    if actor is None:
        raise PermissionDenied("提交审核需要事项管理员", code=CatalogErrorCode.ROLE_REQUIRED)
    require_manager(actor, item.region)
    with transaction.atomic():
        current = _locked(item)
        if current.status != ItemStatus.DRAFT:
            raise Conflict(
                f"事项当前状态为“{current.get_status_display()}”，不能提交审核",
                code=CatalogErrorCode.INVALID_TRANSITION,
            )
        _validate(current)
        _check_publishable(current)
        _check_consistent(current)
        current.status = ItemStatus.SUBMITTED
        current.submitted_by = actor
        current.submitted_at = timezone.now()
        current.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
        _review_record(current, ReviewDecision.SUBMITTED, actor, comment.strip()[:2000])
        audit.record(
            "catalog.item.submitted",
            actor=actor,
            obj=_canonical(current),
            detail={"item": str(current.public_id), "comment": comment.strip()[:500]},
        )
    _copy_state(item, current)
    return item


def can_review(user: Any, item: ServiceItem) -> bool:
    """审核人: a service manager covering the item's region who did not submit it."""
    return (
        item.status == ItemStatus.SUBMITTED
        and can_manage_region(user, item.region)
        and item.submitted_by_id != getattr(user, "pk", None)
    )


def review_item(item: ServiceItem, actor: User, *, approve: bool, comment: str = "") -> ServiceItem:
    """审核 submitted → approved (通过) or → draft (退回, a comment is required).

    The reviewer must be a service manager covering the item's region other than the submitter.
    """
    if actor is None:
        raise PermissionDenied("审核需要事项管理员", code=CatalogErrorCode.ROLE_REQUIRED)
    require_manager(actor, item.region)
    comment = (comment or "").strip()
    if not approve and not comment:
        raise DomainError(
            CatalogErrorCode.INVALID_ITEM, "退回修改须填写审核意见", {"comment": ["请填写退回理由"]}
        )
    if len(comment) > 2000:
        raise DomainError(CatalogErrorCode.INVALID_ITEM, "审核意见过长", {"comment": ["不超过2000字"]})
    with transaction.atomic():
        current = _locked(item)
        if current.status != ItemStatus.SUBMITTED:
            raise Conflict(
                f"事项当前状态为“{current.get_status_display()}”，不能审核",
                code=CatalogErrorCode.INVALID_TRANSITION,
            )
        if current.submitted_by_id == actor.pk:
            raise PermissionDenied("不能审核自己提交的事项", code=CatalogErrorCode.SELF_REVIEW)
        if approve:
            _check_consistent(current)
        current.status = ItemStatus.APPROVED if approve else ItemStatus.DRAFT
        current.reviewed_by = actor
        current.reviewed_at = timezone.now()
        current.review_comment = comment
        current.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment", "updated_at"])
        decision = ReviewDecision.APPROVED if approve else ReviewDecision.REJECTED
        _review_record(current, decision, actor, comment)
        audit.record(
            f"catalog.item.{decision}",
            actor=actor,
            obj=_canonical(current),
            detail={"item": str(current.public_id), "comment": comment[:500]},
        )
    _copy_state(item, current)
    return item


def publish_item(item: ServiceItem, actor: User | None, *, scheduled: bool = False) -> ServiceItem:
    """发布 approved (or, for the system only, draft; or a withdrawn item again) → published.

    Version + 1, published_at now, an immutable :class:`ServiceItemVersion`, the implementation code
    registered for good, the search index rebuilt.  A revision is published onto the item it revises
    (same public id, same cases) and then removed; ``item`` is then refreshed to that item.
    """
    require_manager(actor, item.region)
    allowed = {ItemStatus.APPROVED, ItemStatus.WITHDRAWN}
    if actor is None:
        allowed.add(ItemStatus.DRAFT)
    with transaction.atomic():
        current = _locked(item)
        if current.status not in allowed:
            hint = (
                "，请先提交审核并由另一名事项管理员审核通过"
                if current.status in (ItemStatus.DRAFT, ItemStatus.SUBMITTED)
                else ""
            )
            raise Conflict(
                f"事项当前状态为“{current.get_status_display()}”，不能发布{hint}",
                code=CatalogErrorCode.INVALID_TRANSITION,
            )
        _validate(current)
        _check_publishable(current)
        _check_consistent(current)
        previous = current.status
        if current.revision_of_id is not None:
            target = _locked(current.revision_of)  # type: ignore[arg-type]
            _apply_revision(target, current)
            current.delete()
        else:
            target = current
        target.status = ItemStatus.PUBLISHED
        target.version += 1
        target.published_at = timezone.now()
        target.publish_at = None
        target.save()
        refresh_search_fields(target)
        coding.register_code(CodeKind.IMPLEMENTATION, target.implementation_code, target.public_id)
        snapshot = guide_snapshot(
            ServiceItem.objects.select_related("implementing_body", "region", "base_item")
            .prefetch_related("materials", "fee_items")
            .get(pk=target.pk)
        )
        ServiceItemVersion.objects.create(
            item=target,
            version=target.version,
            snapshot=snapshot,
            published_at=target.published_at,
            published_by=actor,
            reviewed_by_id=target.reviewed_by_id,
            review_comment=target.review_comment,
        )
        catalog_cache.bump_on_commit()
        audit.record(
            "catalog.item.published",
            actor=actor,
            obj=target,
            detail={
                "version": target.version,
                "from_status": previous,
                "implementation_code": target.implementation_code,
                "scheduled": scheduled,
                "revision": str(current.public_id) if current.pk is None else None,
            },
        )
    _copy_state(item, target)
    item.pk = target.pk
    item._state.adding = False
    return item


def _apply_revision(target: ServiceItem, revision: ServiceItem) -> None:
    """Copy a revision's content (fields, materials, fees, scenarios) onto the item it revises."""
    for field in REVISION_FIELDS:
        setattr(target, field, getattr(revision, field))
    for field in ("submitted_by_id", "submitted_at", "reviewed_by_id", "reviewed_at", "review_comment"):
        setattr(target, field, getattr(revision, field))
    originals = {material.public_id: material for material in target.materials.all()}
    kept: set[int] = set()
    copy_fields = [
        field.attname
        for field in Material._meta.concrete_fields
        if field.name not in ("id", "public_id", "created_at", "updated_at", "item", "origin_public_id")
    ]
    applied: dict[int, Material] = {}
    for material in revision.materials.all():
        destination = originals.get(material.origin_public_id) or Material(item=target)  # type: ignore[arg-type]
        for attname in copy_fields:
            setattr(destination, attname, getattr(material, attname))
        destination.save()
        kept.add(destination.pk)
        applied[material.pk] = destination
    copy_scenarios(revision, target, applied)
    target.materials.exclude(pk__in=kept).delete()
    _save_fee_items(
        target,
        [
            {"name": fee.name, "standard": fee.standard, "legal_basis": fee.legal_basis, "order": fee.order}
            for fee in revision.fee_items.all()
        ],
    )


def withdraw_item(
    item: ServiceItem, actor: User | None, reason: str = "", *, scheduled: bool = False
) -> ServiceItem:
    """撤销发布 published → withdrawn; the portal stops showing it, filed cases keep their snapshot.

    The item's code stays registered to it: no other item may ever take it.
    """
    require_manager(actor, item.region)
    with transaction.atomic():
        current = _locked(item)
        if current.status != ItemStatus.PUBLISHED:
            raise Conflict(
                f"事项当前状态为“{current.get_status_display()}”，不能撤销",
                code=CatalogErrorCode.INVALID_TRANSITION,
            )
        current.status = ItemStatus.WITHDRAWN
        current.withdraw_at = None
        current.save(update_fields=["status", "withdraw_at", "updated_at"])
        catalog_cache.bump_on_commit()
        audit.record(
            "catalog.item.withdrawn",
            actor=actor,
            obj=current,
            detail={"version": current.version, "reason": reason.strip()[:500], "scheduled": scheduled},
        )
    _copy_state(item, current)
    return item


def discard_revision(item: ServiceItem, actor: User | None) -> None:
    """放弃修订稿 Delete a revision draft that was not submitted; the published item is unchanged."""
    require_manager(actor, item.region)
    with transaction.atomic():
        current = _locked(item)
        if current.revision_of_id is None or current.status != ItemStatus.DRAFT:
            raise Conflict("只能放弃未提交的修订稿", code=CatalogErrorCode.INVALID_TRANSITION)
        canonical = current.revision_of
        current.delete()
        audit.record("catalog.item.revision_discarded", actor=actor, obj=canonical, detail={})


def schedule_item(
    item: ServiceItem,
    actor: User | None,
    *,
    publish_at: datetime | None = None,
    withdraw_at: datetime | None = None,
) -> ServiceItem:
    """定时发布/撤销 Set (or clear, with None) when an approved item goes live and when it is withdrawn.

    ``publish_at`` applies to items not yet published (it takes effect once approved); ``withdraw_at``
    to anything not withdrawn.  Both must lie in the future, and withdrawal after publication.
    """
    require_manager(actor, item.region)
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    if publish_at is not None and publish_at <= now:
        errors["publish_at"] = ["定时发布时间须晚于当前时间"]
    if withdraw_at is not None and withdraw_at <= now:
        errors["withdraw_at"] = ["定时撤销时间须晚于当前时间"]
    if publish_at and withdraw_at and withdraw_at <= publish_at:
        errors["withdraw_at"] = ["定时撤销时间须晚于定时发布时间"]
    if errors:
        raise DomainError(CatalogErrorCode.INVALID_SCHEDULE, "定时设置不正确", errors)
    with transaction.atomic():
        current = _locked(item)
        if publish_at is not None and current.status in (ItemStatus.PUBLISHED, ItemStatus.WITHDRAWN):
            raise Conflict("已发布或已撤销的事项不能设置定时发布", code=CatalogErrorCode.INVALID_SCHEDULE)
        if current.status == ItemStatus.WITHDRAWN and withdraw_at is not None:
            raise Conflict("已撤销的事项不能设置定时撤销", code=CatalogErrorCode.INVALID_SCHEDULE)
        current.publish_at = publish_at
        current.withdraw_at = withdraw_at
        current.save(update_fields=["publish_at", "withdraw_at", "updated_at"])
        audit.record(
            "catalog.item.scheduled",
            actor=actor,
            obj=_canonical(current),
            detail={
                "item": str(current.public_id),
                "publish_at": publish_at.isoformat() if publish_at else None,
                "withdraw_at": withdraw_at.isoformat() if withdraw_at else None,
            },
        )
    _copy_state(item, current)
    return item


def apply_schedule(now: datetime | None = None) -> dict[str, Any]:
    """执行定时 Publish approved items whose ``publish_at`` has come; withdraw published items whose
    ``withdraw_at`` has come.  Idempotent: a second run finds nothing to do.  An item that can no
    longer be published (e.g. its base item changed) is reported and left approved."""
    moment = now or timezone.now()
    result: dict[str, Any] = {"published": 0, "withdrawn": 0, "failed": []}
    due_publish = ServiceItem.objects.filter(status=ItemStatus.APPROVED, publish_at__lte=moment)
    for item in due_publish.select_related("region", "implementing_body").order_by("publish_at", "pk"):
        try:
            publish_item(item, None, scheduled=True)
        except DomainError as exc:
            result["failed"].append(
                {"item": str(item.public_id), "name": item.name, "code": exc.code, "message": exc.message}
            )
        else:
            result["published"] += 1
    due_withdraw = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, withdraw_at__lte=moment)
    for item in due_withdraw.select_related("region", "implementing_body").order_by("withdraw_at", "pk"):
        try:
            withdraw_item(item, None, reason="定时撤销", scheduled=True)
        except DomainError as exc:
            result["failed"].append(
                {"item": str(item.public_id), "name": item.name, "code": exc.code, "message": exc.message}
            )
        else:
            result["withdrawn"] += 1
    return result


# --- versions --------------------------------------------------------------------------------------
def ensure_version_recorded(item: ServiceItem) -> None:
    """Backfill the version row of a published item created before versions were recorded."""
    if (
        item.version > 0
        and item.status == ItemStatus.PUBLISHED
        and not item.versions.filter(version=item.version).exists()
    ):
        full = (
            ServiceItem.objects.select_related("implementing_body", "region", "base_item")
            .prefetch_related("materials", "fee_items")
            .get(pk=item.pk)
        )
        ServiceItemVersion.objects.create(
            item=item,
            version=item.version,
            snapshot=guide_snapshot(full),
            published_at=item.published_at or timezone.now(),
        )


def versions_of(item: ServiceItem) -> QuerySet[ServiceItemVersion]:
    """版本历史 Newest first (for a revision: the versions of the item it revises)."""
    return _canonical(item).versions.select_related("published_by", "reviewed_by").order_by("-version")


def get_version(item: ServiceItem, number: int) -> ServiceItemVersion:
    version = _canonical(item).versions.filter(version=number).first()
    if version is None:
        raise NotFound(f"第 {number} 版不存在", code=CatalogErrorCode.VERSION_NOT_FOUND)
    return version


def diff_versions(item: ServiceItem, old: int, new: int) -> list[DiffRow]:
    """两个版本的字段级比对."""
    return diff_snapshots(get_version(item, old).snapshot, get_version(item, new).snapshot)


def diff_with_published(item: ServiceItem) -> list[DiffRow]:
    """草稿与已发布版本的比对: a revision (or re-edited withdrawn item) against its last version."""
    canonical = _canonical(item)
    latest = canonical.versions.order_by("-version").first()
    if latest is not None:
        published = latest.snapshot
    elif canonical.version > 0:
        published = guide_snapshot(canonical)
    else:
        published = {}
    return diff_snapshots(published, guide_snapshot(item))


def review_history(item: ServiceItem) -> QuerySet[ItemReview]:
    return ItemReview.objects.filter(item_public_id=_canonical(item).public_id).select_related("actor")


def increment_popularity(item: ServiceItem) -> None:
    """Count one more application for ranking (a counter, not audited)."""
    ServiceItem.objects.filter(pk=item.pk).update(application_count=F("application_count") + 1)


# --- reading ---------------------------------------------------------------------------------------
def get_published_item(public_id: Any) -> ServiceItem:
    """The published item with this public id, with body, region and materials; else 404."""
    item = (
        ServiceItem.objects.select_related("implementing_body", "region", "base_item")
        .prefetch_related("materials", "fee_items")
        .filter(public_id=public_id, status=ItemStatus.PUBLISHED)
        .first()
        if _is_uuid(public_id)
        else None
    )
    if item is None:
        raise NotFound("事项不存在或未发布", code=CatalogErrorCode.ITEM_NOT_FOUND)
    return item


def get_item(public_id: Any) -> ServiceItem:
    """Any item (draft, published or withdrawn) with this public id; else 404."""
    item = (
        ServiceItem.objects.select_related("implementing_body", "region", "base_item", "revision_of")
        .filter(public_id=public_id)
        .first()
        if _is_uuid(public_id)
        else None
    )
    if item is None:
        raise NotFound("事项不存在", code=CatalogErrorCode.ITEM_NOT_FOUND)
    return item


def _is_uuid(value: Any) -> bool:
    if isinstance(value, uuid.UUID):
        return True
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _labelled(codes: Sequence[str], enum: type[Any]) -> list[dict[str, str]]:
    labels = dict(enum.choices)
    return [{"code": str(code), "label": str(labels.get(code, code))} for code in codes]


def guide_snapshot(item: ServiceItem, *, scenarios: bool = True) -> dict[str, Any]:
    """办事指南快照 Everything the guide shows, as a JSON-serialisable dict (labels in Chinese).

    Cases store it to freeze the version an application was filed under; versions store it, so
    ``scenarios`` (情形引导, :func:`yiwang.catalog.scenarios.scenario_definition`) are part of it.
    ``scenarios=False`` leaves them out (the public guide API serves them at ``/scenarios``).
    """
    body = item.implementing_body
    special_labels = dict(SpecialProcedureKind.choices)
    with translation.override("zh-hans"):
        materials = [
            {
                "public_id": str(material.public_id),
                "name": material.name,
                "description": material.description,
                "source": material.source,
                "source_kind": material.source_kind,
                "source_kind_label": str(material.get_source_kind_display()),
                "licence_type_code": material.licence_type_code,
                "shared_resource_code": material.shared_resource_code,
                "licence_legal_basis": material.licence_legal_basis,
                "mandatory": material.mandatory,
                "originals": material.originals,
                "copies": material.copies,
                "material_form": material.material_form,
                "material_form_label": str(material.get_material_form_display()),
                "order": material.order,
                "blank_form_url": material.blank_form.url if material.blank_form else "",
                "sample_url": material.sample.url if material.sample else "",
            }
            for material in item.materials.all()
        ]
        base = item.base_item
        return {
            "public_id": str(item.public_id),
            "name": item.name,
            "base_item": {"code": base.code, "name": base.name} if base is not None else None,
            "base_code": item.base_code,
            "implementation_code": item.implementation_code,
            "version": item.version,
            "status": item.status,
            "published_at": item.published_at.isoformat() if item.published_at else None,
            "item_type": item.item_type,
            "item_type_label": str(item.get_item_type_display()),
            "exercise_level": item.exercise_level,
            "exercise_level_label": str(item.get_exercise_level_display()),
            "implementing_body": {
                "public_id": str(body.public_id),
                "name": body.name,
                "short_name": body.short_name,
                "credit_code": body.credit_code,
                "nature": body.nature,
                "nature_label": str(body.get_nature_display()),
                "address": body.address,
                "phone": body.phone,
                "office_hours": body.office_hours,
            },
            "region": {"code": item.region.code, "name": item.region.name},
            "legal_basis": item.legal_basis,
            "legal_basis_url": item.legal_basis_url,
            "authority_division": item.authority_division,
            "exercise_content": item.exercise_content,
            "jurisdiction": item.jurisdiction,
            "conditions": item.conditions,
            "process_description": item.process_description,
            "joint_bodies": item.joint_bodies,
            "intermediary_services": item.intermediary_services,
            "quantity_limits": item.quantity_limits,
            "special_procedures": [
                {**entry, "kind_label": str(special_labels.get(entry.get("kind"), ""))}
                for entry in item.special_procedures or []
            ],
            "statutory_limit_days": item.statutory_limit_days,
            "committed_limit_days": item.committed_limit_days,
            "limit_note": item.limit_note,
            "fee_required": item.fee_required,
            "fee_description": item.fee_description,
            "fee_basis": item.fee_basis,
            "fee_items": [
                {"name": fee.name, "standard": fee.standard, "legal_basis": fee.legal_basis}
                for fee in item.fee_items.all()
            ],
            "visits_required": item.visits_required,
            "handling_forms": _labelled(item.handling_forms, HandlingForm),
            "online_depth": _labelled(item.online_depth, OnlineDepthStep),
            "is_fully_online": item.is_fully_online,
            "service_objects": _labelled(item.service_objects, ServiceObject),
            "case_kind": item.case_kind,
            "case_kind_label": str(item.get_case_kind_display()),
            "required_assurance_level": item.required_assurance_level,
            "required_assurance_level_label": str(item.get_required_assurance_level_display()),
            "result_name": item.result_name,
            "result_sample_url": item.result_sample.url if item.result_sample else "",
            "tongban_range": item.tongban_range,
            "tongban_range_label": str(item.get_tongban_range_display()),
            "place": item.place,
            "office_hours": item.office_hours,
            "consult_phone": item.consult_phone,
            "supervise_phone": item.supervise_phone,
            "online_apply": item.online_apply,
            "online_url": item.online_url,
            "appointment_supported": item.appointment_supported,
            "online_payment_supported": item.online_payment_supported,
            "express_supported": item.express_supported,
            "form_fields": list(item.form_fields or []),
            "faq": list(item.faq or []),
            "materials": materials,
            **({"scenarios": scenario_definition(item)} if scenarios else {}),
        }
