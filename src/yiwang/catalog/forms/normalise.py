"""电子表单定义的校验 ``normalise_definition``: what every write of ``ServiceItem.form_definition`` goes
through.  It keeps the supported keys of the supported components only, so what is stored is small
and what the renderer and the validator read is always well-formed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.forms.definition import (
    ALL_TYPES,
    CHOICE_TYPES,
    CONTAINER_TYPES,
    INPUT_TYPES,
    LAYOUT_TYPES,
    MAX_CHOICES,
    MAX_COMPONENTS,
    MAX_PATTERN_LENGTH,
    MAX_TABLE_ROWS,
    STATIC_TYPES,
    TEXT_KINDS,
    condition_keys,
    empty_definition,
)
from yiwang.catalog.forms.expressions import ExpressionError, parse_expression, references
from yiwang.core.codetables import CODE_TABLE_NAMES
from yiwang.core.errors import DomainError

__all__ = ["normalise_definition"]

KEY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,49}$")
# A quantified group that is itself quantified, e.g. (a+)+ or (a|aa)*: catastrophic backtracking.
_NESTED_QUANTIFIER = re.compile(r"\([^()]*[+*}][^()]*\)\s*[+*{]")
_PREFILL_RE = re.compile(
    r"^(applicant:(name|id_number|phone|email)|profile:[a-z][a-z0-9_]{0,63}"
    r"|licence:[A-Za-z0-9_.\-]{1,64}:[a-z][a-z0-9_]{0,63}|previous:([A-Za-z][A-Za-z0-9_]{0,49})?"
    r"|[^:\s]{1,64}:[a-z][a-z0-9_]{0,63})$"
)
_VALIDATE_KEYS = ("required", "minLength", "maxLength", "pattern", "min", "max")
_OPERATORS = frozenset({"isEqual", "isNotEqual", "isEmpty", "isNotEmpty", "greaterThan", "lessThan"})
FIELD = "form_definition"


class _Normaliser:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}
        self.count = 0
        self.keys: dict[str, Mapping[str, Any]] = {}
        self.table_of: dict[str, str | None] = {}

    def error(self, key: str, message: str) -> None:
        self.errors.setdefault(f"{FIELD}.{key}" if key else FIELD, []).append(message)

    def components(self, raw: Any, table: str | None, path: str) -> list[dict[str, Any]]:
        if not isinstance(raw, list):
            self.error(path, "components 应为组件列表")
            return []
        cleaned = [self.component(item, table, path) for item in raw]
        return [component for component in cleaned if component is not None]

    def component(self, raw: Any, table: str | None, path: str) -> dict[str, Any] | None:
        self.count += 1
        if self.count > MAX_COMPONENTS:
            if self.count == MAX_COMPONENTS + 1:
                self.error("", f"表单组件不能超过 {MAX_COMPONENTS} 个")
            return None
        if not isinstance(raw, Mapping):
            self.error(path, "组件应为对象")
            return None
        kind = str(raw.get("type", ""))
        key = str(raw.get("key", ""))
        name = key or path
        if kind not in ALL_TYPES:
            self.error(name, f"不支持的组件类型：{kind or '（空）'}")
            return None
        if not KEY_RE.fullmatch(key):
            self.error(name, "字段标识应以字母开头，只含字母、数字和下划线，最长 50 个字符")
            return None
        if key in self.keys:
            self.error(key, "字段标识重复")
            return None
        self.keys[key] = raw
        self.table_of[key] = table
        out: dict[str, Any] = {"type": kind, "key": key, "label": _text(raw.get("label"), 200)}
        if not out["label"] and kind in INPUT_TYPES | CONTAINER_TYPES:
            out["label"] = key
        for name_, limit in (("description", 500), ("placeholder", 200), ("tooltip", 300)):
            if raw.get(name_):
                out[name_] = _text(raw[name_], limit)
        if raw.get("disabled"):
            out["disabled"] = True
        if kind in STATIC_TYPES:
            out["html"] = _text(raw.get("html"), 5000)
        self.properties(raw, out)
        self.validate(raw, out)
        self.choices(raw, out)
        self.extras(raw, out)
        if raw.get("conditional"):
            conditional = self.conditional(key, raw["conditional"])
            if conditional:
                out["conditional"] = conditional
        if raw.get("calculateValue"):
            out["calculateValue"] = _text(raw["calculateValue"], 600)
        if "defaultValue" in raw and raw["defaultValue"] not in (None, "", [], {}):
            default = raw["defaultValue"]
            if isinstance(default, str | int | float | bool):
                out["defaultValue"] = default if not isinstance(default, str) else _text(default, 2000)
        if kind in LAYOUT_TYPES or kind in CONTAINER_TYPES:
            if kind in CONTAINER_TYPES and table is not None:
                self.error(key, "表格中不能再嵌套表格")
                return None
            children = self.components(
                raw.get("components") or [], key if kind in CONTAINER_TYPES else table, key
            )
            if kind in CONTAINER_TYPES:
                bad = [c["key"] for c in children if c["type"] not in INPUT_TYPES or c["type"] == "file"]
                if bad:
                    self.error(key, f"表格的列只能是输入字段（不含附件）：{'、'.join(bad)}")
                if not children:
                    self.error(key, "表格至少需要一列")
            out["components"] = children
        return out

    def properties(self, raw: Mapping[str, Any], out: dict[str, Any]) -> None:
        props = raw.get("properties") or {}
        if not isinstance(props, Mapping):
            self.error(out["key"], "properties 应为对象")
            return
        kept = {str(k)[:50]: _text(v, 200) for k, v in list(props.items())[:20] if v not in (None, "")}
        kind = kept.get("kind", "")
        if kind and (kind not in TEXT_KINDS or out["type"] != "textfield"):
            self.error(out["key"], f"字段类别 {kind} 只能用于文本字段（id_number、credit_code、phone）")
        table = kept.get("codeTable", "")
        if table and (table not in CODE_TABLE_NAMES or out["type"] not in CHOICE_TYPES):
            self.error(out["key"], f"代码表 {table} 不存在或不能用于该组件")
        prefill = kept.get("prefill", "")
        if prefill and not _PREFILL_RE.fullmatch(prefill):
            self.error(out["key"], f"预填来源格式不正确：{prefill}")
        if "prefillLocked" in kept:
            kept["prefillLocked"] = (
                "true" if kept["prefillLocked"].lower() in ("true", "1", "yes") else "false"
            )
        if kept:
            out["properties"] = kept

    def validate(self, raw: Mapping[str, Any], out: dict[str, Any]) -> None:
        rules = raw.get("validate") or {}
        if not isinstance(rules, Mapping):
            return
        kept: dict[str, Any] = {}
        for name in _VALIDATE_KEYS:
            value = rules.get(name)
            if value in (None, "", False):
                continue
            if name == "required":
                kept[name] = bool(value)
            elif name == "pattern":
                pattern = str(value)
                if len(pattern) > MAX_PATTERN_LENGTH or _NESTED_QUANTIFIER.search(pattern):
                    self.error(out["key"], "校验规则（正则）过长或含嵌套重复")
                    continue
                try:
                    re.compile(pattern)
                except re.error:
                    self.error(out["key"], "校验规则（正则）无法解析")
                    continue
                kept[name] = pattern
            else:
                try:
                    number = float(value)
                except (TypeError, ValueError):
                    self.error(out["key"], f"校验规则 {name} 应为数字")
                    continue
                if number != number or abs(number) > 1e15:  # NaN or absurd
                    self.error(out["key"], f"校验规则 {name} 超出范围")
                    continue
                kept[name] = int(number) if number == int(number) else number
        if out["type"] in CONTAINER_TYPES and kept.get("maxLength", 0) > MAX_TABLE_ROWS:
            self.error(out["key"], f"表格最多 {MAX_TABLE_ROWS} 行")
        if kept:
            out["validate"] = kept

    def choices(self, raw: Mapping[str, Any], out: dict[str, Any]) -> None:
        if out["type"] not in CHOICE_TYPES:
            return
        if (out.get("properties") or {}).get("codeTable"):
            return
        source = raw.get("values") or (raw.get("data") or {}).get("values") or []
        values: list[dict[str, str]] = []
        for entry in source if isinstance(source, list) else []:
            if isinstance(entry, Mapping) and str(entry.get("value", "")).strip():
                values.append(
                    {
                        "label": _text(entry.get("label") or entry["value"], 200),
                        "value": _text(entry["value"], 200),
                    }
                )
        if not values:
            self.error(out["key"], "选择字段需要可选项或代码表")
        elif len(values) > MAX_CHOICES or len({v["value"] for v in values}) != len(values):
            self.error(out["key"], f"可选项的值不能重复，最多 {MAX_CHOICES} 项")
        if out["type"] == "select":
            out["data"] = {"values": values}
        else:
            out["values"] = values

    def extras(self, raw: Mapping[str, Any], out: dict[str, Any]) -> None:
        kind = out["type"]
        if kind == "number" and raw.get("decimalLimit") not in (None, ""):
            try:
                out["decimalLimit"] = max(0, min(10, int(raw["decimalLimit"])))
            except (TypeError, ValueError):
                self.error(out["key"], "小数位数应为整数")
        if kind == "datetime":
            out["enableTime"] = False
            out["format"] = "yyyy-MM-dd"
            picker = raw.get("datePicker") or {}
            kept = {
                k: str(picker[k])[:10]
                for k in ("minDate", "maxDate")
                if isinstance(picker, Mapping) and picker.get(k)
            }
            if kept:
                out["datePicker"] = kept
        if kind == "currency":
            out["currency"] = "CNY"
        if kind == "file" and raw.get("multiple"):
            out["multiple"] = True
        if kind == "textarea" and raw.get("rows"):
            out["rows"] = max(1, min(20, int(raw["rows"]))) if str(raw["rows"]).isdigit() else 3

    def conditional(self, key: str, raw: Any) -> dict[str, Any] | None:
        if not isinstance(raw, Mapping):
            self.error(key, "显示条件格式不正确")
            return None
        show = raw.get("show")
        show_bool = show is True or str(show).lower() == "true"
        if raw.get("conditions"):
            conditions = []
            for condition in raw["conditions"] if isinstance(raw["conditions"], list) else []:
                if not isinstance(condition, Mapping) or condition.get("operator") not in _OPERATORS:
                    self.error(key, "显示条件的运算符不受支持")
                    continue
                entry = {"component": str(condition.get("component", "")), "operator": condition["operator"]}
                if "value" in condition:
                    entry["value"] = (
                        condition["value"]
                        if isinstance(condition["value"], str | int | float | bool)
                        else str(condition["value"])
                    )
                conditions.append(entry)
            conjunction = "any" if raw.get("conjunction") == "any" else "all"
            return {"show": show_bool, "conjunction": conjunction, "conditions": conditions}
        if raw.get("when"):
            return {"show": show_bool, "when": str(raw["when"]), "eq": str(raw.get("eq", ""))}
        return None

    def cross_checks(self) -> None:
        for key, raw in self.keys.items():
            for referred in condition_keys(raw.get("conditional")):
                if referred not in self.keys or referred == key:
                    self.error(key, f"显示条件引用了不存在的字段：{referred}")
            if raw.get("calculateValue"):
                self.expression(key, str(raw["calculateValue"]))
        self.cycles()

    def expression(self, key: str, source: str) -> None:
        try:
            tree = parse_expression(source)
        except ExpressionError as exc:
            self.error(key, f"计算公式不正确：{exc}")
            return
        for ref in references(tree):
            if ref[0] == "row":
                table = self.table_of.get(key)
                if table is None or self.table_of.get(ref[1]) != table:
                    self.error(key, f"row.{ref[1]} 只能引用同一表格中的列")
            elif ref[0] == "data":
                if ref[1] not in self.keys or self.table_of.get(ref[1]) is not None or ref[1] == key:
                    self.error(key, f"计算公式引用了不存在的字段：{ref[1]}")
            else:
                table_raw = self.keys.get(ref[1])
                if (
                    table_raw is None
                    or table_raw.get("type") not in CONTAINER_TYPES
                    or self.table_of.get(ref[2]) != ref[1]
                ):
                    self.error(key, f"sum() 引用了不存在的表格或列：{ref[1]}.{ref[2]}")

    def cycles(self) -> None:
        edges = {key: set(condition_keys(raw.get("conditional"))) for key, raw in self.keys.items()}
        state: dict[str, int] = {}

        def visit(key: str) -> bool:
            state[key] = 1
            for nxt in edges.get(key, ()):
                if state.get(nxt) == 1 or (state.get(nxt) is None and visit(nxt)):
                    return True
            state[key] = 2
            return False

        for key in edges:
            if state.get(key) is None and visit(key):
                self.error(key, "显示条件相互依赖，形成循环")
                return


def _text(value: Any, limit: int) -> str:
    return "" if value is None else str(value).strip()[:limit]


def normalise_definition(raw: Any) -> dict[str, Any]:
    """Check and clean a definition from the builder or the API (see the module's docstring)."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else empty_definition()
        except ValueError as exc:
            raise DomainError(
                CatalogErrorCode.INVALID_ITEM, "电子表单定义不是合法的 JSON", {FIELD: ["JSON 格式错误"]}
            ) from exc
    if raw is None:
        raw = empty_definition()
    if isinstance(raw, list):
        raw = {"display": "form", "components": raw}
    if not isinstance(raw, Mapping):
        raise DomainError(CatalogErrorCode.INVALID_ITEM, "电子表单定义格式不正确", {FIELD: ["应为对象"]})
    normaliser = _Normaliser()
    components = normaliser.components(raw.get("components") or [], None, "")
    if not normaliser.errors:
        normaliser.cross_checks()
    if normaliser.errors:
        first = next(iter(normaliser.errors.values()))[0]
        raise DomainError(CatalogErrorCode.INVALID_ITEM, f"电子表单定义不正确：{first}", normaliser.errors)
    return {"display": "form", "components": components}
