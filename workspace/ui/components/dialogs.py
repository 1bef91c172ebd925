"""The dialog that asks before something that cannot be undone."""

from __future__ import annotations

from typing import Any

import reflex as rx


def confirm_dialog(
    title: str | rx.Component | rx.Var,
    description: list[Any],
    *,
    keep: str,
    confirm: str,
    on_confirm: Any,
    confirm_id: str | None = None,
    confirm_class: str | None = None,
    trigger: rx.Component | None = None,
    **root_props: Any,
) -> rx.Component:
    """A title, what will happen (`description`: text and components), a way out (`keep`) and a
    red `confirm` button. Opened by `trigger`, or controlled through `open`/`on_open_change`
    in `root_props`."""
    content = rx.alert_dialog.content(
        rx.alert_dialog.title(title),
        rx.alert_dialog.description(*description, size="2"),
        rx.flex(
            rx.alert_dialog.cancel(rx.button(keep, variant="soft", color_scheme="gray")),
            rx.alert_dialog.action(
                rx.button(
                    confirm,
                    color_scheme="red",
                    on_click=on_confirm,
                    id=confirm_id,
                    class_name=confirm_class,
                )
            ),
            spacing="3",
            justify="end",
            margin_top="16px",
        ),
        max_width="440px",
    )
    if trigger is not None:
        return rx.alert_dialog.root(rx.alert_dialog.trigger(trigger), content, **root_props)
    return rx.alert_dialog.root(content, **root_props)
