"""Invoices list: status tabs, search, totals, aging chart and server-side paging."""

from __future__ import annotations

from datetime import UTC, datetime

import reflex as rx

from workspace.core.db import session_scope
from workspace.core.errors import DomainError
from workspace.core.money import format_money
from workspace.core.schemas.invoices import amount_due
from workspace.core.services import invoices as service
from workspace.ui.layout import app_shell, card, empty_state
from workspace.ui.state import AuthState, toast_error

PAGE_SIZE = 25
TABS = [
    ("", "All"),
    ("draft", "Draft"),
    ("sent", "Sent"),
    ("viewed", "Viewed"),
    ("partially_paid", "Partially paid"),
    ("overdue", "Overdue"),
    ("paid", "Paid"),
    ("void", "Void"),
]
STATUS_LABEL = dict(TABS[1:])
STATUS_COLOR = {
    "draft": "gray",
    "sent": "blue",
    "viewed": "cyan",
    "partially_paid": "amber",
    "overdue": "red",
    "paid": "green",
    "void": "gray",
}


def fmt_date(ms: int | None) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%d %b %Y") if ms else ""


def _bar_percent(amount: int, peak: int) -> int:
    return max(round(amount * 100 / peak), 1) if amount else 0


def status_badge(status) -> rx.Component:
    return rx.badge(
        rx.match(status, *[(key, label) for key, label in STATUS_LABEL.items()], status),
        color_scheme=rx.match(status, *STATUS_COLOR.items(), "gray"),
        variant="soft",
        radius="full",
    )


class InvoicesState(AuthState):
    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 0
    status_tab: str = ""
    search: str = ""
    currency: str = ""
    outstanding: str = ""
    overdue: str = ""
    paid_this_month: str = ""
    aging: list[dict[str, str]] = []
    counts: dict[str, int] = {}
    loaded: bool = False

    @rx.var
    def page_label(self) -> str:
        if not self.total:
            return "No invoices"
        start = self.page * PAGE_SIZE + 1
        end = min(self.total, start + PAGE_SIZE - 1)
        return f"{start}–{end} of {self.total}"

    @rx.var
    def has_next(self) -> bool:
        return (self.page + 1) * PAGE_SIZE < self.total

    @rx.var
    def has_prev(self) -> bool:
        return self.page > 0

    @rx.event
    def load(self):
        actor = self._actor()
        if actor is None:
            return None
        try:
            with session_scope() as session:
                invoices, self.total = service.list_invoices(
                    session,
                    actor=actor,
                    status=self.status_tab or None,
                    search=self.search,
                    limit=PAGE_SIZE,
                    offset=self.page * PAGE_SIZE,
                )
                totals = service.invoice_totals(session, actor=actor)
        except DomainError as exc:
            return toast_error(exc)
        self.rows = [
            {
                "id": inv.id,
                "number": inv.invoice_number,
                "client": inv.client_name,
                "company": inv.client_company or inv.client_email,
                "title": inv.title,
                "status": inv.status,
                "total": format_money(inv.total_minor, inv.currency),
                "due": format_money(amount_due(inv), inv.currency),
                "due_date": fmt_date(inv.due_date),
                "issued": fmt_date(inv.invoice_date),
            }
            for inv in invoices
        ]
        code = totals["currency"]
        self.currency = code
        self.outstanding = format_money(totals["outstandingKobo"], code)
        self.overdue = format_money(totals["overdueKobo"], code)
        self.paid_this_month = format_money(totals["paidThisMonthKobo"], code)
        peak = max([bucket["amountKobo"] for bucket in totals["aging"]] + [1])
        labels = {"current": "Not yet due", "90+": "90+ days"}
        self.aging = [
            {
                "label": labels.get(bucket["bucket"], f"{bucket['bucket']} days"),
                "amount": format_money(bucket["amountKobo"], code),
                "width": f"{_bar_percent(bucket['amountKobo'], peak)}%",
                "color": "var(--green-9)" if bucket["bucket"] == "current" else "var(--red-9)",
            }
            for bucket in totals["aging"]
        ]
        self.counts = totals["counts"]
        self.loaded = True
        return None

    @rx.event
    def set_tab(self, value: str):
        self.status_tab = "" if value == "all" else value
        self.page = 0
        return InvoicesState.load

    @rx.event
    def set_search(self, value: str):
        self.search = value
        self.page = 0
        return InvoicesState.load

    @rx.event
    def next_page(self):
        if self.has_next:
            self.page += 1
        return InvoicesState.load

    @rx.event
    def prev_page(self):
        self.page = max(self.page - 1, 0)
        return InvoicesState.load


def _stat(label: str, value, icon: str, color: str) -> rx.Component:
    return card(
        rx.hstack(
            rx.box(
                rx.icon(icon, size=18, color=rx.color(color, 11)),
                background=rx.color(color, 3),
                padding="8px",
                border_radius="8px",
            ),
            rx.vstack(
                rx.text(label, size="1", color=rx.color("gray", 11), weight="medium"),
                rx.text(value, size="5", weight="bold", id=f"stat-{icon}"),
                spacing="0",
            ),
            spacing="3",
            align="center",
        )
    )


