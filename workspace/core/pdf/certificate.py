"""The certificate of completion: who signed what, when, from where, and the evidence hashes."""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Image,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from workspace.core.clock import from_ms
from workspace.core.pdf.stamp import font_for

ACCENT = colors.HexColor("#4f46e5")
MUTED = colors.HexColor("#6b7280")
RULE = colors.HexColor("#e5e7eb")
SOFT = colors.HexColor("#f5f6fb")
TIMELINE_HEADINGS = ("Time (UTC)", "Event", "By", "IP address")


@dataclass
class CertificateSigner:
    name: str
    email: str
    role: str
    status: str
    signing_order: int
    ip_address: str | None = None
    user_agent: str | None = None
    verification_method: str = "Email link"
    consent_version: str | None = None
    consented_at: int | None = None
    sent_at: int | None = None
    viewed_at: int | None = None
    signed_at: int | None = None
    signature_method: str | None = None
    signature_png: bytes | None = None


@dataclass
class TimelineEntry:
    at: int
    description: str
    actor: str = ""
    ip_address: str | None = None


@dataclass
class CertificateData:
    envelope_id: str
    title: str
    organization: str
    created_at: int
    completed_at: int
    documents: Sequence[tuple[str, str]]  # (document name, SHA-256 of the original)
    final_sha256: str
    audit_chain_head: str
    signers: Sequence[CertificateSigner]
    timeline: Sequence[TimelineEntry]
    cc_recipients: Sequence[str] = field(default_factory=list)
    test_mode: bool = False
    ca_certificate_url: str = ""  # where the certificate that verifies the seal is published


def format_time(ms: int | None) -> str:
    if not ms:
        return "-"
    return from_ms(ms).strftime("%Y-%m-%d %H:%M:%S UTC")


def _all_text(data: CertificateData) -> str:
    parts = [data.title, data.organization, *data.cc_recipients]
    for signer in data.signers:
        parts += [signer.name, signer.email, signer.role, signer.user_agent or ""]
    parts += [entry.description + entry.actor for entry in data.timeline]
    return " ".join(parts)


PAGE_MARGIN = 18 * mm
FRAME_PADDING = 6  # the page frame's own padding on each side
CONTENT_WIDTH = A4[0] - 2 * PAGE_MARGIN - 2 * FRAME_PADDING
CELL_PADDING = 6  # reportlab's default left and right padding of a table cell


@dataclass(frozen=True)
class _Styles:
    title: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    mono: ParagraphStyle
    label: ParagraphStyle
    name: ParagraphStyle
    warning: ParagraphStyle


@functools.cache
def _styles(font: str) -> _Styles:
    bold = "Helvetica-Bold" if font == "Helvetica" else font

    def style(name: str, **kwargs) -> ParagraphStyle:
        base = {"fontName": font, "fontSize": 8.5, "leading": 11, "alignment": TA_LEFT}
        return ParagraphStyle(name, **{**base, **kwargs})

    return _Styles(
        title=style("title", fontName=bold, fontSize=17, leading=21, textColor=ACCENT),
        heading=style("heading", fontName=bold, fontSize=11, leading=14, spaceBefore=10),
        body=style("body"),
        small=style("small", fontSize=7.5, leading=9.5, textColor=MUTED),
        mono=style("mono", fontName="Courier", fontSize=7.5, leading=9.5),
        label=style("label", fontSize=7.5, leading=9.5, textColor=MUTED),
        name=style("signer-name", fontSize=10, leading=13, textColor=colors.black),
        warning=style("warning", textColor=colors.red),
    )


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _cell(text: str, style: ParagraphStyle, width: float, padding: float = 2 * CELL_PADDING):
    """A table cell: the plain string when it fits on one line (the table draws it in the
    column's font, see `_column_font`), else a Paragraph that wraps. Tables of plain strings
    lay out and draw several times faster than tables of Paragraphs."""
    if "\n" not in text and stringWidth(text, style.fontName, style.fontSize) <= width - padding:
        return text
    return _p(text, style)


def _column_font(style: ParagraphStyle, start: tuple[int, int], stop: tuple[int, int]) -> list:
    """Table style commands that draw plain-string cells as `style` would."""
    return [
        ("FONT", start, stop, style.fontName, style.fontSize, style.leading),
        ("TEXTCOLOR", start, stop, style.textColor),
    ]


