"""提交校验 The single server validator of submitted form data.

``validate_submission`` cleans every visible field by its component type (``fields.clean_value``),
drops unknown keys and the values of hidden fields (a hidden field is never required), recomputes
computed fields (the submitted value of a computed field is ignored) and keeps the prefilled value
of locked fields.  Errors are keyed by component key, ``rooms.2.area`` for a table cell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any

from yiwang.catalog.forms.conditions import Visibility
from yiwang.catalog.forms.definition import CONTAINER_TYPES, MAX_TABLE_ROWS, Leaf, leaves
from yiwang.catalog.forms.expressions import ExpressionError, evaluate, parse_expression
from yiwang.catalog.forms.fields import FORM_INVALID, blank, clean_value, label_of, rules_of
from yiwang.core.errors import DomainError

__all__ = ["FORM_INVALID", "clean_value", "validate_submission"]


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
        if blank(component, value):
            return
        try:
            out[key] = clean_value(component, value)
        except DomainError as exc:
            self.errors[path] = [exc.message]

    def table(self, leaf: Leaf, value: Any, out: dict[str, Any]) -> None:
        if value in (None, ""):
            return
        if not isinstance(value, list):
            self.errors[leaf.key] = [f"{label_of(leaf.component)}应为表格行列表"]
            return
        columns = self.columns.get(leaf.key, [])
        rows: list[dict[str, Any]] = []
        for raw in value[: MAX_TABLE_ROWS + 1]:
            if not isinstance(raw, Mapping):
                self.errors[leaf.key] = [f"{label_of(leaf.component)}的行格式不正确"]
                return
            if all(
                blank(c.component, raw.get(c.key)) for c in columns if not c.component.get("calculateValue")
            ):
                continue
            row: dict[str, Any] = {}
            index = len(rows)
            for column in columns:
                if not column.component.get("calculateValue"):
                    self.field(f"{leaf.key}.{index}.{column.key}", column.component, raw.get(column.key), row)
            rows.append(row)
        rules = rules_of(leaf.component)
        most = min(int(rules.get("maxLength") or MAX_TABLE_ROWS), MAX_TABLE_ROWS)
        if len(rows) > most:
            self.errors[leaf.key] = [f"{label_of(leaf.component)}最多 {most} 行"]
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
        elif leaf.key not in cleaned and not path_errors and rules_of(leaf.component).get("required"):
            errors[leaf.key] = [_required_message(leaf.component)]
        elif (
            leaf.type == "checkbox"
            and rules_of(leaf.component).get("required")
            and cleaned.get(leaf.key) is False
        ):
            errors[leaf.key] = [f"请勾选{label_of(leaf.component)}"]
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
                column.key not in row
                and path not in path_errors
                and rules_of(column.component).get("required")
            ):
                path_errors[path] = [_required_message(column.component)]
    least = int(rules_of(leaf.component).get("minLength") or 0)
    if leaf.key not in path_errors and len(rows) < max(
        least, 1 if rules_of(leaf.component).get("required") else 0
    ):
        path_errors[leaf.key] = [f"{label_of(leaf.component)}至少填写 {max(least, 1)} 行"]
    return path_errors


def _required_message(component: Mapping[str, Any]) -> str:
    kind = component.get("type")
    if kind == "file":
        return f"请上传{label_of(component)}"
    if kind == "checkbox":
        return f"请勾选{label_of(component)}"
    if kind in ("select", "radio", "selectboxes", "datetime", "address"):
        return f"请选择{label_of(component)}"
    return f"请填写{label_of(component)}"