def _aging_chart() -> rx.Component:
    return card(
        rx.vstack(
            rx.hstack(
                rx.text("Receivables aging", weight="bold", size="2"),
                rx.text("days past due · ", InvoicesState.currency, size="1", color="gray"),
                justify="between",
                width="100%",
            ),
            rx.foreach(
                InvoicesState.aging,
                lambda bucket: rx.hstack(
                    rx.text(bucket["label"], size="1", width="84px", color=rx.color("gray", 11)),
                    rx.box(
                        rx.box(
                            width=bucket["width"],
                            height="100%",
                            background=bucket["color"],
                            border_radius="4px",
                        ),
                        flex="1",
                        height="12px",
                        background=rx.color("gray", 3),
                        border_radius="4px",
                    ),
                    rx.text(bucket["amount"], size="1", width="110px", text_align="right"),
                    width="100%",
                    align="center",
                    spacing="2",
                ),
            ),
            spacing="2",
            width="100%",
            id="aging-chart",
        )
    )


def _row(row: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(row["number"], href=f"/invoices/{row['id']}", weight="medium"),
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(row["client"], size="2", weight="medium"),
                rx.text(row["company"], size="1", color=rx.color("gray", 10)),
                spacing="0",
            )
        ),
        rx.table.cell(rx.text(row["title"], size="2"), display=["none", "none", "table-cell"]),
        rx.table.cell(status_badge(row["status"])),
        rx.table.cell(rx.text(row["due_date"], size="2"), display=["none", "table-cell"]),
        rx.table.cell(rx.text(row["total"], size="2"), text_align="right"),
        rx.table.cell(rx.text(row["due"], size="2", weight="medium"), text_align="right"),
        class_name="invoice-row",
        _hover={"background": rx.color("gray", 2)},
    )


def _table() -> rx.Component:
    header = rx.table.header(
        rx.table.row(
            rx.table.column_header_cell("Number"),
            rx.table.column_header_cell("Client"),
            rx.table.column_header_cell("Title", display=["none", "none", "table-cell"]),
            rx.table.column_header_cell("Status"),
            rx.table.column_header_cell("Due", display=["none", "table-cell"]),
            rx.table.column_header_cell("Total", text_align="right"),
            rx.table.column_header_cell("Amount due", text_align="right"),
        )
    )
    return rx.cond(
        InvoicesState.rows,
        card(
            rx.table.root(
                header,
                rx.table.body(rx.foreach(InvoicesState.rows, _row)),
                width="100%",
                variant="ghost",
            ),
            rx.hstack(
                rx.text(InvoicesState.page_label, size="2", color="gray", id="page-label"),
                rx.hstack(
                    rx.button(
                        rx.icon("chevron-left", size=16),
                        "Previous",
                        variant="soft",
                        disabled=~InvoicesState.has_prev,
                        on_click=InvoicesState.prev_page,
                    ),
                    rx.button(
                        "Next",
                        rx.icon("chevron-right", size=16),
                        variant="soft",
                        disabled=~InvoicesState.has_next,
                        on_click=InvoicesState.next_page,
                        id="next-page",
                    ),
                ),
                justify="between",
                align="center",
                padding_top="12px",
                width="100%",
            ),
        ),
        rx.cond(
            InvoicesState.loaded,
            empty_state(
                "receipt",
                "No invoices here",
                "Create an invoice, send it to your client and record payments as they arrive.",
                rx.link(rx.button(rx.icon("plus", size=16), "New invoice"), href="/invoices/new"),
            ),
            rx.center(rx.spinner(size="3"), padding="40px", width="100%"),
        ),
    )


def invoices_page() -> rx.Component:
    return app_shell(
        rx.grid(
            _stat("Outstanding", InvoicesState.outstanding, "wallet", "blue"),
            _stat("Overdue", InvoicesState.overdue, "alarm-clock", "red"),
            _stat("Paid this month", InvoicesState.paid_this_month, "circle-check", "green"),
            columns=rx.breakpoints(initial="1", sm="3"),
            spacing="3",
            width="100%",
        ),
        _aging_chart(),
        rx.hstack(
            rx.tabs.root(
                rx.tabs.list(
                    *[
                        rx.tabs.trigger(label, value=value or "all", id=f"tab-{value or 'all'}")
                        for value, label in TABS
                    ],
                    size="1",
                ),
                value=rx.cond(InvoicesState.status_tab == "", "all", InvoicesState.status_tab),
                on_change=InvoicesState.set_tab,
                overflow_x="auto",
                max_width="100%",
            ),
            rx.input(
                rx.input.slot(rx.icon("search", size=16)),
                placeholder="Search number, client, title…",
                value=InvoicesState.search,
                on_change=InvoicesState.set_search,
                debounce_timeout=300,
                width=["100%", "100%", "280px"],
                id="invoice-search",
            ),
            justify="between",
            align="center",
            width="100%",
            flex_wrap="wrap",
            spacing="3",
        ),
        _table(),
        title="Invoices",
        actions=rx.hstack(
            rx.link(
                rx.button(rx.icon("users", size=16), "Customers", variant="soft"),
                href="/customers",
            ),
            rx.link(
                rx.button(rx.icon("plus", size=16), "New invoice", id="new-invoice"),
                href="/invoices/new",
            ),
        ),
    )
