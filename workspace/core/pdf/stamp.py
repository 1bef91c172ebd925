"""Draw values into PDF pages and flatten the result.

Boxes are fractions of the page as a person sees it (after /Rotate, inside the CropBox),
origin top-left, pages counted from 1 - the same convention as stored field boxes. Values
are drawn with reportlab on one overlay page per page that carries values; each overlay page
becomes a Form XObject drawn after that page's own content, which is never decoded. Form
widgets are burned into the page content the same way and the AcroForm is removed, so the
output has no fillable fields left.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    RectangleObject,
    StreamObject,
)
from reportlab import rl_config
from reportlab.lib.colors import Color
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from workspace.core.pdf.geometry import PageFrame

# Binary image streams: reportlab's ASCII85 encoding runs in pure Python and was the slowest
# step of drawing signature images.
rl_config.useA85 = 0

INK = Color(0.06, 0.09, 0.22)
MIN_FONT_SIZE = 5.0
MAX_FONT_SIZE = 11.0
_UNICODE_FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path(pdfmetrics.__file__).resolve().parent.parent / "fonts" / "Vera.ttf",
)


@dataclass(frozen=True)
class Box:
    """A rectangle as fractions (0-1) of the displayed page; `page` counts from 1."""

    page: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class StampItem:
    """One value to draw. `text` for text, `check` for a tick, `image` for PNG/JPEG bytes.

    `cover` paints the box white first (used where a `{{placeholder}}` is replaced).
    """

    box: Box
    kind: Literal["text", "check", "image"]
    text: str = ""
    image: bytes | None = None
    cover: bool = False


@dataclass
class SourceDocument:
    """One input PDF and the values to draw on it."""

    pdf: bytes
    items: Sequence[StampItem] = field(default_factory=list)


@cache
def _unicode_font() -> str:
    for path in _UNICODE_FONT_CANDIDATES:
        if path.exists():
            pdfmetrics.registerFont(TTFont("WorkspaceSans", str(path)))
            return "WorkspaceSans"
    return "Helvetica"


def font_for(text: str) -> str:
    """Helvetica (not embedded, smallest output) when it can show the text, else a TTF."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return _unicode_font()
    return "Helvetica"


def _fit_text(text: str, font: str, width: float, height: float) -> tuple[float, list[str]]:
    """The largest font size (within limits) at which the text fits; wraps in tall boxes."""
    size = min(MAX_FONT_SIZE, max(MIN_FONT_SIZE, height * 0.62))
    while size > MIN_FONT_SIZE and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5
    if pdfmetrics.stringWidth(text, font, size) <= width or height < size * 2.4:
        return size, [text]
    size = min(MAX_FONT_SIZE, max(MIN_FONT_SIZE, height * 0.62))
    while size >= MIN_FONT_SIZE:
        lines = simpleSplit(text, font, size, width)
        if len(lines) * size * 1.2 <= height:
            return size, lines
        size -= 0.5
    return MIN_FONT_SIZE, simpleSplit(text, font, MIN_FONT_SIZE, width)


def _draw_text(canvas: Canvas, text: str, x: float, y: float, w: float, h: float) -> None:
    pad = min(2.0, w * 0.05)
    font = font_for(text)
    size, lines = _fit_text(text, font, max(w - 2 * pad, 1), h)
    canvas.setFillColor(INK)
    canvas.setFont(font, size)
    leading = size * 1.2
    block = leading * (len(lines) - 1) + size
    baseline = y + (h + block) / 2 - size * 0.82
    for line in lines:
        canvas.drawString(x + pad, baseline, line)
        baseline -= leading


def _draw_check(canvas: Canvas, x: float, y: float, w: float, h: float) -> None:
    side = min(w, h) * 0.8
    cx, cy = x + (w - side) / 2, y + (h - side) / 2
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(max(side * 0.12, 0.8))
    canvas.setLineCap(1)
    canvas.setLineJoin(1)
    path = canvas.beginPath()
    path.moveTo(cx + side * 0.12, cy + side * 0.52)
    path.lineTo(cx + side * 0.4, cy + side * 0.2)
    path.lineTo(cx + side * 0.9, cy + side * 0.85)
    canvas.drawPath(path, stroke=1, fill=0)


