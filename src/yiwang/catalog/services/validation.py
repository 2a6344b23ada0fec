"""Input rules of a draft: which fields may be set and how each value is cleaned.

Lists (materials, fee items, application-form fields, FAQ, special procedures) and code lists are
checked entry by entry, so an error names the entry (``materials.2``).  Used by the item services
(:mod:`.items`) and the importer; the pydantic schemas of the manage API and the workbench forms check
the shapes first, these functions the catalogue's own rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from yiwang.catalog.coding import normalise_base_code
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.forms import flatten, from_legacy, leaves, normalise_definition
from yiwang.catalog.models import (
    HandlingForm,
    MaterialForm,
    MaterialSourceKind,
    OnlineDepthStep,
    ServiceItem,
    ServiceObject,
)
from yiwang.core.errors import DomainError

FORM_FIELD_NAME_RE = r"^[a-z][a-z0-9_]{0,49}$"
DERIVED_FORM_FIELD_KEYS = frozenset({"component", "kind", "code_table", "columns"})

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
    "form_definition",
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
        "shared_fields",
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
    #: 预填 ``"<resource code or service>:<field>"`` or ``"applicant:name|id_number"`` (一证通办).
    prefill: str = Field(default="", max_length=130, pattern=r"^([^:\s]{1,64}:[a-z][a-z0-9_]{0,63})?$")


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


def clean_code_list(field: str, values: Any, enum: type[Any]) -> list[str]:
    if not isinstance(values, list | tuple | set):
        raise DomainError(CatalogErrorCode.INVALID_ITEM, "代码列表格式不正确", {field: ["应为代码列表"]})
    codes = [str(value) for value in values]
    unknown = [code for code in codes if code not in enum.values]
    if unknown:
        raise DomainError(
            CatalogErrorCode.INVALID_ITEM, "代码不在代码表内", {field: [f"未知代码：{', '.join(unknown)}"]}
        )
    return sorted(set(codes), key=enum.values.index)


def clean_form_fields(values: Any) -> list[dict[str, Any]]:
    if not isinstance(values, list | tuple):
        raise DomainError(
            CatalogErrorCode.INVALID_ITEM, "申请表字段格式不正确", {"form_fields": ["应为字段列表"]}
        )
    cleaned: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    for index, value in enumerate(values):
        if isinstance(value, Mapping):  # the keys flatten() derives from a definition (exports carry them)
            value = {k: v for k, v in value.items() if k not in DERIVED_FORM_FIELD_KEYS}
        try:
            spec = FormFieldSpec.model_validate(value)
        except PydanticValidationError as exc:
            errors[f"form_fields.{index}"] = [str(error["msg"]) for error in exc.errors()]
            continue
        if spec.type == "select" and not spec.choices:
            errors[f"form_fields.{index}"] = ["下拉字段需要可选项"]
        dumped = spec.model_dump(exclude_defaults=False)
        if spec.prefill:
            source, field_name = spec.prefill.rsplit(":", 1)
            problems = (
                ([] if field_name in PREFILL_APPLICANT_FIELDS else ["实名账户只能预填 name 或 id_number"])
                if source == "applicant"
                else check_shared_source(source, [field_name])
            )
            if problems:
                errors[f"form_fields.{index}.prefill"] = problems
        else:
            del dumped["prefill"]  # the forms that predate 预填 keep their stored shape
        cleaned.append(dumped)
    names = [spec["name"] for spec in cleaned]
    if len(names) != len(set(names)):
        errors["form_fields"] = ["字段名重复"]
    if errors:
        raise DomainError(CatalogErrorCode.INVALID_ITEM, "申请表字段不正确", errors)
    return cleaned


FORM_PREFILL_APPLICANT_FIELDS = frozenset({"name", "id_number", "phone", "email"})
PREFILL_PLAIN_SOURCES = frozenset({"profile", "previous", "licence"})


def clean_form_definition(raw: Any) -> dict[str, Any]:
    """电子表单: normalise the definition and check every prefill binding's source."""
    definition = normalise_definition(raw)
    errors: dict[str, list[str]] = {}
    for leaf in leaves(definition):
        binding = str((leaf.component.get("properties") or {}).get("prefill") or "")
        if not binding:
            continue
        source, _, field_name = binding.partition(":")
        if source == "applicant":
            problems = (
                []
                if field_name in FORM_PREFILL_APPLICANT_FIELDS
                else ["实名账户只能预填 name、id_number、phone 或 email"]
            )
        elif source in PREFILL_PLAIN_SOURCES:
            problems = []
        else:
            source, field_name = binding.rsplit(":", 1)
            problems = check_shared_source(source, [field_name])
        if problems:
            errors[f"form_definition.{leaf.key}.prefill"] = problems
    if errors:
        raise DomainError(CatalogErrorCode.INVALID_ITEM, "电子表单的预填来源不正确", errors)
    return definition


