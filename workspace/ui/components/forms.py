"""Form pieces shared by pages: labels tied to their controls."""

from __future__ import annotations

import functools

import reflex as rx


def control_id_of(control: rx.Component) -> str | rx.Var | None:
    """The control's id, or the first id inside it (a select's id sits on its trigger)."""
    if control.id is not None:
        return control.id
    for child in control.children:
        if (found := control_id_of(child)) is not None:
            return found
    return None


def field_label(
    text: str | rx.Var,
    control_id: str | rx.Var,
    *,
    size: str = "2",
    weight: str = "medium",
    **props,
) -> rx.Component:
    """A form field's visible label, tied to its control: clicking it focuses the control and
    screen readers announce the control by it."""
    return rx.text(
        text, as_="label", custom_attrs={"htmlFor": control_id}, size=size, weight=weight, **props
    )


def form_field(
    label: str | rx.Var,
    control: rx.Component,
    *,
    control_id: str | None = None,
    hint: str = "",
    compact: bool = False,
    **props,
) -> rx.Component:
    """A control under its label, tied to it by the control's id (`control_id` where the control
    changes, so no one id is inside it). An optional hint goes under the control; `compact`
    labels are smaller and gray, for dense forms."""
    style = {"size": "1", "color": rx.color("gray", 11)} if compact else {}
    hint_text = [rx.text(hint, size="1", color=rx.color("gray", 11))] if hint else []
    return rx.vstack(
        field_label(label, control_id or control_id_of(control), **style),
        control,
        *hint_text,
        spacing="1",
        width="100%",
        **props,
    )


compact_field = functools.partial(form_field, compact=True)


def label_row(*children: rx.Component, gap: str = "8px") -> rx.Component:
    """A control and its text side by side inside one label: the text names the control and a
    click anywhere on the row works it."""
    return rx.el.label(
        *children,
        style={"display": "flex", "align_items": "center", "gap": gap, "cursor": "pointer"},
    )
