"""The one place where field boxes change units.

Stored boxes are fractions of the page (0-1, origin at the page's top-left corner, `page`
counted from 1). The API speaks PDF points measured from the page's top-left corner, where the
page is the visible page (crop box, rotation applied) whose size `core.pdf.document` records.
Drawing with reportlab/pypdf needs PDF user space (origin bottom-left): `to_pdf_rect`.
"""

from __future__ import annotations

from dataclasses import dataclass

# Fractions are stored with this many decimals: 1e-7 of a 14400 pt page is 0.0015 pt.
FRACTION_DECIMALS = 7
POINT_DECIMALS = 2


@dataclass(frozen=True)
class Box:
    """A rectangle on one page: x, y of the top-left corner, then width and height."""

    x: float
    y: float
    width: float
    height: float


def points_to_fractions(box: Box, page_width: float, page_height: float) -> Box:
    """PDF points from the top-left corner -> page fractions (what the database stores)."""
    return Box(
        round(box.x / page_width, FRACTION_DECIMALS),
        round(box.y / page_height, FRACTION_DECIMALS),
        round(box.width / page_width, FRACTION_DECIMALS),
        round(box.height / page_height, FRACTION_DECIMALS),
    )


def fractions_to_points(box: Box, page_width: float, page_height: float) -> Box:
    """Page fractions -> PDF points from the top-left corner (what the API returns)."""
    return Box(
        round(box.x * page_width, POINT_DECIMALS),
        round(box.y * page_height, POINT_DECIMALS),
        round(box.width * page_width, POINT_DECIMALS),
        round(box.height * page_height, POINT_DECIMALS),
    )


@dataclass(frozen=True)
class PageFrame:
    """How a page is shown: its crop box in PDF user space and its /Rotate (0, 90, 180, 270).

    `width`/`height` are the visible size in points (swapped for 90 and 270 degrees)."""

    left: float
    bottom: float
    right: float
    top: float
    rotation: int = 0

    @classmethod
    def of_page(cls, page) -> PageFrame:
        """The frame of a pypdf page: its crop box and /Rotate (other angles count as 0)."""
        box = page.cropbox
        left, bottom, right, top = (float(v) for v in (box.left, box.bottom, box.right, box.top))
        rotation = int(page.get("/Rotate", 0) or 0) % 360
        if rotation not in (0, 90, 180, 270):
            rotation = 0
        return cls(min(left, right), min(bottom, top), max(left, right), max(bottom, top), rotation)

    @property
    def width(self) -> float:
        side = self.right - self.left
        return (self.top - self.bottom) if self.rotation in (90, 270) else side

    @property
    def height(self) -> float:
        side = self.top - self.bottom
        return (self.right - self.left) if self.rotation in (90, 270) else side

    def to_top_left(self, ux: float, uy: float) -> tuple[float, float]:
        """A point in PDF user space -> points from the visible page's top-left corner."""
        if self.rotation == 90:
            return uy - self.bottom, ux - self.left
        if self.rotation == 180:
            return self.right - ux, uy - self.bottom
        if self.rotation == 270:
            return self.top - uy, self.right - ux
        return ux - self.left, self.top - uy

    def to_user_space(self, x: float, y: float) -> tuple[float, float]:
        """Points from the visible page's top-left corner -> a point in PDF user space."""
        if self.rotation == 90:
            return self.left + y, self.bottom + x
        if self.rotation == 180:
            return self.right - x, self.bottom + y
        if self.rotation == 270:
            return self.right - y, self.top - x
        return self.left + x, self.top - y

    def display_to_user_matrix(self) -> tuple[float, float, float, float, float, float]:
        """The matrix taking the visible page's coordinates (origin bottom-left, rotation
        applied) into PDF user space, for merging an upright overlay onto the page."""
        return {
            0: (1, 0, 0, 1, self.left, self.bottom),
            90: (0, 1, -1, 0, self.right, self.bottom),
            180: (-1, 0, 0, -1, self.right, self.top),
            270: (0, -1, 1, 0, self.left, self.top),
        }[self.rotation]


def user_rect_to_box(rect: tuple[float, float, float, float], frame: PageFrame) -> Box:
    """A rectangle in PDF user space (e.g. a form widget's /Rect) -> a box in points from the
    visible page's top-left corner."""
    corners = [frame.to_top_left(rect[0], rect[1]), frame.to_top_left(rect[2], rect[3])]
    xs = sorted(c[0] for c in corners)
    ys = sorted(c[1] for c in corners)
    return Box(xs[0], ys[0], xs[1] - xs[0], ys[1] - ys[0])


def fractions_to_user_rect(box: Box, frame: PageFrame) -> tuple[float, float, float, float]:
    """Stored page fractions -> (left, bottom, right, top) in PDF user space, for drawing a
    value onto the original page with reportlab/pypdf (handles crop box offset and rotation)."""
    points = fractions_to_points(box, frame.width, frame.height)
    a = frame.to_user_space(points.x, points.y)
    b = frame.to_user_space(points.x + points.width, points.y + points.height)
    return min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])