# --- 共享数据来源 (一证通办) -----------------------------------------------------------------------------
PREFILL_APPLICANT_FIELDS = frozenset({"name", "id_number"})
MAX_SHARED_FIELDS = 100
#: A check of a shared-data source: (resource code or service key, field names) -> problems (Chinese).
SharedSourceCheck = Callable[[str, list[str]], list[str]]
_shared_source_checks: list[SharedSourceCheck] = []


def register_shared_source_check(check: SharedSourceCheck) -> None:
    """Hook: the catalogue sits below the sharing platform, so the app that sees both (cases, in its
    ``AppConfig.ready``) tells it whether a resource is published and has the fields."""
    if check not in _shared_source_checks:
        _shared_source_checks.append(check)


def check_shared_source(reference: str, fields: list[str]) -> list[str]:
    return [problem for check in _shared_source_checks for problem in check(reference, fields)]


def clean_shared_fields(value: Any) -> list[str] | None:
    """共享数据信息项: a list of field names, or a string of them separated by commas/、/spaces;
    None when it is neither or a name is malformed."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [part for part in re.split(r"[\s,，、;；]+", value) if part]
    if not isinstance(value, list | tuple) or len(value) > MAX_SHARED_FIELDS:
        return None
    names = [str(name).strip() for name in value]
    if any(not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", name) for name in names):
        return None
    return list(dict.fromkeys(names))


def clean_materials(materials: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
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
            "shared_fields": clean_shared_fields(raw.get("shared_fields")),
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
        elif material["source_kind"] == MaterialSourceKind.SHARED and material["shared_fields"] is not None:
            problems += check_shared_source(material["shared_resource_code"], material["shared_fields"])
        if material["shared_fields"] is None:
            problems.append("共享数据信息项应为字段名列表（小写字母、数字、下划线）")
            material["shared_fields"] = []
        if problems:
            errors[f"materials.{index}"] = problems
        cleaned.append(material)
    names = [material["name"] for material in cleaned]
    if len(names) != len(set(names)):
        errors["materials"] = ["材料名称重复"]
    if errors:
        raise DomainError(CatalogErrorCode.INVALID_ITEM, "申请材料不正确", errors)
    return cleaned


def clean_fee_items(fee_items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
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


def clean_model_list(field: str, values: Any, spec: type[BaseModel]) -> list[dict[str, Any]]:
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


def clean_url(field: str, value: Any) -> str:
    url = str(value or "").strip()
    if url:
        try:
            _url_validator(url)
        except DjangoValidationError as exc:
            raise DomainError(
                CatalogErrorCode.INVALID_ITEM, "链接格式不正确", {field: ["应为 http(s):// 开头的网址"]}
            ) from exc
    return url


def _has_components(value: Any) -> bool:
    if isinstance(value, str):
        return '"components"' in value and '"components": []' not in value
    return (isinstance(value, Mapping) and bool(value.get("components"))) or (
        isinstance(value, list) and bool(value)
    )


def apply_fields(item: ServiceItem, fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise DomainError(
            CatalogErrorCode.UNKNOWN_FIELD,
            f"未知或不可编辑的字段：{', '.join(sorted(unknown))}",
            {field: ["不可编辑"] for field in sorted(unknown)},
        )
    for field, value in fields.items():
        if field in CODE_LIST_FIELDS:
            value = clean_code_list(field, value, CODE_LIST_FIELDS[field])
        elif field == "form_fields":
            if _has_components(fields.get("form_definition")):
                continue  # the definition wins; form_fields is derived from it
            definition = from_legacy(clean_form_fields(value))
            item.form_definition = definition
            value = flatten(definition)
        elif field == "form_definition":
            if "form_fields" in fields and not _has_components(value):
                continue  # an import with only the legacy list: the list makes the definition
            value = clean_form_definition(value)
            item.form_fields = flatten(value)
        elif field == "faq":
            value = clean_model_list(field, value, FaqEntry)
        elif field == "special_procedures":
            value = clean_model_list(field, value, SpecialProcedureSpec)
        elif field in ("legal_basis_url", "online_url"):
            value = clean_url(field, value)
        elif field == "base_code":
            value = normalise_base_code(value)
        elif isinstance(value, str):
            value = value.strip()
        setattr(item, field, value)
