"""导入节假日安排 Import a year's official holiday schedule (the State Council notice) from CSV or JSON.

Formats (docs/operations.md, "Holiday calendar"):

* JSON: ``{"year": 2027, "source": "国办发明电〔2026〕16号", "days": [{"date": "2027-01-01",
  "kind": "holiday", "name": "元旦"}, {"date": "2027-02-07", "kind": "workday", "name": "春节"}]}``
* CSV (UTF-8, optional BOM): a header ``date,kind,name`` then one row per day; ``kind`` is
  ``holiday``/``workday`` (or 休/班, 放假/上班).  The year is that of the dates (all in one year).

Only exceptions to the Monday–Friday week are listed: holidays (weekend holidays may be listed,
they are kept for their names) and 调休 make-up workdays, which must fall on a weekend.  Importing
replaces the year's days and records the year as official; the cases app then recomputes every
deadline that was counted on the provisional calendar (:mod:`yiwang.cases.provisional`).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction

from yiwang.core import audit
from yiwang.core.calendar import replace_year_days
from yiwang.core.errors import CoreErrorCode, DomainError
from yiwang.core.models import CalendarDayKind, CalendarYear

__all__ = ["IMPORT_SOURCE", "ScheduleImport", "import_schedule", "parse_schedule"]

IMPORT_SOURCE = "国务院办公厅通知（导入）"
MAX_BYTES = 64 * 1024
MAX_DAYS = 120
MAX_NAME = 50
MAX_SOURCE = 100
KIND_ALIASES = {
    "holiday": CalendarDayKind.HOLIDAY,
    "休": CalendarDayKind.HOLIDAY,
    "放假": CalendarDayKind.HOLIDAY,
    "workday": CalendarDayKind.MAKEUP_WORKDAY,
    "班": CalendarDayKind.MAKEUP_WORKDAY,
    "上班": CalendarDayKind.MAKEUP_WORKDAY,
}


@dataclass(frozen=True)
class ScheduleImport:
    """A parsed, checked notice: ``days`` maps each date to (kind, name)."""

    year: int
    days: dict[date, tuple[str, str]]
    source: str


def _invalid(message: str, field: str = "file") -> DomainError:
    return DomainError(CoreErrorCode.VALIDATION_ERROR, message, {field: [message]}, status=422)


def _rows_from_json(text: str) -> tuple[int | None, str, list[dict[str, Any]]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _invalid(f"不是有效的 JSON：{exc.msg}（第 {exc.lineno} 行）") from exc
    except (ValueError, RecursionError) as exc:
        raise _invalid("不是有效的 JSON") from exc
    if not isinstance(document, dict) or not isinstance(document.get("days"), list):
        raise _invalid('JSON 须为对象，含 "days" 数组')
    year = document.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise _invalid('"year" 须为整数', "year")
    source = document.get("source", "")
    if not isinstance(source, str):
        raise _invalid('"source" 须为字符串', "source")
    rows = document["days"]
    if not all(isinstance(row, dict) for row in rows):
        raise _invalid('"days" 的每一项须为对象 {"date", "kind", "name"}')
    return year, source, rows


def _rows_from_csv(text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in reader.fieldnames or []]
        if header[:2] != ["date", "kind"]:
            raise _invalid("CSV 首行须为表头 date,kind,name")
        reader.fieldnames = header
        return [dict(row) for row in reader]
    except csv.Error as exc:
        raise _invalid(f"CSV 格式错误：{exc}") from exc


def _parse_row(row: dict[str, Any], number: int) -> tuple[date, str, str]:
    where = f"第 {number} 项"
    raw_date, raw_kind, raw_name = row.get("date"), row.get("kind"), row.get("name") or ""
    if not isinstance(raw_date, str) or not isinstance(raw_kind, str) or not isinstance(raw_name, str):
        raise _invalid(f"{where}：date、kind、name 须为文本")
    try:
        day = date.fromisoformat(raw_date.strip())
    except ValueError as exc:
        raise _invalid(f"{where}：日期 {raw_date[:20]!r} 不是 YYYY-MM-DD") from exc
    kind = KIND_ALIASES.get(raw_kind.strip().lower())
    if kind is None:
        raise _invalid(f"{where}：kind 须为 holiday 或 workday（休/班）")
    name = raw_name.strip()
    if len(name) > MAX_NAME or "\x00" in name:
        raise _invalid(f"{where}：名称过长或含非法字符")
    if kind == CalendarDayKind.MAKEUP_WORKDAY and day.weekday() < 5:
        raise _invalid(f"{where}：调休上班日 {day} 是工作日（周一至周五），无需列出")
    return day, str(kind), name


def parse_schedule(content: bytes | str, *, year: int | None = None) -> ScheduleImport:
    """解析 Parse and check a notice in JSON or CSV; raises a 422 :class:`DomainError` on bad input."""
    if isinstance(content, bytes):
        if len(content) > MAX_BYTES:
            raise _invalid(f"文件过大（上限 {MAX_BYTES // 1024} KB）")
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _invalid("文件须为 UTF-8 编码") from exc
    else:
        text = content.removeprefix("\ufeff")
    if "\x00" in text:
        raise _invalid("文件含非法字符（NUL）")
    source = ""
    if text.lstrip().startswith("{"):
        declared, source, rows = _rows_from_json(text)
    else:
        declared, rows = None, _rows_from_csv(text)
    if not rows:
        raise _invalid("没有任何日期")
    if len(rows) > MAX_DAYS:
        raise _invalid(f"日期过多（上限 {MAX_DAYS} 项）")
    days: dict[date, tuple[str, str]] = {}
    for number, row in enumerate(rows, start=1):
        day, kind, name = _parse_row(row, number)
        if day in days:
            raise _invalid(f"第 {number} 项：日期 {day} 重复")
        days[day] = (kind, name)
    years = {day.year for day in days}
    expected = year or declared
    if len(years) != 1 or (expected is not None and years != {expected}):
        raise _invalid(f"所有日期须在同一年度{f'（{expected} 年）' if expected else ''}", "year")
    if not any(kind == CalendarDayKind.HOLIDAY for kind, _ in days.values()):
        raise _invalid("至少须有一个法定节假日")
    if len(source) > MAX_SOURCE:
        raise _invalid("来源过长", "source")
    return ScheduleImport(year=years.pop(), days=days, source=source.strip())


def import_schedule(schedule: ScheduleImport, *, actor: Any = None) -> CalendarYear:
    """导入 Store the year as official, replacing its days; audited; deadlines follow after commit."""
    source = schedule.source or IMPORT_SOURCE
    with transaction.atomic():
        calendar_year = CalendarYear.objects.select_for_update().filter(year=schedule.year).first()
        replace_year_days(schedule.year, schedule.days)
        if calendar_year is None:
            calendar_year = CalendarYear(year=schedule.year)
        calendar_year.source = source[:MAX_SOURCE]
        calendar_year.note = f"国务院办公厅关于 {schedule.year} 年部分节假日安排的通知"
        calendar_year.save()  # post_save: the cases app recomputes provisional deadlines on commit
        holidays = sum(1 for kind, _ in schedule.days.values() if kind == CalendarDayKind.HOLIDAY)
        audit.record(
            "calendar.schedule_imported",
            actor=actor,
            obj=calendar_year,
            detail={
                "year": schedule.year,
                "source": calendar_year.source,
                "holidays": holidays,
                "workdays": len(schedule.days) - holidays,
            },
        )
    return calendar_year
