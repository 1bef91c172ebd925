"""Real PDFs for tests, drawn with reportlab (and encrypted or made fillable with pypdf)."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4, letter
from reportlab.pdfgen import canvas


def make_pdf(
    pages: int = 3,
    *,
    size: tuple[float, float] = letter,
    texts: dict[int, str] | None = None,
    form: bool = False,
) -> bytes:
    """A PDF of `pages` pages with a heading on each; `texts[n]` adds a line on page n
    (e.g. "Dear {{client_name}},"); `form` adds AcroForm fields on page 1 (a text box
    "full_name", a checkbox "agree", a choice "plan" and radio buttons "size")."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=size)
    for number in range(1, pages + 1):
        pdf.setFont("Helvetica-Bold", 20)
        pdf.drawString(72, size[1] - 72, f"Sample agreement - page {number}")
        pdf.setFont("Helvetica", 12)
        if texts and number in texts:
            pdf.drawString(72, size[1] - 110, texts[number])
        if form and number == 1:
            pdf.acroForm.textfield(name="full_name", x=72, y=500, width=200, height=24)
            pdf.acroForm.checkbox(name="agree", x=72, y=450, size=16)
            pdf.acroForm.choice(
                name="plan",
                x=72,
                y=400,
                width=150,
                height=20,
                value="basic",
                options=["basic", "pro"],
            )
            pdf.acroForm.radio(name="size", value="small", x=72, y=350, size=14, selected=True)
            pdf.acroForm.radio(name="size", value="large", x=100, y=350, size=14)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def make_encrypted_pdf(password: str = "secret") -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(1))))
    writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


A4_SIZE = A4
