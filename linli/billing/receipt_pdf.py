"""A receipt as a Chinese PDF (A5), drawn with reportlab.

Chinese text uses reportlab's built-in CID font STSong-Light (Adobe-GB1): the PDF names the font
and the reader supplies the glyphs, so no font file ships with linli and none is downloaded.
Numbers, amounts (¥1,234.50, as every page writes them), the receipt number and the verification
code are in Courier, so they stay legible and searchable in any reader. The QR code is drawn as vector squares from segno's matrix: sharp at
any zoom and on any printer, and no image library involved.
"""

import io
from datetime import datetime

import segno
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from linli.billing.services.receipts import ReceiptView
from linli.core.shell.formatting import yuan

CJK = "STSong-Light"
MONO = "Courier"
pdfmetrics.registerFont(UnicodeCIDFont(CJK))


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _period(line) -> str:
    if line.period_start is None:
        return ""
    return f"{line.period_start:%Y-%m-%d} ~ {line.period_end:%Y-%m-%d}"


def _qr(pdf: canvas.Canvas, data: str, x: float, y: float, size: float) -> None:
    matrix = segno.make(data, error="m").matrix
    cell = size / len(matrix)
    for row, bits in enumerate(matrix):
        for col, bit in enumerate(bits):
            if bit:
                pdf.rect(x + col * cell, y + size - (row + 1) * cell, cell, cell, stroke=0, fill=1)


def render(view: ReceiptView, verify_url: str) -> bytes:
    width, height = A5
    pdf = canvas.Canvas(io.BytesIO(), pagesize=A5, pageCompression=0)
    pdf.setTitle(f"{_('缴费收据')} {view.number}")
    pdf.setAuthor(view.community)
    left, right = 14 * mm, width - 14 * mm
    y = height - 20 * mm

    pdf.setFont(CJK, 18)
    pdf.drawCentredString(width / 2, y, _("缴费收据"))
    y -= 8 * mm
    pdf.setFont(CJK, 11)
    pdf.drawCentredString(width / 2, y, view.community)
    y -= 10 * mm

    def field(label: str, value: str, font: str = CJK) -> None:
        nonlocal y
        pdf.setFont(CJK, 10)
        pdf.drawString(left, y, label)
        pdf.setFont(font, 10)
        pdf.drawString(left + 22 * mm, y, value)
        y -= 6 * mm

    field(_("收据编号"), view.number, MONO)
    field(_("房屋"), view.house)
    field(_("缴费人"), view.payer + (_("（柜台代办）") if view.on_behalf else ""))
    field(_("支付方式"), view.channel)
    field(_("缴费时间"), _when(view.paid_at), MONO)
    y -= 2 * mm

    pdf.line(left, y + 4 * mm, right, y + 4 * mm)
    pdf.setFont(CJK, 10)
    pdf.drawString(left, y, _("收费项目"))
    pdf.drawString(left + 40 * mm, y, _("所属期间"))
    pdf.drawRightString(right, y, _("金额"))
    y -= 6 * mm
    for line in view.lines:
        pdf.setFont(CJK, 10)
        pdf.drawString(left, y, line.item)
        pdf.setFont(MONO, 9)
        pdf.drawString(left + 40 * mm, y, _period(line))
        pdf.setFont(MONO, 10)
        pdf.drawRightString(right, y, yuan(line.amount_fen))
        y -= 6 * mm
    pdf.line(left, y + 4 * mm, right, y + 4 * mm)
    pdf.setFont(CJK, 12)
    pdf.drawString(left, y - 1 * mm, _("合计"))
    pdf.setFont(MONO, 12)
    pdf.drawRightString(right, y - 1 * mm, yuan(view.total_fen))
    y -= 8 * mm
    if view.refunded_fen:
        refunded = yuan(view.refunded_fen)
        pdf.setFont(MONO, 10)
        pdf.drawRightString(right, y, refunded)
        pdf.setFont(CJK, 10)
        pdf.drawRightString(right - pdf.stringWidth(refunded, MONO, 10) - 2 * mm, y, _("已退款"))
        y -= 6 * mm

    size = 32 * mm
    qr_y = max(y - size - 4 * mm, 22 * mm)
    _qr(pdf, verify_url, left, qr_y, size)
    pdf.setFont(CJK, 10)
    pdf.drawString(left + size + 6 * mm, qr_y + size - 6 * mm, _("验证码"))
    pdf.setFont(MONO, 11)
    pdf.drawString(left + size + 6 * mm, qr_y + size - 12 * mm, view.verify_code)
    pdf.setFont(CJK, 9)
    pdf.drawString(left + size + 6 * mm, qr_y + size - 19 * mm, _("扫码或访问下方网址核验本收据真伪"))
    pdf.setFont(MONO, 7)
    pdf.drawString(left, qr_y - 5 * mm, verify_url)
    pdf.showPage()
    return pdf.getpdfdata()
