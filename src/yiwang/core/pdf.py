"""PDF drawing helpers shared by the platform's documents (licences, receipts)."""

from __future__ import annotations

import segno
from reportlab.lib.colors import Color
from reportlab.pdfgen.canvas import Canvas


def draw_qr(canvas: Canvas, url: str, x: float, y: float, size: float, *, mask: int | None = None) -> None:
    """The QR code of ``url`` as vector modules (no raster image to encode), ``size`` points wide
    with its lower-left corner at (x, y); a fixed ``mask`` saves segno the search for the best one."""
    matrix = segno.make(url, error="m", mask=mask, micro=False).matrix
    module = size / len(matrix)
    canvas.setFillColor(Color(0, 0, 0))
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + 1) * module
        start = None
        for col, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                path.rect(x + start * module, top, (col - start) * module, module)
                start = None
    canvas.drawPath(path, stroke=0, fill=1)
