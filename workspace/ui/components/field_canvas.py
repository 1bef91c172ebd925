"""Browser pieces of field placement: a movable/resizable box (react-rnd), a page that
accepts field types dragged from the palette (and reports clicks on it), and the draggable
palette entries."""

from __future__ import annotations

import reflex as rx
from reflex.vars.base import Var

FIELD_TYPE_MIME = "application/x-workspace-field-type"


def _member(var: Var, name: str) -> Var:
    return Var(_js_expr=f"{var._js_expr}.{name}", _var_type=float)


def _drag_stop_spec(_event: Var, data: Var) -> tuple[Var[float], Var[float]]:
    """react-rnd calls onDragStop(event, data): pass the new top-left `data.x`, `data.y`."""
    return (_member(data, "x"), _member(data, "y"))


def _resize_stop_spec(
    _event: Var, _direction: Var, ref: Var, _delta: Var, position: Var
) -> tuple[Var[float], Var[float], Var[float], Var[float]]:
    """onResizeStop(event, direction, ref, delta, position): pass the new box in pixels."""
    return (
        _member(position, "x"),
        _member(position, "y"),
        _member(ref, "offsetWidth"),
        _member(ref, "offsetHeight"),
    )


class Rnd(rx.Component):
    """react-rnd: a box moved and resized with the mouse, controlled by `position`/`size`."""

    library = "react-rnd@10.5.3"
    tag = "Rnd"

    position: rx.Var[dict[str, float]]
    size: rx.Var[dict[str, float]]
    bounds: rx.Var[str]
    min_width: rx.Var[int]
    min_height: rx.Var[int]
    cancel: rx.Var[str]
    enable_resizing: rx.Var[dict[str, bool]]
    resize_handle_styles: rx.Var[dict[str, dict[str, str]]]

    on_drag_stop: rx.EventHandler[_drag_stop_spec]
    on_resize_stop: rx.EventHandler[_resize_stop_spec]


_DROP_ZONE_JS = """
function FieldDropZone({onFieldDrop, onPageClick, children, ...props}) {
  return jsx("div", {
    ...props,
    onClick: (e) => {
      if (!onPageClick || e.target !== e.currentTarget) return;
      const box = e.currentTarget.getBoundingClientRect();
      onPageClick((e.clientX - box.left) / box.width, (e.clientY - box.top) / box.height);
    },
    onDragOver: (e) => {
      if (Array.from(e.dataTransfer.types).includes("__MIME__")) {
        e.preventDefault();
        e.dataTransfer.dropEffect = "copy";
      }
    },
    onDrop: (e) => {
      const fieldType = e.dataTransfer.getData("__MIME__");
      if (!fieldType || !onFieldDrop) return;
      e.preventDefault();
      const box = e.currentTarget.getBoundingClientRect();
      const x = (e.clientX - box.left) / box.width;
      onFieldDrop(fieldType, x, (e.clientY - box.top) / box.height);
    },
  }, children);
}
""".replace("__MIME__", FIELD_TYPE_MIME)

_PALETTE_ITEM_JS = """
function PaletteItem({fieldType, children, ...props}) {
  return jsx("div", {
    ...props,
    role: "button",
    tabIndex: 0,
    onKeyDown: (e) => {
      if ((e.key === "Enter" || e.key === " ") && props.onClick) {
        e.preventDefault();
        props.onClick(e);
      }
    },
    draggable: true,
    onDragStart: (e) => {
      e.dataTransfer.setData("__MIME__", fieldType);
      e.dataTransfer.effectAllowed = "copy";
    },
  }, children);
}
""".replace("__MIME__", FIELD_TYPE_MIME)


_FIELD_FRAME_JS = """
const FIELD_FRAME_KEYS = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Delete", "Backspace"];
function FieldFrame({onFieldKey, children, ...props}) {
  return jsx("div", {
    ...props,
    tabIndex: 0,
    onKeyDown: (e) => {
      if (!FIELD_FRAME_KEYS.includes(e.key) || !onFieldKey) return;
      e.preventDefault();
      e.stopPropagation();
      onFieldKey(e.key);
    },
  }, children);
}
"""


class FieldFrame(rx.Component):
    """The focusable inside of a field box: arrow keys and Delete/Backspace call
    `on_field_key(key)` (and do not scroll the page); other keys behave normally."""

    tag = "FieldFrame"

    on_field_key: rx.EventHandler[rx.event.passthrough_event_spec(str)]

    def add_custom_code(self) -> list[str]:
        return [_FIELD_FRAME_JS]


class FieldDropZone(rx.Component):
    """A page: dropping a palette entry on it calls `on_field_drop(type, x, y)` with the drop
    point as fractions of the page (0-1 from the top-left); a click on the page itself (not
    on a field) calls `on_page_click(x, y)` the same way."""

    tag = "FieldDropZone"

    on_field_drop: rx.EventHandler[rx.event.passthrough_event_spec(str, float, float)]
    on_page_click: rx.EventHandler[rx.event.passthrough_event_spec(float, float)]

    def add_custom_code(self) -> list[str]:
        return [_DROP_ZONE_JS]


class PaletteItem(rx.Component):
    """A palette entry that can be dragged onto a page (HTML drag and drop), or picked with a
    click or, from the keyboard, Enter or Space (its `on_click`)."""

    tag = "PaletteItem"

    field_type: rx.Var[str]

    def add_custom_code(self) -> list[str]:
        return [_PALETTE_ITEM_JS]


rnd = Rnd.create
field_drop_zone = FieldDropZone.create
palette_item = PaletteItem.create
field_frame = FieldFrame.create
