"""Dashboard: what needs attention across the workspace."""

from __future__ import annotations

import reflex as rx

from workspace.core.db import session_scope
from workspace.core.money import format_money
from workspace.core.services import overview
from workspace.ui.components.formatting import counted
from workspace.ui.layout import app_shell, card
from workspace.ui.state import AuthState


class DashboardState(AuthState):
    members: int = 0
    pending_invitations: int = 0
    active_api_keys: int = 0
    emails_this_week: int = 0
    loaded: bool = False
    # What needs attention, as shown (see `overview.needs_attention`).
    awaiting_signature: int = 0
    awaiting_note: str = ""
    outstanding: str = "—"
    outstanding_note: str = ""
    paid_this_month: str = "—"
    intakes_to_review: int = 0
    intakes_note: str = ""
    hires_in_progress: int = 0
    hires_note: str = ""
    renewals_expiring: int = 0
    renewals_note: str = ""

    @rx.var
    def members_note(self) -> str:
        if not self.loaded:
            return ""
        if self.pending_invitations == 0:
            return "No invitations pending"
        return f"{counted(self.pending_invitations, 'invitation')} pending"

    @rx.event
    def load(self):
        actor = self._actor()
        if actor is None:
            return
        self.loaded = True
        with session_scope() as session:
            figures = overview.organization_overview(session, actor=actor)
            attention = overview.needs_attention(session, actor=actor)
        self.members = figures.members
        self.pending_invitations = figures.pending_invitations
        self.active_api_keys = figures.active_api_keys
        self.emails_this_week = figures.emails_this_week
        self._show_attention(attention)

    def _show_attention(self, figures: overview.Attention) -> None:
        def money(amount: int) -> str:
            return format_money(amount, figures.currency)

        self.awaiting_signature = figures.awaiting_signature
        self.awaiting_note = f"{figures.completed_this_week} completed in the last 7 days"
        self.outstanding = money(figures.outstanding_minor)
        self.outstanding_note = (
            f"{money(figures.overdue_minor)} overdue on "
            f"{counted(figures.overdue_invoices, 'invoice')}"
            if figures.overdue_invoices
            else "Nothing overdue"
        )
        self.paid_this_month = money(figures.paid_this_month_minor)
        self.intakes_to_review = figures.intakes_to_review
        self.intakes_note = f"{figures.intakes_missing_documents} waiting for documents"
        self.hires_in_progress = figures.hires_in_progress
        self.hires_note = f"{figures.hires_cleared_to_start} cleared to start"
        self.renewals_expiring = figures.renewals_expiring
        self.renewals_note = f"{figures.renewals_expired} already expired"


def _figure(
    icon: str, label: str, value, note, href: str, test_id: str, *, value_size: str = "8"
) -> rx.Component:
    return rx.link(
        card(
            rx.hstack(
                rx.vstack(
                    rx.text(label, size="2", color=rx.color("gray", 11), weight="medium"),
                    rx.skeleton(
                        rx.heading(value, size=value_size, id=test_id, overflow_wrap="anywhere"),
                        loading=~DashboardState.loaded,
                    ),
                    rx.text(note, size="1", color=rx.color("gray", 11)),
                    spacing="1",
                    min_width="0",
                ),
                rx.box(
                    rx.icon(icon, size=20, color=rx.color("accent", 11)),
                    background=rx.color("accent", 3),
                    padding="10px",
                    border_radius="10px",
                    flex_shrink="0",
                ),
                justify="between",
                align="start",
                width="100%",
            ),
            height="100%",
        ),
        href=href,
        underline="none",
        color="inherit",
        width="100%",
        height="100%",
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
        rx.text(
            "Welcome, ",
            rx.cond(AuthState.user_name != "", AuthState.user_name, AuthState.user_email),
            color=rx.color("gray", 11),
        ),
        rx.heading("Needs attention", size="4", margin_top="8px"),
        rx.grid(
            _figure(
                "send",
                "Awaiting signature",
                DashboardState.awaiting_signature,
                DashboardState.awaiting_note,
                "/envelopes",
                "figure-awaiting-signature",
            ),
            _figure(
                "receipt",
                "Outstanding invoices",
                DashboardState.outstanding,
                DashboardState.outstanding_note,
                "/invoices",
                "figure-outstanding",
                value_size="6",
            ),
            _figure(
                "banknote",
                "Paid this month",
                DashboardState.paid_this_month,
                "Payments recorded since the 1st",
                "/invoices",
                "figure-paid",
                value_size="6",
            ),
            _figure(
                "building-2",
                "Intakes to review",
                DashboardState.intakes_to_review,
                DashboardState.intakes_note,
                "/business-intake?status=pending_review",
                "figure-intakes",
            ),
            _figure(
                "user-plus",
                "Hires in progress",
                DashboardState.hires_in_progress,
                DashboardState.hires_note,
                "/hiring-packets",
                "figure-hires",
            ),
            _figure(
                "shield-alert",
                "Expiring soon",
                DashboardState.renewals_expiring,
                DashboardState.renewals_note,
                "/renewals-compliance?status=expiring_soon",
                "figure-renewals",
            ),
            columns=rx.breakpoints(initial="1", sm="2", lg="3"),
            spacing="4",
            width="100%",
        ),
        rx.heading("Workspace", size="4", margin_top="8px"),
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
