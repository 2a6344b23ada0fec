"""The visible seal (印章外观): a round official seal drawn as vector PDF with reportlab.

Red double ring, a five-pointed star in the centre, the body's name along the upper arc and the
seal's name below the star — the layout of a Chinese official seal.  The CID font STSong-Light needs
no font file, so this works on any machine.
"""

from __future__ import annotations

import io
import math

from reportlab.lib.colors import Color
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

FONT = "STSong-Light"
SEAL_RED = Color(0.85, 0.05, 0.05)
SIZE = 160  # points


def _ensure_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def render_seal_pdf(organisation_name: str, seal_name: str, code: str = "") -> bytes:
    _ensure_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(SIZE, SIZE), invariant=True)
    centre = SIZE / 2
    canvas.setStrokeColor(SEAL_RED)
    canvas.setFillColor(SEAL_RED)
    canvas.setLineWidth(5)
    canvas.circle(centre, centre, SIZE / 2 - 5, stroke=1, fill=0)
    canvas.setLineWidth(1)
    canvas.circle(centre, centre, SIZE / 2 - 11, stroke=1, fill=0)
    _star(canvas, centre, centre, 24)

    # The name runs clockwise along the upper arc, from about 210° to -30°.
    text = organisation_name[:20]
    radius = SIZE / 2 - 30
    span = min(250.0, 20.0 * len(text))
    start = 90 + span / 2
    font_size = 17 if len(text) <= 12 else 14
    for index, char in enumerate(text):
        angle = start - span * (index + 0.5) / len(text)
        rad = math.radians(angle)
        canvas.saveState()
        canvas.translate(centre + radius * math.cos(rad), centre + radius * math.sin(rad))
        canvas.rotate(angle - 90)
        canvas.setFont(FONT, font_size)
        canvas.drawCentredString(0, -font_size / 3, char)
        canvas.restoreState()

    canvas.setFont(FONT, 12)
    canvas.drawCentredString(centre, centre - 42, seal_name[:12])
    if code:
        canvas.setFont("Helvetica", 6)
        canvas.drawCentredString(centre, 22, code)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _star(canvas: Canvas, cx: float, cy: float, radius: float) -> None:
    path = canvas.beginPath()
    for point in range(10):
        r = radius if point % 2 == 0 else radius * 0.382
        angle = math.radians(90 + point * 36)
        x, y = cx + r * math.cos(angle), cy + r * math.sin(angle)
        if point == 0:
            path.moveTo(x, y)
        else:
            path.lineTo(x, y)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)
