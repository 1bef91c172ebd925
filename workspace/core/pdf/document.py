"""Uploaded PDFs: validation, page geometry, `{{key}}` placeholders, form field import, and
page images (rendered with pypdfium2 on demand, cached under the data folder)."""

from __future__ import annotations

import hashlib
import io
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypdfium2
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject

from workspace.core import storage
from workspace.core.config import get_settings
from workspace.core.errors import NotFound, ValidationFailed
from workspace.core.pdf.geometry import Box, PageFrame, user_rect_to_box

MAX_PDF_BYTES = 50 * 1024 * 1024
MAX_PAGES = 500
PLACEHOLDER_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.\-]{0,63})\s*\}\}")
IMAGE_WIDTHS = (160, 400, 800, 1200, 1600)  # the only widths rendered (bounded cache)

# pdfium is not thread-safe: every call into it holds this lock.
_pdfium_lock = threading.Lock()


@dataclass
class PdfInfo:
    """What `inspect_pdf` learned about a valid PDF. `pages[i]` is page i+1's frame."""

    sha256: str
    byte_size: int
    pages: list[PageFrame]
    placeholder_keys: list[str]
    form_fields: list[dict[str, Any]] = field(default_factory=list)

    @property
    def page_count(self) -> int:
        return len(self.pages)


def frame_to_json(frame: PageFrame) -> dict[str, Any]:
    return {
        "width": round(frame.width, 3),
        "height": round(frame.height, 3),
        "box": [frame.left, frame.bottom, frame.right, frame.top],
        "rotation": frame.rotation,
    }


def frame_from_json(data: dict[str, Any]) -> PageFrame:
    left, bottom, right, top = data["box"]
    return PageFrame(left, bottom, right, top, data.get("rotation", 0))


def _fail(message: str) -> ValidationFailed:
    return ValidationFailed(message, field="document.data")


def open_pdf(data: bytes) -> PdfReader:
    """Open the bytes with pypdf or raise ValidationFailed saying why they are not usable."""
    if not data:
        raise _fail("The document is empty.")
    if len(data) > MAX_PDF_BYTES:
        raise _fail(
            f"The PDF is {len(data) / 1048576:.1f} MB; the limit is {MAX_PDF_BYTES // 1048576} MB."
        )
    if b"%PDF-" not in data[:1024]:
        raise _fail("The document is not a PDF file.")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise _fail(
                "The PDF is encrypted or password-protected. Remove the protection and upload it "
                "again."
            )
        page_count = len(reader.pages)
    except ValidationFailed:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise _fail(f"The PDF could not be read: {exc}") from None
    if page_count == 0:
        raise _fail("The PDF has no pages.")
    if page_count > MAX_PAGES:
        raise _fail(f"The PDF has {page_count} pages; the limit is {MAX_PAGES}.")
    return reader


def _placeholder_keys(data: bytes) -> list[str]:
    keys: dict[str, None] = {}
    with _pdfium_lock:
        pdf = pypdfium2.PdfDocument(data)
        try:
            for index in range(len(pdf)):
                page = pdf[index]
                textpage = page.get_textpage()
                text = textpage.get_text_range()
                textpage.close()
                page.close()
                for match in PLACEHOLDER_RE.finditer(text):
                    keys.setdefault(match.group(1), None)
        finally:
            pdf.close()
    return list(keys)


def _field_flags(annotation: DictionaryObject) -> int:
    node: Any = annotation
    while node is not None:
        if "/Ff" in node:
            return int(node["/Ff"])
        node = node.get("/Parent")
        node = node.get_object() if node is not None else None
    return 0


def _inherited(annotation: DictionaryObject, key: str) -> Any:
    node: Any = annotation
    while node is not None:
        if key in node:
            return node[key]
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return None


def _full_name(annotation: DictionaryObject) -> str:
    parts = []
    node: Any = annotation
    while node is not None:
        if "/T" in node:
            parts.append(str(node["/T"]))
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return ".".join(reversed(parts))


