"""版式文件 The receipt as a PDF: 240 × 150 mm, framed, with the number, the payer, the lines, the
amount in figures and in capitals, the collecting department, a QR code to the public verification
page and room for the department's seal (stamped afterwards as a PAdES signature, :data:`SEAL_BOX`).
A red-letter receipt (红字) is printed in red with its negative amounts and the original it reverses.

Chinese text uses the Adobe CID font STSong-Light (no font file needed), like licences and case
documents.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime

from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from yiwang.core.pdf import draw_qr
from yiwang.receipts.amounts import yuan_text

FONT = "STSong-Light"
PAGE = (240 * mm, 150 * mm)  # 680 × 425 pt
SEAL_BOX = (440, 28, 560, 148)  # the visible seal over 执收单位（章） (points, bottom-left origin)
BLACK = Color(0, 0, 0)
FRAME = Color(0.55, 0.1, 0.1)
RED = Color(0.8, 0.05, 0.05)
MAX_LINES = 6
TITLE = "非税收入统一票据（电子）"


@dataclass
class ReceiptLayout:
    number_code: str  # 票据代码
    number_serial: str  # 票据号码
    check_code: str  # 校验码
    issued_at: datetime
    payer_name: str
    payee_name: str
    order_code: str
    reference: str
    subject_title: str
    lines: list[dict[str, object]]
    total_fen: int
    amount_in_words: str
    verify_url: str
    red_letter: bool = False
    notes: list[str] = field(default_factory=list)


def _ensure_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _fit(text: str, width: float, size: float) -> str:
    """``text`` cut (with …) to fit ``width`` points."""
    if pdfmetrics.stringWidth(text, FONT, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", FONT, size) > width:
        text = text[:-1]
    return text + "…"


def render_receipt_pdf(layout: ReceiptLayout) -> bytes:
    _ensure_font()
    buffer = io.BytesIO()
    width, height = PAGE
    ink = RED if layout.red_letter else BLACK
    canvas = Canvas(buffer, pagesize=PAGE, invariant=True)
    number = f"{layout.number_code}-{layout.number_serial}-{layout.check_code}"
    canvas.setTitle(f"{TITLE} {number}")
    canvas.setAuthor(layout.payee_name)
    canvas.setSubject(number)
    canvas.setKeywords(["财政电子票据", number, "红字" if layout.red_letter else "蓝字"])

    canvas.setStrokeColor(FRAME)
    canvas.setLineWidth(1.5)
    canvas.rect(8 * mm, 8 * mm, width - 16 * mm, height - 16 * mm)

    draw_qr(canvas, layout.verify_url, 14 * mm, height - 42 * mm, 28 * mm)
    canvas.setFillColor(BLACK)
    canvas.setFont(FONT, 7)
    canvas.drawCentredString(28 * mm, height - 46 * mm, "扫码查验")

    canvas.setFillColor(ink)
    canvas.setFont(FONT, 18)
    canvas.drawCentredString(width / 2, height - 22 * mm, TITLE)
    if layout.red_letter:
        canvas.setFont(FONT, 11)
        canvas.drawCentredString(width / 2, height - 29 * mm, "红字票据（冲红）")

    canvas.setFillColor(BLACK)
    canvas.setFont(FONT, 9)
    right = width - 70 * mm
    issued = layout.issued_at
    facts = [
        ("票据代码", layout.number_code),
        ("票据号码", layout.number_serial),
        ("校验码", layout.check_code),
        ("开票日期", f"{issued.year}年{issued.month:02d}月{issued.day:02d}日"),
    ]
    y = height - 18 * mm
    for label, value in facts:
        canvas.drawString(right, y, f"{label}：{value}")
        y -= 5 * mm

    y = height - 52 * mm
    canvas.setFont(FONT, 10)
    canvas.drawString(14 * mm, y, _fit(f"交款人：{layout.payer_name}", 100 * mm, 10))
    canvas.drawString(120 * mm, y, f"缴款码：{layout.order_code}")

    # the lines
    columns = [14 * mm, 100 * mm, 130 * mm, 180 * mm]  # 项目名称, 数量, 金额（元）, 收费依据
    y -= 8 * mm
    canvas.setStrokeColor(BLACK)
    canvas.setLineWidth(0.5)
    canvas.line(12 * mm, y + 5 * mm, width - 12 * mm, y + 5 * mm)
    canvas.setFont(FONT, 9)
    for x, label in zip(columns, ("项目名称", "数量", "金额（元）", "收费依据"), strict=True):
        canvas.drawString(x, y, label)
    canvas.line(12 * mm, y - 2 * mm, width - 12 * mm, y - 2 * mm)
    shown = layout.lines[:MAX_LINES]
    for line in shown:
        y -= 6 * mm
        canvas.setFillColor(BLACK)
        canvas.drawString(columns[0], y, _fit(str(line.get("name", "")), 84 * mm, 9))
        canvas.drawString(columns[1], y, _fit(str(line.get("quantity", "") or "1"), 28 * mm, 9))
        canvas.setFillColor(ink)
        amount = int(str(line.get("amount_fen", 0)))
        canvas.drawRightString(columns[2] + 30 * mm, y, yuan_text(amount))
        canvas.setFillColor(BLACK)
        canvas.drawString(columns[3], y, _fit(str(line.get("legal_basis", "")), 44 * mm, 8))
    if len(layout.lines) > MAX_LINES:
        y -= 6 * mm
        canvas.drawString(columns[0], y, f"（另有 {len(layout.lines) - MAX_LINES} 项，详见查验页面）")
    y -= 4 * mm
    canvas.line(12 * mm, y, width - 12 * mm, y)

    y -= 7 * mm
    canvas.setFont(FONT, 10)
    canvas.setFillColor(ink)
    canvas.drawString(14 * mm, y, _fit(f"金额合计（大写）：{layout.amount_in_words}", 130 * mm, 10))
    canvas.drawString(150 * mm, y, f"（小写）¥{yuan_text(layout.total_fen)}")
    canvas.setFillColor(BLACK)

    y -= 8 * mm
    canvas.setFont(FONT, 8)
    notes = [f"业务编号：{layout.reference}" if layout.reference else "", layout.subject_title, *layout.notes]
    canvas.drawString(14 * mm, y, "备注：")
    for note in [n for n in notes if n][:4]:
        canvas.drawString(24 * mm, y, _fit(note, 120 * mm, 8))
        y -= 4.5 * mm

    canvas.setFont(FONT, 10)
    centre = (SEAL_BOX[0] + SEAL_BOX[2]) / 2
    canvas.drawString(14 * mm, 14 * mm, "收款人：统一公共支付平台")
    canvas.drawCentredString(centre, 20 * mm, _fit(f"执收单位（章）：{layout.payee_name}", 90 * mm, 10))
    canvas.setFont(FONT, 7)
    canvas.drawString(14 * mm, 10 * mm, _fit(f"查验：{layout.verify_url}", 140 * mm, 7))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
