"""Customers list (search, paging, create) and a customer's page with invoices and
subscriptions (create, cancel)."""

from __future__ import annotations

from urllib.parse import urlencode

import reflex as rx

from workspace.core.clock import now_ms
from workspace.core.db import read_scope, session_scope
from workspace.core.errors import Conflict, DomainError
from workspace.core.money import CURRENCIES, format_money, major_to_minor
from workspace.core.schemas.invoices import (
    CustomerCreate,
    CustomerUpdate,
    SubscriptionCreate,
    amount_due,
)
from workspace.core.services import customers as service
from workspace.core.services import subscriptions as subs
from workspace.core.services.invoices import list_invoices
from workspace.ui.components.dialogs import confirm_dialog
from workspace.ui.components.forms import compact_field
from workspace.ui.layout import TABLET_UP, WIDE_ONLY, app_shell, card, empty_state
from workspace.ui.pages.invoice_detail import _iso_day
from workspace.ui.pages.invoices import fmt_date, status_badge
from workspace.ui.state import AuthState, toast_error

PAGE_SIZE = 25
INVOICES_SHOWN = 100  # on a customer's page, and how many more each "Show more" adds
SUB_COLORS = {"pending": "amber", "active": "green", "cancelled": "gray"}


class CustomersState(AuthState):
    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 0
    search: str = ""
    loaded: bool = False
    new_open: bool = False
    new_name: str = ""
    new_email: str = ""
    new_phone: str = ""
    new_company: str = ""
    new_error: str = ""
    existing_id: str = ""

    @rx.var
    def has_next(self) -> bool:
        return (self.page + 1) * PAGE_SIZE < self.total

    @rx.var
    def page_label(self) -> str:
        if not self.total:
            return "No customers"
        start = self.page * PAGE_SIZE + 1
        return f"{start}–{min(self.total, start + PAGE_SIZE - 1)} of {self.total}"

    @rx.event
    def load(self):
        actor = self._actor()
        if actor is None:
            return None
        self.new_open = False  # a reload does not bring back a dialog left open
        with read_scope() as session:
            customers, self.total = service.list_customers(
                session,
                actor=actor,
                search=self.search,
                limit=PAGE_SIZE,
                offset=self.page * PAGE_SIZE,
            )
        self.rows = [
            {
                "id": c.id,
                "name": c.name,
                "email": c.email,
                "company": c.company or "—",
                "phone": c.phone_number or "—",
                "since": fmt_date(c.created_at),
            }
            for c in customers
        ]
        self.loaded = True
        return None

    @rx.event
    def set_search(self, value: str):
        self.search, self.page = value, 0
        return CustomersState.load

    @rx.event
    def next_page(self):
        if self.has_next:
            self.page += 1
        return CustomersState.load

    @rx.event
    def prev_page(self):
        self.page = max(self.page - 1, 0)
        return CustomersState.load

    @rx.event
    def set_new_open(self, value: bool):
        self.new_open = value
        if value:
            self.new_name = self.new_email = self.new_phone = self.new_company = ""
            self.new_error = self.existing_id = ""

    @rx.event
    def set_new_field(self, field: str, value: str):
        if field in ("new_name", "new_email", "new_phone", "new_company"):
            setattr(self, field, value)

    @rx.event
    def create(self):
        if not self.new_open:  # created by an earlier click, which closed the dialog
            return None
        try:
            with session_scope() as session:
                customer = service.create_customer(
                    session,
                    actor=self._require_actor(),
                    data=CustomerCreate(
                        name=self.new_name,
                        email=self.new_email,
                        phone_number=self.new_phone,
                        company=self.new_company,
                    ),
                )
        except Conflict as exc:
            self.new_error = exc.message
            self.existing_id = exc.details.get("existingCustomerId", "")
            return None
        except DomainError as exc:
            self.new_error, self.existing_id = exc.message, ""
            return None
        self.new_open = False
        return rx.redirect(f"/customers/{customer.id}")


