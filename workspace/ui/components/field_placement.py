"""Placing fields on page images, shared by the template editor and the one-off "upload and
send" page: field types, page and box views, the geometry of adding, moving, resizing and
nudging a field, and the page, box and palette components.

Fields are dicts in the stored shape: geometry as fractions of the page (0-1, top-left
origin). A page is drawn at `zoom` x 96 dpi, so a box in pixels divided by the page's pixel
size is its fraction.

The components call these handlers of the page State they are given:
`select(field_id)`, `field_key(field_id, key)`, `move_field(field_id, left, top)`,
`resize_field(field_id, left, top, width, height)` and `drop_field(page, type, x, y)`."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import reflex as rx

from workspace.core.models.templates import PdfDocument
from workspace.core.pdf.geometry import Box, fractions_to_points
from workspace.core.schemas.templates import CHOICE_TYPES, TemplateField
from workspace.core.services import templates as template_service
from workspace.core.template_fields import new_field_id
from workspace.ui.components.field_canvas import field_drop_zone, field_frame, palette_item, rnd

PX_PER_PT = 96 / 72
NUDGE_PX = {"ArrowLeft": (-1, 0), "ArrowRight": (1, 0), "ArrowUp": (0, -1), "ArrowDown": (0, 1)}
FIELD_META: dict[str, tuple[str, str, tuple[float, float]]] = {
    # type: (label, icon, default size in points)
    "signature": ("Signature", "pen-line", (180, 48)),
    "initials": ("Initials", "signature", (64, 40)),
    "sender_signature": ("Sender signature", "pen-tool", (180, 48)),
    "date": ("Date signed", "calendar-check", (110, 24)),
    "text": ("Text", "type", (180, 24)),
    "checkbox": ("Checkbox", "square-check", (18, 18)),
    "email": ("Email", "at-sign", (180, 24)),
    "phone": ("Phone", "phone", (140, 24)),
    "number": ("Number", "hash", (90, 24)),
    "dropdown": ("Dropdown", "chevron-down", (150, 24)),
    "radio_group": ("Radio group", "circle-dot", (150, 60)),
    "multi_select": ("Multi-select", "list-checks", (150, 60)),
    "date_picker": ("Date picker", "calendar", (120, 24)),
}


@dataclasses.dataclass
class FieldBox:
    id: str
    label: str
    type_label: str
    icon: str
    role: str
    color: str
    left: float
    top: float
    width: float
    height: float
    selected: bool
    required: bool


@dataclasses.dataclass
class PageView:
    number: int
    image_url: str
    thumb_url: str
    width: float
    height: float
    fields: list[FieldBox]


@dataclasses.dataclass
class PageInfo:
    number: int
    width_pt: float
    height_pt: float
    image_url: str
    thumb_url: str


def document_pages(document: PdfDocument) -> list[PageInfo]:
    """The document's pages with their size in points and signed image links."""
    return [
        PageInfo(
            number=n,
            width_pt=frame.width,
            height_pt=frame.height,
            image_url=template_service.page_image_url(document, n, width=1200),
            thumb_url=template_service.page_image_url(document, n, width=160),
        )
        for n, frame in enumerate(template_service.document_frames(document), start=1)
    ]


def api_field(field: dict[str, Any], pages: Sequence[PageInfo]) -> TemplateField:
    """A stored-shape field as the API takes it (geometry in points)."""
    page = pages[field["page"] - 1]
    box = fractions_to_points(
        Box(field["x"], field["y"], field["width"], field["height"]), page.width_pt, page.height_pt
    )
    return TemplateField.model_validate(
        {**field, "x": box.x, "y": box.y, "width": box.width, "height": box.height}
    )


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def page_pixels(info: PageInfo, zoom: float) -> tuple[float, float]:
    return info.width_pt * PX_PER_PT * zoom, info.height_pt * PX_PER_PT * zoom


ZOOM_STEPS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
# Padding on both sides of the pages inside their scrolling panel, taken off its width.
SCROLLER_PADDING_PX = 32