def _draw_item(canvas: Canvas, item: StampItem, page_w: float, page_h: float) -> None:
    w, h = item.box.width * page_w, item.box.height * page_h
    x = item.box.x * page_w
    y = page_h - (item.box.y * page_h) - h
    if item.cover:
        canvas.setFillColor(Color(1, 1, 1))
        canvas.rect(x, y, w, h, stroke=0, fill=1)
    if item.kind == "text":
        _draw_text(canvas, item.text, x, y, w, h)
    elif item.kind == "check":
        _draw_check(canvas, x, y, w, h)
    elif item.kind == "image" and item.image:
        canvas.drawImage(
            ImageReader(io.BytesIO(item.image)),
            x,
            y,
            w,
            h,
            mask="auto",
            preserveAspectRatio=True,
            anchor="c",
        )


def _draw_watermark(canvas: Canvas, text: str, page_w: float, page_h: float) -> None:
    canvas.saveState()
    canvas.setFillColor(Color(0.85, 0.1, 0.1, alpha=0.18))
    size = min(page_w, page_h) / 6
    canvas.setFont("Helvetica-Bold", size)
    canvas.translate(page_w / 2, page_h / 2)
    canvas.rotate(35)
    canvas.drawCentredString(0, -size / 3, text)
    canvas.restoreState()


def _overlay(
    frames: dict[int, PageFrame],
    items_by_page: dict[int, list[StampItem]],
    watermark: str | None,
) -> PdfReader:
    """One reportlab document holding an upright overlay page for each page in `frames`."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pageCompression=1)
    for index, frame in frames.items():
        canvas.setPageSize((frame.width, frame.height))
        for item in items_by_page.get(index, []):
            _draw_item(canvas, item, frame.width, frame.height)
        if watermark:
            _draw_watermark(canvas, watermark, frame.width, frame.height)
        canvas.showPage()
    canvas.save()
    buffer.seek(0)
    return PdfReader(buffer)


def _overlay_forms(
    writer: PdfWriter,
    frames: dict[int, PageFrame],
    items_by_page: dict[int, list[StampItem]],
    watermark: str | None,
) -> dict[int, IndirectObject]:
    """Each overlay page as a Form XObject in the writer whose /Matrix places it on its page.

    The overlay's compressed content stream is reused as it is, never parsed."""
    if not frames:
        return {}
    overlay = _overlay(frames, items_by_page, watermark)
    forms = {}
    for overlay_page, (index, frame) in zip(overlay.pages, frames.items(), strict=True):
        form = overlay_page["/Contents"].clone(writer)
        form.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Form"),
                NameObject("/BBox"): RectangleObject(overlay_page.mediabox),
                NameObject("/Matrix"): ArrayObject(
                    FloatObject(v) for v in frame.display_to_user_matrix()
                ),
                NameObject("/Resources"): overlay_page.raw_get("/Resources").clone(writer),
            }
        )
        forms[index] = writer._add_object(form)
    return forms


def _flatten_widgets(writer: PdfWriter, page) -> list[tuple[IndirectObject, str]]:
    """Drop the page's form widgets; return each visible widget's normal appearance with the
    matrix (as `cm` operands) that draws it on the widget's rectangle."""
    annots = page.get("/Annots")
    if annots is None:
        return []
    kept = ArrayObject()
    placed: list[tuple[IndirectObject, str]] = []
    for ref in annots.get_object():
        annot = ref.get_object()
        if annot.get("/Subtype") != "/Widget":
            kept.append(ref)
            continue
        flags = int(annot.get("/F", 0))
        appearance = annot.get("/AP", {}).get("/N") if "/AP" in annot else None
        if appearance is None or flags & 2:  # no appearance, or hidden
            continue
        appearance = appearance.get_object()
        if "/BBox" not in appearance:  # a dictionary of states: pick the current one
            state = annot.get("/AS")
            if state is None or state not in appearance:
                continue
            appearance = appearance[state].get_object()
        rect = RectangleObject(annot["/Rect"])
        bbox = RectangleObject(appearance["/BBox"])
        a, b, c, d, e, f = [float(v) for v in appearance.get("/Matrix", [1, 0, 0, 1, 0, 0])]
        corners = [
            (a * px + c * py + e, b * px + d * py + f)
            for px, py in (
                (float(bbox.left), float(bbox.bottom)),
                (float(bbox.right), float(bbox.bottom)),
                (float(bbox.left), float(bbox.top)),
                (float(bbox.right), float(bbox.top)),
            )
        ]
        bx0, by0 = min(p[0] for p in corners), min(p[1] for p in corners)
        bx1, by1 = max(p[0] for p in corners), max(p[1] for p in corners)
        if bx1 - bx0 <= 0 or by1 - by0 <= 0:
            continue
        sx = float(rect.width) / (bx1 - bx0)
        sy = float(rect.height) / (by1 - by0)
        ex = float(rect.left) - bx0 * sx
        ey = float(rect.bottom) - by0 * sy
        placed.append((writer._add_object(appearance), f"{sx:.6f} 0 0 {sy:.6f} {ex:.4f} {ey:.4f}"))
    if kept:
        page[NameObject("/Annots")] = kept
    else:
        del page["/Annots"]
    return placed


