"""考核结果导出 A run as an Excel workbook (openpyxl): a ranking sheet and a breakdown sheet."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from yiwang.assessment.models import AssessmentResult, AssessmentRun


def _safe(value: Any) -> Any:
    """A text cell a spreadsheet would read as a formula is quoted (formula injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def as_xlsx(run: AssessmentRun, results: Sequence[AssessmentResult]) -> bytes:
    book = Workbook()
    ranking = book.active
    assert ranking is not None
    ranking.title = _("排名")
    labels = [str(i["label"]) for i in run.indicators]
    ranking.append([_("名次"), _("考核对象"), _("总分"), *labels])
    for result in results:
        points = {row["source"]: row for row in result.breakdown}
        ranking.append(
            [
                result.rank,
                _safe(result.unit_label),
                float(result.total),
                *[
                    None
                    if points.get(i["source"], {}).get("missing")
                    else float(Decimal(str(points[i["source"]]["points"])))
                    for i in run.indicators
                ],
            ]
        )
    breakdown = book.create_sheet(_("明细"))
    breakdown.append(
        [
            _("考核对象"),
            _("指标"),
            _("指标来源"),
            _("权重"),
            _("计分方法"),
            _("原始值"),
            _("得分比例"),
            _("得分"),
            _("缺失"),
        ]
    )
    specs = {i["source"]: i for i in run.indicators}
    for result in results:
        for row in result.breakdown:
            spec = specs.get(row["source"], {})
            breakdown.append(
                [
                    _safe(result.unit_label),
                    _safe(str(spec.get("label", ""))),
                    row["source"],
                    float(Decimal(str(spec.get("weight", "0")))),
                    str(spec.get("method", "")),
                    row["value"],
                    row["fraction"],
                    float(Decimal(str(row["points"]))),
                    _("是") if row["missing"] else "",
                ]
            )
    about = book.create_sheet(_("说明"))
    about.append([_("方案"), _safe(f"{run.scheme.name} v{run.scheme.version}")])
    about.append([_("期间"), run.period_label])
    about.append([_("状态"), str(run.get_status_display())])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
