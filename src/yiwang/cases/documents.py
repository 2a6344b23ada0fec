"""Decision documents (文书) rendered as PDF with reportlab.

Chinese text uses the Adobe CID font STSong-Light, which every PDF reader provides, so no font file
has to ship with the platform.  Each document carries a QR code that leads to the public status page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

FONT = "STSong-Light"
_font_registered = False


def _ensure_font() -> None:
    global _font_registered
    if not _font_registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _font_registered = True


@dataclass
class DocumentSpec:
    title: str
    issuer: str
    case_number: str
    applicant_name: str
    item_name: str
    paragraphs: list[str]
    issued_on: date
    verify_url: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)


def _wrap(text: str, width_chars: int) -> list[str]:
    # CJK text wraps per character; keep it simple and predictable.
    lines: list[str] = []
    for raw in text.split("\n"):
        while len(raw) > width_chars:
            lines.append(raw[:width_chars])
            raw = raw[width_chars:]
        lines.append(raw)
    return lines


def render_pdf(spec: DocumentSpec) -> bytes:
    _ensure_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle(f"{spec.title} {spec.case_number}")
    canvas.setAuthor(spec.issuer)
    canvas.setSubject(spec.item_name)
    width, height = A4
    y = height - 30 * mm

    canvas.setFont(FONT, 20)
    canvas.drawCentredString(width / 2, y, spec.issuer)
    y -= 12 * mm
    canvas.setFont(FONT, 18)
    canvas.drawCentredString(width / 2, y, spec.title)
    y -= 8 * mm
    canvas.setFont(FONT, 10)
    canvas.drawCentredString(width / 2, y, f"办件编号：{spec.case_number}")
    y -= 12 * mm

    canvas.setFont(FONT, 12)
    canvas.drawString(25 * mm, y, f"{spec.applicant_name}：")
    y -= 9 * mm
    for paragraph in spec.paragraphs:
        for line in _wrap("　　" + paragraph, 38):
            if y < 45 * mm:
                canvas.showPage()
                canvas.setFont(FONT, 12)
                y = height - 25 * mm
            canvas.drawString(25 * mm, y, line)
            y -= 7 * mm
        y -= 2 * mm

    if spec.facts:
        y -= 3 * mm
        canvas.setFont(FONT, 10)
        for label, value in spec.facts:
            canvas.drawString(25 * mm, y, f"{label}：{value}")
            y -= 6 * mm

    canvas.setFont(FONT, 12)
    canvas.drawRightString(width - 25 * mm, 50 * mm, spec.issuer)
    canvas.drawRightString(
        width - 25 * mm, 42 * mm, f"{spec.issued_on.year}年{spec.issued_on.month}月{spec.issued_on.day}日"
    )
    if spec.verify_url:
        qr = segno.make(spec.verify_url, error="m")
        png = io.BytesIO()
        qr.save(png, kind="png", scale=4, border=1)
        png.seek(0)
        canvas.drawImage(ImageReader(png), 25 * mm, 25 * mm, 28 * mm, 28 * mm)
        canvas.setFont(FONT, 8)
        canvas.drawString(25 * mm, 21 * mm, "扫码查询办件进度")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
