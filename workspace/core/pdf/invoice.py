"""Invoice PDF drawn with reportlab: branding, line items (a table that continues across
pages with its header repeated), tax, totals, payments, amount due and notes."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Image,
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from workspace.core import storage
from workspace.core.models import Invoice, LineItem, Organization, Payment
from workspace.core.money import format_money

STATUS_LABELS = {
    "draft": "DRAFT",
    "sent": "DUE",
    "viewed": "DUE",
    "overdue": "OVERDUE",
    "partially_paid": "PARTIALLY PAID",
    "paid": "PAID",
    "void": "VOID",
}
INK = colors.HexColor("#1f2937")
MUTED = colors.HexColor("#6b7280")
RULE = colors.HexColor("#e5e7eb")
STRIPE = colors.HexColor("#f9fafb")

_base = ParagraphStyle("base", fontName="Helvetica", fontSize=9, leading=12, textColor=INK)
_small = ParagraphStyle("small", parent=_base, fontSize=8, leading=10, textColor=MUTED)
_right = ParagraphStyle("right", parent=_base, alignment=TA_RIGHT)
_heading = ParagraphStyle(
    "heading", parent=_base, fontName="Helvetica-Bold", fontSize=20, leading=24
)
_label = ParagraphStyle(
    "label", parent=_small, fontName="Helvetica-Bold", textColor=MUTED, spaceAfter=2
)


def _date(ms: int | None) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%d %b %Y") if ms else ""


def _brand(org: Organization) -> colors.Color:
    try:
        return colors.HexColor(org.brand_color or "#4f46e5")
    except ValueError:
        return colors.HexColor("#4f46e5")


def _logo(org: Organization) -> Image | None:
    if not org.logo_sha256 or not storage.exists(org.logo_sha256):
        return None
    try:
        image = Image(io.BytesIO(storage.get_bytes(org.logo_sha256)))
    except OSError:
        return None
    ratio = image.imageWidth / max(image.imageHeight, 1)
    image.drawHeight = 14 * mm
    image.drawWidth = min(14 * mm * ratio, 60 * mm)
    return image


def _wrapped(text: str, width: float) -> str:
    """Plain text broken to the column width: much cheaper than a Paragraph per table cell,
    which matters for invoices with hundreds of lines."""
    if "\n" not in text and stringWidth(text, "Helvetica", 9) <= width:
        return text or " "
    return "\n".join(simpleSplit(text, "Helvetica", 9, width)) or " "


def _p(text: str, style: ParagraphStyle = _base) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def render_invoice(
    *,
    invoice: Invoice,
    org: Organization,
    lines: list[LineItem],
    payments: list[Payment],
) -> bytes:
    buffer = io.BytesIO()
    brand = _brand(org)
    money = lambda amount: format_money(amount, invoice.currency, symbol=False)  # noqa: E731
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Invoice {invoice.invoice_number}",
        author=org.name,
        subject=invoice.title or f"Invoice {invoice.invoice_number}",
        invariant=1,
    )
    width = doc.width
    story: list = []

    logo = _logo(org)
    org_block = [logo] if logo else []
    org_block.append(
        Paragraph(
            f'<font color="#{brand.hexval()[2:]}" size="14"><b>{escape(org.name)}</b></font>',
            _base,
        )
    )
    title_block = [
        Paragraph("INVOICE", ParagraphStyle("t", parent=_heading, alignment=TA_RIGHT)),
        _p(invoice.invoice_number, _right),
        Paragraph(
            f'<font color="{_status_color(invoice.status)}"><b>'
            f"{STATUS_LABELS.get(invoice.status, invoice.status.upper())}</b></font>",
            _right,
        ),
    ]
    header = Table([[org_block, title_block]], colWidths=[width * 0.55, width * 0.45])
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [header, Spacer(1, 8 * mm)]

    bill_to = [Paragraph("BILL TO", _label), _p(invoice.client_name)]
    if invoice.client_company:
        bill_to.append(_p(invoice.client_company))
    bill_to.append(_p(invoice.client_email, _small))
    dates = Table(
        [
            [Paragraph("INVOICE DATE", _label), _p(_date(invoice.invoice_date), _right)],
            [Paragraph("DUE DATE", _label), _p(_date(invoice.due_date), _right)],
            [Paragraph("CURRENCY", _label), _p(invoice.currency, _right)],
        ],
        colWidths=[width * 0.2, width * 0.2],
    )
    dates.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    meta = Table([[bill_to, dates]], colWidths=[width * 0.6, width * 0.4])
    meta.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    story += [meta, Spacer(1, 6 * mm)]
    if invoice.title:
        story += [
            _p(
                invoice.title,
                ParagraphStyle("title", parent=_base, fontName="Helvetica-Bold", fontSize=11),
            ),
            Spacer(1, 3 * mm),
        ]

    rows = [["Description", "Qty", "Unit price", "Amount"]]
    description_width = width * 0.52 - 12  # minus the cell padding
    for item in lines:
        rows.append(
            [
                _wrapped(item.description, description_width),
                item.quantity,
                money(item.unit_price_minor),
                money(item.total_minor),
            ]
        )
    if not lines:
        rows.append([_p("No line items yet.", _small), "", "", ""])
    table = LongTable(
        rows,
        colWidths=[width * 0.52, width * 0.1, width * 0.19, width * 0.19],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("BACKGROUND", (0, 0), (-1, 0), brand),
                ("FONT", (0, 1), (-1, -1), "Helvetica", 9),
                ("LEADING", (0, 1), (-1, -1), 11),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE]),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    story += [table, Spacer(1, 4 * mm)]

    due = 0 if invoice.status == "void" else invoice.total_minor - invoice.paid_minor
    totals = [
        ["Subtotal", money(invoice.subtotal_minor)],
        [f"Tax ({invoice.tax_rate}%)", money(invoice.tax_minor)],
        ["Total", money(invoice.total_minor)],
    ]
    if invoice.paid_minor:
        totals.append(["Paid", f"-{money(invoice.paid_minor)}"])
    totals.append(["Amount due", money(due)])
    totals_table = Table(totals, colWidths=[width * 0.2, width * 0.2], hAlign="RIGHT")
    totals_table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Helvetica", 9),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("FONT", (0, 2), (-1, 2), "Helvetica-Bold", 9),
                ("LINEABOVE", (0, 2), (-1, 2), 0.5, RULE),
                ("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 11),
                ("TEXTCOLOR", (0, -1), (-1, -1), brand),
                ("LINEABOVE", (0, -1), (-1, -1), 1, brand),
                ("TOPPADDING", (0, -1), (-1, -1), 6),
            ]
        )
    )
    story += [totals_table, Spacer(1, 6 * mm)]

    if payments:
        story.append(Paragraph("PAYMENTS", _label))
        pay_rows = [["Date", "Method", "Reference", "Amount"]] + [
            [
                _date(p.payment_date),
                p.payment_method.replace("_", " "),
                _p(p.reference or "-"),
                money(p.amount_minor),
            ]
            for p in payments
        ]
        pay_table = Table(
            pay_rows, colWidths=[width * 0.2, width * 0.25, width * 0.35, width * 0.2], repeatRows=1
        )
        pay_table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
                    ("TEXTCOLOR", (0, 0), (-1, 0), MUTED),
                    ("FONT", (0, 1), (-1, -1), "Helvetica", 9),
                    ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                ]
            )
        )
        story += [pay_table, Spacer(1, 6 * mm)]

    if invoice.notes:
        story += [Paragraph("NOTES", _label), _p(invoice.notes), Spacer(1, 4 * mm)]

    footer_text = f"{org.name} · Invoice {invoice.invoice_number}"
    watermark = "TEST MODE" if invoice.test_mode else ("VOID" if invoice.status == "void" else "")

    def decorate(canvas, document) -> None:
        canvas.saveState()
        canvas.setFillColor(brand)
        canvas.rect(0, A4[1] - 4 * mm, A4[0], 4 * mm, stroke=0, fill=1)
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(18 * mm, 10 * mm, footer_text)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Page {document.page}")
        if watermark:
            canvas.setFont("Helvetica-Bold", 64)
            canvas.setFillColor(colors.Color(0.86, 0.15, 0.15, alpha=0.12))
            canvas.translate(A4[0] / 2, A4[1] / 2)
            canvas.rotate(35)
            canvas.drawCentredString(0, 0, watermark)
        canvas.restoreState()

    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def _status_color(status: str) -> str:
    return {
        "paid": "#15803d",
        "overdue": "#b91c1c",
        "void": "#6b7280",
        "partially_paid": "#b45309",
        "draft": "#6b7280",
    }.get(status, "#1d4ed8")
