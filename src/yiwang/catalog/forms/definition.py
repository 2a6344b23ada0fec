"""电子表单定义 The Form.io definition of an item's form: supported components, walking, normalising.

``normalise.normalise_definition`` is what every write of ``ServiceItem.form_definition`` goes through: it keeps
the supported keys of the supported components only, so what is stored is small and what the
renderer and the validator read is always well-formed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from yiwang.core.codetables import code_table

__all__ = [
    "CONTAINER_TYPES",
    "INPUT_TYPES",
    "LAYOUT_TYPES",
    "MAX_COMPONENTS",
    "MAX_TABLE_ROWS",
    "MAX_TEXT_LENGTH",
    "Leaf",
    "choices_of",
    "condition_keys",
    "empty_definition",
    "leaves",
    "subset",
    "walk",
]

INPUT_TYPES = frozenset(
    {
        "textfield",
        "textarea",
        "phoneNumber",
        "email",
        "number",
        "currency",
        "datetime",
        "select",
        "radio",
        "selectboxes",
        "checkbox",
        "address",
        "file",
    }
)
LAYOUT_TYPES = frozenset({"panel", "fieldset"})
CONTAINER_TYPES = frozenset({"datagrid"})
STATIC_TYPES = frozenset({"content"})
ALL_TYPES = INPUT_TYPES | LAYOUT_TYPES | CONTAINER_TYPES | STATIC_TYPES
CHOICE_TYPES = frozenset({"select", "radio", "selectboxes"})
TEXT_KINDS = frozenset({"", "id_number", "credit_code", "phone"})
MAX_COMPONENTS = 500
MAX_TABLE_ROWS = 100
MAX_TEXT_LENGTH = 2000
MAX_CHOICES = 300
MAX_PATTERN_LENGTH = 200


@dataclass(frozen=True)
class Leaf:
    """An input component with where it sits: ``parents`` are its panels, ``table`` its datagrid."""

    component: Mapping[str, Any]
    parents: tuple[Mapping[str, Any], ...]
    table: Mapping[str, Any] | None

    @property
    def key(self) -> str:
        return str(self.component["key"])

    @property
    def type(self) -> str:
        return str(self.component["type"])


def empty_definition() -> dict[str, Any]:
    return {"display": "form", "components": []}


def walk(
    components: list[Mapping[str, Any]], parents: tuple[Mapping[str, Any], ...] = ()
) -> Iterator[tuple[Mapping[str, Any], tuple[Mapping[str, Any], ...]]]:
    """Every component depth-first with its ancestors (panels and datagrids)."""
    for component in components:
        yield component, parents
        children = component.get("components")
        if isinstance(children, list):
            yield from walk(children, (*parents, component))


def leaves(definition: Mapping[str, Any] | None, *, with_tables: bool = True) -> Iterator[Leaf]:
    """Input components at the top level (datagrids included) and, ``with_tables``, their columns."""
    for component, parents in walk(list((definition or {}).get("components") or [])):
        kind = component.get("type")
        if kind not in INPUT_TYPES and kind not in CONTAINER_TYPES:
            continue
        table = next((p for p in reversed(parents) if p.get("type") in CONTAINER_TYPES), None)
        if table is not None and not with_tables:
            continue
        layout = tuple(p for p in parents if p.get("type") in LAYOUT_TYPES)
        yield Leaf(component, layout, table)


def choices_of(component: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(value, label) of a choice component: its values or its code table."""
    table = (component.get("properties") or {}).get("codeTable")
    if table:
        return code_table(str(table))
    values = component.get("values") or (component.get("data") or {}).get("values") or []
    return [(str(v.get("value", "")), str(v.get("label", ""))) for v in values if isinstance(v, Mapping)]


def condition_keys(conditional: Mapping[str, Any] | None) -> list[str]:
    if not conditional:
        return []
    keys = [
        str(c.get("component", "")) for c in conditional.get("conditions") or [] if isinstance(c, Mapping)
    ]
    if conditional.get("when"):
        keys.append(str(conditional["when"]))
    return [key.split(".")[-1] for key in keys if key]


def subset(definition: Mapping[str, Any] | None, keys: Collection[str]) -> dict[str, Any]:
    """The part of ``definition`` that asks for ``keys`` (top-level fields and tables), sections kept
    around what is left in them (e.g. what a 一件事 member still asks after the shared fields)."""

    def keep(components: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
        kept: list[dict[str, Any]] = []
        for component in components:
            kind = component.get("type")
            if kind in LAYOUT_TYPES:
                children = keep(list(component.get("components") or []))
                if children:
                    kept.append({**component, "components": children})
            elif (kind in INPUT_TYPES or kind in CONTAINER_TYPES) and str(component.get("key")) in keys:
                kept.append(dict(component))
        return kept

    return {"display": "form", "components": keep(list((definition or {}).get("components") or []))}
