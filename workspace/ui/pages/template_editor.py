"""The template editor: page images in a scrolling column with thumbnails, a palette of the
13 field types (drag onto a page), fields moved and resized with the mouse, a role selector,
a properties panel with the conditions builder, and autosave. The pages open fitted to their
panel's width; on a narrow screen the palette is a strip above them and the properties show
under them while a field is selected.

Fields live in state in the stored shape (geometry as page fractions). The page is drawn at
`zoom` x 96 dpi, so a box in pixels divided by the page's pixel size is its fraction; saving
converts fractions to points with `core.pdf.geometry` and goes through
`services.templates.set_fields`, the same validation as the API."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import reflex as rx

from workspace.core.db import session_scope
from workspace.core.errors import DomainError
from workspace.core.schemas.templates import (
    CHOICE_TYPES,
    CONDITION_ACTIONS,
    CONDITION_LOGICS,
    CONDITION_OPERATORS,
    FIELD_TYPES,
    VALUELESS_OPERATORS,
    TemplateField,
)
from workspace.core.services import templates as service
from workspace.core.template_fields import new_field_id
from workspace.ui.components.field_placement import (
    FIELD_META,
    NUDGE_PX,
    PAGES_SCROLLER_ID,
    SCROLLER_PADDING_PX,
    PageInfo,
    PageView,
    PageZoom,
    api_field,
    clamp,
    document_pages,
    fit_pages_on_mount,
    moved,
    new_field,
    nudged,
    page_canvas,
    page_pixels,
    page_views,
    palette,
    resized,
    with_page_in_view,
    zoom_controls,
)
from workspace.ui.components.formatting import counted
from workspace.ui.components.forms import control_id_of, field_label
from workspace.ui.pages.templates import ROLE_COLORS
from workspace.ui.state import AuthState, toast_error

DEFAULT_ROLE = "signer"  # who a new template's first fields are for
OPERATOR_LABELS = {
    "equals": "equals",
    "not_equals": "does not equal",
    "contains": "contains",
    "not_contains": "does not contain",
    "is_empty": "is empty",
    "is_not_empty": "is not empty",
    "greater_than": "is greater than",
    "less_than": "is less than",
}


@dataclasses.dataclass
class ConditionRow:
    index: int
    source: str
    operator: str
    value: str
    needs_value: bool


@dataclasses.dataclass
class OptionRow:
    index: int
    label: str
    value: str


@dataclasses.dataclass
class Choice:
    value: str
    label: str


@dataclasses.dataclass
class RoleView:
    name: str
    color: str
    count: int


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _awaits_value(condition: dict[str, Any]) -> bool:
    value = condition.get("value")
    return condition.get("operator") not in VALUELESS_OPERATORS and (
        value is None or str(value).strip() == ""
    )


def _complete_conditions(field: dict[str, Any]) -> dict[str, Any]:
    """The field as it can be saved: without conditions still waiting for a value."""
    conditions = [c for c in field.get("conditions") or [] if not _awaits_value(c)]
    if conditions == (field.get("conditions") or []):
        return field
    if conditions:
        return {**field, "conditions": conditions}
    return {
        k: v
        for k, v in field.items()
        if k not in ("conditions", "conditionAction", "conditionLogic")
    }


class EditorState(PageZoom, AuthState):
    template_id: str = ""
    name: str = ""
    pages: list[PageInfo] = []
    fields: list[dict[str, Any]] = []
    extra_roles: list[str] = []
    current_role: str = DEFAULT_ROLE
    selected_id: str = ""
    save_status: str = "Saved"
    save_error: str = ""
    not_found: bool = False
    new_role: str = ""

    # --- loading and saving ----------------------------------------------------------

    @rx.event
    def load(self):
        actor = self._actor()
        if actor is None:
            return None
        template_id = self.router.page.params.get("template_id", "")
        try:
            with session_scope() as session:
                template = service.get_template(session, actor=actor, template_id=template_id)
                self.pages = document_pages(service.template_document(session, template))
                self.fields = copy.deepcopy(template.fields)
                self._fit_pages()
                self.name = template.name
                self.template_id = template.id
        except DomainError:
            self.not_found = True
            return None
        self.not_found = False
        self.selected_id = ""
        self.extra_roles = []
        roles = [f["role"] for f in self.fields]
        self.current_role = roles[0] if roles else DEFAULT_ROLE
        self.save_status, self.save_error = "Saved", ""
        return None

    def _roles(self) -> list[str]:
        """Roles with fields, roles added here, and the role being placed for (on a new
        template, the default one), so the "Placing for" picker always shows its choice."""
        current = [self.current_role] if self.current_role else []
        return list(dict.fromkeys([*(f["role"] for f in self.fields), *self.extra_roles, *current]))

    def _as_api(self, field: dict[str, Any]) -> TemplateField:
        return api_field(field, self.pages)

    def _save(self, *, audit: bool = True):
        """Store all fields; on a validation error keep the edit on screen, unsaved.

        A condition still being written (its comparison waits for a value) stays on screen and
        out of the save until it is complete, so that it holds back none of the other edits."""
        unfinished = {
            f["id"]: f["conditions"]
            for f in self.fields
            if any(_awaits_value(c) for c in f.get("conditions") or [])
        }
        try:
            with session_scope() as session:
                template = service.set_fields(
                    session,
                    actor=self._require_actor(),
                    template_id=self.template_id,
                    fields=[self._as_api(_complete_conditions(f)) for f in self.fields],
                    audit=audit,
                )
                self.fields = [
                    {**f, "conditions": unfinished[f["id"]]} if f["id"] in unfinished else f
                    for f in copy.deepcopy(template.fields)
                ]
        except DomainError as exc:
            self.save_status = "Not saved"
            field = exc.details.get("field", "")
            self.save_error = f"{exc.message}" + (f" ({field})" if field else "")
            return toast_error(exc)
        self.save_status, self.save_error = "Saved", ""
        if unfinished:
            self.save_error = "A condition waits for its value; it is saved once it has one."
        return None

    def _index(self, field_id: str) -> int:
        return next((i for i, f in enumerate(self.fields) if f["id"] == field_id), -1)

    def _page_px(self, page: int) -> tuple[float, float]:
        return page_pixels(self.pages[page - 1], self.zoom)

    # --- views -----------------------------------------------------------------------

    @rx.var
    def roles(self) -> list[RoleView]:
        counts: dict[str, int] = {}
        for field in self.fields:
            counts[field["role"]] = counts.get(field["role"], 0) + 1
        return [
            RoleView(role, ROLE_COLORS[i % len(ROLE_COLORS)], counts.get(role, 0))
            for i, role in enumerate(self._roles())
        ]

    @rx.var
    def page_views(self) -> list[PageView]:
        return page_views(
            self.pages,
            self.fields,
            colors={r: ROLE_COLORS[i % len(ROLE_COLORS)] for i, r in enumerate(self._roles())},
            zoom=self.zoom,
            selected_id=self.selected_id,
            default_color=ROLE_COLORS[0],
        )

    @rx.var
    def field_count(self) -> str:
        return counted(len(self.fields), "field")

    @rx.var
    def has_selection(self) -> bool:
        return self._index(self.selected_id) >= 0

    def _selected(self) -> dict[str, Any]:
        index = self._index(self.selected_id)
        return self.fields[index] if index >= 0 else {}

    @rx.var
    def sel_type(self) -> str:
        return self._selected().get("type", "")

    @rx.var
    def sel_type_label(self) -> str:
        field_type = self._selected().get("type")
        return FIELD_META[field_type][0] if field_type else ""

    @rx.var
    def sel_label(self) -> str:
        return self._selected().get("label", "")

    @rx.var
    def sel_role(self) -> str:
        return self._selected().get("role", "")

    @rx.var
    def sel_required(self) -> bool:
        return bool(self._selected().get("required"))

    @rx.var
    def sel_page(self) -> int:
        return int(self._selected().get("page", 0))

    @rx.var
    def sel_is_choice(self) -> bool:
        return self._selected().get("type") in CHOICE_TYPES

    @rx.var
    def sel_is_number(self) -> bool:
        return self._selected().get("type") == "number"

    @rx.var
    def sel_min(self) -> str:
        return _text(self._selected().get("min"))

    @rx.var
    def sel_max(self) -> str:
        return _text(self._selected().get("max"))

    @rx.var
    def sel_default(self) -> str:
        return _text(self._selected().get("defaultValue"))

    @rx.var
    def sel_options(self) -> list[OptionRow]:
        return [
            OptionRow(i, o["label"], o["value"])
            for i, o in enumerate(self._selected().get("options") or [])
        ]

    @rx.var
    def sel_geometry(self) -> str:
        field = self._selected()
        if not field:
            return ""
        box = self._as_api(field)
        return f"x {box.x:g} · y {box.y:g} · {box.width:g} × {box.height:g} pt"

    @rx.var
    def sel_conditions(self) -> list[ConditionRow]:
        return [
            ConditionRow(
                i,
                c.get("sourceFieldId", ""),
                c.get("operator", ""),
                _text(c.get("value")),
                c.get("operator") not in VALUELESS_OPERATORS,
            )
            for i, c in enumerate(self._selected().get("conditions") or [])
        ]

    @rx.var
    def sel_action(self) -> str:
        return self._selected().get("conditionAction") or "show"

    @rx.var
    def sel_logic(self) -> str:
        return self._selected().get("conditionLogic") or "all"

    @rx.var
    def condition_sources(self) -> list[Choice]:
        return [
            Choice(f["id"], f"{f.get('label') or FIELD_META[f['type']][0]} (p{f['page']})")
            for f in self.fields
            if f["id"] != self.selected_id
        ]

    # --- editing ---------------------------------------------------------------------

    @rx.event
    def select(self, field_id: str):
        self.selected_id = field_id
        index = self._index(field_id)
        if index >= 0:
            self.current_role = self.fields[index]["role"]

    @rx.event
    def clear_selection(self):
        self.selected_id = ""

    @rx.event
    def set_current_role(self, role: str):
        self.current_role = role

    @rx.event
    def set_new_role(self, value: str):
        self.new_role = value

    @rx.event
    def add_role(self):
        role = self.new_role.strip()
        if not role:
            return None
        if role not in self._roles():
            self.extra_roles = [*self.extra_roles, role]
        self.current_role = role
        self.new_role = ""
        return None

    def _new_field(self, field_type: str, page: int, center_x: float, center_y: float) -> dict:
        return new_field(
            field_type,
            role=self.current_role or DEFAULT_ROLE,
            page=self.pages[page - 1],
            center_x=center_x,
            center_y=center_y,
        )

    def _add(self, field: dict[str, Any]):
        self.fields = [*self.fields, field]
        self.selected_id = field["id"]
        self.save_status = "Saving…"

    @rx.event
    def drop_field(self, page: int, field_type: str, x: float, y: float):
        """A palette entry dropped on `page` at (x, y) as page fractions."""
        if field_type not in FIELD_TYPES or not 1 <= page <= len(self.pages):
            return
        self._add(self._new_field(field_type, page, float(x), float(y)))
        yield
        yield self._save()

    @rx.event
    def place_field(self, field_type: str, page_in_view: int = 0):
        """A palette entry clicked: place it on the page most in view (else the selected
        field's page, else page 1)."""
        if field_type not in FIELD_TYPES or not self.pages:
            return
        page = page_in_view if 1 <= page_in_view <= len(self.pages) else self.sel_page or 1
        # Stack clicked-in fields down the page so they do not cover each other.
        on_page = sum(1 for f in self.fields if f["page"] == page)
        self._add(self._new_field(field_type, page, 0.5, 0.2 + (on_page % 10) * 0.07))
        yield
        yield self._save()

    @rx.event
    def move_field(self, field_id: str, left: float, top: float):
        """react-rnd drag stop: the new top-left corner in pixels."""
        index = self._index(field_id)
        if index < 0:
            return
        field = self.fields[index]
        self.fields[index] = moved(field, left, top, self._page_px(field["page"]))
        self.selected_id = field_id
        self.save_status = "Saving…"
        yield
        yield self._save(audit=False)

    @rx.event
    def resize_field(self, field_id: str, left: float, top: float, width: float, height: float):
        """react-rnd resize stop: the new box in pixels."""
        index = self._index(field_id)
        if index < 0:
            return
        field = self.fields[index]
        self.fields[index] = resized(field, left, top, width, height, self._page_px(field["page"]))
        self.selected_id = field_id
        self.save_status = "Saving…"
        yield
        yield self._save(audit=False)

    @rx.event
    def field_key(self, field_id: str, key: str):
        """Arrow keys nudge the focused field by one pixel; Delete/Backspace remove it."""
        if key in ("Delete", "Backspace"):
            self.selected_id = field_id
            return EditorState.delete_selected
        if key not in NUDGE_PX:
            return None
        index = self._index(field_id)
        field = self.fields[index]
        self.fields[index] = nudged(field, key, self._page_px(field["page"]))
        return self._save(audit=False)

    @rx.event
    def delete_selected(self):
        field_id = self.selected_id
        if self._index(field_id) < 0:
            return None
        remaining, unlinked = [], []
        for field in self.fields:
            if field["id"] == field_id:
                continue
            conditions = [
                c for c in field.get("conditions") or [] if c["sourceFieldId"] != field_id
            ]
            if len(conditions) != len(field.get("conditions") or []):
                unlinked.append(field.get("label") or FIELD_META[field["type"]][0])
            field = {**field, "conditions": conditions}
            if not conditions:
                for key in ("conditions", "conditionAction", "conditionLogic"):
                    field.pop(key, None)
            remaining.append(field)
        self.fields = remaining
        self.selected_id = ""
        failed = self._save()
        if failed or not unlinked:
            return failed
        # Its dependants lose the conditions on it: say so, they may now always show.
        return rx.toast.warning(
            f"Conditions on the deleted field were removed from {', '.join(unlinked)}; "
            "check when they show.",
            position="top-center",
        )

    @rx.event
    def duplicate_selected(self):
        field = self._selected()
        if not field:
            return None
        clone = {**copy.deepcopy(field), "id": new_field_id()}
        clone["x"] = clamp(field["x"] + 0.02, 0, 1 - field["width"])
        clone["y"] = clamp(field["y"] + 0.02, 0, 1 - field["height"])
        self._add(clone)
        return self._save()

    @rx.event
    def copy_to_every_page(self):
        field = self._selected()
        if not field:
            return None
        copies = [
            {**copy.deepcopy(field), "id": new_field_id(), "page": info.number}
            for info in self.pages
            if info.number != field["page"]
        ]
        self.fields = [*self.fields, *copies]
        return self._save() or rx.toast.success(f"Copied to {len(copies)} other pages.")

    def _update_selected(self, **changes: Any):
        index = self._index(self.selected_id)
        if index < 0:
            return None
        field = {**self.fields[index], **changes}
        for key, value in changes.items():
            if value is None:
                field.pop(key, None)
        self.fields[index] = field
        return self._save()

    @rx.event
    def set_label(self, value: str):
        return self._update_selected(label=value.strip()[:200])

    @rx.event
    def set_role(self, role: str):
        self.current_role = role
        return self._update_selected(role=role)

    @rx.event
    def set_required(self, value: bool):
        return self._update_selected(required=bool(value))

    @rx.event
    def set_number_limit(self, which: str, value: str):
        text = value.strip()
        if not text:
            return self._update_selected(**{which: None})
        try:
            number = float(text)
        except ValueError:
            return rx.toast.error(f"{which} must be a number.")
        return self._update_selected(**{which: number})

    @rx.event
    def set_default(self, value: str):
        text = value.strip()
        if not text:
            return self._update_selected(defaultValue=None)
        if self.sel_type == "multi_select":
            return self._update_selected(defaultValue=[v.strip() for v in text.split(",")])
        if self.sel_type == "checkbox":
            return self._update_selected(defaultValue=text.lower() in ("true", "yes", "1"))
        return self._update_selected(defaultValue=text)

    def _options(self) -> list[dict[str, str]]:
        return copy.deepcopy(self._selected().get("options") or [])

    @rx.event
    def add_option(self):
        options = self._options()
        number = len(options) + 1
        values = {o["value"] for o in options}
        while f"option_{number}" in values:
            number += 1
        options.append({"label": f"Option {number}", "value": f"option_{number}"})
        return self._update_selected(options=options)

    @rx.event
    def set_option(self, index: int, key: str, value: str):
        options = self._options()
        if not 0 <= index < len(options) or key not in ("label", "value"):
            return None
        options[index][key] = value.strip()
        return self._update_selected(options=options)

    @rx.event
    def remove_option(self, index: int):
        options = self._options()
        if len(options) <= 1:
            return rx.toast.error("A choice field needs at least one option.")
        options.pop(index)
        return self._update_selected(options=options)

    def _conditions(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self._selected().get("conditions") or [])

    def _set_conditions(self, conditions: list[dict[str, Any]]):
        if not conditions:
            return self._update_selected(conditions=None, conditionAction=None, conditionLogic=None)
        return self._update_selected(
            conditions=conditions,
            conditionAction=self.sel_action,
            conditionLogic=self.sel_logic,
        )

    @rx.event
    def add_condition(self):
        sources = self.condition_sources
        if not sources:
            return rx.toast.error("Add another field first: conditions depend on other fields.")
        conditions = self._conditions()
        conditions.append({"sourceFieldId": sources[0].value, "operator": "is_not_empty"})
        return self._set_conditions(conditions)

    @rx.event
    def set_condition(self, index: int, key: str, value: str):
        conditions = self._conditions()
        if not 0 <= index < len(conditions):
            return None
        if key == "operator":
            conditions[index]["operator"] = value
            if value in VALUELESS_OPERATORS:
                conditions[index].pop("value", None)
            elif not conditions[index].get("value"):
                conditions[index]["value"] = "0" if value in ("greater_than", "less_than") else ""
        elif key in ("sourceFieldId", "value"):
            conditions[index][key] = value
        return self._set_conditions(conditions)

    @rx.event
    def remove_condition(self, index: int):
        conditions = self._conditions()
        if 0 <= index < len(conditions):
            conditions.pop(index)
        return self._set_conditions(conditions)

    @rx.event
    def set_condition_action(self, value: str):
        if value in CONDITION_ACTIONS:
            return self._update_selected(conditionAction=value)
        return None

    @rx.event
    def set_condition_logic(self, value: str):
        if value in CONDITION_LOGICS:
            return self._update_selected(conditionLogic=value)
        return None

    @rx.event
    def rename(self, value: str):
        name = value.strip()
        if not name or name == self.name:
            return None
        try:
            with session_scope() as session:
                service.update_template(
                    session, actor=self._require_actor(), template_id=self.template_id, name=name
                )
        except DomainError as exc:
            return toast_error(exc)
        self.name = name
        return None


# --- view ------------------------------------------------------------------------------


def _thumbnails() -> rx.Component:
    return rx.vstack(
        rx.text("Pages", size="1", weight="bold", color=rx.color("gray", 11)),
        rx.foreach(
            EditorState.page_views,
            lambda page: rx.box(
                rx.image(
                    src=page.thumb_url,
                    width="100%",
                    loading="lazy",
                    border=f"1px solid {rx.color('gray', 5)}",
                    border_radius="4px",
                    alt=f"Page {page.number}",
                ),
                rx.text(page.number, size="1", color=rx.color("gray", 11), text_align="center"),
                on_click=rx.scroll_to(f"page-{page.number}"),
                cursor="pointer",
                width="76px",
            ),
        ),
        spacing="2",
        align="center",
    )


def _section(title: str, *children: rx.Component) -> rx.Component:
    """A titled part of the properties panel; a part that is one control with an id has its
    title as that control's label."""
    style = {"size": "1", "weight": "bold", "color": rx.color("gray", 11)}
    control_id = control_id_of(children[0]) if len(children) == 1 else None
    return rx.vstack(
        field_label(title, control_id, **style) if control_id else rx.text(title, **style),
        *children,
        spacing="2",
        width="100%",
    )


def _options_editor() -> rx.Component:
    return _section(
        "Options",
        rx.foreach(
            EditorState.sel_options,
            lambda option: rx.hstack(
                rx.input(
                    default_value=option.label,
                    key=EditorState.selected_id + "-ol-" + option.index.to_string(),
                    on_blur=lambda v: EditorState.set_option(option.index, "label", v),
                    placeholder="Label",
                    aria_label="Option label",
                    size="1",
                    flex="1",
                ),
                rx.input(
                    default_value=option.value,
                    key=EditorState.selected_id + "-ov-" + option.index.to_string(),
                    on_blur=lambda v: EditorState.set_option(option.index, "value", v),
                    placeholder="Value",
                    aria_label="Option value",
                    size="1",
                    flex="1",
                ),
                rx.icon_button(
                    rx.icon("x", size=12),
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                    on_click=EditorState.remove_option(option.index),
                    aria_label="Remove option",
                ),
                spacing="1",
                width="100%",
                align="center",
            ),
        ),
        rx.button(
            rx.icon("plus", size=12),
            "Add option",
            size="1",
            variant="soft",
            on_click=EditorState.add_option,
        ),
    )


def _conditions_builder() -> rx.Component:
    return _section(
        "Conditional logic",
        rx.cond(
            EditorState.sel_conditions.length() > 0,
            rx.vstack(
                rx.hstack(
                    rx.select.root(
                        rx.select.trigger(width="90px", aria_label="Show, hide or require"),
                        rx.select.content(
                            *[rx.select.item(a.capitalize(), value=a) for a in CONDITION_ACTIONS]
                        ),
                        value=EditorState.sel_action,
                        on_change=EditorState.set_condition_action,
                        size="1",
                    ),
                    rx.text("this field when", size="1"),
                    rx.select.root(
                        rx.select.trigger(width="70px", aria_label="All or any"),
                        rx.select.content(*[rx.select.item(a, value=a) for a in CONDITION_LOGICS]),
                        value=EditorState.sel_logic,
                        on_change=EditorState.set_condition_logic,
                        size="1",
                    ),
                    rx.text("of:", size="1"),
                    spacing="1",
                    align="center",
                    wrap="wrap",
                ),
                rx.foreach(
                    EditorState.sel_conditions,
                    lambda condition: rx.vstack(
                        rx.hstack(
                            rx.select.root(
                                rx.select.trigger(
                                    placeholder="Field", flex="1", aria_label="Field"
                                ),
                                rx.select.content(
                                    rx.foreach(
                                        EditorState.condition_sources,
                                        lambda c: rx.select.item(c.label, value=c.value),
                                    )
                                ),
                                value=condition.source,
                                on_change=lambda v: EditorState.set_condition(
                                    condition.index, "sourceFieldId", v
                                ),
                                size="1",
                            ),
                            rx.icon_button(
                                rx.icon("x", size=12),
                                size="1",
                                variant="ghost",
                                color_scheme="gray",
                                on_click=EditorState.remove_condition(condition.index),
                                aria_label="Remove condition",
                            ),
                            width="100%",
                            spacing="1",
                        ),
                        rx.hstack(
                            rx.select.root(
                                rx.select.trigger(flex="1", aria_label="Comparison"),
                                rx.select.content(
                                    *[
                                        rx.select.item(OPERATOR_LABELS[o], value=o)
                                        for o in CONDITION_OPERATORS
                                    ]
                                ),
                                value=condition.operator,
                                on_change=lambda v: EditorState.set_condition(
                                    condition.index, "operator", v
                                ),
                                size="1",
                            ),
                            rx.cond(
                                condition.needs_value,
                                rx.input(
                                    default_value=condition.value,
                                    key=EditorState.selected_id
                                    + "-cv-"
                                    + condition.index.to_string()
                                    + condition.operator,
                                    on_blur=lambda v: EditorState.set_condition(
                                        condition.index, "value", v
                                    ),
                                    placeholder="Value",
                                    size="1",
                                    flex="1",
                                ),
                            ),
                            width="100%",
                            spacing="1",
                        ),
                        padding="8px",
                        border=f"1px solid {rx.color('gray', 5)}",
                        border_radius="8px",
                        width="100%",
                        spacing="1",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            rx.text(
                "Always shown. Add a condition to show, hide or require this field based on "
                "another field's value.",
                size="1",
                color=rx.color("gray", 11),
            ),
        ),
        rx.button(
            rx.icon("git-branch", size=12),
            "Add condition",
            size="1",
            variant="soft",
            on_click=EditorState.add_condition,
            id="add-condition",
        ),
    )


def _properties() -> rx.Component:
    return rx.cond(
        EditorState.has_selection,
        rx.vstack(
            rx.hstack(
                rx.heading(EditorState.sel_type_label, size="3"),
                rx.text("page ", EditorState.sel_page, size="1", color=rx.color("gray", 11)),
                rx.spacer(),
                rx.icon_button(
                    rx.icon("x", size=14),
                    variant="ghost",
                    size="1",
                    on_click=EditorState.clear_selection,
                    aria_label="Close the field's properties",
                ),
                align="center",
                spacing="2",
                width="100%",
            ),
            rx.text(EditorState.sel_geometry, size="1", color=rx.color("gray", 11), id="geometry"),
            _section(
                "Label",
                rx.input(
                    default_value=EditorState.sel_label,
                    key=EditorState.selected_id + "-label",
                    on_blur=EditorState.set_label,
                    size="2",
                    width="100%",
                    id="field-label",
                ),
            ),
            _section(
                "Signer role",
                rx.select.root(
                    rx.select.trigger(width="100%", id="field-role"),
                    rx.select.content(
                        rx.foreach(
                            EditorState.roles, lambda r: rx.select.item(r.name, value=r.name)
                        )
                    ),
                    value=EditorState.sel_role,
                    on_change=EditorState.set_role,
                ),
            ),
            rx.hstack(
                rx.switch(
                    checked=EditorState.sel_required,
                    on_change=EditorState.set_required,
                    id="field-required",
                ),
                field_label("Required", "field-required", weight="regular"),
                align="center",
                spacing="2",
            ),
            rx.cond(EditorState.sel_is_choice, _options_editor()),
            rx.cond(
                EditorState.sel_is_number,
                rx.hstack(
                    _section(
                        "Min",
                        rx.input(
                            default_value=EditorState.sel_min,
                            key=EditorState.selected_id + "-min",
                            on_blur=lambda v: EditorState.set_number_limit("min", v),
                            type="number",
                            size="1",
                            id="field-min",
                        ),
                    ),
                    _section(
                        "Max",
                        rx.input(
                            default_value=EditorState.sel_max,
                            key=EditorState.selected_id + "-max",
                            on_blur=lambda v: EditorState.set_number_limit("max", v),
                            type="number",
                            size="1",
                            id="field-max",
                        ),
                    ),
                    width="100%",
                ),
            ),
            _section(
                "Default value",
                rx.input(
                    default_value=EditorState.sel_default,
                    key=EditorState.selected_id + "-default",
                    on_blur=EditorState.set_default,
                    placeholder=rx.cond(
                        EditorState.sel_is_choice, "An option value", "Pre-filled value"
                    ),
                    size="2",
                    width="100%",
                    id="field-default",
                ),
            ),
            _conditions_builder(),
            rx.divider(),
            rx.hstack(
                rx.button(
                    rx.icon("copy", size=12),
                    "Duplicate",
                    size="1",
                    variant="soft",
                    on_click=EditorState.duplicate_selected,
                ),
                rx.button(
                    rx.icon("files", size=12),
                    "Copy to every page",
                    size="1",
                    variant="soft",
                    on_click=EditorState.copy_to_every_page,
                ),
                rx.button(
                    rx.icon("trash-2", size=12),
                    "Delete",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=EditorState.delete_selected,
                    id="delete-field",
                ),
                wrap="wrap",
                spacing="2",
            ),
            spacing="4",
            width="100%",
            id="properties",
        ),
        rx.vstack(
            rx.icon("mouse-pointer-click", size=22, color=rx.color("gray", 9)),
            rx.text(
                "Select a field to edit its role, label, options and conditions. Arrow keys "
                "nudge it, Delete removes it.",
                size="2",
                color=rx.color("gray", 11),
            ),
            align="center",
            padding_top="40px",
            spacing="2",
        ),
    )


def _role_picker() -> rx.Component:
    return rx.hstack(
        field_label("Placing for", "placing-role", weight="regular", color=rx.color("gray", 11)),
        rx.select.root(
            rx.select.trigger(width="150px", id="placing-role"),
            rx.select.content(
                rx.foreach(
                    EditorState.roles,
                    lambda r: rx.select.item(
                        rx.hstack(
                            rx.box(
                                width="8px", height="8px", border_radius="999px", background=r.color
                            ),
                            r.name,
                            align="center",
                            spacing="2",
                        ),
                        value=r.name,
                    ),
                )
            ),
            value=EditorState.current_role,
            on_change=EditorState.set_current_role,
            size="2",
        ),
        rx.popover.root(
            rx.popover.trigger(
                rx.icon_button(rx.icon("user-plus", size=14), variant="soft", aria_label="Add role")
            ),
            rx.popover.content(
                rx.hstack(
                    rx.input(
                        placeholder="Role, e.g. employer",
                        aria_label="New role",
                        value=EditorState.new_role,
                        on_change=EditorState.set_new_role,
                        size="2",
                    ),
                    rx.popover.close(rx.button("Add", on_click=EditorState.add_role, size="2")),
                    spacing="2",
                ),
            ),
        ),
        rx.foreach(
            EditorState.roles,
            lambda r: rx.badge(
                rx.box(width="8px", height="8px", border_radius="999px", background=r.color),
                r.name,
                " · ",
                r.count,
                variant="soft",
                color_scheme="gray",
                radius="full",
            ),
        ),
        spacing="2",
        align="center",
        wrap="wrap",
    )


def _toolbar() -> rx.Component:
    return rx.hstack(
        rx.hstack(
            rx.link(
                rx.icon_button(rx.icon("arrow-left", size=16), variant="ghost", aria_label="Back"),
                href="/templates",
            ),
            rx.input(
                default_value=EditorState.name,
                key=EditorState.template_id,
                # saved a moment after typing stops, and at once on leaving the box
                on_change=EditorState.rename.debounce(700),
                on_blur=EditorState.rename,
                variant="soft",
                size="3",
                width="280px",
                min_width="0",
                flex_shrink="1",
                font_weight="600",
                aria_label="Template name",
            ),
            rx.badge(
                rx.cond(
                    EditorState.save_status == "Saved",
                    rx.icon("check", size=12),
                    rx.cond(
                        EditorState.save_status == "Saving…",
                        rx.spinner(size="1"),
                        rx.icon("triangle-alert", size=12),
                    ),
                ),
                EditorState.save_status,
                color_scheme=rx.cond(
                    EditorState.save_status == "Not saved",
                    "red",
                    rx.cond(EditorState.save_status == "Saved", "green", "gray"),
                ),
                id="save-status",
                title=EditorState.save_error,
                size="2",
                flex_shrink="0",
            ),
            align="center",
            spacing="2",
            max_width="100%",
        ),
        _role_picker(),
        rx.hstack(
            rx.text(EditorState.field_count, size="2", color=rx.color("gray", 11)),
            zoom_controls(EditorState),
            align="center",
            spacing="2",
        ),
        justify="between",
        align="center",
        width="100%",
        padding="10px 16px",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 1),
        wrap="wrap",
        spacing="3",
    )


def _side_panel() -> rx.Component:
    """The palette and page thumbnails: a column beside the pages on a wide screen; on a narrow
    one a strip of field types above them (the pages scroll by themselves)."""
    return rx.flex(
        rx.box(
            palette(
                list(FIELD_META),
                on_pick=lambda field_type: with_page_in_view(
                    lambda page: EditorState.place_field(field_type, page)
                ),
                hint="Drag onto a page, or click",
            ),
            width=rx.breakpoints(initial="100%", md="156px"),
            overflow_y="auto",
        ),
        rx.box(
            _thumbnails(),
            display=rx.breakpoints(initial="none", md="block"),
            width="96px",
            flex_shrink="0",
            overflow_y="auto",
            border_left=f"1px solid {rx.color('gray', 4)}",
            padding_left="8px",
        ),
        padding=rx.breakpoints(initial="8px 12px", md="12px"),
        gap="8px",
        flex_shrink="0",
        max_height=rx.breakpoints(initial="none", md="100%"),
        border_right=rx.breakpoints(initial="none", md=f"1px solid {rx.color('gray', 5)}"),
        border_bottom=rx.breakpoints(initial=f"1px solid {rx.color('gray', 5)}", md="none"),
        background=rx.color("gray", 2),
    )


def _properties_panel(display) -> rx.Component:
    """The selected field's properties: a column on the right of a wide screen, a panel under
    the pages of a narrow one."""
    return rx.box(
        _properties(),
        display=display,
        width=rx.breakpoints(initial="100%", md="290px"),
        flex_shrink="0",
        max_height=rx.breakpoints(initial="45vh", md="100%"),
        overflow_y="auto",
        padding="16px",
        border_left=rx.breakpoints(initial="none", md=f"1px solid {rx.color('gray', 5)}"),
        border_top=rx.breakpoints(initial=f"1px solid {rx.color('gray', 5)}", md="none"),
        background=rx.color("gray", 1),
    )


def editor_page() -> rx.Component:
    return rx.cond(
        EditorState.not_found,
        rx.center(
            rx.vstack(
                rx.heading("Template not found", size="5"),
                rx.link("Back to templates", href="/templates"),
                align="center",
            ),
            height="100vh",
        ),
        rx.vstack(
            _toolbar(),
            rx.cond(
                EditorState.save_error != "",
                rx.callout(
                    EditorState.save_error,
                    icon="triangle-alert",
                    color_scheme=rx.cond(EditorState.save_status == "Not saved", "red", "amber"),
                    size="1",
                    width="100%",
                    id="save-error",
                ),
            ),
            rx.flex(
                _side_panel(),
                rx.box(
                    rx.vstack(
                        rx.foreach(
                            EditorState.page_views, lambda page: page_canvas(page, EditorState)
                        ),
                        spacing="5",
                        align="center",
                        padding=f"{SCROLLER_PADDING_PX // 2}px",
                        min_width="fit-content",
                    ),
                    on_click=EditorState.clear_selection,
                    on_mount=fit_pages_on_mount(EditorState),
                    flex="1",
                    min_width="0",
                    min_height="0",
                    overflow="auto",
                    background=rx.color("gray", 3),
                    id=PAGES_SCROLLER_ID,
                ),
                rx.cond(
                    EditorState.has_selection,
                    _properties_panel(display="block"),
                    # On a narrow screen the page takes the room until a field is selected.
                    _properties_panel(display=rx.breakpoints(initial="none", md="block")),
                ),
                direction=rx.breakpoints(initial="column", md="row"),
                width="100%",
                flex="1",
                min_height="0",
            ),
            spacing="0",
            height="100vh",
            width="100%",
        ),
    )
