"""版式文件 The fixed-layout licence document (GB/T 36905): A4 landscape, framed, with the fields in
the type's template order, the identifier, a QR code to the public verification page and room for
the issuing body's seal (stamped afterwards as a PAdES signature, see :data:`SEAL_BOX`).

Chinese text uses the Adobe CID font STSong-Light (no font file needed), like the case documents.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from yiwang.core.pdf import draw_qr

FONT = "STSong-Light"
PAGE = landscape(A4)  # 842 × 595 pt
SEAL_BOX = (600, 40, 740, 180)  # where the visible seal is placed (points, bottom-left origin)
FRAME = Color(0.55, 0.1, 0.1)


def _ensure_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _date(value: date | None) -> str:
    return "长期" if value is None else f"{value.year}年{value.month}月{value.day}日"


@dataclass
class LicenceLayout:
    title: str
    identifier: str
    holder_name: str
    holder_code_label: str
    holder_code: str
    rows: list[tuple[str, str]]
    issuer_name: str
    issued_on: date
    valid_from: date
    valid_until: date | None
    verify_url: str


def _wrap(text: str, width: float, size: float) -> list[str]:
    lines, current = [], ""
    for char in text:
        if pdfmetrics.stringWidth(current + char, FONT, size) > width:
            lines.append(current)
            current = char
        else:
            current += char
    lines.append(current)
    return lines


def render_licence_pdf(layout: LicenceLayout) -> bytes:
    _ensure_font()
    buffer = io.BytesIO()
    width, height = PAGE
    canvas = Canvas(buffer, pagesize=PAGE, invariant=True)
    canvas.setTitle(f"{layout.title} {layout.identifier}")
    canvas.setAuthor(layout.issuer_name)
    canvas.setSubject(layout.identifier)
    canvas.setKeywords(["电子证照", layout.identifier])

    canvas.setStrokeColor(FRAME)
    canvas.setLineWidth(3)
    canvas.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
    canvas.setLineWidth(0.8)
    canvas.rect(18 * mm, 18 * mm, width - 36 * mm, height - 36 * mm)

    canvas.setFillColor(Color(0, 0, 0))
    canvas.setFont(FONT, 28)
    canvas.drawCentredString(width / 2, height - 45 * mm, layout.title)
    canvas.setFont(FONT, 9)
    canvas.drawCentredString(width / 2, height - 53 * mm, f"电子证照标识：{layout.identifier}")

    x_label, x_value, y = 35 * mm, 80 * mm, height - 70 * mm
    rows = [("持证主体", layout.holder_name), (layout.holder_code_label, layout.holder_code), *layout.rows]
    rows.append(("有效期限", f"{_date(layout.valid_from)} 至 {_date(layout.valid_until)}"))
    for label, value in rows:
        canvas.setFont(FONT, 12)
        canvas.drawString(x_label, y, label)
        lines = _wrap(str(value), width - x_value - 75 * mm, 12)
        for line in lines[:3]:
            canvas.drawString(x_value, y, line)
            y -= 7 * mm
        y -= 2 * mm
        if y < 50 * mm:
            break

    canvas.setFont(FONT, 14)
    canvas.drawCentredString((SEAL_BOX[0] + SEAL_BOX[2]) / 2, SEAL_BOX[1] + 30, layout.issuer_name)
    canvas.setFont(FONT, 12)
    canvas.drawCentredString((SEAL_BOX[0] + SEAL_BOX[2]) / 2, SEAL_BOX[1] + 12, _date(layout.issued_on))

    draw_qr(canvas, layout.verify_url, width - 58 * mm, height - 70 * mm, 32 * mm, mask=2)
    canvas.setFont(FONT, 8)
    canvas.drawCentredString(width - 42 * mm, height - 74 * mm, "扫码核验")
    canvas.drawString(25 * mm, 22 * mm, "本电子证照由发证机关加盖电子印章，与纸质证照具有同等法律效力。")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