def _new_customer_dialog() -> rx.Component:
    def field(label: str, name: str, value, **props):
        return compact_field(
            label,
            rx.input(
                value=value,
                on_change=lambda v: CustomersState.set_new_field(name, v),
                width="100%",
                id=f"customer-{name}",
                **props,
            ),
        )

    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(rx.icon("user-plus", size=16), "New customer", id="new-customer")
        ),
        rx.dialog.content(
            rx.dialog.title("New customer"),
            rx.vstack(
                field("Name", "new_name", CustomersState.new_name),
                field("Email", "new_email", CustomersState.new_email, type="email"),
                field("Phone", "new_phone", CustomersState.new_phone, type="tel"),
                field("Company", "new_company", CustomersState.new_company),
                rx.cond(
                    CustomersState.new_error != "",
                    rx.callout(
                        rx.hstack(
                            rx.text(CustomersState.new_error),
                            rx.cond(
                                CustomersState.existing_id != "",
                                rx.link(
                                    "Open the existing customer",
                                    href="/customers/" + CustomersState.existing_id,
                                ),
                            ),
                            spacing="2",
                            flex_wrap="wrap",
                        ),
                        icon="triangle-alert",
                        color_scheme="red",
                    ),
                ),
                rx.hstack(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.button(
                        "Create customer",
                        on_click=CustomersState.create,
                        id="customer-submit",
                    ),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                padding_top="12px",
            ),
            max_width="440px",
        ),
        open=CustomersState.new_open,
        on_open_change=CustomersState.set_new_open,
    )


def customers_page() -> rx.Component:
    table = card(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Name"),
                    rx.table.column_header_cell("Email"),
                    rx.table.column_header_cell("Company", display=TABLET_UP),
                    rx.table.column_header_cell("Phone", display=WIDE_ONLY),
                    rx.table.column_header_cell("Since", display=WIDE_ONLY),
                )
            ),
            rx.table.body(
                rx.foreach(
                    CustomersState.rows,
                    lambda c: rx.table.row(
                        rx.table.cell(
                            rx.link(c["name"], href="/customers/" + c["id"], weight="medium")
                        ),
                        rx.table.cell(c["email"]),
                        rx.table.cell(c["company"], display=TABLET_UP),
                        rx.table.cell(c["phone"], display=WIDE_ONLY),
                        rx.table.cell(c["since"], display=WIDE_ONLY),
                    ),
                )
            ),
            variant="ghost",
            width="100%",
        ),
        rx.hstack(
            rx.text(CustomersState.page_label, size="2", color=rx.color("gray", 11)),
            rx.hstack(
                rx.button(
                    "Previous",
                    variant="soft",
                    on_click=CustomersState.prev_page,
                    disabled=CustomersState.page == 0,
                ),
                rx.button(
                    "Next",
                    variant="soft",
                    on_click=CustomersState.next_page,
                    disabled=~CustomersState.has_next,
                ),
            ),
            justify="between",
            padding_top="12px",
            width="100%",
        ),
    )
    return app_shell(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            placeholder="Search name, email or company…",
            value=CustomersState.search,
            on_change=CustomersState.set_search,
            debounce_timeout=300,
            width=["100%", "320px"],
        ),
        rx.cond(
            CustomersState.rows,
            table,
            rx.cond(
                CustomersState.loaded,
                empty_state(
                    "users",
                    "No customers yet",
                    "Add the people and companies you bill, then invoice them or start "
                    "a subscription.",
                ),
                rx.center(rx.spinner(size="3"), padding="40px", width="100%"),
            ),
        ),
        title="Customers",
        actions=_new_customer_dialog(),
    )


def _cadence(every: int, unit: str) -> str:
    return f"every {unit[:-1]}" if every == 1 else f"every {every} {unit}"


