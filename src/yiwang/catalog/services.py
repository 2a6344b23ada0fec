"""事项管理 Every state change of the catalogue: drafts, publication, withdrawal, popularity.

Lifecycle: 草稿 draft → 已发布 published → 已撤销 withdrawn (→ published again).  Only drafts and
withdrawn items can be edited; a published item is frozen, and each publication increases
``version``.  Cases keep :func:`guide_snapshot` of the version they were filed under, so later
edits never change what an applicant applied for.

``actor=None`` means the system itself (demo loader, imports); any other actor must be a staff
member holding the 事项管理员 (service_manager) role whose organisation's region covers the item's
region.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from yiwang.accounts.models import AccountKind, AssuranceLevel, StaffRole, StaffRoleAssignment, User
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.models import (
    CaseKind,
    ExerciseLevel,
    HandlingForm,
    ItemStatus,
    ItemType,
    Material,
    MaterialForm,
    OnlineDepthStep,
    ServiceItem,
    ServiceObject,
)
from yiwang.catalog.search import refresh_search_fields
from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from yiwang.core.models import Organisation, Region

CREDIT_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
BASE_CODE_RE = re.compile(r"^[0-9A-Z]{1,12}$")
FORM_FIELD_NAME_RE = r"^[a-z][a-z0-9_]{0,49}$"

# Fields a draft may set through create_item/update_item (the rest are derived or lifecycle state).
EDITABLE_FIELD_ORDER: tuple[str, ...] = (
    "name",
    "base_code",
    "item_type",
    "exercise_level",
    "legal_basis",
    "conditions",
    "process_description",
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
    "place",
    "office_hours",
    "consult_phone",
    "supervise_phone",
    "online_apply",
    "appointment_supported",
    "online_payment_supported",
    "express_supported",
    "form_fields",
    "keywords",
)
EDITABLE_FIELDS: frozenset[str] = frozenset(EDITABLE_FIELD_ORDER)
MATERIAL_FIELDS: frozenset[str] = frozenset(
    {
        "public_id",
        "name",
        "description",
        "source",
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
# Digits of Region.full_code that identify a region of each level (省 2, 市 4, 县 6, 乡 9, 村 12).
REGION_PREFIX_LENGTH = {2: 2, 3: 4, 4: 6, 5: 9, 6: 12}


class FormFieldSpec(BaseModel):
    """One field of an item's application form (申请表字段)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=FORM_FIELD_NAME_RE)
    label: str = Field(min_length=1, max_length=100)
    type: Literal["text", "textarea", "date", "number", "select"] = "text"
    required: bool = False
    choices: list[str] = Field(default_factory=list)
    help_text: str = ""


# --- codes ---------------------------------------------------------------------------------------
def normalise_base_code(base_code: str) -> str:
    """基本编码: 1–12 letters or digits, upper-cased."""
    code = (base_code or "").strip().upper()
    if not BASE_CODE_RE.match(code):
        raise DomainError(
            CatalogErrorCode.INVALID_BASE_CODE,
            "基本编码应为1至12位字母或数字",
            {"base_code": ["基本编码应为1至12位字母或数字"]},
        )
    return code


def make_implementation_code(credit_code: str, level: str | int, base_code: str) -> str:
    """实施编码 (31 chars) = implementing body's 统一社会信用代码 (18) + 行使层级 (1) + 基本编码 left-padded
    with zeros to 12.  e.g. ``11340100MB0000010F`` + ``3`` + ``000000123456``."""
    code = (credit_code or "").strip().upper()
    if not CREDIT_CODE_RE.match(code):
        raise DomainError(
            CatalogErrorCode.INVALID_CREDIT_CODE,
            "实施主体的统一社会信用代码格式不正确",
            {"credit_code": ["应为18位统一社会信用代码"]},
        )
    level_code = str(level).strip()
    if level_code not in ExerciseLevel.values:
        raise DomainError(
            CatalogErrorCode.INVALID_LEVEL, "行使层级不正确", {"exercise_level": ["应为1至7之间的层级代码"]}
        )
    return f"{code}{level_code}{normalise_base_code(base_code).rjust(12, '0')}"


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
        if problems:
            errors[f"materials.{index}"] = problems
        cleaned.append(material)
    names = [material["name"] for material in cleaned]
    if len(names) != len(set(names)):
        errors["materials"] = ["材料名称重复"]
    if errors:
        raise DomainError(CatalogErrorCode.INVALID_ITEM, "申请材料不正确", errors)
    return cleaned


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
]


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
    if ServiceItem.objects.filter(implementation_code=item.implementation_code).exclude(pk=item.pk).exists():
        raise Conflict(
            "该实施编码已存在",
            code=CatalogErrorCode.DUPLICATE_IMPLEMENTATION_CODE,
            fields={"base_code": [f"实施编码 {item.implementation_code} 已被使用"]},
        )
    errors: dict[str, list[str]] = {}
    if item.item_type not in ItemType.values:
        errors["item_type"] = ["事项类型不在代码表内"]
    if item.case_kind not in CaseKind.values:
        errors["case_kind"] = ["办件类型不在代码表内"]
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
        item.full_clean(exclude=_NOT_MODEL_CLEANED, validate_unique=False, validate_constraints=True)
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


def _locked(item: ServiceItem) -> ServiceItem:
    return (
        ServiceItem.objects.select_for_update().select_related("implementing_body", "region").get(pk=item.pk)
    )


def _copy_state(target: ServiceItem, source: ServiceItem) -> None:
    for field in ServiceItem._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