def render_certificate(data: CertificateData) -> bytes:
    """A4 pages, in reportlab, ready to be appended to the signed document."""
    st = _styles(font_for(_all_text(data)))
    story: list = [
        _p("Certificate of Completion", st.title),
        _p(f"{data.organization} · sealed by Workspace", st.small),
        Spacer(1, 4 * mm),
    ]
    if data.test_mode:
        story.append(_p("TEST ENVELOPE - not legally binding", st.warning))

    summary = [
        ("Envelope", data.envelope_id),
        ("Title", data.title),
        ("Created", format_time(data.created_at)),
        ("Completed", format_time(data.completed_at)),
        ("Signers", str(len(data.signers))),
    ]
    if data.cc_recipients:
        summary.append(("CC", ", ".join(data.cc_recipients)))
    story.append(_grid(summary, st, st.body))

    story.append(_p("Signers", st.heading))
    for signer in data.signers:
        story.append(_signer_block(signer, st))
        story.append(Spacer(1, 3 * mm))

    story.append(_p("Document integrity", st.heading))
    rows = [("Original document", f"{name}\nSHA-256 {sha}") for name, sha in data.documents]
    rows.append(("Signed document", f"SHA-256 {data.final_sha256}"))
    rows.append(("Audit chain head", data.audit_chain_head or "-"))
    story.append(_grid(rows, st, st.mono))
    story.append(
        _p(
            "The signed document hash covers the document pages with every value drawn, before "
            "this certificate was appended: it is the first revision of the sealed PDF, its "
            "bytes up to and including the first %%EOF line. The whole file, certificate "
            "included, carries a PAdES digital seal; any change after sealing invalidates it.",
            st.small,
        )
    )
    if data.ca_certificate_url:
        story.append(
            _p(
                "To verify the seal, trust the issuing CA certificate published at "
                f"{data.ca_certificate_url} in your PDF reader or in pdfsig or pyHanko.",
                st.small,
            )
        )

    story.append(_p("Event timeline", st.heading))
    story.append(_timeline(data.timeline, st))

    buffer = io.BytesIO()

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(MUTED)
        canvas.drawString(
            PAGE_MARGIN,
            10 * mm,
            f"Certificate of completion · {data.envelope_id} · page {doc.page}",
        )
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=PAGE_MARGIN,
        rightMargin=PAGE_MARGIN,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"Certificate of completion - {data.title}",
        author="Workspace",
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _grid(rows: list[tuple[str, str]], st: _Styles, value_style: ParagraphStyle) -> Table:
    """Label / value rows across the page."""
    widths = [32 * mm, CONTENT_WIDTH - 32 * mm]
    cells = [
        [_cell(key, st.label, widths[0], CELL_PADDING), _cell(value, value_style, widths[1])]
        for key, value in rows
    ]
    table = Table(cells, colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
                *_column_font(st.label, (0, 0), (0, -1)),
                *_column_font(value_style, (1, 0), (1, -1)),
            ]
        )
    )
    return table


def _signer_block(signer: CertificateSigner, st: _Styles) -> Table:
    facts = [
        ("Email", signer.email),
        ("Role", f"{signer.role or '-'} · signing order {signer.signing_order}"),
        ("Status", signer.status),
        ("Verification", signer.verification_method),
        ("Consent", f"{signer.consent_version or '-'} at {format_time(signer.consented_at)}"),
        ("Sent", format_time(signer.sent_at)),
        ("Viewed", format_time(signer.viewed_at)),
        ("Signed", format_time(signer.signed_at)),
        ("Signature", signer.signature_method or "-"),
        ("IP address", signer.ip_address or "-"),
        ("User agent", signer.user_agent or "-"),
    ]
    widths = [24 * mm, CONTENT_WIDTH - 79 * mm, 55 * mm]
    image = _signature_image(signer.signature_png) or _p("No signature image", st.label)
    rows = [[_p(signer.name, st.name), "", image]]
    rows += [
        [_cell(key, st.label, widths[0]), _cell(value, st.small, widths[1]), ""]
        for key, value in facts
    ]
    table = Table(rows, colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("SPAN", (0, 0), (1, 0)),
                ("SPAN", (2, 0), (2, -1)),
                ("BOX", (0, 0), (-1, -1), 0.6, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("VALIGN", (2, 0), (2, -1), "MIDDLE"),
                ("ALIGN", (2, 0), (2, -1), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("TOPPADDING", (0, 0), (-1, 0), 6),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
                *_column_font(st.label, (0, 1), (0, -1)),
                *_column_font(st.small, (1, 1), (1, -1)),
            ]
        )
    )
    table.keepWithNext = False
    return table


def _timeline(entries: Sequence[TimelineEntry], st: _Styles) -> Table:
    widths = [33 * mm, CONTENT_WIDTH - 107 * mm, 48 * mm, 26 * mm]
    columns = [st.small, st.body, st.small, st.small]
    rows = [[_cell(h, st.label, w) for h, w in zip(TIMELINE_HEADINGS, widths, strict=True)]]
    for entry in entries:
        values = (
            format_time(entry.at).removesuffix(" UTC"),
            entry.description,
            entry.actor or "-",
            entry.ip_address or "-",
        )
        rows.append([_cell(v, s, w) for v, s, w in zip(values, columns, widths, strict=True)])
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("BACKGROUND", (0, 0), (-1, 0), SOFT),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                *_column_font(st.label, (0, 0), (-1, 0)),
                *[
                    command
                    for column, style in enumerate(columns)
                    for command in _column_font(style, (column, 1), (column, -1))
                ],
            ]
        )
    )
    return table


def _signature_image(png: bytes | None) -> Image | None:
    if not png:
        return None
    reader = ImageReader(io.BytesIO(png))
    width, height = reader.getSize()
    box_w, box_h = 50 * mm, 22 * mm
    scale = min(box_w / width, box_h / height)
    return Image(io.BytesIO(png), width=width * scale, height=height * scale)