class CustomerState(AuthState):
    customer: dict[str, str] = {}
    invoices: list[dict[str, str]] = []
    subscriptions: list[dict[str, str]] = []
    error: str = ""
    edit_open: bool = False
    edit: dict[str, str] = {}
    edit_error: str = ""
    sub_open: bool = False
    sub: dict[str, str] = {}
    sub_error: str = ""
    invoice_count: int = 0
    invoice_limit: int = INVOICES_SHOWN

    @rx.var
    def invoices_label(self) -> str:
        shown = len(self.invoices)
        if shown == self.invoice_count:
            return ""
        return f"Newest {shown:,} of {self.invoice_count:,}"

    def _customer_id(self) -> str:
        parts = [p for p in self.router.url.path.split("/") if p]
        return parts[1] if len(parts) > 1 else ""

    @rx.var
    def currency_options(self) -> list[str]:
        return sorted(CURRENCIES)

    @rx.event
    def load(self):
        actor = self._actor()
        if actor is None:
            return None
        self.edit_open = self.sub_open = False  # a reload does not bring back a dialog
        if self.customer.get("id") != self._customer_id():
            self.invoice_limit = INVOICES_SHOWN
        try:
            with read_scope() as session:
                customer = service.get_customer(
                    session, actor=actor, customer_id=self._customer_id()
                )
                invoices, self.invoice_count = list_invoices(
                    session, actor=actor, customer_id=customer.id, limit=self.invoice_limit
                )
                subscriptions, _ = subs.list_subscriptions(
                    session, actor=actor, customer_id=customer.id
                )
        except DomainError as exc:
            self.error = exc.message
            self.customer = {}
            return None
        self.error = ""
        self.customer = {
            "id": customer.id,
            "name": customer.name,
            "email": customer.email,
            "phone": customer.phone_number,
            "company": customer.company,
            "details": " · ".join(p for p in (customer.company, customer.phone_number) if p),
            "since": fmt_date(customer.created_at),
            "new_invoice": "/invoices/new?" + urlencode({"customer": customer.id}),
        }
        self.invoices = [
            {
                "id": i.id,
                "number": i.invoice_number,
                "title": i.title,
                "status": i.status,
                "total": format_money(i.total_minor, i.currency),
                "due": format_money(amount_due(i), i.currency),
                "due_date": fmt_date(i.due_date),
            }
            for i in invoices
        ]
        self.subscriptions = [
            {
                "id": s.id,
                "name": s.name,
                "amount": format_money(s.amount_minor, s.currency),
                "cadence": _cadence(s.cadence, s.cadence_unit),
                "status": s.status,
                "color": SUB_COLORS.get(s.status, "gray"),
                "next": fmt_date(s.next_billing_at) or "—",
                "cancellable": "yes" if s.status != "cancelled" else "",
            }
            for s in subscriptions
        ]
        return None

    @rx.event
    def show_more_invoices(self):
        self.invoice_limit += INVOICES_SHOWN
        return CustomerState.load

    @rx.event
    def set_edit_open(self, value: bool):
        self.edit_open = value
        if value:
            self.edit = {k: self.customer.get(k, "") for k in ("name", "email", "phone", "company")}
            self.edit_error = ""

    @rx.event
    def set_edit(self, field: str, value: str):
        self.edit = {**self.edit, field: value}

    @rx.event
    def save_edit(self):
        try:
            with session_scope() as session:
                service.update_customer(
                    session,
                    actor=self._require_actor(),
                    customer_id=self.customer["id"],
                    data=CustomerUpdate(
                        name=self.edit.get("name"),
                        email=self.edit.get("email"),
                        phone_number=self.edit.get("phone"),
                        company=self.edit.get("company"),
                    ),
                )
        except DomainError as exc:
            self.edit_error = exc.message
            return None
        self.edit_open = False
        return [CustomerState.load, rx.toast.success("Customer saved")]

    @rx.event
    def set_sub_open(self, value: bool):
        self.sub_open = value
        if value:
            self.sub = {
                "name": "",
                "amount": "",
                "currency": self.default_currency,
                "cadence": "1",
                "unit": "months",
                "start": _iso_day(now_ms()),
            }
            self.sub_error = ""

    @rx.event
    def set_sub(self, field: str, value: str):
        self.sub = {**self.sub, field: value}

    @rx.event
    def create_subscription(self):
        if not self.sub_open:  # started by an earlier click, which closed the dialog
            return None
        try:
            cadence = int(self.sub.get("cadence") or "0")
        except ValueError:
            self.sub_error = "Billing every … must be a whole number."
            return None
        try:
            code = self.sub["currency"]  # set when the dialog opened
            with session_scope() as session:
                _, invoice = subs.create_subscription(
                    session,
                    actor=self._require_actor(),
                    data=SubscriptionCreate(
                        customer_id=self.customer["id"],
                        name=self.sub.get("name", ""),
                        amount_kobo=major_to_minor(self.sub.get("amount") or "0", code),
                        currency=code,
                        cadence=cadence,
                        cadence_unit=self.sub.get("unit", "months"),
                        start_date=f"{self.sub.get('start')}T09:00:00Z"
                        if self.sub.get("start")
                        else None,
                    ),
                )
        except DomainError as exc:
            self.sub_error = exc.message
            return None
        self.sub_open = False
        return [
            CustomerState.load,
            rx.toast.success(f"Subscription started; {invoice.invoice_number} sent"),
        ]

    @rx.event
    def cancel_subscription(self, subscription_id: str):
        if not any(
            s["id"] == subscription_id and s["cancellable"] for s in self.subscriptions
        ):  # cancelled by an earlier click
            return None
        try:
            with session_scope() as session:
                subs.cancel_subscription(
                    session, actor=self._require_actor(), subscription_id=subscription_id
                )
        except DomainError as exc:
            return toast_error(exc)
        self.subscriptions = [
            {**s, "cancellable": ""} if s["id"] == subscription_id else s
            for s in self.subscriptions
        ]
        return [CustomerState.load, rx.toast.success("Subscription cancelled")]


