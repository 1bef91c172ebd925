"""Form pieces shared by pages: labels tied to their controls."""

from __future__ import annotations

import functools

import reflex as rx


def field_label(text: str | rx.Var, control_id: str, **props) -> rx.Component:
    """A form field's visible label, tied to its control: clicking it focuses the control and
    screen readers announce the control by it."""
    return rx.text(
        text,
        as_="label",
        custom_attrs={"htmlFor": control_id},
        size=props.pop("size", "2"),
        weight=props.pop("weight", "medium"),
        **props,
    )


def form_field(
    label: str | rx.Var,
    control: rx.Component,
    *,
    control_id: str | None = None,
    hint: str | rx.Var = "",
    compact: bool = False,
    **props,
) -> rx.Component:
    """A control under its label, tied to it by the control's id, or by `control_id` where the
    id sits inside the control (a select's trigger) or the control changes. An optional hint
    goes under the control; `compact` labels are smaller and gray, for dense forms."""
    style = {"size": "1", "color": rx.color("gray", 11)} if compact else {}
    return rx.vstack(
        field_label(label, control_id or control.id, **style),
        control,
        rx.cond(hint != "", rx.text(hint, size="1", color=rx.color("gray", 11))),
        spacing="1",
        width="100%",
        **props,
    )


compact_field = functools.partial(form_field, compact=True)
