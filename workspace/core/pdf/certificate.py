"""The certificate of completion: who signed what, when, from where, and the evidence hashes."""

from __future__ import annotations

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


def render_certificate(data: CertificateData) -> bytes:
    """A4 pages, in reportlab, ready to be appended to the signed document."""
    font = font_for(_all_text(data))
    bold = "Helvetica-Bold" if font == "Helvetica" else font

    def style(name: str, **kwargs) -> ParagraphStyle:
        base = {"fontName": font, "fontSize": 8.5, "leading": 11, "alignment": TA_LEFT}
        return ParagraphStyle(name, **{**base, **kwargs})

    title = style("title", fontName=bold, fontSize=17, leading=21, textColor=ACCENT)
    heading = style("heading", fontName=bold, fontSize=11, leading=14, spaceBefore=10)
    body = style("body")
    small = style("small", fontSize=7.5, leading=9.5, textColor=MUTED)
    mono = style("mono", fontName="Courier", fontSize=7.5, leading=9.5)
    label = style("label", fontSize=7.5, leading=9.5, textColor=MUTED)

    def p(text: str, st: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text), st)

    story: list = [
        p("Certificate of Completion", title),
        p(f"{data.organization} · sealed by Workspace", small),
        Spacer(1, 4 * mm),
    ]
    if data.test_mode:
        story += [p("TEST ENVELOPE - not legally binding", style("t", textColor=colors.red))]

    summary = [
        ["Envelope", data.envelope_id],
        ["Title", data.title],
        ["Created", format_time(data.created_at)],
        ["Completed", format_time(data.completed_at)],
        ["Signers", str(len(data.signers))],
    ]
    if data.cc_recipients:
        summary.append(["CC", ", ".join(data.cc_recipients)])
    story.append(_grid([[p(k, label), p(v)] for k, v in summary], [32 * mm, None]))

    story.append(p("Signers", heading))
    for signer in data.signers:
        story.append(_signer_block(signer, p, label, small))
        story.append(Spacer(1, 3 * mm))

    story.append(p("Document integrity", heading))
    rows = [
        [p("Original document", label), p(f"{name}\nSHA-256 {sha}", mono)]
        for name, sha in data.documents
    ]
    rows.append([p("Signed document", label), p(f"SHA-256 {data.final_sha256}", mono)])
    rows.append([p("Audit chain head", label), p(data.audit_chain_head or "-", mono)])
    story.append(_grid(rows, [32 * mm, None]))
    story.append(
        p(
            "The signed document hash covers the document pages with every value drawn, before "
            "this certificate was appended: it is the first revision of the sealed PDF, its "
            "bytes up to and including the first %%EOF line. The whole file, certificate "
            "included, carries a PAdES digital seal; any change after sealing invalidates it.",
            small,
        )
    )
    if data.ca_certificate_url:
        story.append(
            p(
                "To verify the seal, trust the issuing CA certificate published at "
                f"{data.ca_certificate_url} in your PDF reader or in pdfsig or pyHanko.",
                small,
            )
        )

    story.append(p("Event timeline", heading))
    timeline = [[p("Time (UTC)", label), p("Event", label), p("By", label), p("IP address", label)]]
    for entry in data.timeline:
        timeline.append(
            [
                p(format_time(entry.at).removesuffix(" UTC"), small),
                p(entry.description),
                p(entry.actor or "-", small),
                p(entry.ip_address or "-", small),
            ]
        )
    table = Table(timeline, colWidths=[33 * mm, None, 48 * mm, 26 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("BACKGROUND", (0, 0), (-1, 0), SOFT),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    story.append(table)

    buffer = io.BytesIO()

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(MUTED)
        canvas.drawString(
            18 * mm, 10 * mm, f"Certificate of completion · {data.envelope_id} · page {doc.page}"
        )
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"Certificate of completion - {data.title}",
        author="Workspace",
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _grid(rows: list, widths: list) -> Table:
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
            ]
        )
    )
    return table


def _signer_block(signer: CertificateSigner, p, label, small) -> Table:
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
    name = ParagraphStyle(
        "signer-name", parent=label, fontSize=10, leading=13, textColor=colors.black
    )
    image = _signature_image(signer.signature_png) or p("No signature image", label)
    rows = [[p(signer.name, name), "", image]]
    rows += [[p(key, label), p(value, small), ""] for key, value in facts]
    table = Table(rows, colWidths=[24 * mm, None, 55 * mm])
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
            ]
        )
    )
    table.keepWithNext = False
    return table


def _signature_image(png: bytes | None) -> Image | None:
    if not png:
        return None
    reader = ImageReader(io.BytesIO(png))
    width, height = reader.getSize()
    box_w, box_h = 50 * mm, 22 * mm
    scale = min(box_w / width, box_h / height)
    return Image(io.BytesIO(png), width=width * scale, height=height * scale)