def _edit_dialog() -> rx.Component:
    def field(label: str, name: str, **props):
        return compact_field(
            label,
            rx.input(
                value=CustomerState.edit[name],
                on_change=lambda v: CustomerState.set_edit(name, v),
                width="100%",
                id=f"edit-{name}",
                **props,
            ),
        )

    return rx.dialog.root(
        rx.dialog.trigger(rx.button(rx.icon("pencil", size=16), "Edit", variant="soft")),
        rx.dialog.content(
            rx.dialog.title("Edit customer"),
            rx.vstack(
                field("Name", "name"),
                field("Email", "email", type="email"),
                field("Phone", "phone", type="tel"),
                field("Company", "company"),
                rx.cond(
                    CustomerState.edit_error != "",
                    rx.callout(CustomerState.edit_error, icon="triangle-alert", color_scheme="red"),
                ),
                rx.hstack(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.button("Save", on_click=CustomerState.save_edit),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                padding_top="12px",
            ),
            max_width="440px",
        ),
        open=CustomerState.edit_open,
        on_open_change=CustomerState.set_edit_open,
    )


def _subscription_dialog() -> rx.Component:
    def field(label: str, name: str, **props):
        return compact_field(
            label,
            rx.input(
                value=CustomerState.sub[name],
                on_change=lambda v: CustomerState.set_sub(name, v),
                width="100%",
                id=f"sub-{name}",
                **props,
            ),
        )

    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(
                rx.icon("repeat", size=16),
                "New subscription",
                variant="soft",
                id="new-subscription",
            )
        ),
        rx.dialog.content(
            rx.dialog.title("New subscription"),
            rx.dialog.description(
                "The first invoice is sent now. The subscription becomes active when it is paid, "
                "then an invoice is issued every period until you cancel.",
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.vstack(
                field("Name", "name", placeholder="Monthly retainer"),
                rx.grid(
                    field("Amount", "amount", input_mode="decimal", placeholder="0.00"),
                    compact_field(
                        "Currency",
                        rx.select(
                            CustomerState.currency_options,
                            value=CustomerState.sub["currency"],
                            on_change=lambda v: CustomerState.set_sub("currency", v),
                            width="100%",
                            id="sub-currency",
                        ),
                    ),
                    field("Every", "cadence", input_mode="numeric"),
                    compact_field(
                        "Unit",
                        rx.select(
                            ["days", "months"],
                            value=CustomerState.sub["unit"],
                            on_change=lambda v: CustomerState.set_sub("unit", v),
                            width="100%",
                            id="sub-unit",
                        ),
                    ),
                    columns="2",
                    spacing="3",
                    width="100%",
                ),
                field("First billing date", "start", type="date"),
                rx.cond(
                    CustomerState.sub_error != "",
                    rx.callout(CustomerState.sub_error, icon="triangle-alert", color_scheme="red"),
                ),
                rx.hstack(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.button(
                        "Start subscription",
                        on_click=CustomerState.create_subscription,
                        id="sub-submit",
                    ),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                padding_top="12px",
            ),
            max_width="480px",
        ),
        open=CustomerState.sub_open,
        on_open_change=CustomerState.set_sub_open,
    )


def _subscription_row(s: dict) -> rx.Component:
    return rx.hstack(
        rx.box(
            rx.icon("repeat", size=16, color=rx.color("accent", 11)),
            background=rx.color("accent", 3),
            padding="8px",
            border_radius="8px",
        ),
        rx.vstack(
            rx.hstack(
                rx.text(s["name"], weight="medium"),
                rx.badge(s["status"], color_scheme=s["color"], variant="soft", radius="full"),
                spacing="2",
                align="center",
            ),
            rx.text(
                s["amount"],
                " ",
                s["cadence"],
                " · next ",
                s["next"],
                size="1",
                color=rx.color("gray", 11),
            ),
            spacing="0",
        ),
        rx.spacer(),
        rx.cond(s["cancellable"] != "", _cancel_subscription_button(s)),
        width="100%",
        align="center",
        class_name="subscription-row",
    )


def _cancel_subscription_button(s: dict) -> rx.Component:
    return confirm_dialog(
        rx.fragment("Cancel ", s["name"], "?"),
        [
            "No more invoices will be issued for it. Invoices already sent stay as they are. "
            "This cannot be undone."
        ],
        keep="Keep subscription",
        confirm="Cancel subscription",
        on_confirm=CustomerState.cancel_subscription(s["id"]),
        confirm_class="cancel-subscription-confirm",
        trigger=rx.button(
            "Cancel",
            size="1",
            variant="soft",
            color_scheme="red",
            aria_label=f"Cancel subscription {s['name']}",
        ),
    )


def customer_page() -> rx.Component:
    invoices = rx.cond(
        CustomerState.invoices,
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Number"),
                    rx.table.column_header_cell("Title", display=TABLET_UP),
                    rx.table.column_header_cell("Status"),
                    rx.table.column_header_cell("Due", display=TABLET_UP),
                    rx.table.column_header_cell("Total", text_align="right", display=TABLET_UP),
                    rx.table.column_header_cell("Amount due", text_align="right"),
                )
            ),
            rx.table.body(
                rx.foreach(
                    CustomerState.invoices,
                    lambda i: rx.table.row(
                        rx.table.cell(
                            rx.link(i["number"], href="/invoices/" + i["id"]), white_space="nowrap"
                        ),
                        rx.table.cell(i["title"], display=TABLET_UP),
                        rx.table.cell(status_badge(i["status"])),
                        rx.table.cell(i["due_date"], display=TABLET_UP),
                        rx.table.cell(i["total"], text_align="right", display=TABLET_UP),
                        rx.table.cell(i["due"], text_align="right", white_space="nowrap"),
                    ),
                )
            ),
            variant="ghost",
            width="100%",
        ),
        rx.text("No invoices for this customer yet.", size="2", color=rx.color("gray", 11)),
    )
    body = rx.vstack(
        card(
            rx.hstack(
                rx.vstack(
                    rx.heading(CustomerState.customer["name"], size="5"),
                    rx.text(CustomerState.customer["email"], color=rx.color("gray", 11), size="2"),
                    rx.text(CustomerState.customer["details"], size="2"),
                    rx.text(
                        "Customer since ",
                        CustomerState.customer["since"],
                        size="1",
                        color=rx.color("gray", 11),
                    ),
                    spacing="1",
                ),
                rx.hstack(
                    _edit_dialog(),
                    rx.link(
                        rx.button(rx.icon("plus", size=16), "New invoice"),
                        href=CustomerState.customer["new_invoice"],
                    ),
                    spacing="2",
                    flex_wrap="wrap",
                ),
                justify="between",
                width="100%",
                flex_wrap="wrap",
                spacing="3",
            )
        ),
        card(
            rx.vstack(
                rx.hstack(
                    rx.text("Subscriptions", weight="bold"),
                    _subscription_dialog(),
                    justify="between",
                    width="100%",
                    align="center",
                ),
                rx.cond(
                    CustomerState.subscriptions,
                    rx.vstack(
                        rx.foreach(CustomerState.subscriptions, _subscription_row),
                        spacing="3",
                        width="100%",
                    ),
                    rx.text("No subscriptions.", size="2", color=rx.color("gray", 11)),
                ),
                spacing="3",
                width="100%",
            )
        ),
        card(
            rx.vstack(
                rx.hstack(
                    rx.text("Invoices", weight="bold"),
                    rx.text(CustomerState.invoices_label, size="2", color=rx.color("gray", 11)),
                    justify="between",
                    width="100%",
                    align="center",
                ),
                invoices,
                rx.cond(
                    CustomerState.invoices_label != "",
                    rx.button(
                        f"Show {INVOICES_SHOWN} more",
                        variant="soft",
                        on_click=CustomerState.show_more_invoices,
                        id="more-invoices",
                    ),
                ),
                spacing="3",
                width="100%",
            )
        ),
        spacing="4",
        width="100%",
    )
    return app_shell(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), rx.text("Customers", size="2")),
            href="/customers",
        ),
        rx.cond(
            CustomerState.error != "",
            empty_state("user-x", "Customer not found", CustomerState.error),
            body,
        ),
        title="Customer",
    )
