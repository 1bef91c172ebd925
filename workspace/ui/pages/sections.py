"""Sections of the app whose pages are not built yet show an honest empty state."""

from __future__ import annotations

import reflex as rx

from workspace.ui.layout import app_shell, empty_state

UPCOMING: dict[str, tuple[str, str, str]] = {}


def section_page(route: str):
    title, icon, text = UPCOMING[route]

    def page() -> rx.Component:
        return app_shell(
            empty_state(
                icon,
                f"{title} is not available in this version yet",
                f"{text} This section arrives in an upcoming release; nothing is stored here yet.",
            ),
            title=title,
        )

    page.__name__ = f"section_{route.strip('/').replace('-', '_')}"
    return page
