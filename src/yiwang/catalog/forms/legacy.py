"""旧版字段列表 The flat ``form_fields`` list: converting it into a definition and deriving it back.

``ServiceItem.form_fields`` stays as a derived column so that the readers which predate the e-forms
(bundles, results, hall console labels, case detail labels) keep working: every write of a
definition stores ``flatten(definition)`` there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from yiwang.catalog.forms.definition import CHOICE_TYPES, choices_of, leaves

__all__ = ["definition_of", "flatten", "from_legacy"]

_LEGACY_TYPE = {
    "textfield": "text",
    "textarea": "textarea",
    "phoneNumber": "text",
    "email": "text",
    "number": "number",
    "currency": "number",
    "datetime": "date",
    "select": "select",
    "radio": "select",
}
_KIND = {
    "currency": "money",
    "phoneNumber": "phone",
    "email": "email",
    "selectboxes": "choices",
    "checkbox": "yes_no",
    "address": "address",
    "file": "file",
    "datagrid": "table",
}


def from_legacy(form_fields: Sequence[Mapping[str, Any]] | None) -> dict[str, Any]:
    """A definition with one component per legacy field (text, textarea, date, number, select)."""
    components: list[dict[str, Any]] = []
    for field in form_fields or []:
        if not isinstance(field, Mapping) or not field.get("name"):
            continue
        kind = str(field.get("type") or "text")
        component: dict[str, Any] = {
            "type": {"textarea": "textarea", "date": "datetime", "number": "number", "select": "select"}.get(
                kind, "textfield"
            ),
            "key": str(field["name"]),
            "label": str(field.get("label") or field["name"]),
        }
        if field.get("required"):
            component["validate"] = {"required": True}
        if field.get("help_text"):
            component["description"] = str(field["help_text"])
        if kind == "select":
            component["data"] = {
                "values": [{"label": str(c), "value": str(c)} for c in field.get("choices") or []]
            }
        if kind == "date":
            component.update({"enableTime": False, "format": "yyyy-MM-dd"})
        if field.get("prefill"):
            component["properties"] = {"prefill": str(field["prefill"])}
        components.append(component)
    return {"display": "form", "components": components}


def flatten(definition: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The top-level fields of a definition in the legacy shape (plus ``component`` and ``kind``)."""
    rows: list[dict[str, Any]] = []
    for leaf in leaves(definition, with_tables=False):
        component = leaf.component
        props = component.get("properties") or {}
        rules = component.get("validate") or {}
        row: dict[str, Any] = {
            "name": leaf.key,
            "label": str(component.get("label") or leaf.key),
            "type": _LEGACY_TYPE.get(leaf.type, "text"),
            "required": bool(rules.get("required")),
            "choices": [value for value, _ in choices_of(component)]
            if leaf.type in CHOICE_TYPES and not props.get("codeTable")
            else [],
            "help_text": str(component.get("description") or ""),
            "component": leaf.type,
            "kind": props.get("kind") or _KIND.get(leaf.type, ""),
        }
        if props.get("prefill"):
            row["prefill"] = props["prefill"]
        if props.get("codeTable"):
            row["code_table"] = props["codeTable"]
        if leaf.type == "datagrid":
            row["columns"] = [
                {"name": str(child.get("key")), "label": str(child.get("label") or child.get("key"))}
                for child in component.get("components") or []
            ]
        rows.append(row)
    return rows


def definition_of(
    form_definition: Mapping[str, Any] | None, form_fields: Sequence[Mapping[str, Any]] | None
) -> dict[str, Any]:
    """The definition an item (or a snapshot of one) uses: its own, else the one its legacy list
    converts to (rows written before the definition existed)."""
    if form_definition and form_definition.get("components"):
        return dict(form_definition)
    return from_legacy(form_fields)