def _choice_options(annotation: DictionaryObject) -> list[dict[str, str]]:
    options = []
    for item in _inherited(annotation, "/Opt") or []:
        item = item.get_object()
        if isinstance(item, ArrayObject) and len(item) >= 2:
            value, label = str(item[0]), str(item[1])
        else:
            value = label = str(item)
        if value:
            options.append({"label": label or value, "value": value})
    return options


def _radio_state(annotation: DictionaryObject) -> str | None:
    appearance = annotation.get("/AP")
    normal = appearance.get_object().get("/N") if appearance is not None else None
    if normal is None:
        return None
    states = [str(k).lstrip("/") for k in normal.get_object() if str(k) != "/Off"]
    return states[0] if states else None


def _import_form_fields(reader: PdfReader, frames: list[PageFrame]) -> list[dict[str, Any]]:
    """AcroForm widgets -> template fields in API units (points from the page's top-left).

    Text -> text, checkbox -> checkbox, radio buttons -> one radio_group (its first page's
    buttons), combo box -> dropdown, list box -> dropdown or multi_select, signature ->
    signature. Every imported field gets the role "signer" and its form name as label."""
    fields: list[dict[str, Any]] = []
    radios: dict[str, dict[str, Any]] = {}
    used_ids: set[str] = set()
    for page_number, page in enumerate(reader.pages, start=1):
        frame = frames[page_number - 1]
        for ref in page.get("/Annots") or []:
            annotation = ref.get_object()
            if annotation.get("/Subtype") != "/Widget" or "/Rect" not in annotation:
                continue
            kind = _inherited(annotation, "/FT")
            name = _full_name(annotation) or f"Field {len(fields) + 1}"
            flags = _field_flags(annotation)
            rect = [float(v) for v in annotation["/Rect"]]
            box = user_rect_to_box((rect[0], rect[1], rect[2], rect[3]), frame)
            if box.width <= 0 or box.height <= 0:
                continue
            if kind == "/Btn" and flags & (1 << 16):  # push button: nothing to fill in
                continue
            if kind == "/Btn" and flags & (1 << 15):
                group = radios.get(name)
                state = _radio_state(annotation)
                if group is None:
                    group = {"page": page_number, "boxes": [], "options": [], "name": name}
                    radios[name] = group
                    fields.append(group)
                if group["page"] == page_number:
                    group["boxes"].append(box)
                if state and state not in [o["value"] for o in group["options"]]:
                    group["options"].append({"label": state, "value": state})
                continue
            if kind == "/Tx":
                field_type, options = "text", None
            elif kind == "/Btn":
                field_type, options = "checkbox", None
            elif kind == "/Ch":
                options = _choice_options(annotation)
                multi = bool(flags & (1 << 21)) and not flags & (1 << 17)
                field_type = "multi_select" if multi else "dropdown"
                if not options:
                    field_type, options = "text", None
            elif kind == "/Sig":
                field_type, options = "signature", None
            else:
                continue
            fields.append(_imported(name, field_type, page_number, box, options, used_ids))
    result = []
    for item in fields:
        if "boxes" in item:
            if not item["options"] or not item["boxes"]:
                continue
            boxes = item["boxes"]
            x0 = min(b.x for b in boxes)
            y0 = min(b.y for b in boxes)
            x1 = max(b.x + b.width for b in boxes)
            y1 = max(b.y + b.height for b in boxes)
            union = Box(x0, y0, x1 - x0, y1 - y0)
            item = _imported(
                item["name"], "radio_group", item["page"], union, item["options"], used_ids
            )
        result.append(item)
    return result


