"""The licence catalogue (证照目录): licence types, their data-field schema and data validation."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from yiwang.accounts.models import User
from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError
from yiwang.core.models import Organisation
from yiwang.licences.errors import LicenceErrorCode
from yiwang.licences.identifiers import TYPE_RE
from yiwang.licences.models import (
    HolderType,
    LicenceType,
)

FIELD_TYPES = {"text", "date", "number", "choice"}


# --- catalogue (证照目录) ------------------------------------------------------------------------
def validate_schema(fields: Any) -> list[dict[str, Any]]:
    """The type's data-field schema: a list of {name, label, type, required[, choices]}."""
    if not isinstance(fields, list) or not fields:
        raise DomainError(LicenceErrorCode.INVALID_TYPE, "证照数据项不能为空", {"fields": ["至少一项"]})
    cleaned, seen = [], set()
    for index, item in enumerate(fields):
        key = f"fields.{index}"
        if (
            not isinstance(item, dict)
            or not str(item.get("name", "")).strip()
            or not str(item.get("label", "")).strip()
        ):
            raise DomainError(
                LicenceErrorCode.INVALID_TYPE, "数据项须有 name 和 label", {key: ["缺少 name 或 label"]}
            )
        name = str(item["name"]).strip()
        kind = str(item.get("type", "text"))
        if kind not in FIELD_TYPES:
            raise DomainError(
                LicenceErrorCode.INVALID_TYPE,
                f"数据项类型“{kind}”不支持",
                {key: [f"类型应为 {sorted(FIELD_TYPES)}"]},
            )
        if name in seen:
            raise DomainError(LicenceErrorCode.INVALID_TYPE, f"数据项“{name}”重复", {key: ["重复"]})
        seen.add(name)
        entry: dict[str, Any] = {
            "name": name,
            "label": str(item["label"]).strip(),
            "type": kind,
            "required": bool(item.get("required", False)),
        }
        if kind == "choice":
            choices = item.get("choices")
            if not isinstance(choices, list) or not choices:
                raise DomainError(
                    LicenceErrorCode.INVALID_TYPE, "选择项须列出 choices", {key: ["缺少 choices"]}
                )
            entry["choices"] = [str(c) for c in choices]
        cleaned.append(entry)
    return cleaned


def create_licence_type(
    *,
    code: str,
    name: str,
    holder_type: str,
    fields: list[dict[str, Any]],
    validity_years: int | None = None,
    issuing_organisation: Organisation | None = None,
    issuing_department_kind: str = "",
    template: dict[str, Any] | None = None,
    actor: User | None = None,
) -> LicenceType:
    """Add a licence type to the catalogue (GB/T 36902)."""
    code = code.strip().upper()
    if not TYPE_RE.match(code):
        raise DomainError(
            LicenceErrorCode.INVALID_TYPE,
            "证照类型代码应为 18 位统一社会信用代码加 3 位数字",
            {"code": [code]},
        )
    if holder_type not in HolderType.values:
        raise DomainError(LicenceErrorCode.INVALID_TYPE, "持证主体类型不正确", {"holder_type": [holder_type]})
    if not name.strip():
        raise DomainError(LicenceErrorCode.INVALID_TYPE, "请填写证照名称", {"name": ["必填"]})
    if validity_years is not None and not 1 <= validity_years <= 100:
        raise DomainError(
            LicenceErrorCode.INVALID_TYPE,
            "有效期应为 1–100 年或长期",
            {"validity_years": [str(validity_years)]},
        )
    schema = validate_schema(fields)
    names = [f["name"] for f in schema]
    layout = dict(template or {})
    layout.setdefault("title", name)
    order = layout.get("fields") or names
    unknown = [n for n in order if n not in names]
    if unknown:
        raise DomainError(
            LicenceErrorCode.INVALID_TYPE, "版式中的数据项不在数据项清单中", {"template": unknown}
        )
    layout["fields"] = list(order)
    with transaction.atomic():
        if LicenceType.objects.filter(code=code).exists():
            raise Conflict("证照类型代码已存在", code=LicenceErrorCode.INVALID_TYPE, fields={"code": [code]})
        licence_type = LicenceType.objects.create(
            code=code,
            name=name.strip(),
            holder_type=holder_type,
            fields=schema,
            validity_years=validity_years,
            issuing_organisation=issuing_organisation,
            issuing_department_kind=issuing_department_kind,
            template=layout,
        )
        audit.record(
            "licence.type_created", actor=actor, obj=licence_type, detail={"code": code, "name": name}
        )
    return licence_type