def _draw_on_page(
    writer: PdfWriter,
    page,
    drawings: list[tuple[IndirectObject, str | None]],
    save_state: IndirectObject,
) -> None:
    """Draw Form XObjects (with an optional extra matrix) over the page's content.

    The page keeps its content streams untouched: they are wrapped in q/Q by a shared stream
    before them and one new stream after them, which draws the XObjects. The page gets its
    own copy of its resource dictionary, so resources shared with other pages stay as they
    are."""
    raw = page.get_inherited("/Resources")
    resources = DictionaryObject(raw.get_object()) if raw is not None else DictionaryObject()
    raw = resources.get("/XObject")
    xobjects = DictionaryObject(raw.get_object()) if raw is not None else DictionaryObject()
    operators = ["Q"]
    for number, (form, matrix) in enumerate(drawings):
        name = f"/WsStamp{number}"
        while name in xobjects:
            name += "_"
        xobjects[NameObject(name)] = form
        operators.append(f"q {matrix} cm {name} Do Q" if matrix else f"{name} Do")
    resources[NameObject("/XObject")] = xobjects
    page[NameObject("/Resources")] = resources
    raw = page.get("/Contents")
    if raw is None:
        existing = []
    elif isinstance(raw.get_object(), ArrayObject):
        existing = list(raw.get_object())
    else:
        existing = [raw]
    drawing = StreamObject()
    drawing.set_data("\n".join(operators).encode())
    page[NameObject("/Contents")] = ArrayObject(
        [save_state, *existing, writer._add_object(drawing)]
    )


def stamp_documents(
    documents: Sequence[SourceDocument],
    *,
    watermark: str | None = None,
) -> bytes:
    """Concatenate the documents with their values drawn and every form flattened; the PDF.

    Only pages that carry a value, a form widget or the watermark change."""
    writer = PdfWriter()
    save_state = StreamObject()
    save_state.set_data(b"q")
    save_state = writer._add_object(save_state)
    for document in documents:
        reader = PdfReader(io.BytesIO(document.pdf))
        first = len(writer.pages)
        writer.append(reader, import_outline=False)
        pages = [writer.pages[index] for index in range(first, len(writer.pages))]
        items_by_page: dict[int, list[StampItem]] = defaultdict(list)
        for item in document.items:
            if not 1 <= item.box.page <= len(pages):
                raise ValueError(f"Box on page {item.box.page} of a {len(pages)}-page document")
            items_by_page[item.box.page - 1].append(item)
        drawn = range(len(pages)) if watermark else sorted(items_by_page)
        frames = {index: PageFrame.of_page(pages[index]) for index in drawn}
        forms = _overlay_forms(writer, frames, items_by_page, watermark)
        for index, page in enumerate(pages):
            drawings: list[tuple[IndirectObject, str | None]] = []
            drawings += _flatten_widgets(writer, page)
            if index in forms:
                drawings.append((forms[index], None))
            if drawings:
                _draw_on_page(writer, page, drawings, save_state)
    if "/AcroForm" in writer._root_object:
        del writer._root_object["/AcroForm"]
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
