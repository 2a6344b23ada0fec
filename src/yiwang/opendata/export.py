"""The one place that decides what leaves the platform as open data, and writes it as CSV, JSON or
XLSX.

A column is exported only when the resource's *published* definition declares a field of that name
whose sensitivity is public or internal and which is not marked personal: personal and sensitive
fields, ``is_personal`` fields and columns the resource does not declare are dropped (deny by
default).  As a second guard, a cell that reads as a valid 公民身份号码 stops the export.
Every writer goes through :func:`open_table`, so no format can skip the rule."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from yiwang.core.errors import DomainError
from yiwang.core.identifiers import IdentifierError, validate_id_number
from yiwang.opendata.errors import OpendataErrorCode
from yiwang.opendata.models import DistributionFormat
from yiwang.opendata.sources import COUNT_COLUMNS
from yiwang.sharing.models import Sensitivity
from yiwang.sharing.services import published_fields

#: Sensitivities that may be opened.
OPEN_SENSITIVITIES = frozenset({Sensitivity.PUBLIC, Sensitivity.INTERNAL})


def is_open_field(field: Mapping[str, Any]) -> bool:
    """A published field may leave as open data (never personal, never sensitive)."""
    return field.get("sensitivity") in OPEN_SENSITIVITIES and not field.get("is_personal", False)


@dataclass(frozen=True)
class OpenTable:
    """Rows cut down to the open columns; the only thing the writers accept."""

    columns: list[str]
    labels: list[str]
    rows: list[list[Any]]


def open_columns(
    fields: Iterable[Mapping[str, Any]], columns: Iterable[str], counts: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """(name, label) of the ``columns`` that an open field of the resource declares, in source order.
    ``counts`` (name → label) are pure counts of an aggregate, open unless a field of that name says
    otherwise."""
    declared = {str(f.get("name")): f for f in fields}
    counts = counts or {}
    kept = []
    for name in columns:
        field = declared.get(name)
        if field is not None and is_open_field(field):
            kept.append((name, str(field.get("label") or name)))
        elif field is None and name in counts:
            kept.append((name, counts[name]))
    return kept


def _looks_like_id_number(value: Any) -> bool:
    if not isinstance(value, str) or len(value.strip()) != 18:
        return False
    try:
        validate_id_number(value.strip())
    except (IdentifierError, TypeError, ValueError):
        return False
    return True


def open_table(
    fields: Iterable[Mapping[str, Any]],
    columns: Iterable[str],
    rows: Iterable[Mapping[str, Any]],
    counts: Mapping[str, str] | None = None,
) -> OpenTable:
    """The rows restricted to the open columns; refuses data that carries an ID number."""
    kept = open_columns(fields, columns, counts)
    if not kept:
        raise DomainError(
            OpendataErrorCode.NOTHING_OPEN,
            "资源没有可开放的信息项（个人信息和敏感信息不开放）",
            {"resource": ["没有公开或内部级别的信息项与数据列对应"]},
        )
    names = [name for name, _ in kept]
    out = []
    for row in rows:
        values = [row.get(name) for name in names]
        if any(_looks_like_id_number(v) for v in values):
            raise DomainError(
                OpendataErrorCode.PERSONAL_DATA,
                "数据中含有公民身份号码，已拒绝开放",
                {"rows": ["含个人信息"]},
            )
        out.append(values)
    return OpenTable(columns=names, labels=[label for _, label in kept], rows=out)


def table_for_resource(resource: Any, columns: list[str], rows: list[dict[str, Any]]) -> OpenTable:
    return open_table(published_fields(resource), columns, rows, COUNT_COLUMNS)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
        return "'" + value  # never a formula in a spreadsheet (CSV/Excel injection)
    return value


def write_csv(table: OpenTable) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel reads UTF-8


def write_json(table: OpenTable) -> bytes:
    payload = {
        "columns": [
            {"name": n, "label": label} for n, label in zip(table.columns, table.labels, strict=True)
        ],
        "rows": [dict(zip(table.columns, row, strict=True)) for row in table.rows],
    }
    return json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")


def write_xlsx(table: OpenTable) -> bytes:
    from openpyxl import Workbook  # heavy: only when a workbook is written

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    sheet.append(table.labels)
    sheet.append(table.columns)
    for row in table.rows:
        sheet.append([str(v).lower() if isinstance(v, bool) else _cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


WRITERS = {
    DistributionFormat.CSV: write_csv,
    DistributionFormat.JSON: write_json,
    DistributionFormat.XLSX: write_xlsx,
}


def render(table: OpenTable, fmt: str) -> bytes:
    return WRITERS[DistributionFormat(fmt)](table)
