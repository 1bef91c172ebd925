"""Invoices list: status tabs, search, totals and aging per currency (amounts in different
currencies are never added), server-side paging, and the organization's reminder schedule."""

from __future__ import annotations

from datetime import UTC, datetime

import reflex as rx

from workspace.core.db import read_scope, session_scope
from workspace.core.errors import DomainError
from workspace.core.models.invoices import INVOICE_STATUSES
from workspace.core.money import format_money
from workspace.core.schemas.invoices import amount_due
from workspace.core.services import invoices as service
from workspace.ui.components.choices import choice_select
from workspace.ui.layout import PHONE_ONLY, TABLET_UP, WIDE_ONLY, app_shell, card, empty_state
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


WIDE_LABEL = ["none", "inline"]  # what phones leave out of the header (icons stay)
AGING_LABELS = {"current": "Not yet due", "90+": "90+ days"}
MAX_DAYS_BEFORE = 60
MAX_DAYS_AFTER = 365


def _amounts(by_currency: list[dict], key: str) -> list[str]:
    """One formatted figure per currency that has one; the main currency's zero otherwise."""
    figures = [format_money(e[key], e["currency"]) for e in by_currency if e[key]]
    return figures or [format_money(0, by_currency[0]["currency"])]


def _aging_bars(entry: dict) -> list[dict[str, str]]:
    peak = max([bucket["amountKobo"] for bucket in entry["aging"]] + [1])
    return [
        {
            "label": AGING_LABELS.get(bucket["bucket"], f"{bucket['bucket']} days"),
            "amount": format_money(bucket["amountKobo"], entry["currency"]),
            "width": f"{_bar_percent(bucket['amountKobo'], peak)}%",
            "color": "var(--green-9)" if bucket["bucket"] == "current" else "var(--red-9)",
        }
        for bucket in entry["aging"]
    ]


def reminder_label(day: int) -> str:
    """A reminder day relative to the due date, as the schedule editor shows it."""
    if day == 0:
        return "On the due date"
    count = f"{abs(day)} day{'s' if abs(day) != 1 else ''}"
    return f"{count} {'before' if day < 0 else 'after'} the due date"


def status_badge(status) -> rx.Component:
    return rx.badge(
        rx.match(status, *[(key, label) for key, label in STATUS_LABEL.items()], status),
        color_scheme=rx.match(status, *STATUS_COLOR.items(), "gray"),
        variant="soft",
        radius="full",
    )


