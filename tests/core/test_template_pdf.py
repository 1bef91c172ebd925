"""PDF validation, page geometry, placeholders, form field import and page images."""

import io

import pytest
from pypdf import PdfReader, PdfWriter

from tests.pdf_samples import A4_SIZE, make_encrypted_pdf, make_pdf
from workspace.core.errors import NotFound, ValidationFailed
from workspace.core.pdf import document as pdfdoc
from workspace.core.pdf.geometry import (
    Box,
    PageFrame,
    fractions_to_points,
    fractions_to_user_rect,
    points_to_fractions,
    user_rect_to_box,
)


def test_points_and_fractions_round_trip_within_a_hundredth_of_a_point():
    box = Box(100, 500, 200, 50)
    stored = points_to_fractions(box, 612, 792)
    assert stored == Box(round(100 / 612, 7), round(500 / 792, 7), round(200 / 612, 7), 0.0631313)
    assert fractions_to_points(stored, 612, 792) == box


def test_pdf_rect_is_measured_from_the_bottom_left():
    rect = fractions_to_user_rect(Box(0.1, 0.25, 0.5, 0.1), PageFrame(0, 0, 600, 800))
    assert rect == pytest.approx((60, 520, 360, 600))


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_rotated_and_offset_pages_map_both_ways(rotation):
    frame = PageFrame(10, 20, 622, 812, rotation)
    rect = (50.0, 100.0, 150.0, 130.0)
    box = user_rect_to_box(rect, frame)
    assert box.x >= 0 and box.x + box.width <= frame.width
    assert box.y >= 0 and box.y + box.height <= frame.height
    fractions = points_to_fractions(box, frame.width, frame.height)
    assert fractions_to_user_rect(fractions, frame) == pytest.approx(rect, abs=0.02)
    if rotation in (90, 270):
        assert (frame.width, frame.height) == (792, 612)


def test_inspect_reports_sizes_placeholders_and_form_fields():
    data = make_pdf(2, size=A4_SIZE, texts={1: "Dear {{client_name}}, from {{ start_date }}"})
    info = pdfdoc.inspect_pdf(data)
    assert info.page_count == 2
    assert (round(info.pages[0].width, 2), round(info.pages[0].height, 2)) == (595.28, 841.89)
    assert info.placeholder_keys == ["client_name", "start_date"]
    assert info.form_fields == []


def test_form_fields_are_imported_with_types_positions_and_options():
    info = pdfdoc.inspect_pdf(make_pdf(1, form=True))
    by_label = {f["label"]: f for f in info.form_fields}
    assert by_label["full_name"]["type"] == "text"
    # reportlab drew it at y=500 (bottom), 24 high, on a 792 pt page: top-left y = 268
    assert (by_label["full_name"]["x"], by_label["full_name"]["y"]) == (72, 268)
    assert by_label["agree"]["type"] == "checkbox"
    assert by_label["plan"]["type"] == "dropdown"
    assert [o["value"] for o in by_label["plan"]["options"]] == ["basic", "pro"]
    assert by_label["size"]["type"] == "radio_group"
    assert [o["value"] for o in by_label["size"]["options"]] == ["small", "large"]
    assert all(f["role"] == "signer" and f["page"] == 1 for f in info.form_fields)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"hello, not a pdf", "not a PDF"),
        (b"%PDF-1.7\n garbage without structure", "could not be read"),
    ],
)
def test_unusable_bytes_are_rejected_with_the_reason(data, message):
    with pytest.raises(ValidationFailed) as exc:
        pdfdoc.inspect_pdf(data)
    assert message in exc.value.message
    assert exc.value.field == "document.data"


def test_encrypted_pdf_is_rejected():
    with pytest.raises(ValidationFailed, match="password-protected"):
        pdfdoc.inspect_pdf(make_encrypted_pdf())


def test_size_and_page_limits(monkeypatch):
    monkeypatch.setattr(pdfdoc, "MAX_PDF_BYTES", 1000)
    with pytest.raises(ValidationFailed, match="the limit is 0 MB"):
        pdfdoc.inspect_pdf(make_pdf(1) + b" " * 1000)
    monkeypatch.setattr(pdfdoc, "MAX_PDF_BYTES", 50 * 1024 * 1024)
    monkeypatch.setattr(pdfdoc, "MAX_PAGES", 3)
    with pytest.raises(ValidationFailed, match="4 pages; the limit is 3"):
        pdfdoc.inspect_pdf(make_pdf(4))


def test_page_images_are_rendered_once_and_cached():
    info = pdfdoc.store_pdf(make_pdf(2))
    path = pdfdoc.page_image_path(info.sha256, 2, 400)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    with Image.open(path) as image:
        assert image.width == 400 and abs(image.height - round(400 * 792 / 612)) <= 1
    mtime = path.stat().st_mtime_ns
    assert pdfdoc.page_image_path(info.sha256, 2, 350) == path
    assert path.stat().st_mtime_ns == mtime
    with pytest.raises(NotFound):
        pdfdoc.page_image_path(info.sha256, 3, 400)


def test_reordered_pdf_has_pages_in_the_new_order():
    data = pdfdoc.reorder_pdf_pages(make_pdf(3), [3, 1, 2])
    texts = [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]
    assert ["page 3" in texts[0], "page 1" in texts[1], "page 2" in texts[2]] == [True] * 3


def test_rotated_page_reports_its_visible_size():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(1))))
    writer.pages[0].rotate(90)
    out = io.BytesIO()
    writer.write(out)
    frame = pdfdoc.inspect_pdf(out.getvalue()).pages[0]
    assert (frame.width, frame.height, frame.rotation) == (792, 612, 90)