# --- state changes -------------------------------------------------------------------------------
def create_item(
    *,
    actor: User | None,
    implementing_body: Organisation,
    region: Region | None = None,
    materials: Sequence[Mapping[str, Any]] = (),
    **fields: Any,
) -> ServiceItem:
    """新建事项草稿 Create a draft implementation item (实施清单) with its materials.

    ``fields`` are the editable item fields (see :data:`EDITABLE_FIELDS`); the implementation code
    is derived from the body's credit code, the level and the base code.
    """
    item_region = region or implementing_body.region
    require_manager(actor, item_region)
    item = ServiceItem(implementing_body=implementing_body, region=item_region, status=ItemStatus.DRAFT)
    _apply_fields(item, fields)
    cleaned_materials = _clean_materials(materials)
    with transaction.atomic():
        _validate(item)
        item.save()
        _save_materials(item, cleaned_materials)
        refresh_search_fields(item)
        audit.record(
            "catalog.item.created",
            actor=actor,
            obj=item,
            detail={"name": item.name, "implementation_code": item.implementation_code},
        )
    return item


def update_item(
    item: ServiceItem,
    *,
    actor: User | None,
    materials: Sequence[Mapping[str, Any]] | None = None,
    **fields: Any,
) -> ServiceItem:
    """修改事项 Edit a draft or withdrawn item; ``materials`` (when given) replaces the material list."""
    require_manager(actor, item.region)
    cleaned_materials = _clean_materials(materials) if materials is not None else None
    with transaction.atomic():
        current = _locked(item)
        if current.status == ItemStatus.PUBLISHED:
            raise Conflict("已发布的事项不能修改，请先撤销发布", code=CatalogErrorCode.ITEM_NOT_EDITABLE)
        _apply_fields(current, fields)
        _validate(current)
        current.save()
        if cleaned_materials is not None:
            _save_materials(current, cleaned_materials)
        refresh_search_fields(current)
        audit.record(
            "catalog.item.updated",
            actor=actor,
            obj=current,
            detail={"fields": sorted(fields), "materials_replaced": cleaned_materials is not None},
        )
    _copy_state(item, current)
    return item


def publish_item(item: ServiceItem, actor: User | None) -> ServiceItem:
    """发布 draft/withdrawn → published: version + 1, published_at now, search index rebuilt."""
    require_manager(actor, item.region)
    with transaction.atomic():
        current = _locked(item)
        if current.status not in (ItemStatus.DRAFT, ItemStatus.WITHDRAWN):
            raise Conflict(
                f"事项当前状态为“{current.get_status_display()}”，不能发布",
                code=CatalogErrorCode.INVALID_TRANSITION,
            )
        _validate(current)
        _check_publishable(current)
        previous = current.status
        current.status = ItemStatus.PUBLISHED
        current.version += 1
        current.published_at = timezone.now()
        current.save()
        refresh_search_fields(current)
        audit.record(
            "catalog.item.published",
            actor=actor,
            obj=current,
            detail={
                "version": current.version,
                "from_status": previous,
                "implementation_code": current.implementation_code,
            },
        )
    _copy_state(item, current)
    return item


def withdraw_item(item: ServiceItem, actor: User | None, reason: str = "") -> ServiceItem:
    """撤销发布 published → withdrawn; the portal stops showing it, filed cases keep their snapshot."""
    require_manager(actor, item.region)
    with transaction.atomic():
        current = _locked(item)
        if current.status != ItemStatus.PUBLISHED:
            raise Conflict(
                f"事项当前状态为“{current.get_status_display()}”，不能撤销",
                code=CatalogErrorCode.INVALID_TRANSITION,
            )
        current.status = ItemStatus.WITHDRAWN
        current.save(update_fields=["status", "updated_at"])
        audit.record(
            "catalog.item.withdrawn",
            actor=actor,
            obj=current,
            detail={"version": current.version, "reason": reason.strip()[:500]},
        )
    _copy_state(item, current)
    return item


def increment_popularity(item: ServiceItem) -> None:
    """Count one more application for ranking (a counter, not audited)."""
    ServiceItem.objects.filter(pk=item.pk).update(application_count=F("application_count") + 1)


# --- reading ---------------------------------------------------------------------------------------
def get_published_item(public_id: Any) -> ServiceItem:
    """The published item with this public id, with body, region and materials; else 404."""
    item = (
        ServiceItem.objects.select_related("implementing_body", "region")
        .prefetch_related("materials")
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
        ServiceItem.objects.select_related("implementing_body", "region").filter(public_id=public_id).first()
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


def guide_snapshot(item: ServiceItem) -> dict[str, Any]:
    """办事指南快照 Everything the guide shows, as a JSON-serialisable dict (labels in Chinese).

    Cases store it to freeze the version an application was filed under.
    """
    body = item.implementing_body
    with translation.override("zh-hans"):
        materials = [
            {
                "public_id": str(material.public_id),
                "name": material.name,
                "description": material.description,
                "source": material.source,
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
        return {
            "public_id": str(item.public_id),
            "name": item.name,
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
            "conditions": item.conditions,
            "process_description": item.process_description,
            "statutory_limit_days": item.statutory_limit_days,
            "committed_limit_days": item.committed_limit_days,
            "limit_note": item.limit_note,
            "fee_required": item.fee_required,
            "fee_description": item.fee_description,
            "fee_basis": item.fee_basis,
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
            "place": item.place,
            "office_hours": item.office_hours,
            "consult_phone": item.consult_phone,
            "supervise_phone": item.supervise_phone,
            "online_apply": item.online_apply,
            "appointment_supported": item.appointment_supported,
            "online_payment_supported": item.online_payment_supported,
            "express_supported": item.express_supported,
            "form_fields": list(item.form_fields or []),
            "materials": materials,
        }
