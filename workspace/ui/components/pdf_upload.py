"""The drop zone for one PDF, shared by the template list and "upload and send"."""

from __future__ import annotations

import reflex as rx

MAX_PDF_BYTES = 50 * 1024 * 1024


def pdf_drop_zone(
    *,
    upload_id: str,
    on_drop,
    busy,
    busy_view: rx.Component,
    title: str,
    hint: str,
    padding: str,
) -> rx.Component:
    """Drop or click to choose a PDF; `busy_view` replaces the prompt while `busy`."""
    prompt = rx.vstack(
        rx.box(
            rx.icon("file-up", size=24, color=rx.color("accent", 10)),
            background=rx.color("accent", 3),
            padding="12px",
            border_radius="999px",
        ),
        rx.text(title, weight="medium"),
        rx.text(hint, size="2", color=rx.color("gray", 11), text_align="center"),
        align="center",
        spacing="2",
    )
    return rx.upload.root(
        rx.center(rx.cond(busy, busy_view, prompt), padding=padding),
        id=upload_id,
        accept={"application/pdf": [".pdf"]},
        multiple=False,
        max_files=1,
        max_size=MAX_PDF_BYTES,
        on_drop=on_drop,
        border=f"2px dashed {rx.color('accent', 7)}",
        border_radius="12px",
        background=rx.color("accent", 2),
        width="100%",
        cursor="pointer",
        drag_active_style={"background": rx.color("accent", 4)},
    )
