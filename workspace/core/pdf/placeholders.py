"""Where `{{key}}` placeholders stand in a PDF, as boxes in page fractions."""

from __future__ import annotations

from collections.abc import Iterable

import pypdfium2 as pdfium

from workspace.core.pdf.geometry import PageFrame
from workspace.core.pdf.stamp import Box


def _box_of(frame: PageFrame, page: int, rects: list[tuple[float, float, float, float]]) -> Box:
    corners = [
        frame.to_top_left(x, y)
        for left, bottom, right, top in rects
        for x, y in ((left, bottom), (right, top))
    ]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    pad = 1.0
    x0, y0 = max(min(xs) - pad, 0), max(min(ys) - pad, 0)
    x1, y1 = min(max(xs) + pad, frame.width), min(max(ys) + pad, frame.height)
    return Box(
        page, x0 / frame.width, y0 / frame.height, (x1 - x0) / frame.width, (y1 - y0) / frame.height
    )


def find_placeholders(
    pdf: bytes, frames: list[PageFrame], keys: Iterable[str]
) -> dict[str, list[Box]]:
    """Every occurrence of each `{{key}}` (exact spelling, as the document inspection found)."""
    wanted = list(keys)
    found: dict[str, list[Box]] = {key: [] for key in wanted}
    if not wanted:
        return found
    document = pdfium.PdfDocument(pdf)
    try:
        for index, frame in enumerate(frames):
            text_page = document[index].get_textpage()
            text = text_page.get_text_range()
            for key in wanted:
                for needle in (f"{{{{{key}}}}}", f"{{{{ {key} }}}}"):
                    if needle not in text:
                        continue
                    searcher = text_page.search(needle, match_case=True)
                    while (match := searcher.get_next()) is not None:
                        start, count = match
                        rects = [
                            text_page.get_charbox(i, loose=True)
                            for i in range(start, start + count)
                        ]
                        found[key].append(_box_of(frame, index + 1, rects))
    finally:
        document.close()
    return found
