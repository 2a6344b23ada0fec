"""对账报告导出 A reconciliation run's items as CSV (UTF-8 with BOM, for spreadsheet programs) or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.translation import gettext as _

from yiwang.payments.models import ItemKind, Outcome, ReconciliationItem, ReconciliationRun, Resolution


def headers() -> list[str]:
    return [
        _("对账日期"),
        _("缴款码"),
        _("类型"),
        _("对账结果"),
        _("对账单金额（分）"),
        _("本方金额（分）"),
        _("对账单笔数"),
        _("支付平台流水号"),
        _("部门"),
        _("处理状态"),
    ]


def rows(run: ReconciliationRun, items: Iterable[ReconciliationItem]) -> Iterator[list[Any]]:
    kinds, outcomes, resolutions = dict(ItemKind.choices), dict(Outcome.choices), dict(Resolution.choices)
    for item in items:
        org = item.organisation
        yield [
            run.day.isoformat(),
            item.order_no,
            str(kinds.get(item.kind, item.kind)),
            str(outcomes.get(item.outcome, item.outcome)),
            item.statement_fen,
            item.our_fen,
            item.line_count,
            item.gateway_trade_no,
            (org.short_name or org.name) if org else "",
            str(resolutions.get(item.resolution, item.resolution)),
        ]


def _safe(value: Any) -> Any:
    """A text cell that a spreadsheet would read as a formula is quoted (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def as_csv(run: ReconciliationRun, items: Iterable[ReconciliationItem]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers())
    for row in rows(run, items.iterator(chunk_size=2000) if hasattr(items, "iterator") else items):
        writer.writerow([_safe(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx(run: ReconciliationRun, items: Iterable[ReconciliationItem]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("对账明细"))
    sheet.append(headers())
    for row in rows(run, items.iterator(chunk_size=2000) if hasattr(items, "iterator") else items):
        sheet.append([_safe(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