def validate_data(licence_type: LicenceType, data: dict[str, Any]) -> dict[str, Any]:
    """Check ``data`` against the type's schema; every error is reported under its field name."""
    if not isinstance(data, dict):
        raise DomainError(LicenceErrorCode.INVALID_DATA, "证照数据应为对象", {"data": ["应为 JSON 对象"]})
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    known = {f["name"] for f in licence_type.fields}
    for extra in sorted(set(data) - known):
        errors[extra] = ["不是该证照类型的数据项"]
    for spec in licence_type.fields:
        name, kind = spec["name"], spec["type"]
        value = data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if spec.get("required"):
                errors[name] = [f"请填写{spec['label']}"]
            continue
        if kind == "date":
            try:
                cleaned[name] = date.fromisoformat(str(value)).isoformat()
            except ValueError:
                errors[name] = [f"{spec['label']}应为日期（YYYY-MM-DD）"]
        elif kind == "number":
            if isinstance(value, bool):
                errors[name] = [f"{spec['label']}应为数字"]
                continue
            try:
                number = float(value)
            except (TypeError, ValueError):
                errors[name] = [f"{spec['label']}应为数字"]
                continue
            cleaned[name] = int(number) if number.is_integer() else number
        elif kind == "choice":
            if str(value) not in spec.get("choices", []):
                errors[name] = [f"{spec['label']}应为：{'、'.join(spec.get('choices', []))}"]
            else:
                cleaned[name] = str(value)
        else:
            text = str(value).strip()
            if len(text) > 500:
                errors[name] = [f"{spec['label']}不超过 500 字"]
            cleaned[name] = text
    if errors:
        raise DomainError(LicenceErrorCode.INVALID_DATA, "证照数据不符合该证照类型的要求", errors)
    return cleaned


# --- the licence a result yields (办结出证) -------------------------------------------------------
def licence_type_for_item(item: Any) -> LicenceType | None:
    """The licence type an item's approval yields (``ServiceItem.result_licence_type_code``)."""
    code = (getattr(item, "result_licence_type_code", "") or "").strip().upper()
    if not code:
        return None
    return LicenceType.objects.filter(code=code, is_active=True).first()


def licence_data_from(
    licence_type: LicenceType, *, form: dict[str, Any], known: dict[str, Any], completed_on: date
) -> dict[str, Any]:
    """Build a licence's data from a completed application: a form field of the same name wins, then
    the form fields the type's ``template["case_fields"]`` names for it (``{field: [form field, ...]}``);
    otherwise ``known`` (well-known names: the case number, the item, the applicant, the handling
    body ...), then the type's ``template["case_defaults"]`` (``{field: value}``), and a date field
    takes ``completed_on``; a choice with a single option takes it.  Only the type's fields are kept."""
    sources = licence_type.template.get("case_fields") or {}
    constants = licence_type.template.get("case_defaults") or {}
    data: dict[str, Any] = {}
    for spec in licence_type.fields:
        name = spec["name"]
        value = form.get(name)
        for alias in sources.get(name, []):
            if value not in (None, ""):
                break
            value = form.get(alias)
        if value in (None, ""):
            value = known.get(name)
        if value in (None, ""):
            value = constants.get(name)
        if value in (None, "") and spec["type"] == "date":
            value = completed_on.isoformat()
        if value in (None, "") and spec["type"] == "choice" and len(spec.get("choices", [])) == 1:
            value = spec["choices"][0]
        if value not in (None, ""):
            data[name] = value
    return data
