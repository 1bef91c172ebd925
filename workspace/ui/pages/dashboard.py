"""Dashboard: what needs attention across the workspace."""

from __future__ import annotations

import reflex as rx

from workspace.ui.layout import app_shell, card
from workspace.ui.state import AuthState


def _shortcut(icon: str, title: str, text: str, href: str) -> rx.Component:
    return rx.link(
        card(
            rx.hstack(
                rx.box(
                    rx.icon(icon, size=20, color=rx.color("accent", 11)),
                    background=rx.color("accent", 3),
                    padding="10px",
                    border_radius="10px",
                ),
                rx.vstack(
                    rx.text(title, weight="bold"),
                    rx.text(text, size="2", color=rx.color("gray", 11)),
                    spacing="1",
                ),
                spacing="3",
                align="center",
            ),
        ),
        href=href,
        underline="none",
        width="100%",
    )


def dashboard_page() -> rx.Component:
    return app_shell(
        rx.text("Welcome back, ", AuthState.user_email, color=rx.color("gray", 11)),
        rx.grid(
            _shortcut("file-text", "Templates", "Upload a PDF and place fields", "/templates"),
            _shortcut("send", "Envelopes", "Send documents for signature", "/envelopes"),
            _shortcut("receipt", "Invoices", "Bill clients and record payments", "/invoices"),
            _shortcut(
                "building-2", "Business Intake", "Onboard vendors and clients", "/business-intake"
            ),
            _shortcut(
                "user-plus", "Hiring Packets", "Collect new-hire paperwork", "/hiring-packets"
            ),
            _shortcut(
                "shield-check", "Renewals & Compliance", "Track expirations", "/renewals-compliance"
            ),
            _shortcut("mail", "Mailbox", "Every email the workspace sent", "/mailbox"),
            _shortcut("key-round", "API keys", "Connect your own systems", "/settings"),
            columns=rx.breakpoints(initial="1", sm="2", lg="3"),
            spacing="4",
            width="100%",
        ),
        title="Dashboard",
    )