class PageZoom(rx.State, mixin=True):
    """The zoom of a page that shows a document's `pages` for placing fields. The pages open
    fitted to the width of their panel (`fit_pages_on_mount`), never larger than
    `_largest_zoom()`."""

    zoom: float = 1.0
    pages_panel_width: float = 0.0

    def _largest_zoom(self) -> float:
        return 1.0

    def _fit_pages(self) -> None:
        """The zoom at which the pages fit the panel last measured (the largest if none)."""
        self.zoom = fitting_zoom(self.pages, self.pages_panel_width, self._largest_zoom())

    @rx.event
    def fit_to_panel(self, panel_width: float):
        """Called with the pages panel's width when it appears: the pages fit it."""
        self.pages_panel_width = float(panel_width or 0)
        self._fit_pages()

    @rx.var
    def zoom_label(self) -> str:
        return f"{round(self.zoom * 100)}%"

    @rx.event
    def zoom_in(self):
        self.zoom = next((z for z in ZOOM_STEPS if z > self.zoom + 1e-6), ZOOM_STEPS[-1])

    @rx.event
    def zoom_out(self):
        smaller = [z for z in ZOOM_STEPS if z < self.zoom - 1e-6]
        self.zoom = smaller[-1] if smaller else min(self.zoom, ZOOM_STEPS[0])


PAGES_SCROLLER_ID = "pages-scroller"


def fit_pages_on_mount(state: type[PageZoom]) -> rx.event.EventSpec:
    """The `on_mount` of the panel the pages scroll in (id PAGES_SCROLLER_ID): measures its
    width and fits the pages to it."""
    return rx.call_script(
        f"document.getElementById('{PAGES_SCROLLER_ID}')?.clientWidth ?? 0",
        callback=state.fit_to_panel,
    )


# The number of the page that shows most within the pages panel (0 when none does).
PAGE_IN_VIEW_JS = f"""(() => {{
  const panel = document.getElementById('{PAGES_SCROLLER_ID}');
  if (!panel) return 0;
  const view = panel.getBoundingClientRect();
  let best = 0, shown = 0;
  for (const page of panel.querySelectorAll('[data-page]')) {{
    const box = page.getBoundingClientRect();
    const height = Math.min(box.bottom, view.bottom) - Math.max(box.top, view.top);
    if (height > shown) {{ shown = height; best = Number(page.dataset.page); }}
  }}
  return best;
}})()"""


def with_page_in_view(callback: Callable[[rx.Var], Any]) -> rx.event.EventSpec:
    """Calls `callback(page)` with the number of the page most in view in the pages panel."""
    return rx.call_script(PAGE_IN_VIEW_JS, callback=callback)


def fitting_zoom(pages: Sequence[PageInfo], panel_width: float, largest: float) -> float:
    """The zoom at which the widest page fits a panel `panel_width` pixels wide, at most
    `largest`; `largest` when the width is unknown."""
    widest = max((page_pixels(page, 1.0)[0] for page in pages), default=0.0)
    if panel_width <= SCROLLER_PADDING_PX or widest <= 0:
        return largest
    return round(min(largest, (panel_width - SCROLLER_PADDING_PX) / widest), 3)


def zoom_controls(state: type[PageZoom]) -> rx.Component:
    return rx.hstack(
        rx.icon_button(
            rx.icon("zoom-out", size=14),
            variant="soft",
            on_click=state.zoom_out,
            aria_label="Zoom out",
        ),
        rx.text(
            state.zoom_label, size="2", width="44px", text_align="center", class_name="zoom-label"
        ),
        rx.icon_button(
            rx.icon("zoom-in", size=14),
            variant="soft",
            on_click=state.zoom_in,
            aria_label="Zoom in",
        ),
        align="center",
        spacing="2",
    )


def new_field(
    field_type: str, *, role: str, page: PageInfo, center_x: float, center_y: float
) -> dict[str, Any]:
    """A field of the type's default size centred on (center_x, center_y), kept on the page."""
    size = FIELD_META[field_type][2]
    width = min(size[0] / page.width_pt, 1.0)
    height = min(size[1] / page.height_pt, 1.0)
    field: dict[str, Any] = {
        "id": new_field_id(),
        "type": field_type,
        "role": role,
        "page": page.number,
        "x": clamp(center_x - width / 2, 0, 1 - width),
        "y": clamp(center_y - height / 2, 0, 1 - height),
        "width": width,
        "height": height,
        "required": field_type not in ("checkbox", "date"),
        "label": FIELD_META[field_type][0],
    }
    if field_type in CHOICE_TYPES:
        field["options"] = [
            {"label": "Option 1", "value": "option_1"},
            {"label": "Option 2", "value": "option_2"},
        ]
    return field


