import hashlib
import io

import pypdfium2 as pdfium
import pytest
from PIL import Image
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas

from tests.core.pdf_helpers import make_pdf, pdftotext
from workspace.core.pdf import stamp
from workspace.core.pdf.certificate import (
    CertificateData,
    CertificateSigner,
    TimelineEntry,
    render_certificate,
)


def _dark_box(
    pdf: bytes, *, left: float = 0.5, right: float = 1.0, top: float = 0.0, bottom: float = 1.0
) -> tuple[float, ...] | None:
    """Bounding box (fractions of the displayed page) of dark pixels inside a region."""
    image = pdfium.PdfDocument(pdf)[0].render(scale=0.5).to_pil().convert("L")
    width, height = image.size
    points = [
        (x / width, y / height)
        for x in range(int(width * left), int(width * right))
        for y in range(int(height * top), int(height * bottom))
        if image.getpixel((x, y)) < 110
    ]
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _png(color=(200, 20, 20, 255), size=(120, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def test_text_lands_in_its_box_and_is_searchable():
    items = [
        stamp.StampItem(stamp.Box(2, 0.1, 0.3, 0.5, 0.04), "text", text="Jane Q. Signer"),
        stamp.StampItem(stamp.Box(3, 0.1, 0.3, 0.5, 0.04), "text", text="Zoë Łukasz – Ångström"),
    ]
    out = stamp.stamp_documents([stamp.SourceDocument(make_pdf(3), items)])
    pages = pdftotext(out).split("\f")
    assert "Jane Q. Signer" in pages[1] and "Jane Q. Signer" not in pages[0]
    assert "Zoë Łukasz – Ångström" in pages[2]


def _content_streams(page) -> list[bytes]:
    contents = page["/Contents"].get_object()
    parts = contents if isinstance(contents, list) else [contents]
    return [part.get_object().get_data() for part in parts]


def test_only_pages_with_values_change_and_page_content_is_kept_as_it_was():
    source = make_pdf(3)
    item = stamp.StampItem(stamp.Box(2, 0.1, 0.3, 0.5, 0.04), "text", text="Only here")
    out = stamp.stamp_documents([stamp.SourceDocument(source, [item])])
    before = PdfReader(io.BytesIO(source)).pages
    after = PdfReader(io.BytesIO(out)).pages
    assert _content_streams(after[0]) == _content_streams(before[0])
    assert _content_streams(after[2]) == _content_streams(before[2])
    assert _content_streams(before[1])[0] in _content_streams(after[1])
    assert [("Only here" in page) for page in pdftotext(out).split("\f")[:3]] == [
        False,
        True,
        False,
    ]


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_boxes_are_fractions_of_the_displayed_page_for_every_rotation(rotation):
    box = stamp.Box(1, 0.6, 0.7, 0.3, 0.2)
    out = stamp.stamp_documents(
        [stamp.SourceDocument(make_pdf(1, rotate=rotation), [stamp.StampItem(box, "check")])]
    )
    x0, y0, x1, y1 = _dark_box(out)
    assert x0 >= 0.6 and x1 <= 0.9
    assert y0 >= 0.7 and y1 <= 0.9 + 0.03


def test_images_keep_aspect_inside_the_box_and_covered_boxes_hide_what_was_there():
    red = _png()
    items = [
        stamp.StampItem(stamp.Box(1, 0.55, 0.1, 0.4, 0.4), "image", image=red),
        stamp.StampItem(stamp.Box(1, 0.0, 0.0, 0.5, 0.12), "text", text="Replaced", cover=True),
    ]
    out = stamp.stamp_documents([stamp.SourceDocument(make_pdf(1), items)])
    x0, y0, x1, y1 = _dark_box(out)
    # a 3:1 image in a box: full width, a third of the height, centred vertically
    assert x0 >= 0.54 and x1 <= 0.96
    assert y0 > 0.15 and y1 < 0.45
    # "Page 1 of the agreement" stood at x 0.12-0.35 of the covered strip: now blank
    assert _dark_box(out, left=0.12, right=0.45, top=0.0, bottom=0.12) is None
    assert "Replaced" in pdftotext(out)


def test_forms_are_flattened_with_their_values_kept():
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 720, "Form page")
    canvas.acroForm.textfield(name="company", value="Prefilled Corp", x=72, y=600, width=200)
    canvas.showPage()
    canvas.save()
    source = buffer.getvalue()
    assert "/AcroForm" in PdfReader(io.BytesIO(source)).trailer["/Root"]

    out = stamp.stamp_documents([stamp.SourceDocument(source, [])])
    reader = PdfReader(io.BytesIO(out))
    assert "/AcroForm" not in reader.trailer["/Root"]
    assert all(
        annot.get_object().get("/Subtype") != "/Widget"
        for page in reader.pages
        for annot in page.get("/Annots", [])
    )
    assert "Prefilled Corp" in pdftotext(out)


def test_documents_are_concatenated_and_a_watermark_marks_every_page():
    out = stamp.stamp_documents(
        [stamp.SourceDocument(make_pdf(2)), stamp.SourceDocument(make_pdf(3))],
        watermark="TEST",
    )
    pages = PdfReader(io.BytesIO(out)).pages
    assert [page.extract_text().split("\n") for page in pages] == [
        [f"Page {n} of the agreement", "TEST", ""] for n in (1, 2, 1, 2, 3)
    ]


def test_a_box_outside_the_document_is_refused():
    with pytest.raises(ValueError, match="page 4"):
        stamp.stamp_documents(
            [
                stamp.SourceDocument(
                    make_pdf(3), [stamp.StampItem(stamp.Box(4, 0, 0, 1, 1), "check")]
                )
            ]
        )


def test_certificate_lists_signers_hashes_timeline_and_signature_images():
    original = make_pdf(2)
    signers = [
        CertificateSigner(
            name=f"Signer {n}",
            email=f"signer{n}@example.com",
            role="employee",
            status="signed",
            signing_order=n,
            ip_address=f"203.0.113.{n}",
            user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)",
            verification_method="Email link + password",
            consent_version="esign-consent-v1",
            consented_at=1704543600000,
            viewed_at=1704543600000,
            signed_at=1704543700000,
            signature_method="drawn",
            signature_png=_png((10, 10, 80, 255)),
        )
        for n in (1, 2, 3)
    ]
    timeline = [
        TimelineEntry(1704543600000 + n * 1000, f"Step {n}", "a@b.c", "10.0.0.1") for n in range(40)
    ]
    pdf = render_certificate(
        CertificateData(
            envelope_id="env_certificate1",
            title="Employment Contract - John Doe",
            organization="Acme Inc",
            created_at=1704543600000,
            completed_at=1704543800000,
            documents=[("contract.pdf", hashlib.sha256(original).hexdigest())],
            final_sha256="f" * 64,
            audit_chain_head="a" * 64,
            signers=signers,
            timeline=timeline,
        )
    )
    text = pdftotext(pdf)
    for expected in (
        "env_certificate1",
        "Employment Contract - John Doe",
        "Signer 3",
        "signer2@example.com",
        "203.0.113.1",
        "iPhone",
        "Email link + password",
        "esign-consent-v1",
        "2024-01-06 12:21:40 UTC",
        hashlib.sha256(original).hexdigest()[:40],
        "a" * 40,
        "Step 39",
    ):
        assert expected in text, expected
    document = pdfium.PdfDocument(pdf)
    assert (
        sum(
            len(list(page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE]))) for page in document
        )
        == 3
    )
