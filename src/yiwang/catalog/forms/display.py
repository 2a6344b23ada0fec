"""表单展示 Submitted form data as read-only rows for the case detail pages (applicant and staff).

``display_nodes(definition, data)`` walks the definition in order: sections become headings, tables
tables, choices show their labels, money is shown in 元 (stored as fen), an address with its
region's name, a file field with its files (and the stored material, when the case keeps it).
Fields without a value are left out; data keys the definition does not know (an older form) come
last under their own key.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from yiwang.catalog.forms.definition import CONTAINER_TYPES, INPUT_TYPES, LAYOUT_TYPES, choices_of
from yiwang.catalog.forms.legacy import definition_of
from yiwang.core.codetables import code_label

__all__ = ["display_nodes", "display_value", "snapshot_display"]


def _money(value: Any) -> str:
    try:
        fen = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    return f"{fen / 100:,.2f} " + _("元")


def _choice_label(component: Mapping[str, Any], value: Any) -> str:
    table = (component.get("properties") or {}).get("codeTable")
    if table:
        return code_label(str(table), str(value)) or str(value)
    return dict(choices_of(component)).get(str(value), str(value))


def display_value(component: Mapping[str, Any], value: Any) -> str:
    """One stored value as text (files excepted: see :func:`display_nodes`)."""
    kind = component.get("type")
    if kind == "currency" and not isinstance(value, bool | Mapping | list):
        return _money(value)
    if kind in ("select", "radio"):
        return _choice_label(component, value)
    if kind == "selectboxes":
        picked = value if isinstance(value, list) else [value]
        return _("、").join(_choice_label(component, v) for v in picked)
    if kind == "checkbox":
        return _("是") if value is True or str(value).lower() in ("true", "1", "on") else _("否")
    if kind == "address" and isinstance(value, Mapping):
        region = str(value.get("region") or "")
        name = code_label("regions", region) if region else None
        return " ".join(part for part in (name or region, str(value.get("detail") or "")) if part)
    if isinstance(value, list):
        return _("、").join(str(v) for v in value)
    return str(value)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def display_nodes(
    definition: Mapping[str, Any] | None, data: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    """Nodes for ``forms/_display.html``: section | field | files | table, in the definition's order."""
    data = data or {}
    seen: set[str] = set()

    def build(components: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
        nodes: list[dict[str, Any]] = []
        for component in components:
            kind = component.get("type")
            key = str(component.get("key"))
            label = str(component.get("label") or key)
            if kind in LAYOUT_TYPES:
                children = build(list(component.get("components") or []))
                if children:
                    nodes.append({"kind": "section", "label": label, "children": children})
                continue
            if kind not in INPUT_TYPES and kind not in CONTAINER_TYPES:
                continue
            seen.add(key)
            value = data.get(key)
            if _empty(value):
                continue
            if kind in CONTAINER_TYPES:
                columns = [c for c in component.get("components") or [] if c.get("type") in INPUT_TYPES]
                rows = [
                    [
                        ""
                        if _empty(row.get(str(c.get("key"))))
                        else display_value(c, row.get(str(c.get("key"))))
                        for c in columns
                    ]
                    for row in (value if isinstance(value, list) else [])
                    if isinstance(row, Mapping)
                ]
                nodes.append(
                    {
                        "kind": "table",
                        "key": key,
                        "label": label,
                        "columns": [str(c.get("label") or c.get("key")) for c in columns],
                        "rows": rows,
                    }
                )
            elif kind == "file":
                files = [
                    {"name": str(ref.get("name") or ""), "material": str(ref.get("material") or "")}
                    for ref in (value if isinstance(value, list) else [])
                    if isinstance(ref, Mapping)
                ]
                nodes.append({"kind": "files", "key": key, "label": label, "files": files})
            else:
                nodes.append(
                    {"kind": "field", "key": key, "label": label, "value": display_value(component, value)}
                )
        return nodes

    nodes = build(list((definition or {}).get("components") or []))
    for key, value in data.items():
        if key not in seen and not _empty(value):
            shown = _("、").join(str(v) for v in value) if isinstance(value, list) else str(value)
            nodes.append({"kind": "field", "key": key, "label": key, "value": shown})
    return nodes


def snapshot_display(
    snapshot: Mapping[str, Any] | None, data: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    """:func:`display_nodes` by the form of a guide snapshot (the version a case was filed under)."""
    snapshot = snapshot or {}
    return display_nodes(definition_of(snapshot.get("form_definition"), snapshot.get("form_fields")), data)
