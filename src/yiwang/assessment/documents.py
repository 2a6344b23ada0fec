"""The assessment report (考核评估报告) as a PDF: A4 landscape, the scheme and period, the ranking
with each indicator's points, and room for the owner's seal on the last page (stamped afterwards as a
PAdES signature, :data:`SEAL_BOX`).  Chinese text uses the Adobe CID font STSong-Light."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils import timezone
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

if TYPE_CHECKING:
    from yiwang.assessment.models import AssessmentResult, AssessmentRun

FONT = "STSong-Light"
PAGE = landscape(A4)  # 842 × 595 pt
SEAL_BOX = (660, 36, 780, 156)  # the visible seal on the last page (points, bottom-left origin)
ROW = 16
MAX_INDICATOR_COLUMNS = 8


def _ensure_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _fit(text: str, width: float, size: float) -> str:
    if pdfmetrics.stringWidth(text, FONT, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", FONT, size) > width:
        text = text[:-1]
    return text + "…"


def render_report_pdf(run: AssessmentRun, results: Sequence[AssessmentResult]) -> bytes:
    _ensure_font()
    buffer = io.BytesIO()
    width, height = PAGE
    canvas = Canvas(buffer, pagesize=PAGE, invariant=True)
    scheme = run.scheme
    title = f"{scheme.name}（第 {scheme.version} 版）考核评估报告"
    canvas.setTitle(title)
    canvas.setAuthor(scheme.owner.name)
    canvas.setSubject(run.period_label)
    indicators = run.indicators[:MAX_INDICATOR_COLUMNS]
    left = 18 * mm
    columns = [left, left + 40, left + 230, left + 290]
    step = (width - 18 * mm - columns[-1]) / max(len(indicators), 1)

    def header(first: bool) -> float:
        y = height - 20 * mm
        if first:
            canvas.setFont(FONT, 16)
            canvas.drawCentredString(width / 2, y, _fit(title, width - 40 * mm, 16))
            y -= 9 * mm
            canvas.setFont(FONT, 10)
            facts = (
                f"考核期间：{run.period_label}（{run.period_start:%Y-%m-%d} 至 {run.period_end:%Y-%m-%d}）",
                f"考核对象：{scheme.get_level_display()}　共 {len(results)} 个",
                f"发布单位：{scheme.owner.name}",
            )
            for fact in facts:
                canvas.drawString(left, y, fact)
                y -= 5.5 * mm
            y -= 3 * mm
        canvas.setFont(FONT, 9)
        canvas.drawString(columns[0], y, "名次")
        canvas.drawString(columns[1], y, "考核对象")
        canvas.drawString(columns[2], y, "总分")
        for index, indicator in enumerate(indicators):
            label = f"{indicator['label']}（{indicator['weight']}）"
            canvas.drawString(columns[3] + index * step, y, _fit(label, step - 4, 8))
        canvas.line(left, y - 4, width - 18 * mm, y - 4)
        return y - ROW

    y = header(True)
    for result in results:
        if y < 30 * mm:
            canvas.showPage()
            y = header(False)
        canvas.setFont(FONT, 9)
        canvas.drawString(columns[0], y, str(result.rank))
        canvas.drawString(columns[1], y, _fit(result.unit_label, 180, 9))
        canvas.drawString(columns[2], y, f"{result.total}")
        points = {row["source"]: row for row in result.breakdown}
        for index, indicator in enumerate(indicators):
            row = points.get(indicator["source"], {})
            text = "—" if row.get("missing") else str(row.get("points", ""))
            canvas.drawString(columns[3] + index * step, y, text)
        y -= ROW
    if len(run.indicators) > MAX_INDICATOR_COLUMNS:
        canvas.drawString(
            left, y, f"（另有 {len(run.indicators) - MAX_INDICATOR_COLUMNS} 项指标，详见电子表格）"
        )
        y -= ROW
    if y < SEAL_BOX[3] + 10:
        canvas.showPage()
    canvas.setFont(FONT, 10)
    published = timezone.localtime(run.published_at) if run.published_at else None
    when = f"{published:%Y年%m月%d日}" if published else ""
    centre = (SEAL_BOX[0] + SEAL_BOX[2]) / 2
    canvas.drawCentredString(centre, SEAL_BOX[1] + 6, _fit(f"{scheme.owner.name}（章）", 200, 10))
    canvas.drawCentredString(centre, SEAL_BOX[1] - 8, when)
    canvas.setFont(FONT, 7)
    canvas.drawString(left, 12 * mm, f"报告编号：{run.public_id}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
