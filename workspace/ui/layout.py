"""The signed-in app shell: sidebar navigation, header and page body."""

from __future__ import annotations

import reflex as rx

from workspace.ui.state import AuthState

# Table cells that phones leave out (shown from 48em, Reflex's "sm" breakpoint).
WIDE_ONLY = ["none", "none", "table-cell"]
# Table cells that only phones leave out, and what phones show in their place.
TABLET_UP = ["none", "table-cell"]
PHONE_ONLY = ["block", "none"]
# The sidebar from 62em (a laptop) up; narrower screens, tablets included, open the menu.
SIDEBAR_UP = ["none", "none", "none", "block"]
MENU_BUTTON = ["block", "block", "block", "none"]

NAV = [
    ("Dashboard", "/", "layout-dashboard"),
    ("Templates", "/templates", "file-text"),
    ("Envelopes", "/envelopes", "send"),
    ("Invoices", "/invoices", "receipt"),
    ("Customers", "/customers", "users"),
    ("Business Intake", "/business-intake", "building-2"),
    ("Hiring Packets", "/hiring-packets", "user-plus"),
    ("Renewals & Compliance", "/renewals-compliance", "shield-check"),
    ("Webhooks", "/webhooks", "webhook"),
    ("Mailbox", "/mailbox", "mail"),
    ("Settings", "/settings", "settings"),
]


def _nav_item(label: str, href: str, icon: str) -> rx.Component:
    path = rx.State.router.page.path
    # The dashboard's route is "/", which Reflex names "/index".
    active = ((path == "/") | (path == "/index")) if href == "/" else path.startswith(href)
    return rx.link(
        rx.hstack(
            rx.icon(icon, size=18),
            rx.text(label, size="2", weight="medium"),
            spacing="3",
            align="center",
        ),
        href=href,
        underline="none",
        padding="8px 12px",
        border_radius="8px",
        width="100%",
        color=rx.cond(active, rx.color("accent", 11), rx.color("gray", 11)),
        background=rx.cond(active, rx.color("accent", 3), "transparent"),
        _hover={"background": rx.color("gray", 3)},
        custom_attrs={"aria-current": rx.cond(active, "page", "false")},
    )


def _nav(in_drawer: bool = False) -> rx.Component:
    items = [_nav_item(*item) for item in NAV]
    if in_drawer:  # following a link also closes the phone drawer
        items = [rx.drawer.close(item) for item in items]
    return rx.vstack(*items, spacing="1", width="100%")


def _brand() -> rx.Component:
    return rx.hstack(
        rx.box(
            rx.icon("pen-line", size=18, color="white"),
            background=rx.color("accent", 9),
            padding="6px",
            border_radius="8px",
        ),
        rx.text("Workspace", weight="bold", size="4"),
        align="center",
        spacing="2",
    )


def _org_badge(size: str = "34px") -> rx.Component:
    """The organization's logo, or its initial on its brand colour."""
    return rx.cond(
        AuthState.org_logo_url != "",
        rx.image(
            src=AuthState.org_logo_url,
            alt="",
            height=size,
            width=size,
            object_fit="contain",
            border_radius="8px",
            background="white",
            border=f"1px solid {rx.color('gray', 5)}",
            id="org-logo",
        ),
        rx.center(
            rx.text(AuthState.org_initial, weight="bold", color="white"),
            width=size,
            min_width=size,
            height=size,
            border_radius="8px",
            background=AuthState.brand_color,
        ),
    )


def _org_header() -> rx.Component:
    return rx.hstack(
        _org_badge(),
        rx.vstack(
            rx.text(
                AuthState.org_name,
                weight="bold",
                size="3",
                trim="both",
                id="org-name",
                style={"overflow": "hidden", "text_overflow": "ellipsis", "white_space": "nowrap"},
                max_width="170px",
            ),
            rx.text("Workspace", size="1", color=rx.color("gray", 11)),
            spacing="1",
        ),
        align="center",
        spacing="3",
        width="100%",
    )


def _account_footer() -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(
                AuthState.user_email,
                size="1",
                weight="medium",
                style={"overflow": "hidden", "text_overflow": "ellipsis", "white_space": "nowrap"},
                max_width="150px",
            ),
            rx.badge(AuthState.role, variant="soft", color_scheme="gray", size="1"),
            spacing="1",
        ),
        rx.tooltip(
            rx.icon_button(
                rx.icon("log-out", size=16),
                variant="ghost",
                color_scheme="gray",
                on_click=AuthState.log_out,
                aria_label="Log out",
            ),
            content="Log out",
        ),
        justify="between",
        align="center",
        width="100%",
        padding_top="12px",
        border_top=f"1px solid {rx.color('gray', 4)}",
    )


