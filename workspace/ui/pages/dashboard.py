"""Dashboard: what needs attention across the workspace."""

from __future__ import annotations

import reflex as rx

from workspace.core.db import session_scope
from workspace.core.services import overview
from workspace.ui.layout import app_shell, card
from workspace.ui.state import AuthState


class DashboardState(AuthState):
    members: int = 0
    pending_invitations: int = 0
    active_api_keys: int = 0
    emails_this_week: int = 0
    loaded: bool = False

    @rx.var
    def members_note(self) -> str:
        if not self.loaded:
            return ""
        if self.pending_invitations == 0:
            return "No invitations pending"
        plural = "s" if self.pending_invitations > 1 else ""
        return f"{self.pending_invitations} invitation{plural} pending"

    @rx.event
    def load(self):
        actor = self._actor()
        if actor is None:
            return
        self.loaded = True
        with session_scope() as session:
            figures = overview.organization_overview(session, actor=actor)
        self.members = figures.members
        self.pending_invitations = figures.pending_invitations
        self.active_api_keys = figures.active_api_keys
        self.emails_this_week = figures.emails_this_week


def _figure(icon: str, label: str, value, note, href: str, test_id: str) -> rx.Component:
    return rx.link(
        card(
            rx.hstack(
                rx.vstack(
                    rx.text(label, size="2", color=rx.color("gray", 11), weight="medium"),
                    rx.skeleton(
                        rx.heading(value, size="8", id=test_id), loading=~DashboardState.loaded
                    ),
                    rx.text(note, size="1", color=rx.color("gray", 10)),
                    spacing="1",
                ),
                rx.box(
                    rx.icon(icon, size=20, color=rx.color("accent", 11)),
                    background=rx.color("accent", 3),
                    padding="10px",
                    border_radius="10px",
                ),
                justify="between",
                align="start",
                width="100%",
            ),
        ),
        href=href,
        underline="none",
        color="inherit",
        width="100%",
    )


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
            _figure(
                "users",
                "Members",
                DashboardState.members,
                DashboardState.members_note,
                "/settings?tab=members",
                "figure-members",
            ),
            _figure(
                "key-round",
                "Active API keys",
                DashboardState.active_api_keys,
                "Live and test keys not revoked",
                "/settings?tab=api-keys",
                "figure-api-keys",
            ),
            _figure(
                "mail",
                "Emails this week",
                DashboardState.emails_this_week,
                "Written in the last 7 days",
                "/mailbox",
                "figure-emails",
            ),
            columns=rx.breakpoints(initial="1", sm="3"),
            spacing="4",
            width="100%",
        ),
        rx.heading("Shortcuts", size="4", margin_top="8px"),
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
            _shortcut(
                "key-round", "API keys", "Connect your own systems", "/settings?tab=api-keys"
            ),
            columns=rx.breakpoints(initial="1", sm="2", lg="3"),
            spacing="4",
            width="100%",
        ),
        title="Dashboard",
    )
