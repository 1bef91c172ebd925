"""Selects that show people a readable label and submit the stored value."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import reflex as rx
from reflex.vars.base import Var


@dataclasses.dataclass
class Choice:
    value: str
    label: str


def choice_select(
    options: Sequence[tuple[str, str]] | Var,
    *,
    placeholder: str = "",
    width: str = "100%",
    trigger_id: str | None = None,
    aria_label: str | None = None,
    **props,
) -> rx.Component:
    """A select over `(value, label)` pairs, or over a state var holding a list of `Choice`.
    Its label is a `field_label` tied to `trigger_id` or, where none shows, `aria_label`.
    `props` go to the select root (`value`, `on_change`, `name`, `default_value`, …)."""
    if isinstance(options, Var):
        items = rx.foreach(options, lambda choice: rx.select.item(choice.label, value=choice.value))
    else:
        items = rx.fragment(*[rx.select.item(label, value=value) for value, label in options])
    return rx.select.root(
        rx.select.trigger(
            placeholder=placeholder, width=width, id=trigger_id, aria_label=aria_label
        ),
        rx.select.content(items),
        **props,
    )