def _imported(
    name: str,
    field_type: str,
    page: int,
    box: Box,
    options: list[dict[str, str]] | None,
    used_ids: set[str],
) -> dict[str, Any]:
    base = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_")[:40] or "field"
    field_id, counter = f"form_{base}", 2
    while field_id in used_ids:
        field_id, counter = f"form_{base}_{counter}", counter + 1
    used_ids.add(field_id)
    data: dict[str, Any] = {
        "id": field_id,
        "type": field_type,
        "role": "signer",
        "page": page,
        "x": round(box.x, 2),
        "y": round(box.y, 2),
        "width": round(box.width, 2),
        "height": round(box.height, 2),
        "required": False,
        "label": name[:200],
    }
    if options:
        data["options"] = options
    return data


def inspect_pdf(data: bytes) -> PdfInfo:
    """Validate an uploaded PDF and describe it, without storing anything.

    Raises ValidationFailed (details.field "document.data") when the bytes are empty, larger
    than 50 MB, not a PDF, unreadable, encrypted/password-protected, have no pages or more
    than 500 pages. Returns page frames (visible size in points, crop box, rotation), the
    `{{key}}` placeholders found in the text (first-seen order) and the AcroForm fields
    converted to template fields in API units."""
    reader = open_pdf(data)
    try:
        frames = [PageFrame.of_page(page) for page in reader.pages]
        has_form = "/AcroForm" in reader.trailer["/Root"]
        form_fields = _import_form_fields(reader, frames) if has_form else []
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _fail(f"The PDF could not be read: {exc}") from None
    for number, frame in enumerate(frames, start=1):
        if frame.width < 1 or frame.height < 1 or frame.width > 14400 or frame.height > 14400:
            raise _fail(f"Page {number} has an unusable size ({frame.width} x {frame.height} pt).")
    try:
        placeholder_keys = _placeholder_keys(data)
    except pypdfium2.PdfiumError as exc:
        raise _fail(f"The PDF could not be read: {exc}") from None
    return PdfInfo(
        sha256=hashlib.sha256(data).hexdigest(),
        byte_size=len(data),
        pages=frames,
        placeholder_keys=placeholder_keys,
        form_fields=form_fields,
    )


def store_pdf(data: bytes) -> PdfInfo:
    """`inspect_pdf`, then keep the bytes in content-addressed storage (idempotent)."""
    info = inspect_pdf(data)
    storage.put_bytes(data)
    return info


def reorder_pdf_pages(data: bytes, page_order: list[int]) -> bytes:
    """A new PDF whose page i is the original page `page_order[i]` (1-based, a permutation)."""
    reader = open_pdf(data)
    writer = PdfWriter()
    for number in page_order:
        writer.add_page(reader.pages[number - 1])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_width_for(requested: int | None) -> int:
    """The rendered width used for a requested width: the smallest standard width that is at
    least as wide (so the cache holds a handful of sizes per page)."""
    if not requested:
        return 1200
    return next((w for w in IMAGE_WIDTHS if w >= requested), IMAGE_WIDTHS[-1])


def page_image_path(sha256: str, page: int, width: int | None = None) -> Path:
    """PNG of one page (1-based) rendered `image_width_for(width)` pixels wide, rendered on
    first request and cached under `<data_dir>/page-images/`. NotFound for a missing file or
    a page out of range."""
    width = image_width_for(width)
    target = get_settings().data_dir / "page-images" / sha256[:2] / sha256 / f"{page}-{width}.png"
    if target.exists():
        return target
    source = storage.path_for(sha256)
    if not source.exists():
        raise NotFound("Document not found.")
    with _pdfium_lock:
        pdf = pypdfium2.PdfDocument(str(source))
        try:
            if page < 1 or page > len(pdf):
                raise NotFound(f"Page {page} does not exist.")
            pdf_page = pdf[page - 1]
            scale = width / pdf_page.get_width()
            bitmap = pdf_page.render(scale=scale, may_draw_forms=True)
            image = bitmap.to_pil()
            pdf_page.close()
        finally:
            pdf.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{threading.get_ident()}.tmp")
    image.save(tmp, format="PNG", compress_level=1)
    tmp.replace(target)
    return target