def _user_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.icon("circle-user", size=18),
                rx.text(AuthState.user_email, size="2", display=["none", "none", "inline"]),
                variant="ghost",
                color_scheme="gray",
                id="user-menu",
                aria_label="Account",  # on phones the button shows only its icon
            ),
        ),
        rx.menu.content(
            rx.menu.item(rx.text(AuthState.org_name, weight="bold"), disabled=True),
            rx.menu.item(rx.text("Role: ", AuthState.role), disabled=True),
            rx.menu.separator(),
            rx.menu.item("Settings", on_select=rx.redirect("/settings")),
            rx.menu.item("Log out", color="red", on_select=AuthState.log_out),
        ),
    )


def app_shell(
    *children: rx.Component, title: str, actions: rx.Component | None = None
) -> rx.Component:
    """Sidebar on wide screens, a drawer menu on phones."""
    header = rx.hstack(
        rx.hstack(
            rx.box(
                rx.drawer.root(
                    rx.drawer.trigger(
                        rx.icon_button(rx.icon("menu"), variant="ghost", aria_label="Menu")
                    ),
                    rx.drawer.overlay(),
                    rx.drawer.portal(
                        rx.drawer.content(
                            rx.vstack(
                                _org_header(),
                                _nav(in_drawer=True),
                                rx.spacer(),
                                _account_footer(),
                                spacing="4",
                                padding="16px",
                                height="100%",
                            ),
                            background=rx.color("gray", 1),
                            width="260px",
                            height="100%",
                        )
                    ),
                    direction="left",
                ),
                display=MENU_BUTTON,
            ),
            rx.heading(title, size="6"),
            align="center",
            spacing="3",
        ),
        # On a narrow screen the actions move under the title, to the right.
        rx.hstack(
            actions or rx.fragment(),
            _user_menu(),
            align="center",
            spacing="3",
            margin_left="auto",
        ),
        justify="between",
        align="center",
        width="100%",
        padding_y="14px",
        wrap="wrap",
        row_gap="8px",
    )
    sidebar = rx.box(
        rx.vstack(
            _org_header(),
            _nav(),
            rx.spacer(),
            _account_footer(),
            spacing="5",
            padding="20px 14px",
            height="100%",
        ),
        width="250px",
        min_width="250px",
        height="100vh",
        position="sticky",
        top="0",
        border_right=f"1px solid {rx.color('gray', 4)}",
        background=rx.color("gray", 2),
        display=SIDEBAR_UP,
    )
    return rx.hstack(
        sidebar,
        rx.box(
            header,
            rx.vstack(*children, spacing="4", width="100%"),
            padding_x=["14px", "20px", "32px"],
            padding_bottom="40px",
            width="100%",
            max_width="1200px",
            # Beside the sidebar, wide content (tabs, tables) scrolls inside instead of
            # widening the page.
            min_width="0",
        ),
        spacing="0",
        align="start",
        width="100%",
        min_height="100vh",
    )


def empty_state(
    icon: str, heading: str, text: str, action: rx.Component | None = None
) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.box(
                rx.icon(icon, size=28, color=rx.color("accent", 10)),
                background=rx.color("accent", 3),
                padding="14px",
                border_radius="999px",
            ),
            rx.heading(heading, size="4"),
            rx.text(text, color=rx.color("gray", 11), text_align="center", max_width="440px"),
            action or rx.fragment(),
            align="center",
            spacing="3",
        ),
        padding="56px 16px",
        border=f"1px dashed {rx.color('gray', 6)}",
        border_radius="12px",
        width="100%",
    )


def scrolling_table(columns: list[tuple[str, bool]], rows, row, *, table_id: str) -> rx.Component:
    """A full-width table that scrolls sideways on narrow screens; `columns` are
    (header, shown on wide screens only) and `row` renders one item of `rows`."""
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(label, display=WIDE_ONLY if wide else None)
                        for label, wide in columns
                    ]
                )
            ),
            rx.table.body(rx.foreach(rows, row)),
            width="100%",
            id=table_id,
        ),
        overflow_x="auto",
        width="100%",
    )


def card(*children: rx.Component, **props) -> rx.Component:
    return rx.card(*children, width="100%", **props)


def public_shell(*children: rx.Component) -> rx.Component:
    """Centered column for login and other pages without an account."""
    return rx.center(
        rx.vstack(
            _brand(),
            rx.card(rx.vstack(*children, spacing="4", width="100%"), width="100%", size="3"),
            spacing="5",
            align="center",
            width="100%",
            max_width="420px",
        ),
        min_height="100vh",
        padding="16px",
        background=rx.color("gray", 2),
    )