def moved(field: dict[str, Any], left: float, top: float, page_px: tuple[float, float]) -> dict:
    """The field with its top-left corner at (left, top) pixels."""
    width_px, height_px = page_px
    return {
        **field,
        "x": clamp(float(left) / width_px, 0, 1 - field["width"]),
        "y": clamp(float(top) / height_px, 0, 1 - field["height"]),
    }


def resized(
    field: dict[str, Any],
    left: float,
    top: float,
    width: float,
    height: float,
    page_px: tuple[float, float],
) -> dict[str, Any]:
    """The field with the box (left, top, width, height) in pixels."""
    width_px, height_px = page_px
    field = {
        **field,
        "width": clamp(float(width) / width_px, 0.002, 1),
        "height": clamp(float(height) / height_px, 0.002, 1),
    }
    return moved(field, left, top, page_px)


def nudged(field: dict[str, Any], key: str, page_px: tuple[float, float]) -> dict[str, Any]:
    """The field moved one pixel in the direction of an arrow key."""
    dx, dy = NUDGE_PX[key]
    width_px, height_px = page_px
    return {
        **field,
        "x": clamp(field["x"] + dx / width_px, 0, 1 - field["width"]),
        "y": clamp(field["y"] + dy / height_px, 0, 1 - field["height"]),
    }


def page_views(
    pages: Sequence[PageInfo],
    fields: Sequence[dict[str, Any]],
    *,
    colors: dict[str, str],
    zoom: float,
    selected_id: str,
    default_color: str,
) -> list[PageView]:
    """Each page at `zoom` with its fields as pixel boxes, coloured by role."""
    views = []
    for info in pages:
        width, height = page_pixels(info, zoom)
        boxes = [
            FieldBox(
                id=f["id"],
                label=f.get("label") or FIELD_META[f["type"]][0],
                type_label=FIELD_META[f["type"]][0],
                icon=FIELD_META[f["type"]][1],
                role=f["role"],
                color=colors.get(f["role"], default_color),
                left=round(f["x"] * width, 2),
                top=round(f["y"] * height, 2),
                width=round(f["width"] * width, 2),
                height=round(f["height"] * height, 2),
                selected=f["id"] == selected_id,
                required=bool(f.get("required")),
            )
            for f in fields
            if f["page"] == info.number
        ]
        views.append(PageView(info.number, info.image_url, info.thumb_url, width, height, boxes))
    return views


# --- components -------------------------------------------------------------------------


RESIZE_FROM_CORNER = {
    edge: edge == "bottomRight"
    for edge in (
        "top",
        "right",
        "bottom",
        "left",
        "topRight",
        "bottomRight",
        "bottomLeft",
        "topLeft",
    )
}
CORNER_HANDLE = {"width": "10px", "height": "10px", "right": "-5px", "bottom": "-5px"}


def field_box(box: FieldBox, state) -> rx.Component:
    """A field on a page: drag to move, drag the corner to resize, arrows nudge, Delete."""
    return rnd(
        field_frame(
            rx.hstack(
                rx.icon(box.icon, size=12, flex_shrink="0"),
                rx.text(
                    box.label,
                    rx.cond(box.required, " *", ""),
                    size="1",
                    weight="medium",
                    white_space="nowrap",
                    overflow="hidden",
                    text_overflow="ellipsis",
                ),
                spacing="1",
                align="center",
                padding_x="4px",
                height="100%",
                overflow="hidden",
            ),
            on_mouse_down=state.select(box.id),
            on_click=rx.stop_propagation,
            on_field_key=lambda key: state.field_key(box.id, key),
            class_name="field-box",
            custom_attrs={"data-field-id": box.id, "data-role": box.role},
            width="100%",
            height="100%",
            color=f"color-mix(in srgb, {box.color} 55%, black)",  # readable on the tint
            background=f"color-mix(in srgb, {box.color} 14%, transparent)",
            border=rx.cond(box.selected, "2px solid", "1.5px dashed"),
            border_color=box.color,
            border_radius="4px",
            box_shadow=rx.cond(box.selected, f"0 0 0 3px {rx.color('accent', 5)}", "none"),
            outline="none",
            cursor="move",
        ),
        key=box.id,
        position={"x": box.left, "y": box.top},
        size={"width": box.width, "height": box.height},
        bounds="parent",
        min_width=8,
        min_height=8,
        # Resized from its bottom-right corner only, by a small handle: the rest of even a
        # checkbox-sized box selects and moves it.
        enable_resizing=RESIZE_FROM_CORNER,
        resize_handle_styles={"bottomRight": CORNER_HANDLE},
        on_drag_stop=lambda x, y: state.move_field(box.id, x, y),
        on_resize_stop=lambda x, y, w, h: state.resize_field(box.id, x, y, w, h),
    )


