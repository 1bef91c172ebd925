"""Draw values into PDF pages and flatten the result.

Boxes are fractions of the page as a person sees it (after /Rotate, inside the CropBox),
origin top-left, pages counted from 1 - the same convention as stored field boxes. Values
are drawn with reportlab on one overlay page per touched page and merged with pypdf; form
widgets are burned into the page content and the AcroForm is removed, so the output has
no fillable fields left.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, RectangleObject
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
    sizes: list[tuple[float, float]],
    items_by_page: dict[int, list[StampItem]],
    watermark: str | None,
) -> PdfReader:
    """One reportlab document holding an overlay page for each page that gets drawing."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pageCompression=1)
    pages = range(len(sizes)) if watermark else sorted(items_by_page)
    for index in pages:
        page_w, page_h = sizes[index]
        canvas.setPageSize((page_w, page_h))
        for item in items_by_page.get(index, []):
            _draw_item(canvas, item, page_w, page_h)
        if watermark:
            _draw_watermark(canvas, watermark, page_w, page_h)
        canvas.showPage()
    canvas.save()
    buffer.seek(0)
    return PdfReader(buffer)


def _flatten_widgets(writer: PdfWriter, page) -> None:
    """Burn each visible widget's normal appearance into the page, then drop the widgets."""
    annots = page.get("/Annots")
    if annots is None:
        return
    kept = ArrayObject()
    drawings: list[bytes] = []
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
        name = f"/WsFlat{len(drawings)}"
        resources = page.setdefault(
            NameObject("/Resources"), writer._add_object(DictionaryObject())
        )
        resources = resources.get_object()
        xobjects = resources.setdefault(NameObject("/XObject"), DictionaryObject()).get_object()
        xobjects[NameObject(name)] = writer._add_object(appearance)
        ex = float(rect.left) - bx0 * sx
        ey = float(rect.bottom) - by0 * sy
        drawings.append(f"q {sx:.6f} 0 0 {sy:.6f} {ex:.4f} {ey:.4f} cm {name} Do Q".encode())
    if drawings:
        writer._merge_content_stream_to_page(page, b"\n".join(drawings))
    if kept:
        page[NameObject("/Annots")] = kept
    else:
        del page["/Annots"]


def stamp_documents(
    documents: Sequence[SourceDocument],
    *,
    watermark: str | None = None,
) -> PdfWriter:
    """Concatenate the documents with their values drawn and every form flattened.

    Returns the open writer so a caller can append pages (the certificate) before the one
    serialisation.
    """
    writer = PdfWriter()
    for document in documents:
        reader = PdfReader(io.BytesIO(document.pdf))
        first = len(writer.pages)
        writer.append(reader, import_outline=False)
        new_pages = list(writer.pages[first:])
        items_by_page: dict[int, list[StampItem]] = defaultdict(list)
        for item in document.items:
            if not 1 <= item.box.page <= len(new_pages):
                raise ValueError(f"Box on page {item.box.page} of a {len(new_pages)}-page document")
            items_by_page[item.box.page - 1].append(item)
        frames = [PageFrame.of_page(page) for page in new_pages]
        sizes = [(frame.width, frame.height) for frame in frames]
        for page in new_pages:
            _flatten_widgets(writer, page)
        if items_by_page or watermark:
            overlay = _overlay(sizes, items_by_page, watermark)
            targets = range(len(new_pages)) if watermark else sorted(items_by_page)
            for overlay_page, index in zip(overlay.pages, targets, strict=True):
                new_pages[index].merge_transformed_page(
                    overlay_page, Transformation(frames[index].display_to_user_matrix())
                )
    if "/AcroForm" in writer._root_object:
        del writer._root_object["/AcroForm"]
    return writer


def append_pdf(writer: PdfWriter, pdf: bytes) -> None:
    writer.append(PdfReader(io.BytesIO(pdf)), import_outline=False)


def to_bytes(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
