"""表单呈现 The nodes the template partial ``forms/_form.html`` renders from a definition.

Every node is a plain dict (``kind`` = section | content | control | table); a control carries its
input name, current value (money shown in 元), choices, errors, the provenance badge from
``sources`` and, for the page's script (``static/yiwang/forms.js``), its condition and formula as
JSON/text data attributes.  Plain fields work without the script.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from yiwang.catalog.forms.definition import CONTAINER_TYPES, INPUT_TYPES, LAYOUT_TYPES, choices_of

__all__ = ["Source", "render_nodes"]

ROW_PLACEHOLDER = "__row__"
_INPUT_TYPE = {
    "phoneNumber": "tel",
    "email": "email",
    "number": "text",
    "currency": "text",
    "datetime": "date",
}


_ADDRESS_WORDS = ("地址", "住所", "住址", "所在地", "坐落")


def _wide(component: Mapping[str, Any]) -> bool:
    """A text field that holds an address (住所、经营场所、邮寄地址…) gets a full-width input."""
    key = str(component.get("key") or "").lower()
    label = str(component.get("label") or "")
    return component.get("type") == "textfield" and (
        "address" in key
        or "location" in key
        or any(word in label for word in _ADDRESS_WORDS)
        or label.endswith("场所")
    )


def _help(component: Mapping[str, Any]) -> str:
    text = str(component.get("description") or "")
    if component.get("type") == "datetime":
        hint = _("日期格式：年-月-日，如 2025-01-31")
        return f"{text} {hint}".strip()
    return text


@dataclass(frozen=True)
class Source:
    """Where a prefilled value came from (e.g. “实名账户”) and whether the applicant may change it."""

    label: str
    locked: bool = False


def _display(component: Mapping[str, Any], value: Any) -> Any:
    kind = component.get("type")
    if value is None:
        value = component.get("defaultValue")
    if value is None:
        return [] if kind == "selectboxes" else ""
    if kind == "currency" and isinstance(value, int) and not isinstance(value, bool):
        return f"{Decimal(value) / 100:.2f}"
    if kind == "selectboxes":
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]
    if kind == "checkbox":
        return value is True or str(value).lower() in ("true", "on", "1")
    if kind == "address":
        return value if isinstance(value, Mapping) else {"region": "", "detail": str(value)}
    return value


def _control(
    component: Mapping[str, Any],
    value: Any,
    errors: list[str],
    name: str,
    source: Source | None,
) -> dict[str, Any]:
    kind = str(component.get("type"))
    props = component.get("properties") or {}
    rules = component.get("validate") or {}
    shown = _display(component, value)
    choices: list[dict[str, Any]] = []
    if kind in ("select", "radio", "selectboxes"):
        picked = set(shown) if isinstance(shown, list) else {str(shown)}
        choices = [
            {"value": v, "label": label, "selected": v in picked} for v, label in choices_of(component)
        ]
    locked = bool(source and source.locked) or (props.get("prefillLocked") == "true" and source is not None)
    node = {
        "kind": "control",
        "type": kind,
        "input_type": _INPUT_TYPE.get(kind, "text"),
        "key": str(component.get("key")),
        "name": name,
        "id": "id_" + name.replace(ROW_PLACEHOLDER, "x"),
        "label": str(component.get("label") or component.get("key")),
        "help": _help(component),
        "placeholder": str(component.get("placeholder") or ("YYYY-MM-DD" if kind == "datetime" else "")),
        "wide": _wide(component),
        "required": bool(rules.get("required")),
        "value": shown,
        "choices": choices,
        "errors": errors,
        "source": source,
        "locked": locked,
        "readonly": locked or bool(component.get("disabled")) or bool(component.get("calculateValue")),
        "multiple": bool(component.get("multiple")),
        "rows": int(component.get("rows") or 3),
        "decimals": component.get("decimalLimit"),
        "min": rules.get("min"),
        "max": rules.get("max"),
        "maxlength": min(int(rules.get("maxLength") or 2000), 2000)
        if kind in ("textfield", "textarea")
        else None,
        "min_date": (component.get("datePicker") or {}).get("minDate", ""),
        "max_date": (component.get("datePicker") or {}).get("maxDate", ""),
        "conditional": json.dumps(component["conditional"], ensure_ascii=False)
        if component.get("conditional")
        else "",
        "calculate": str(component.get("calculateValue") or ""),
        "unit": "元" if kind == "currency" else "",
    }
    node["wrap_attrs"], node["input_attrs"] = _attributes(node)
    return node


def _attr(name: str, value: Any) -> str:
    return f' {name}="{escape(value)}"'


def _attributes(c: Mapping[str, Any]) -> tuple[SafeString, SafeString]:
    """The control's attributes as escaped HTML, built once here instead of by dozens of template
    conditions per field (the partial's cost for a 200-field form; ADR 0020): the wrapper's data
    attributes for forms.js, and the input's id/name/limits/state."""
    wrap = _attr("data-eform-key", c["key"]) + _attr("data-eform-type", c["type"])
    if c["conditional"]:
        wrap += _attr("data-conditional", c["conditional"])
    if c["calculate"]:
        wrap += _attr("data-calculate", c["calculate"])
    if c["decimals"] is not None:
        wrap += _attr("data-decimals", c["decimals"])
    attrs = _attr("id", c["id"]) + _attr("name", c["name"])
    if c["wide"]:
        attrs += ' class="input-wide" autocomplete="street-address"'
    if c["placeholder"] and c["type"] != "select":
        attrs += _attr("placeholder", c["placeholder"])
    if c["maxlength"]:
        attrs += _attr("maxlength", c["maxlength"])
    if c["type"] in ("number", "currency"):
        attrs += ' inputmode="decimal"'
    if c["min_date"]:
        attrs += _attr("min", c["min_date"])
    if c["max_date"]:
        attrs += _attr("max", c["max_date"])
    if c["readonly"]:
        attrs += " disabled" if c["type"] == "select" else " readonly"
    if c["errors"]:
        attrs += ' aria-invalid="true"' + _attr("aria-describedby", f"{c['id']}-error")
    return mark_safe(wrap), mark_safe(attrs)


def render_nodes(
    definition: Mapping[str, Any] | None,
    values: Mapping[str, Any] | None,
    errors: Mapping[str, Any] | None,
    *,
    prefix: str = "field_",
    sources: Mapping[str, Source] | None = None,
) -> list[dict[str, Any]]:
    """The node tree of ``definition`` filled with ``values`` and ``errors`` (keyed like the validator's)."""
    values = values or {}
    errors = errors or {}
    sources = sources or {}

    def errs(path: str) -> list[str]:
        found = errors.get(path) or []
        return [str(e) for e in found] if isinstance(found, list | tuple) else [str(found)]

    def build(components: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
        nodes: list[dict[str, Any]] = []
        for component in components:
            kind = component.get("type")
            key = str(component.get("key"))
            if kind in LAYOUT_TYPES:
                nodes.append(
                    {
                        "kind": "section",
                        "key": key,
                        "label": str(component.get("label") or ""),
                        "children": build(list(component.get("components") or [])),
                        "conditional": json.dumps(component["conditional"], ensure_ascii=False)
                        if component.get("conditional")
                        else "",
                    }
                )
            elif kind == "content":
                nodes.append(
                    {"kind": "content", "key": key, "text": strip_tags(str(component.get("html") or ""))}
                )
            elif kind in CONTAINER_TYPES:
                nodes.append(_table(component, values.get(key), errs, prefix))
            elif kind in INPUT_TYPES:
                nodes.append(
                    _control(component, values.get(key), errs(key), f"{prefix}{key}", sources.get(key))
                )
        return nodes

    return build(list((definition or {}).get("components") or []))


def _table(component: Mapping[str, Any], value: Any, errs: Any, prefix: str) -> dict[str, Any]:
    key = str(component.get("key"))
    columns = [c for c in component.get("components") or [] if c.get("type") in INPUT_TYPES]
    rows_data = [row for row in value if isinstance(row, Mapping)] if isinstance(value, list) else []
    rules = component.get("validate") or {}
    least = int(rules.get("minLength") or (1 if rules.get("required") else 0))
    while len(rows_data) < max(least, 1):
        rows_data.append({})
    rows = [
        {
            "index": index,
            "cells": [
                _control(
                    c,
                    row.get(str(c["key"])),
                    errs(f"{key}.{index}.{c['key']}"),
                    f"{prefix}{key}-{index}-{c['key']}",
                    None,
                )
                for c in columns
            ],
        }
        for index, row in enumerate(rows_data)
    ]
    template = [_control(c, None, [], f"{prefix}{key}-{ROW_PLACEHOLDER}-{c['key']}", None) for c in columns]
    return {
        "kind": "table",
        "key": key,
        "label": str(component.get("label") or key),
        "help": str(component.get("description") or ""),
        "required": bool(rules.get("required")),
        "columns": [
            {
                "key": str(c["key"]),
                "label": str(c.get("label") or c["key"]),
                "required": bool((c.get("validate") or {}).get("required")),
            }
            for c in columns
        ],
        "rows": rows,
        "template": template,
        "min_rows": least,
        "max_rows": min(int(rules.get("maxLength") or 100), 100),
        "errors": errs(key),
        "conditional": json.dumps(component["conditional"], ensure_ascii=False)
        if component.get("conditional")
        else "",
        "prefix": f"{prefix}{key}",
    }
