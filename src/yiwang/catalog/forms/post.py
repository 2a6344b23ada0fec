"""表单提交 An HTML form POST → the data ``validate_submission`` takes.

Inputs are named ``field_<key>``; a table cell ``field_<key>-<row>-<column>``; an address
``field_<key>-region`` and ``field_<key>-detail``; checkbox groups repeat their name; money is typed
in 元 and becomes integer fen here (Decimal, never float).  Files are not read here: the caller
takes ``field_<key>`` from ``request.FILES``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from yiwang.catalog.forms.definition import CONTAINER_TYPES, MAX_TABLE_ROWS, leaves

__all__ = ["parse_post", "yuan_to_fen"]

_MAX_ROW_INDEX = 10_000


def _get(source: Any, name: str) -> Any:
    value = source.get(name)
    if isinstance(value, list):
        return value[-1] if value else None
    return value


def _getlist(source: Any, name: str) -> list[Any]:
    if hasattr(source, "getlist"):
        return list(source.getlist(name))
    value = source.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def yuan_to_fen(text: Any) -> int | str | None:
    """``"12.5"`` 元 → 1250 fen; blank → None; anything else is returned for the validator to refuse."""
    if text is None:
        return None
    raw = str(text).strip().replace(",", "").replace("，", "").removesuffix("元").removeprefix("¥").strip()
    if not raw:
        return None
    try:
        yuan = Decimal(raw)
    except (InvalidOperation, ValueError):
        return str(text)
    if not yuan.is_finite() or abs(yuan) >= Decimal("1e13"):
        return str(text)
    fen = yuan * 100
    return int(fen) if fen == fen.to_integral_value() else str(text)


def _value(component: Mapping[str, Any], source: Any, name: str) -> Any:
    kind = component.get("type")
    if kind == "selectboxes":
        return [value for value in _getlist(source, name) if str(value).strip()]
    if kind == "checkbox":
        value = _get(source, name)
        return value is not None and str(value).lower() not in ("", "false", "0", "off")
    if kind == "currency":
        return yuan_to_fen(_get(source, name))
    if kind == "address":
        return {
            "region": _get(source, f"{name}-region") or "",
            "detail": _get(source, f"{name}-detail") or "",
        }
    return _get(source, name)


def parse_post(
    definition: Mapping[str, Any] | None, querydict: Any, prefix: str = "field_"
) -> dict[str, Any]:
    """The submitted values of every top-level field and table (unknown names are ignored)."""
    data: dict[str, Any] = {}
    keys = list(querydict.keys()) if hasattr(querydict, "keys") else []
    for leaf in leaves(definition, with_tables=False):
        name = f"{prefix}{leaf.key}"
        if leaf.type == "file":
            continue
        if leaf.type in CONTAINER_TYPES:
            cell = re.compile(
                rf"^{re.escape(name)}-(\d{{1,5}})-([A-Za-z][A-Za-z0-9_]{{0,49}})(?:-(?:region|detail))?$"
            )
            indices = sorted(
                {
                    int(m.group(1))
                    for k in keys
                    if (m := cell.match(str(k))) and int(m.group(1)) < _MAX_ROW_INDEX
                }
            )[: MAX_TABLE_ROWS + 1]
            rows = []
            for index in indices:
                row = {
                    str(column.get("key")): _value(column, querydict, f"{name}-{index}-{column.get('key')}")
                    for column in leaf.component.get("components") or []
                }
                rows.append(row)
            data[leaf.key] = rows
            continue
        if leaf.type == "checkbox" or name in querydict or f"{name}-region" in querydict:
            data[leaf.key] = _value(leaf.component, querydict, name)
    return data
