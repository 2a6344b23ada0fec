"""提交校验 The single server validator of submitted form data.

``validate_submission`` cleans every visible field by its component type, drops unknown keys and the
values of hidden fields (a hidden field is never required), recomputes computed fields (the
submitted value of a computed field is ignored) and keeps the prefilled value of locked fields.
Errors are keyed by component key, ``rooms.2.area`` for a table cell.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import partial
from typing import Any

from yiwang.catalog.forms.conditions import Visibility, is_empty
from yiwang.catalog.forms.definition import (
    CONTAINER_TYPES,
    MAX_TABLE_ROWS,
    MAX_TEXT_LENGTH,
    Leaf,
    choices_of,
    leaves,
)
from yiwang.catalog.forms.expressions import ExpressionError, evaluate, parse_expression
from yiwang.core.codetables import code_label
from yiwang.core.errors import DomainError
from yiwang.core.identifiers import IdentifierError, validate_credit_code, validate_id_number, validate_phone

__all__ = ["FORM_INVALID", "clean_value", "validate_submission"]

FORM_INVALID = "form_invalid"
MAX_NUMBER = Decimal("1e15")
MAX_FILES = 20
_LANDLINE = re.compile(r"0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}")
_TRUE = frozenset({"true", "on", "1", "yes", "是"})


class _Invalid(Exception):
    pass


def _label(component: Mapping[str, Any]) -> str:
    return str(component.get("label") or component.get("key"))


def _rules(component: Mapping[str, Any]) -> Mapping[str, Any]:
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
    label = _label(component)
    if isinstance(value, Mapping | list | bool):
        raise DomainError(FORM_INVALID, f"{label}应为文本")
    text = str(value).strip()
    rules = _rules(component)
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
    label = _label(component)
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
    rules = _rules(component)
    if rules.get("min") is not None and shown < Decimal(str(rules["min"])):
        raise DomainError(FORM_INVALID, f"{label}不能小于 {rules['min']}")
    if rules.get("max") is not None and shown > Decimal(str(rules["max"])):
        raise DomainError(FORM_INVALID, f"{label}不能大于 {rules['max']}")


def _currency(component: Mapping[str, Any], value: Any) -> int:
    """Money arrives as integer fen (the pages convert 元 text with parse_post)."""
    label = _label(component)
    try:
        fen = _decimal(value)
    except _Invalid:
        raise DomainError(FORM_INVALID, f"{label}应为金额") from None
    if fen != fen.to_integral_value():
        raise DomainError(FORM_INVALID, f"{label}应以分为单位的整数")
    if fen < 0 and _rules(component).get("min") is None:
        raise DomainError(FORM_INVALID, f"{label}不能为负数")
    _bounds(component, fen, fen / 100, label)
    return int(fen)


def _date(component: Mapping[str, Any], value: Any) -> str:
    label = _label(component)
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
    message = f"{_label(component)}的取值不在可选范围内"
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
        raise DomainError(FORM_INVALID, f"{_label(component)}应为多个选项")
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
    label = _label(component)
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
        raise DomainError(FORM_INVALID, f"{_label(component)}的附件格式不正确")
    refs = [
        {str(k): str(v)[:200] for k, v in ref.items() if k in ("name", "material", "sha256")}
        for ref in value
        if isinstance(ref, Mapping) and ref.get("name")
    ]
    if len(refs) > 1 and not component.get("multiple"):
        raise DomainError(FORM_INVALID, f"{_label(component)}只能上传一个文件")
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
    raise DomainError(FORM_INVALID, f"{_label(component)}不能填写")


def _blank(component: Mapping[str, Any], value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    if component.get("type") == "address" and isinstance(value, Mapping):
        return not str(value.get("region") or "").strip() and not str(value.get("detail") or "").strip()
    if component.get("type") == "checkbox":
        return value is None or value == ""
    return is_empty(value)


class _Submission:
    def __init__(self, definition: Mapping[str, Any], files: Mapping[str, Sequence[Any]] | None) -> None:
        self.definition = definition
        self.files = files
        self.top = [leaf for leaf in leaves(definition) if leaf.table is None]
        self.columns: dict[str, list[Leaf]] = {}
        for leaf in leaves(definition):
            if leaf.table is not None:
                self.columns.setdefault(str(leaf.table["key"]), []).append(leaf)
        self.errors: dict[str, list[str]] = {}
        self.formulas: dict[str, Any] = {}
        for leaf in leaves(definition):
            if leaf.component.get("calculateValue"):
                try:
                    self.formulas[leaf.key] = parse_expression(str(leaf.component["calculateValue"]))
                except ExpressionError:
                    continue

    def field(self, path: str, component: Mapping[str, Any], value: Any, out: dict[str, Any]) -> None:
        key = str(component["key"])
        if _blank(component, value):
            return
        try:
            out[key] = clean_value(component, value)
        except DomainError as exc:
            self.errors[path] = [exc.message]

    def table(self, leaf: Leaf, value: Any, out: dict[str, Any]) -> None:
        if value in (None, ""):
            return
        if not isinstance(value, list):
            self.errors[leaf.key] = [f"{_label(leaf.component)}应为表格行列表"]
            return
        columns = self.columns.get(leaf.key, [])
        rows: list[dict[str, Any]] = []
        for raw in value[: MAX_TABLE_ROWS + 1]:
            if not isinstance(raw, Mapping):
                self.errors[leaf.key] = [f"{_label(leaf.component)}的行格式不正确"]
                return
            if all(
                _blank(c.component, raw.get(c.key)) for c in columns if not c.component.get("calculateValue")
            ):
                continue
            row: dict[str, Any] = {}
            index = len(rows)
            for column in columns:
                if not column.component.get("calculateValue"):
                    self.field(f"{leaf.key}.{index}.{column.key}", column.component, raw.get(column.key), row)
            rows.append(row)
        rules = _rules(leaf.component)
        most = min(int(rules.get("maxLength") or MAX_TABLE_ROWS), MAX_TABLE_ROWS)
        if len(rows) > most:
            self.errors[leaf.key] = [f"{_label(leaf.component)}最多 {most} 行"]
        if rows:
            out[leaf.key] = rows

    def compute(self, data: dict[str, Any], visibility: Visibility) -> None:
        kinds = {leaf.key: leaf.component.get("type") for leaf in leaves(self.definition)}

        def scalar(key: str, source: Mapping[str, Any]) -> Any:
            value = source.get(key)
            return Decimal(value) / 100 if kinds.get(key) == "currency" and isinstance(value, int) else value

        def column(table: str, col: str) -> list[Any]:
            return [scalar(col, row) for row in data.get(table) or [] if isinstance(row, Mapping)]

        for leaf in leaves(self.definition):
            tree = self.formulas.get(leaf.key)
            if tree is None:
                continue
            if leaf.table is None:
                result = evaluate(tree, lambda k: scalar(k, data), lambda k: None, column)
                data.pop(leaf.key, None)
                if result is not None and visibility.visible(leaf.key):
                    data[leaf.key] = _store(leaf.component, result)
                continue
            for row in data.get(str(leaf.table["key"])) or []:
                result = evaluate(tree, lambda k: scalar(k, data), partial(_row_value, scalar, row), column)
                row.pop(leaf.key, None)
                if result is not None:
                    row[leaf.key] = _store(leaf.component, result)


def _row_value(scalar: Any, row: Mapping[str, Any], key: str) -> Any:
    return scalar(key, row)


def _store(component: Mapping[str, Any], result: Decimal) -> Any:
    kind = component.get("type")
    if kind == "currency":
        return int((result * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if kind == "number":
        limit = component.get("decimalLimit")
        places = int(limit) if limit is not None else 2
        value = result.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        return int(value) if places == 0 or value == value.to_integral_value() else str(value)
    return str(result.normalize())


def validate_submission(
    definition: Mapping[str, Any] | None,
    data: Mapping[str, Any],
    *,
    prefilled_locked: Mapping[str, Any] | None = None,
    files: Mapping[str, Sequence[Any]] | None = None,
    error_code: str = FORM_INVALID,
    message: str = "申请表填写不完整或有误",
) -> dict[str, Any]:
    """Cleaned data of a submission (see the module docstring) or DomainError(error_code, …).

    ``files`` maps a ``file`` component's key to the references of the files the caller has checked
    (and will store); without it a file field keeps the references in ``data``.
    """
    definition = definition or {}
    data = dict(data) if isinstance(data, Mapping) else {}
    data.update(prefilled_locked or {})
    submission = _Submission(definition, files)
    cleaned: dict[str, Any] = {}
    for leaf in submission.top:
        if leaf.component.get("calculateValue") or leaf.component.get("type") == "content":
            continue
        if leaf.type in CONTAINER_TYPES:
            submission.table(leaf, data.get(leaf.key), cleaned)
        elif leaf.type == "file" and files is not None:
            submission.field(leaf.key, leaf.component, list(files.get(leaf.key) or []), cleaned)
        else:
            submission.field(leaf.key, leaf.component, data.get(leaf.key), cleaned)
    for _ in range(2):  # computed values may decide visibility and the other way round
        visibility = Visibility(definition, cleaned)
        submission.compute(cleaned, visibility)
    visibility = Visibility(definition, cleaned)
    result: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for leaf in submission.top:
        if not visibility.visible(leaf.key):
            continue
        path_errors = {
            p: e for p, e in submission.errors.items() if p == leaf.key or p.startswith(f"{leaf.key}.")
        }
        if leaf.type in CONTAINER_TYPES:
            path_errors = _table_visibility(leaf, submission, visibility, cleaned, path_errors)
        errors.update(path_errors)
        if leaf.key in cleaned and not path_errors:
            result[leaf.key] = cleaned[leaf.key]
        elif leaf.key not in cleaned and not path_errors and _rules(leaf.component).get("required"):
            errors[leaf.key] = [_required_message(leaf.component)]
        elif (
            leaf.type == "checkbox"
            and _rules(leaf.component).get("required")
            and cleaned.get(leaf.key) is False
        ):
            errors[leaf.key] = [f"请勾选{_label(leaf.component)}"]
    if errors:
        raise DomainError(error_code, message, errors)
    return result


def _table_visibility(
    leaf: Leaf,
    submission: _Submission,
    visibility: Visibility,
    cleaned: dict[str, Any],
    path_errors: dict[str, list[str]],
) -> dict[str, list[str]]:
    """Drop hidden cells (and their errors) of each row; check required cells and the row count."""
    rows = cleaned.get(leaf.key) or []
    for index, row in enumerate(rows):
        for column in submission.columns.get(leaf.key, []):
            path = f"{leaf.key}.{index}.{column.key}"
            if not visibility.visible(column.key, row, index):
                row.pop(column.key, None)
                path_errors.pop(path, None)
            elif (
                column.key not in row and path not in path_errors and _rules(column.component).get("required")
            ):
                path_errors[path] = [_required_message(column.component)]
    least = int(_rules(leaf.component).get("minLength") or 0)
    if leaf.key not in path_errors and len(rows) < max(
        least, 1 if _rules(leaf.component).get("required") else 0
    ):
        path_errors[leaf.key] = [f"{_label(leaf.component)}至少填写 {max(least, 1)} 行"]
    return path_errors


def _required_message(component: Mapping[str, Any]) -> str:
    kind = component.get("type")
    if kind == "file":
        return f"请上传{_label(component)}"
    if kind == "checkbox":
        return f"请勾选{_label(component)}"
    if kind in ("select", "radio", "selectboxes", "datetime", "address"):
        return f"请选择{_label(component)}"
    return f"请填写{_label(component)}"