def page_canvas(page: PageView, state, **props) -> rx.Component:
    """A page image with its fields; palette entries dropped on it call `state.drop_field`.
    `props` go to the page element (e.g. `on_page_click`)."""
    return rx.vstack(
        rx.text("Page ", page.number, size="1", color=rx.color("gray", 11)),
        field_drop_zone(
            rx.image(
                src=page.image_url,
                width="100%",
                height="100%",
                loading="lazy",
                draggable=False,
                alt=f"Page {page.number}",
                position="absolute",
                top="0",
                left="0",
                user_select="none",
                pointer_events="none",
            ),
            rx.foreach(page.fields, lambda box: field_box(box, state)),
            on_field_drop=lambda t, x, y: state.drop_field(page.number, t, x, y),
            id=f"page-{page.number}",
            class_name="template-page",
            custom_attrs={"data-page": page.number},
            position="relative",
            width=page.width.to_string() + "px",
            height=page.height.to_string() + "px",
            background="white",
            box_shadow="0 1px 3px rgba(15, 23, 42, 0.12), 0 8px 24px rgba(15, 23, 42, 0.08)",
            flex_shrink="0",
            **props,
        ),
        spacing="1",
        align="center",
    )


def palette(
    field_types: Sequence[str],
    *,
    on_pick: Callable[[str], Any],
    hint: str,
    active_type: rx.Var | None = None,
) -> rx.Component:
    """Field types to drag onto a page; clicking one calls `on_pick(type)`. With
    `active_type`, the entry of that type is shown as chosen. A column on a wide screen, a row
    that scrolls sideways on a narrow one."""

    def entry(field_type: str) -> rx.Component:
        label, icon, _size = FIELD_META[field_type]
        border, background = f"1px solid {rx.color('gray', 5)}", rx.color("gray", 1)
        if active_type is not None:
            chosen = active_type == field_type
            border = rx.cond(chosen, f"1px solid {rx.color('accent', 8)}", border)
            background = rx.cond(chosen, rx.color("accent", 3), background)
        return palette_item(
            rx.hstack(
                rx.icon(icon, size=14, color=rx.color("accent", 11)),
                rx.text(label, size="2"),
                spacing="2",
                align="center",
            ),
            field_type=field_type,
            on_click=on_pick(field_type),
            id=f"palette-{field_type}",
            class_name="palette-item",
            padding="6px 10px",
            border=border,
            border_radius="8px",
            background=background,
            cursor="grab",
            width=rx.breakpoints(initial="auto", md="100%"),
            flex_shrink="0",
            _hover={"border_color": rx.color("accent", 8), "background": rx.color("accent", 2)},
        )

    return rx.vstack(
        rx.text("Fields", size="1", weight="bold", color=rx.color("gray", 11)),
        rx.text(hint, size="1", color=rx.color("gray", 11)),
        rx.flex(
            *[entry(field_type) for field_type in field_types],
            direction=rx.breakpoints(initial="row", md="column"),
            overflow_x=rx.breakpoints(initial="auto", md="visible"),
            gap="4px",
            width="100%",
            padding_bottom=rx.breakpoints(initial="4px", md="0"),
        ),
        spacing="1",
        width="100%",
    )
