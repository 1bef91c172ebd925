"""Helpers for PDF tests: build small PDFs, check seals with pdfsig and pyHanko."""

from __future__ import annotations

import concurrent.futures
import io
import subprocess
import tempfile
from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from reportlab.pdfgen.canvas import Canvas


def make_pdf(pages: int = 3, *, rotate: int = 0, size=(612, 792)) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=size)
    for number in range(1, pages + 1):
        canvas.drawString(72, size[1] - 72, f"Page {number} of the agreement")
        if rotate:
            canvas.setPageRotation(rotate)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def pdfsig(pdf: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.pdf"
        path.write_bytes(pdf)
        result = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
        return result.stdout + result.stderr


def pdftotext(pdf: bytes, *args: str) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.pdf"
        path.write_bytes(pdf)
        result = subprocess.run(
            ["pdftotext", *args, str(path), "-"], capture_output=True, text=True, timeout=60
        )
        return result.stdout


def pyhanko_status(pdf: bytes, ca_pem: str):
    """pyHanko's validation, on a worker thread (it runs its own event loop, which cannot
    nest in one that is running, e.g. under Playwright's sync API)."""

    def validate():
        _, _, der = pem.unarmor(ca_pem.encode())
        context = ValidationContext(trust_roots=[asn1_x509.Certificate.load(der)])
        reader = PdfFileReader(io.BytesIO(pdf))
        return validate_pdf_signature(reader.embedded_signatures[0], context)

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(validate).result()


def flip_byte_in_content(pdf: bytes) -> bytes:
    """Change one byte inside the first content stream (inside the signed range)."""
    index = pdf.index(b"stream", 100) + 12
    return pdf[:index] + bytes([pdf[index] ^ 0x01]) + pdf[index + 1 :]
