"""条件显示 Conditional visibility, both Form.io formats, with chains.

A component is visible when its own condition holds and every panel around it is visible. A
condition refers to another field; when that field is itself hidden its value counts as empty, so a
chain (A shows B, B shows C) hides C as soon as A hides B.  Inside a table a condition may refer to a
column of the same row.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from yiwang.catalog.forms.definition import INPUT_TYPES, Leaf, leaves, walk

__all__ = ["Visibility", "condition_holds", "is_empty"]


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {} or value is False


def _number(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _equals(value: Any, expected: Any) -> bool:
    if isinstance(value, list):
        return str(expected) in [str(v) for v in value]
    if isinstance(value, bool):
        return value == (str(expected).lower() in ("true", "1", "yes", "on"))
    if isinstance(value, Mapping):
        return str(expected) in (str(value.get("region", "")), str(value.get("detail", "")))
    if value is None:
        return str(expected) == ""
    if str(value) == str(expected):
        return True
    left, right = _number(value), _number(expected)
    return left is not None and right is not None and left == right


def _compare(operator: str, value: Any, expected: Any) -> bool:
    if operator == "isEmpty":
        return is_empty(value)
    if operator == "isNotEmpty":
        return not is_empty(value)
    if operator == "isEqual":
        return _equals(value, expected)
    if operator == "isNotEqual":
        return not _equals(value, expected)
    left, right = _number(value), _number(expected)
    if left is None or right is None:
        return False
    return left > right if operator == "greaterThan" else left < right


def condition_holds(conditional: Mapping[str, Any] | None, lookup: Any) -> bool:
    """Whether a component with ``conditional`` is shown; ``lookup(key)`` gives a field's value
    (empty when that field is hidden)."""
    if not conditional:
        return True
    show = bool(conditional.get("show"))
    conditions = conditional.get("conditions")
    if conditions:
        results = [
            _compare(
                str(c.get("operator")), lookup(str(c.get("component", "")).split(".")[-1]), c.get("value")
            )
            for c in conditions
        ]
        matched = any(results) if conditional.get("conjunction") == "any" else all(results)
        return matched if show else not matched
    if conditional.get("when"):
        matched = _equals(lookup(str(conditional["when"])), conditional.get("eq", ""))
        return matched if show else not matched
    return True


class Visibility:
    """Visibility of every component of a definition for some data (memoised, cycle-safe)."""

    def __init__(self, definition: Mapping[str, Any] | None, data: Mapping[str, Any]) -> None:
        self.data = data
        self.components: dict[str, Mapping[str, Any]] = {}
        self.parents: dict[str, tuple[Mapping[str, Any], ...]] = {}
        self.table_of: dict[str, str | None] = {}
        for component, parents in walk(list((definition or {}).get("components") or [])):
            key = str(component.get("key", ""))
            self.components[key] = component
            self.parents[key] = parents
            table = next((p for p in reversed(parents) if p.get("type") == "datagrid"), None)
            self.table_of[key] = str(table["key"]) if table is not None else None
        self._cache: dict[str, bool] = {}
        self._busy: set[tuple[str, int]] = set()

    def value(self, key: str, row: Mapping[str, Any] | None = None, row_index: int = -1) -> Any:
        """The value a condition sees for ``key``: empty when the field is hidden."""
        if row is not None and key in row and self.table_of.get(key) is not None:
            return row.get(key) if self.visible(key, row, row_index) else None
        if key not in self.components or not self.visible(key):
            return None
        return self.data.get(key)

    def visible(self, key: str, row: Mapping[str, Any] | None = None, row_index: int = -1) -> bool:
        cache_key = f"{key}#{row_index}"
        if cache_key in self._cache:
            return self._cache[cache_key]
        marker = (key, row_index)
        if marker in self._busy:  # a cycle (refused by normalise_definition): treat as hidden
            return False
        self._busy.add(marker)
        try:
            component = self.components.get(key)
            result = component is not None and all(
                self._own(str(parent.get("key", "")), parent, None, -1)
                for parent in self.parents.get(key, ())
            )
            if result and component is not None:
                result = self._own(key, component, row, row_index)
        finally:
            self._busy.discard(marker)
        self._cache[cache_key] = result
        return result

    def _own(self, key: str, component: Mapping[str, Any], row: Mapping[str, Any] | None, index: int) -> bool:
        if component.get("hidden") and component.get("type") in INPUT_TYPES:
            return False
        return condition_holds(component.get("conditional"), lambda ref: self.value(ref, row, index))

    def visible_leaves(self) -> list[Leaf]:
        return [
            leaf for leaf in leaves(_definition_of(self)) if leaf.table is None and self.visible(leaf.key)
        ]


def _definition_of(visibility: Visibility) -> dict[str, Any]:
    top = [c for k, c in visibility.components.items() if not visibility.parents.get(k)]
    return {"components": top}