class InvoicesState(AuthState):
    """Only what the page shows goes to the browser: the 25 rows as display strings, the
    summary figures and the aging bars of the chosen currency. The other currencies' bars
    and the version of the figures stay on the server."""

    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 0
    status_tab: str = ""
    search: str = ""
    outstanding: list[str] = []
    overdue: list[str] = []
    paid_this_month: list[str] = []
    aging: list[dict[str, str]] = []
    aging_currencies: list[str] = []
    aging_currency: str = ""
    loaded: bool = False
    reminders_open: bool = False
    reminders_enabled: bool = True
    reminder_days: list[int] = []
    new_reminder_count: str = "3"
    new_reminder_when: str = "before"
    reminder_error: str = ""
    _aging_by_currency: dict[str, list[dict[str, str]]] = {}
    _totals_version: tuple = ()

    @rx.var
    def reminder_chips(self) -> list[dict[str, str]]:
        return [{"day": str(day), "label": reminder_label(day)} for day in self.reminder_days]

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
        self.reminders_open = False  # a reload does not bring back a dialog left open
        status = self.router.url.query_parameters.get("status")  # a link to one tab
        if status in INVOICE_STATUSES:
            self.status_tab, self.page, self.search = status, 0, ""
        return self._refresh()

    def _refresh(self):
        """The page of rows, and the totals only when an invoice changed since they were
        computed (paging, tabs and search leave them as they are). Handlers call it directly
        so that the new rows and the page label reach the browser in one delta."""
        actor = self._actor()
        if actor is None:
            return None
        try:
            with read_scope() as session:
                invoices, self.total = service.list_invoices(
                    session,
                    actor=actor,
                    status=self.status_tab or None,
                    search=self.search,
                    limit=PAGE_SIZE,
                    offset=self.page * PAGE_SIZE,
                )
                version = (actor.org_id, *service.totals_version(session, actor=actor))
                totals = (
                    service.invoice_totals(session, actor=actor)
                    if version != self._totals_version
                    else None
                )
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
            }
            for inv in invoices
        ]
        if totals is not None:
            self._show_totals(totals["byCurrency"])
            self._totals_version = version
        self.loaded = True
        return None

    def _show_totals(self, by_currency: list[dict]) -> None:
        self.outstanding = _amounts(by_currency, "outstandingKobo")
        self.overdue = _amounts(by_currency, "overdueKobo")
        self.paid_this_month = _amounts(by_currency, "paidThisMonthKobo")
        self._aging_by_currency = {e["currency"]: _aging_bars(e) for e in by_currency}
        self.aging_currencies = [e["currency"] for e in by_currency]
        if self.aging_currency not in self._aging_by_currency:
            self.aging_currency = self.aging_currencies[0]
        self.aging = self._aging_by_currency[self.aging_currency]

    @rx.event
    def set_tab(self, value: str):
        self.status_tab = "" if value == "all" else value
        self.page = 0
        return self._refresh()

    @rx.event
    def set_search(self, value: str):
        self.search = value
        self.page = 0
        return self._refresh()

    @rx.event
    def next_page(self):
        if self.has_next:
            self.page += 1
        return self._refresh()

    @rx.event
    def prev_page(self):
        self.page = max(self.page - 1, 0)
        return self._refresh()

    @rx.event
    def set_aging_currency(self, code: str | list[str]):
        self.aging_currency = code if isinstance(code, str) else code[0]
        self.aging = self._aging_by_currency.get(self.aging_currency, [])

    # ---------------------------------------------------------- reminder schedule

    @rx.event
    def open_reminders(self):
        actor = self._actor()
        if actor is None:
            return
        with read_scope() as session:
            settings = service.reminder_settings(session, org_id=actor.org_id)
            self.reminder_days = sorted(settings.reminder_days)
            self.reminders_enabled = settings.reminders_enabled
        self.new_reminder_count, self.new_reminder_when, self.reminder_error = "3", "before", ""
        self.reminders_open = True

    @rx.event
    def set_reminders_open(self, value: bool):
        self.reminders_open = value

    @rx.event
    def set_reminders_enabled(self, value: bool):
        self.reminders_enabled = value

    @rx.event
    def set_new_reminder_count(self, value: str):
        self.new_reminder_count = value

    @rx.event
    def set_new_reminder_when(self, value: str):
        self.new_reminder_when = value

    @rx.event
    def add_reminder_day(self):
        self.reminder_error = ""
        if self.new_reminder_when == "on":
            day = 0
        else:
            limit = MAX_DAYS_BEFORE if self.new_reminder_when == "before" else MAX_DAYS_AFTER
            text = self.new_reminder_count.strip()
            if not text.isdigit() or not 1 <= int(text) <= limit:
                self.reminder_error = (
                    f"Enter a whole number of days from 1 to {limit} "
                    f"{self.new_reminder_when} the due date."
                )
                return
            day = int(text) * (-1 if self.new_reminder_when == "before" else 1)
        if day in self.reminder_days:
            self.reminder_error = f"“{reminder_label(day)}” is already in the schedule."
            return
        self.reminder_days = sorted([*self.reminder_days, day])

    @rx.event
    def remove_reminder_day(self, day: int):
        self.reminder_days = [d for d in self.reminder_days if d != int(day)]
        self.reminder_error = ""

    @rx.event
    def save_reminders(self):
        try:
            with session_scope() as session:
                settings = service.set_reminder_schedule(
                    session,
                    actor=self._require_actor(),
                    reminder_days=list(self.reminder_days),
                    reminders_enabled=self.reminders_enabled,
                )
                enabled = settings.reminders_enabled and bool(settings.reminder_days)
        except DomainError as exc:
            self.reminder_error = exc.message
            return None
        self.reminders_open = False
        return rx.toast.success(
            "Reminder schedule saved." if enabled else "Reminders turned off.",
            position="top-center",
        )


def _stat(label: str, amounts, icon: str, color: str) -> rx.Component:
    """A summary card with one line per currency."""
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
                rx.vstack(
                    rx.foreach(
                        amounts,
                        lambda amount: rx.text(
                            amount, size=rx.cond(amounts.length() > 1, "4", "5"), weight="bold"
                        ),
                    ),
                    spacing="0",
                    id=f"stat-{icon}",
                ),
                spacing="0",
            ),
            spacing="3",
            align="start",
        )
    )


def _aging_chart() -> rx.Component:
    return card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.text("Receivables aging", weight="bold", size="2"),
                    rx.text("Open amounts by days past due", size="1", color=rx.color("gray", 11)),
                    spacing="0",
                ),
                rx.cond(
                    InvoicesState.aging_currencies.length() > 1,
                    rx.segmented_control.root(
                        rx.foreach(
                            InvoicesState.aging_currencies,
                            lambda code: rx.segmented_control.item(code, value=code),
                        ),
                        value=InvoicesState.aging_currency,
                        on_change=InvoicesState.set_aging_currency,
                        size="1",
                        id="aging-currency",
                    ),
                    rx.badge(InvoicesState.aging_currency, variant="soft", color_scheme="gray"),
                ),
                justify="between",
                align="center",
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


def _reminder_chip(chip: dict) -> rx.Component:
    return rx.badge(
        rx.icon("bell", size=12),
        chip["label"],
        rx.icon_button(
            rx.icon("x", size=12),
            size="1",
            variant="ghost",
            color_scheme="gray",
            on_click=InvoicesState.remove_reminder_day(chip["day"].to(int)),
            aria_label="Remove " + chip["label"],
        ),
        size="2",
        variant="soft",
        radius="full",
        class_name="reminder-day",
    )


