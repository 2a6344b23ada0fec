"""运单 An EMS-style waybill (面单) as a PDF: 100 x 150 mm, the waybill number as a Code 128 barcode,
sender and recipient in full (printed at the window to stick on the parcel), a QR code to the
carrier's tracking page.  Rendered on request, never stored."""

from __future__ import annotations

import io

import segno
from reportlab.graphics.barcode import code128
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from yiwang.core.models import Region
from yiwang.core.regions import region_label
from yiwang.logistics import conf
from yiwang.logistics.models import CourierOrder

FONT = "STSong-Light"
PRINT_PURPOSE = "打印运单"  # the purpose recorded with the unmasked read
PAGE = (100 * mm, 150 * mm)


def _font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _division(code: str) -> str:
    region = Region.objects.filter(code=code).first()
    return region_label(region) if region is not None else code


def _wrap(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)][:3] or [""]


def tracking_url(order: CourierOrder) -> str:
    return f"{conf.carrier_url()}/track/{order.waybill_number}"


def render_waybill(order: CourierOrder) -> bytes:
    _font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=PAGE)
    canvas.setTitle(f"运单 {order.waybill_number}")
    width, height = PAGE
    canvas.setLineWidth(0.8)
    canvas.rect(3 * mm, 3 * mm, width - 6 * mm, height - 6 * mm)
    canvas.setFont(FONT, 14)
    canvas.drawString(6 * mm, height - 12 * mm, "政务快递 · 演示快递")
    canvas.setFont(FONT, 8)
    canvas.drawRightString(width - 6 * mm, height - 12 * mm, str(order.get_kind_display()))
    barcode = code128.Code128(order.waybill_number, barHeight=16 * mm, barWidth=0.33 * mm)
    barcode.drawOn(canvas, 6 * mm, height - 34 * mm)
    canvas.setFont(FONT, 11)
    canvas.drawString(8 * mm, height - 39 * mm, order.waybill_number)
    y = height - 46 * mm
    for title, prefix in (("收件人", "recipient"), ("寄件人", "sender")):
        canvas.line(3 * mm, y + 4 * mm, width - 3 * mm, y + 4 * mm)
        canvas.setFont(FONT, 10 if prefix == "recipient" else 8)
        name = getattr(order, f"{prefix}_name")
        phone = getattr(order, f"{prefix}_phone")
        canvas.drawString(6 * mm, y, f"{title}：{name}  {phone}")
        address = _division(getattr(order, f"{prefix}_region")) + " " + getattr(order, f"{prefix}_address")
        for line in _wrap(address, 24):
            y -= 5 * mm
            canvas.drawString(8 * mm, y, line)
        y -= 9 * mm
    canvas.line(3 * mm, y + 4 * mm, width - 3 * mm, y + 4 * mm)
    canvas.setFont(FONT, 8)
    canvas.drawString(6 * mm, y, f"内件：{order.contents or '文件'}")
    payer = "寄付（部门月结）" if order.postage_payer == "department" else "申请人支付"
    canvas.drawString(6 * mm, y - 5 * mm, f"邮费：{order.postage_fen / 100:.2f} 元  {payer}")
    if order.reference_label:
        canvas.drawString(6 * mm, y - 10 * mm, f"办件编号：{order.reference_label}")
    canvas.drawString(6 * mm, y - 15 * mm, f"寄件部门：{order.organisation.name}")
    qr = segno.make(tracking_url(order), error="m")
    image = io.BytesIO()
    qr.save(image, kind="png", scale=4, border=1)
    image.seek(0)
    canvas.drawImage(ImageReader(image), width - 30 * mm, 6 * mm, 24 * mm, 24 * mm)
    canvas.drawString(6 * mm, 8 * mm, "扫码查询物流轨迹")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
