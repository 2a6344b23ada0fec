"""字段校验 One submitted value cleaned by its component type (text kinds, numbers, money in fen, dates,
choices from values or code tables, addresses, file references); used by ``validate_submission``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from yiwang.catalog.forms.conditions import is_empty
from yiwang.catalog.forms.definition import MAX_TEXT_LENGTH, choices_of
from yiwang.core.codetables import code_label
from yiwang.core.errors import DomainError
from yiwang.core.identifiers import IdentifierError, validate_credit_code, validate_id_number, validate_phone

__all__ = ["FORM_INVALID", "MAX_FILES", "blank", "clean_value", "label_of", "rules_of"]

FORM_INVALID = "form_invalid"
MAX_NUMBER = Decimal("1e15")
MAX_FILES = 20
_LANDLINE = re.compile(r"0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}")
_TRUE = frozenset({"true", "on", "1", "yes", "是"})


class _Invalid(Exception):
    pass


def label_of(component: Mapping[str, Any]) -> str:
    return str(component.get("label") or component.get("key"))


def rules_of(component: Mapping[str, Any]) -> Mapping[str, Any]:
    return component.get("validate") or {}


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise _Invalid
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError) as exc:
        raise _Invalid from exc
    if not number.is_finite() or abs(number) >= MAX_NUMBER:
        raise _Invalid
    return number


def _text(component: Mapping[str, Any], value: Any) -> str:
    label = label_of(component)
    if isinstance(value, Mapping | list | bool):
        raise DomainError(FORM_INVALID, f"{label}应为文本")
    text = str(value).strip()
    rules = rules_of(component)
    if len(text) > min(int(rules.get("maxLength") or MAX_TEXT_LENGTH), MAX_TEXT_LENGTH):
        raise DomainError(
            FORM_INVALID,
            f"{label}不能超过 {min(int(rules.get('maxLength') or MAX_TEXT_LENGTH), MAX_TEXT_LENGTH)} 个字",
        )
    if rules.get("minLength") and len(text) < int(rules["minLength"]):
        raise DomainError(FORM_INVALID, f"{label}至少 {int(rules['minLength'])} 个字")
    kind = (component.get("properties") or {}).get("kind", "")
    try:
        if kind == "id_number":
            text = validate_id_number(text).normalized
        elif kind == "credit_code":
            text = validate_credit_code(text).normalized
    except IdentifierError as exc:
        raise DomainError(FORM_INVALID, f"{label}：{exc.message}") from exc
    if kind == "phone" or component.get("type") == "phoneNumber":
        text = _phone(label, text)
    if component.get("type") == "email" and not _EMAIL.fullmatch(text):
        raise DomainError(FORM_INVALID, f"{label}不是有效的电子邮箱地址")
    if rules.get("pattern") and not re.fullmatch(str(rules["pattern"]), text):
        raise DomainError(FORM_INVALID, f"{label}的格式不符合要求")
    return text


def _phone(label: str, text: str) -> str:
    compact = re.sub(r"[\s()（）]", "", text)
    if _LANDLINE.fullmatch(compact):
        return compact
    try:
        return validate_phone(text)
    except IdentifierError as exc:
        raise DomainError(FORM_INVALID, f"{label}：应为手机号码或带区号的固定电话") from exc


def _number(component: Mapping[str, Any], value: Any) -> int | str:
    label = label_of(component)
    try:
        number = _decimal(value)
    except _Invalid:
        raise DomainError(FORM_INVALID, f"{label}应为数字") from None
    limit = component.get("decimalLimit")
    places = -number.as_tuple().exponent if number.as_tuple().exponent < 0 else 0  # type: ignore[operator]
    if limit is not None and places > int(limit):
        raise DomainError(
            FORM_INVALID, f"{label}应为整数" if int(limit) == 0 else f"{label}最多 {int(limit)} 位小数"
        )
    _bounds(component, number, number, label)
    if number == number.to_integral_value() and (limit == 0 or places == 0):
        return int(number)
    return str(number)


def _bounds(component: Mapping[str, Any], number: Decimal, shown: Decimal, label: str) -> None:
    rules = rules_of(component)
    if rules.get("min") is not None and shown < Decimal(str(rules["min"])):
        raise DomainError(FORM_INVALID, f"{label}不能小于 {rules['min']}")
    if rules.get("max") is not None and shown > Decimal(str(rules["max"])):
        raise DomainError(FORM_INVALID, f"{label}不能大于 {rules['max']}")


def _currency(component: Mapping[str, Any], value: Any) -> int:
    """Money arrives as integer fen (the pages convert 元 text with parse_post)."""
    label = label_of(component)
    try:
        fen = _decimal(value)
    except _Invalid:
        raise DomainError(FORM_INVALID, f"{label}应为金额") from None
    if fen != fen.to_integral_value():
        raise DomainError(FORM_INVALID, f"{label}应以分为单位的整数")
    if fen < 0 and rules_of(component).get("min") is None:
        raise DomainError(FORM_INVALID, f"{label}不能为负数")
    _bounds(component, fen, fen / 100, label)
    return int(fen)


def _date(component: Mapping[str, Any], value: Any) -> str:
    label = label_of(component)
    text = str(value).strip()[:10]
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise DomainError(FORM_INVALID, f"{label}应为日期（YYYY-MM-DD）") from None
    picker = component.get("datePicker") or {}
    for name, message in (("minDate", "不能早于"), ("maxDate", "不能晚于")):
        bound = str(picker.get(name) or "")[:10]
        try:
            limit = date.fromisoformat(bound) if bound else None
        except ValueError:
            limit = None
        if limit is not None and ((day < limit) if name == "minDate" else (day > limit)):
            raise DomainError(FORM_INVALID, f"{label}{message} {limit.isoformat()}")
    return day.isoformat()


def _in_choices(component: Mapping[str, Any], value: str) -> bool:
    table = (component.get("properties") or {}).get("codeTable")
    if table:
        return code_label(str(table), value) is not None
    return value in {choice for choice, _ in choices_of(component)}


def _out_of_range(component: Mapping[str, Any]) -> str:
    message = f"{label_of(component)}的取值不在可选范围内"
    if (component.get("properties") or {}).get("codeTable"):
        return message
    labels = [label for _, label in choices_of(component)]
    return f"{message}（可选：{'、'.join(labels)}）" if len(labels) <= 20 else message


def _choice(component: Mapping[str, Any], value: Any) -> str:
    text = str(value).strip()
    if isinstance(value, Mapping | list) or not _in_choices(component, text):
        raise DomainError(FORM_INVALID, _out_of_range(component))
    return text


def _choices(component: Mapping[str, Any], value: Any) -> list[str]:
    if isinstance(value, Mapping):  # Form.io's own shape {"a": true, "b": false}
        value = [key for key, on in value.items() if on]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or len(value) > 300:
        raise DomainError(FORM_INVALID, f"{label_of(component)}应为多个选项")
    picked = list(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))
    bad = [v for v in picked if not _in_choices(component, v)]
    if bad:
        raise DomainError(FORM_INVALID, _out_of_range(component))
    order = (
        {choice: index for index, (choice, _) in enumerate(choices_of(component))}
        if not (component.get("properties") or {}).get("codeTable")
        else {}
    )
    return sorted(picked, key=lambda v: order.get(v, 0))


def _address(component: Mapping[str, Any], value: Any) -> dict[str, str]:
    label = label_of(component)
    if not isinstance(value, Mapping):
        raise DomainError(FORM_INVALID, f"{label}应包含行政区划和详细地址")
    region = str(value.get("region") or "").strip()
    detail = str(value.get("detail") or "").strip()
    if not region:
        raise DomainError(FORM_INVALID, f"请选择{label}的行政区划")
    if code_label("regions", region) is None:
        raise DomainError(FORM_INVALID, f"{label}的行政区划代码不存在")
    if len(detail) > 200:
        raise DomainError(FORM_INVALID, f"{label}的详细地址不能超过 200 个字")
    return {"region": region, "detail": detail}


def _files(component: Mapping[str, Any], value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list) or len(value) > MAX_FILES:
        raise DomainError(FORM_INVALID, f"{label_of(component)}的附件格式不正确")
    refs = [
        {str(k): str(v)[:200] for k, v in ref.items() if k in ("name", "material", "sha256")}
        for ref in value
        if isinstance(ref, Mapping) and ref.get("name")
    ]
    if len(refs) > 1 and not component.get("multiple"):
        raise DomainError(FORM_INVALID, f"{label_of(component)}只能上传一个文件")
    return refs


def clean_value(component: Mapping[str, Any], value: Any) -> Any:
    """One non-empty value cleaned by its component type, or DomainError(message) for the field."""
    kind = component.get("type")
    if kind in ("textfield", "textarea", "phoneNumber", "email"):
        return _text(component, value)
    if kind == "number":
        return _number(component, value)
    if kind == "currency":
        return _currency(component, value)
    if kind == "datetime":
        return _date(component, value)
    if kind in ("select", "radio"):
        return _choice(component, value)
    if kind == "selectboxes":
        return _choices(component, value)
    if kind == "checkbox":
        return value if isinstance(value, bool) else str(value).strip().lower() in _TRUE
    if kind == "address":
        return _address(component, value)
    if kind == "file":
        return _files(component, value)
    raise DomainError(FORM_INVALID, f"{label_of(component)}不能填写")


def blank(component: Mapping[str, Any], value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    if component.get("type") == "address" and isinstance(value, Mapping):
        return not str(value.get("region") or "").strip() and not str(value.get("detail") or "").strip()
    if component.get("type") == "checkbox":
        return value is None or value == ""
    return is_empty(value)