def _reminders_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(
                rx.icon("bell", size=16),
                rx.text("Reminders", display=WIDE_LABEL),
                variant="soft",
                aria_label="Reminders",
                on_click=InvoicesState.open_reminders,
                id="reminder-schedule",
            )
        ),
        rx.dialog.content(
            rx.dialog.title("Payment reminders"),
            rx.dialog.description(
                "Clients get an email with their invoice link on each day below, counted from "
                "the due date. Paid and void invoices never get one.",
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.vstack(
                rx.hstack(
                    rx.switch(
                        checked=InvoicesState.reminders_enabled,
                        on_change=InvoicesState.set_reminders_enabled,
                        id="reminders-enabled",
                    ),
                    rx.text("Send reminders automatically", size="2", weight="medium"),
                    align="center",
                    spacing="2",
                ),
                rx.cond(
                    InvoicesState.reminder_chips.length() > 0,
                    rx.flex(
                        rx.foreach(InvoicesState.reminder_chips, _reminder_chip),
                        wrap="wrap",
                        gap="8px",
                        id="reminder-days",
                        opacity=rx.cond(InvoicesState.reminders_enabled, "1", "0.5"),
                    ),
                    rx.text("No reminder days yet.", size="2", color=rx.color("gray", 11)),
                ),
                rx.text("Add a reminder", size="2", weight="medium"),
                rx.hstack(
                    rx.cond(
                        InvoicesState.new_reminder_when != "on",
                        rx.input(
                            value=InvoicesState.new_reminder_count,
                            on_change=InvoicesState.set_new_reminder_count,
                            input_mode="numeric",
                            width="64px",
                            id="reminder-count",
                            aria_label="Days",
                        ),
                    ),
                    rx.cond(
                        InvoicesState.new_reminder_when != "on",
                        rx.text("days", size="2"),
                    ),
                    choice_select(
                        [
                            ("before", "before the due date"),
                            ("on", "on the due date"),
                            ("after", "after the due date"),
                        ],
                        value=InvoicesState.new_reminder_when,
                        on_change=InvoicesState.set_new_reminder_when,
                        width="170px",
                        trigger_id="reminder-when",
                    ),
                    rx.button(
                        rx.icon("plus", size=14),
                        "Add",
                        variant="soft",
                        on_click=InvoicesState.add_reminder_day,
                        id="reminder-add",
                    ),
                    align="center",
                    spacing="2",
                    wrap="wrap",
                ),
                rx.cond(
                    InvoicesState.reminder_error != "",
                    rx.callout(
                        InvoicesState.reminder_error,
                        icon="triangle-alert",
                        color_scheme="red",
                        width="100%",
                        id="reminder-error",
                    ),
                ),
                rx.hstack(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.button(
                        "Save schedule", on_click=InvoicesState.save_reminders, id="reminder-save"
                    ),
                    justify="end",
                    width="100%",
                    padding_top="8px",
                ),
                spacing="3",
                padding_top="12px",
                width="100%",
            ),
            max_width="500px",
        ),
        open=InvoicesState.reminders_open,
        on_open_change=InvoicesState.set_reminders_open,
    )


def _row(row: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(row["number"], href=f"/invoices/{row['id']}", weight="medium"),
            rx.box(status_badge(row["status"]), display=PHONE_ONLY),  # phones
            white_space="nowrap",
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(row["client"], size="2", weight="medium"),
                rx.text(row["company"], size="1", color=rx.color("gray", 11)),
                spacing="0",
            )
        ),
        rx.table.cell(rx.text(row["title"], size="2"), display=WIDE_ONLY),
        rx.table.cell(status_badge(row["status"]), display=TABLET_UP),
        rx.table.cell(rx.text(row["due_date"], size="2"), display=TABLET_UP),
        rx.table.cell(rx.text(row["total"], size="2"), text_align="right", display=TABLET_UP),
        rx.table.cell(rx.text(row["due"], size="2", weight="medium"), text_align="right"),
        class_name="invoice-row",
        _hover={"background": rx.color("gray", 2)},
    )


def _table() -> rx.Component:
    header = rx.table.header(
        rx.table.row(
            rx.table.column_header_cell("Number"),
            rx.table.column_header_cell("Client"),
            rx.table.column_header_cell("Title", display=WIDE_ONLY),
            rx.table.column_header_cell("Status", display=TABLET_UP),
            rx.table.column_header_cell("Due", display=TABLET_UP),
            rx.table.column_header_cell("Total", text_align="right", display=TABLET_UP),
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
                rx.text(
                    InvoicesState.page_label, size="2", color=rx.color("gray", 11), id="page-label"
                ),
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
            _reminders_dialog(),
            rx.link(
                rx.button(rx.icon("users", size=16), "Customers", variant="soft"),
                href="/customers",
                display=WIDE_LABEL,  # phones reach Customers from the menu
            ),
            rx.link(
                rx.button(
                    rx.icon("plus", size=16),
                    rx.text("New invoice", display=WIDE_LABEL),
                    id="new-invoice",
                    aria_label="New invoice",
                ),
                href="/invoices/new",
            ),
        ),
    )
