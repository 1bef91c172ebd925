"""One invoice: the editor for drafts (customer picker, live line totals), or the sent invoice
with payments, record-payment dialog, void confirmation and the timeline."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import reflex as rx

from workspace.core.clock import now_ms
from workspace.core.db import read_scope, session_scope
from workspace.core.errors import DomainError, ValidationFailed
from workspace.core.money import (
    CURRENCIES,
    compute_totals,
    currency,
    format_amount,
    format_money,
    major_to_minor,
    to_decimal,
)
from workspace.core.schemas.invoices import (
    InvoiceCreate,
    InvoiceUpdate,
    LineItemIn,
    PaymentCreate,
    amount_due,
    view_url,
)
from workspace.core.services import customers as customer_service
from workspace.core.services import invoices as service
from workspace.ui.components.choices import choice_select
from workspace.ui.components.dialogs import confirm_dialog
from workspace.ui.components.forms import compact_field
from workspace.ui.layout import PHONE_ONLY, TABLET_UP, app_shell, card
from workspace.ui.pages.invoices import fmt_date, status_badge
from workspace.ui.state import AuthState, toast_error

DAY_MS = 24 * 3600 * 1000
CUSTOMER_MATCHES = 6
METHODS = ["bank_transfer", "card", "cash", "cheque", "mobile_money", "other"]
TIMELINE_ICONS = {
    "invoice.created": "file-plus",
    "invoice.updated": "pencil",
    "invoice.sent": "send",
    "invoice.viewed": "eye",
    "invoice.payment_recorded": "banknote",
    "invoice.paid": "circle-check",
    "invoice.overdue": "alarm-clock",
    "invoice.reminder_sent": "bell",
    "invoice.voided": "ban",
}


def _iso_day(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d")


def _empty_line() -> dict[str, str]:
    return {"description": "", "quantity": "1", "unit_price": ""}


class InvoiceState(AuthState):
    invoice_id: str = ""
    is_new: bool = True
    status: str = "draft"
    number: str = ""
    customer_id: str = ""
    customer_name: str = ""
    customer_query: str = ""
    customer_matches: list[dict[str, str]] = []
    client_name: str = ""
    client_email: str = ""
    client_company: str = ""
    title: str = ""
    currency_code: str = "NGN"
    invoice_date: str = ""
    due_date: str = ""
    tax_rate: str = "0"
    notes: str = ""
    lines: list[dict[str, str]] = []
    form_error: str = ""
    saving: bool = False
    detail: dict[str, str] = {}
    line_rows: list[dict[str, str]] = []
    payments: list[dict[str, str]] = []
    timeline: list[dict[str, str]] = []
    pay_open: bool = False
    pay_amount: str = ""
    pay_date: str = ""
    pay_method: str = "bank_transfer"
    pay_reference: str = ""
    pay_note: str = ""
    pay_error: str = ""

    # ---------------------------------------------------------- live totals

    def _price(self, text: str) -> int | None:
        try:
            return major_to_minor(text or "0", self.currency_code)
        except (ValidationFailed, ValueError):
            return None

    @rx.var
    def line_views(self) -> list[dict[str, str]]:
        views = []
        for index, line in enumerate(self.lines):
            price = self._price(line.get("unit_price", ""))
            try:
                quantity = to_decimal(line.get("quantity") or "0", field="quantity")
            except ValidationFailed:
                quantity = None
            total = (
                format_money(
                    compute_totals([(quantity, price)], Decimal(0)).total, self.currency_code
                )
                if price is not None and quantity is not None
                else "—"
            )
            views.append({**line, "index": str(index), "total": total})
        return views

    @rx.var
    def totals_view(self) -> dict[str, str]:
        pairs = []
        for line in self.lines:
            price = self._price(line.get("unit_price", ""))
            try:
                quantity = to_decimal(line.get("quantity") or "0", field="quantity")
            except ValidationFailed:
                return {"subtotal": "—", "tax": "—", "total": "—"}
            if price is None:
                return {"subtotal": "—", "tax": "—", "total": "—"}
            pairs.append((quantity, price))
        try:
            rate = to_decimal(self.tax_rate or "0", field="taxRate")
        except ValidationFailed:
            rate = Decimal(0)
        totals = compute_totals(pairs, rate)
        code = self.currency_code
        return {
            "subtotal": format_money(totals.subtotal, code),
            "tax": format_money(totals.tax, code),
            "total": format_money(totals.total, code),
        }

    @rx.var
    def currency_options(self) -> list[str]:
        return sorted(CURRENCIES)

    @rx.var
    def editable(self) -> bool:
        return self.status == "draft"

    @rx.var
    def can_pay(self) -> bool:
        return self.status in ("sent", "viewed", "overdue", "partially_paid")

    @rx.var
    def can_void(self) -> bool:
        return not self.is_new and self.status not in ("paid", "void")

    # ---------------------------------------------------------- loading

    @rx.event
    def load(self):
        actor = self._actor()
        if actor is None:
            return None
        self.form_error = self.pay_error = ""
        self.pay_open = False
        parts = [p for p in self.router.url.path.split("/") if p]
        invoice_id = parts[1] if len(parts) > 1 else "new"
        if invoice_id == "new":
            today = now_ms()
            self.invoice_id, self.is_new, self.status, self.number = "", True, "draft", ""
            self.client_name = self.client_email = self.client_company = ""
            self.title = self.notes = ""
            self.tax_rate = "0"
            self.invoice_date = _iso_day(today)
            self.due_date = _iso_day(today + 30 * DAY_MS)
            self.lines = [_empty_line()]
            self.currency_code = self.default_currency
            self._link_customer(None)
            self.customer_query, self.customer_matches = "", []
            self.customer_prefill()
            self.detail, self.payments, self.timeline, self.line_rows = {}, [], [], []
            return None
        try:
            with read_scope() as session:
                invoice = service.get_invoice(session, actor=actor, invoice_id=invoice_id)
                items = service.line_items(session, invoice.id)
                paid = service.payments(session, invoice.id)
                timeline = service.invoice_timeline(session, actor=actor, invoice_id=invoice.id)
                customer = (
                    customer_service.get_customer(
                        session, actor=actor, customer_id=invoice.customer_id
                    )
                    if invoice.customer_id
                    else None
                )
                self._link_customer(customer)
        except DomainError as exc:
            self.form_error = exc.message
            self.is_new, self.invoice_id = True, ""
            return toast_error(exc)
        code = invoice.currency
        self.invoice_id, self.is_new = invoice.id, False
        self.status, self.number = invoice.status, invoice.invoice_number
        self.client_name, self.client_email = invoice.client_name, invoice.client_email
        self.client_company, self.title = invoice.client_company, invoice.title
        self.currency_code, self.tax_rate, self.notes = code, invoice.tax_rate, invoice.notes
        self.invoice_date = _iso_day(invoice.invoice_date)
        self.due_date = _iso_day(invoice.due_date)
        self.lines = [
            {
                "description": item.description,
                "quantity": item.quantity,
                "unit_price": format_amount(item.unit_price_minor, code).replace(",", ""),
            }
            for item in items
        ] or [_empty_line()]
        self.line_rows = [
            {
                "description": item.description,
                "quantity": item.quantity,
                "unit_price": format_money(item.unit_price_minor, code),
                "total": format_money(item.total_minor, code),
            }
            for item in items
        ]
        self.detail = {
            "subtotal": format_money(invoice.subtotal_minor, code),
            "tax": format_money(invoice.tax_minor, code),
            "tax_rate": invoice.tax_rate,
            "total": format_money(invoice.total_minor, code),
            "paid": format_money(invoice.paid_minor, code),
            "due": format_money(amount_due(invoice), code),
            "due_minor": format_amount(amount_due(invoice), code).replace(",", ""),
            "invoice_date": fmt_date(invoice.invoice_date),
            "due_date": fmt_date(invoice.due_date),
            "sent_at": fmt_date(invoice.sent_at),
            "views": (
                f"{invoice.view_count} view{'s' if invoice.view_count != 1 else ''}, "
                f"last {fmt_date(invoice.last_viewed_at)}"
                if invoice.view_count
                else "Not opened yet"
            ),
            "url": view_url(invoice),
            "pdf": f"/files/invoice/{invoice.view_token}/pdf",
            "sha": invoice.pdf_sha256 or "",
        }
        self.payments = [
            {
                "date": fmt_date(p.payment_date),
                "amount": format_money(p.amount_minor, code),
                "method": p.payment_method.replace("_", " "),
                "reference": p.reference or "—",
                "note": p.note,
            }
            for p in paid
        ]
        self.timeline = [
            {
                "icon": TIMELINE_ICONS.get(entry["action"], "dot"),
                "text": entry["description"],
                "when": datetime.fromtimestamp(entry["createdAt"] / 1000, tz=UTC).strftime(
                    "%d %b %Y, %H:%M UTC"
                ),
                "who": entry["actorEmail"] or entry["actorType"],
            }
            for entry in reversed(timeline)
        ]
        return None

    def customer_prefill(self) -> None:
        """`/invoices/new?customer=cus_…` starts the invoice for that customer."""
        customer_id = self.router.url.query_parameters.get("customer", "")
        if customer_id:
            self.pick_customer(customer_id)

    def _link_customer(self, customer) -> None:
        self.customer_id = customer.id if customer else ""
        self.customer_name = customer.name if customer else ""

    # ---------------------------------------------------------- customer picker

    @rx.event
    def search_customers(self, value: str):
        self.customer_query = value
        actor = self._actor()
        if actor is None or not value.strip():
            self.customer_matches = []
            return
        with read_scope() as session:
            found, _ = customer_service.list_customers(
                session, actor=actor, search=value, limit=CUSTOMER_MATCHES
            )
        self.customer_matches = [
            {
                "id": c.id,
                "name": c.name,
                "detail": " · ".join(p for p in (c.email, c.company) if p),
            }
            for c in found
        ]

    @rx.event
    def customer_search_key(self, key: str):
        """Escape closes the matches; Enter picks the first one."""
        if key == "Escape":
            self.customer_query, self.customer_matches = "", []
        elif key == "Enter" and self.customer_matches:
            return InvoiceState.pick_customer(self.customer_matches[0]["id"])
        return None

    @rx.event
    def pick_customer(self, customer_id: str):
        """Fill the client from the customer and link the invoice to it."""
        try:
            with read_scope() as session:
                customer = customer_service.get_customer(
                    session, actor=self._require_actor(), customer_id=customer_id
                )
        except DomainError as exc:
            return toast_error(exc)
        self.client_name, self.client_email = customer.name, customer.email
        self.client_company = customer.company
        self._link_customer(customer)
        self.customer_query, self.customer_matches = "", []
        return None

    @rx.event
    def unlink_customer(self):
        self._link_customer(None)

    # ---------------------------------------------------------- editing

    @rx.event
    def set_field(self, field: str, value: str):
        if field in {
            "client_name",
            "client_email",
            "client_company",
            "title",
            "currency_code",
            "invoice_date",
            "due_date",
            "tax_rate",
            "notes",
        }:
            setattr(self, field, value)

    @rx.event
    def set_line(self, index: int, field: str, value: str):
        if 0 <= index < len(self.lines) and field in ("description", "quantity", "unit_price"):
            lines = [dict(line) for line in self.lines]
            lines[index][field] = value
            self.lines = lines

    @rx.event
    def add_line(self):
        self.lines = [*self.lines, _empty_line()]

    @rx.event
    def remove_line(self, index: int):
        self.lines = [line for i, line in enumerate(self.lines) if i != index] or [_empty_line()]

    def _body(self) -> dict:
        code = currency(self.currency_code).code
        items = []
        for index, line in enumerate(self.lines):
            if not (line["description"] or line["unit_price"]):
                continue
            items.append(
                LineItemIn(
                    description=line["description"],
                    quantity=line["quantity"] or "0",
                    unit_price_kobo=major_to_minor(
                        line["unit_price"] or "0",
                        code,
                        field=f"lineItems[{index}].unitPrice",
                        label=f"Line {index + 1}'s unit price",
                    ),
                )
            )
        return {
            "customer_id": self.customer_id or None,
            "client_name": self.client_name,
            "client_email": self.client_email,
            "client_company": self.client_company,
            "title": self.title,
            "currency": code,
            "line_items": items,
            "tax_rate": self.tax_rate or "0",
            "invoice_date": f"{self.invoice_date}T00:00:00Z" if self.invoice_date else None,
            "due_date": f"{self.due_date}T00:00:00Z" if self.due_date else None,
            "notes": self.notes,
        }

    def _save(self) -> str:
        """Creates or updates the draft. A new form becomes that draft's form, so a repeated
        click (or a click while the page moves to it) edits it instead of adding another."""
        actor = self._require_actor()
        body = self._body()
        with session_scope() as session:
            if self.is_new:
                invoice = service.create_invoice(session, actor=actor, data=InvoiceCreate(**body))
            else:
                invoice = service.update_invoice(
                    session,
                    actor=actor,
                    invoice_id=self.invoice_id,
                    data=InvoiceUpdate(**body),
                )
        self.invoice_id, self.is_new = invoice.id, False
        return invoice.id

    @rx.event
    def save(self):
        if self.status != "draft":  # sent by an earlier click
            return None
        was_new = self.is_new
        try:
            invoice_id = self._save()
        except DomainError as exc:
            self.form_error = exc.message
            return toast_error(exc)
        self.form_error = ""
        if was_new:
            return [rx.redirect(f"/invoices/{invoice_id}"), rx.toast.success("Draft saved")]
        return [InvoiceState.load, rx.toast.success("Draft saved")]

    @rx.event
    def save_and_send(self):
        if self.status != "draft":  # sent by an earlier click
            return None
        was_new = self.is_new
        try:
            invoice_id = self._save()
            with session_scope() as session:
                invoice = service.send_invoice(
                    session, actor=self._require_actor(), invoice_id=invoice_id
                )
        except DomainError as exc:
            self.form_error = exc.message
            return toast_error(exc)
        self.form_error, self.status = "", invoice.status
        message = f"{invoice.invoice_number} sent to {invoice.client_email}"
        if was_new:
            return [rx.redirect(f"/invoices/{invoice_id}"), rx.toast.success(message)]
        return [InvoiceState.load, rx.toast.success(message)]

    # ---------------------------------------------------------- payments, void

    @rx.event
    def open_payment(self):
        self.pay_open = True
        self.pay_amount = self.detail.get("due_minor", "")
        self.pay_date = _iso_day(now_ms())
        self.pay_method, self.pay_reference, self.pay_note, self.pay_error = (
            "bank_transfer",
            "",
            "",
            "",
        )

    @rx.event
    def set_pay_open(self, value: bool):
        self.pay_open = value

    @rx.event
    def set_pay_field(self, field: str, value: str):
        if field in ("pay_amount", "pay_date", "pay_method", "pay_reference", "pay_note"):
            setattr(self, field, value)

    @rx.event
    def record_payment(self):
        if not self.pay_open:  # recorded by an earlier click, which closed the dialog
            return None
        try:
            actor = self._require_actor()
            data = PaymentCreate(
                amount_kobo=major_to_minor(
                    self.pay_amount, self.currency_code, label="The payment amount"
                ),
                payment_date=f"{self.pay_date}T12:00:00Z" if self.pay_date else None,
                payment_method=self.pay_method,
                reference=self.pay_reference,
                note=self.pay_note,
            )
            with session_scope() as session:
                invoice, _ = service.record_payment(
                    session, actor=actor, invoice_id=self.invoice_id, data=data
                )
        except DomainError as exc:
            self.pay_error = exc.message
            return None
        self.pay_open = False
        label = "paid in full" if invoice.status == "paid" else "partially paid"
        return [InvoiceState.load, rx.toast.success(f"Payment recorded: {label}")]

    @rx.event
    def void(self):
        if self.status == "void":  # voided by an earlier click
            return None
        try:
            with session_scope() as session:
                invoice = service.void_invoice(
                    session, actor=self._require_actor(), invoice_id=self.invoice_id
                )
        except DomainError as exc:
            return toast_error(exc)
        self.status = invoice.status
        return [InvoiceState.load, rx.toast.success(f"{invoice.invoice_number} voided")]


# -------------------------------------------------------------- components


def _input(field: str, value, **props) -> rx.Component:
    return rx.input(
        value=value,
        on_change=lambda v: InvoiceState.set_field(field, v),
        width="100%",
        id=f"field-{field}",
        **props,
    )


# Line items: description, quantity, unit price, amount, remove. On phones the description
# takes a row of its own and the numbers share the next.
LINE_COLUMNS = rx.breakpoints(
    initial="minmax(0,1fr) minmax(0,1.4fr) minmax(0,1.6fr) 32px",
    xs="minmax(0,4fr) minmax(0,1fr) minmax(0,1.6fr) minmax(0,1.6fr) 32px",
)
LINE_DESCRIPTION_SPAN = rx.breakpoints(initial="1 / -1", xs="auto")


def _line_editor(line: dict) -> rx.Component:
    index = line["index"].to(int)
    return rx.grid(
        rx.input(
            value=line["description"],
            placeholder="Description",
            aria_label="Description",
            on_change=lambda v: InvoiceState.set_line(index, "description", v),
            class_name="line-description",
            grid_column=LINE_DESCRIPTION_SPAN,
        ),
        rx.input(
            value=line["quantity"],
            placeholder="Qty",
            aria_label="Quantity",
            input_mode="decimal",
            on_change=lambda v: InvoiceState.set_line(index, "quantity", v),
            class_name="line-quantity",
        ),
        rx.input(
            value=line["unit_price"],
            placeholder="0.00",
            aria_label="Unit price",
            input_mode="decimal",
            on_change=lambda v: InvoiceState.set_line(index, "unit_price", v),
            class_name="line-price",
        ),
        rx.text(
            line["total"],
            size="2",
            weight="medium",
            text_align="right",
            white_space="nowrap",
            class_name="line-total",
        ),
        rx.icon_button(
            rx.icon("trash-2", size=14),
            variant="ghost",
            color_scheme="gray",
            on_click=InvoiceState.remove_line(index),
            aria_label="Remove line",
        ),
        columns=LINE_COLUMNS,
        spacing="2",
        align="center",
        width="100%",
        padding_bottom=rx.breakpoints(initial="8px", xs="0"),
        border_bottom=rx.breakpoints(initial=f"1px solid {rx.color('gray', 4)}", xs="none"),
    )


def _totals(subtotal, tax, total, tax_label) -> rx.Component:
    def row(label, value, **props):
        return rx.hstack(
            rx.text(label, size="2", color=rx.color("gray", 11)),
            rx.text(value, size="2", **props),
            justify="between",
            width="100%",
        )

    return rx.vstack(
        row("Subtotal", subtotal, id="total-subtotal"),
        row(tax_label, tax, id="total-tax"),
        rx.divider(),
        rx.hstack(
            rx.text("Total", weight="bold"),
            rx.text(total, weight="bold", size="4", id="total-total"),
            justify="between",
            width="100%",
        ),
        width=["100%", "320px"],
        align_self="end",
        spacing="2",
    )


def _customer_match(match: dict) -> rx.Component:
    # A button: Tab from the search box reaches each match and Enter picks it.
    return rx.el.button(
        rx.hstack(
            rx.avatar(fallback=match["name"][:2].upper(), size="2", radius="full"),
            rx.vstack(
                rx.text(match["name"], size="2", weight="medium"),
                rx.text(match["detail"], size="1", color=rx.color("gray", 11)),
                spacing="0",
                min_width="0",
                align="start",
            ),
            align="center",
            spacing="2",
        ),
        type="button",
        on_click=InvoiceState.pick_customer(match["id"]),
        class_name="customer-match",
        style={"all": "unset", "box_sizing": "border-box"},
        width="100%",
        padding="8px 10px",
        cursor="pointer",
        _hover={"background": rx.color("accent", 3)},
        _focus_visible={"background": rx.color("accent", 3), "outline": "none"},
    )


def _customer_picker() -> rx.Component:
    """Search existing customers; picking one fills the client and links the invoice to it.
    The client fields below stay editable for a new client."""
    linked = rx.hstack(
        rx.icon("user-check", size=16, color=rx.color("green", 10)),
        rx.text(
            "Linked to customer ",
            rx.text.strong(InvoiceState.customer_name),
            size="2",
        ),
        rx.link("View", href="/customers/" + InvoiceState.customer_id, size="2"),
        rx.spacer(),
        rx.button(
            rx.icon("unlink", size=14),
            "Unlink",
            variant="ghost",
            color_scheme="gray",
            size="1",
            on_click=InvoiceState.unlink_customer,
            id="unlink-customer",
        ),
        align="center",
        spacing="2",
        width="100%",
        padding="8px 12px",
        border_radius="8px",
        background=rx.color("green", 2),
        border=f"1px solid {rx.color('green', 5)}",
        id="linked-customer",
    )
    search = rx.box(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            value=InvoiceState.customer_query,
            on_change=InvoiceState.search_customers.debounce(250),
            on_key_down=InvoiceState.customer_search_key,
            placeholder="Search your customers by name, email or company",
            width="100%",
            id="customer-search",
            auto_complete="off",
        ),
        rx.cond(
            InvoiceState.customer_query != "",
            rx.box(
                rx.cond(
                    InvoiceState.customer_matches.length() > 0,
                    rx.vstack(
                        rx.foreach(InvoiceState.customer_matches, _customer_match), spacing="0"
                    ),
                    rx.text(
                        "No customer matches. Type the client's details below: the invoice is "
                        "linked to the customer with that email when there is one.",
                        size="1",
                        color=rx.color("gray", 11),
                        padding="10px",
                    ),
                ),
                position="absolute",
                top="calc(100% + 4px)",
                left="0",
                right="0",
                z_index="10",
                background=rx.color("gray", 1),
                border=f"1px solid {rx.color('gray', 5)}",
                border_radius="8px",
                box_shadow="0 8px 24px rgba(15, 23, 42, 0.12)",
                overflow="hidden",
                id="customer-matches",
            ),
        ),
        position="relative",
        width="100%",
    )
    return compact_field(
        "Customer",
        rx.cond(InvoiceState.customer_id != "", linked, search),
        control_id="customer-search",
        grid_column=rx.breakpoints(initial="auto", sm="span 2"),
    )


def _editor() -> rx.Component:
    return rx.vstack(
        card(
            rx.grid(
                _customer_picker(),
                compact_field("Client name", _input("client_name", InvoiceState.client_name)),
                compact_field(
                    "Client email",
                    _input("client_email", InvoiceState.client_email, type="email"),
                ),
                compact_field("Company", _input("client_company", InvoiceState.client_company)),
                compact_field("Title", _input("title", InvoiceState.title)),
                compact_field(
                    "Currency",
                    rx.select(
                        InvoiceState.currency_options,
                        value=InvoiceState.currency_code,
                        on_change=lambda v: InvoiceState.set_field("currency_code", v),
                        width="100%",
                        id="field-currency_code",
                    ),
                ),
                compact_field(
                    "Tax rate (%)", _input("tax_rate", InvoiceState.tax_rate, input_mode="decimal")
                ),
                compact_field(
                    "Invoice date", _input("invoice_date", InvoiceState.invoice_date, type="date")
                ),
                compact_field("Due date", _input("due_date", InvoiceState.due_date, type="date")),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
        ),
        card(
            rx.vstack(
                rx.grid(
                    *[
                        rx.text(
                            label,
                            size="1",
                            weight="medium",
                            color=rx.color("gray", 11),
                            text_align=align,
                            grid_column=LINE_DESCRIPTION_SPAN if label == "Description" else None,
                        )
                        for label, align in (
                            ("Description", "left"),
                            ("Qty", "left"),
                            ("Unit price", "left"),
                            ("Amount", "right"),
                            ("", "left"),
                        )
                    ],
                    columns=LINE_COLUMNS,
                    spacing="2",
                    width="100%",
                ),
                rx.foreach(InvoiceState.line_views, _line_editor),
                rx.button(
                    rx.icon("plus", size=14),
                    "Add line",
                    variant="soft",
                    size="1",
                    on_click=InvoiceState.add_line,
                    id="add-line",
                ),
                rx.divider(),
                _totals(
                    InvoiceState.totals_view["subtotal"],
                    InvoiceState.totals_view["tax"],
                    InvoiceState.totals_view["total"],
                    rx.text("Tax (", InvoiceState.tax_rate, "%)"),
                ),
                spacing="3",
                width="100%",
            )
        ),
        card(
            compact_field(
                "Notes",
                rx.text_area(
                    value=InvoiceState.notes,
                    on_change=lambda v: InvoiceState.set_field("notes", v),
                    placeholder="Payment terms, bank details…",
                    width="100%",
                    id="field-notes",
                ),
            )
        ),
        rx.cond(
            InvoiceState.form_error != "",
            rx.callout(
                InvoiceState.form_error, icon="triangle-alert", color_scheme="red", width="100%"
            ),
        ),
        rx.hstack(
            rx.button(
                "Save draft",
                variant="soft",
                on_click=InvoiceState.save,
                id="save-draft",
            ),
            rx.button(
                rx.icon("send", size=16),
                "Save and send",
                on_click=InvoiceState.save_and_send,
                id="send",
            ),
            justify="end",
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


def _payment_dialog() -> rx.Component:
    def pay_input(field: str, value, **props):
        return rx.input(
            value=value,
            on_change=lambda v: InvoiceState.set_pay_field(field, v),
            width="100%",
            id=f"pay-{field}",
            **props,
        )

    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(
                rx.icon("banknote", size=16),
                "Record payment",
                on_click=InvoiceState.open_payment,
                id="record-payment",
            )
        ),
        rx.dialog.content(
            rx.dialog.title("Record payment"),
            rx.dialog.description(
                "Amount due: ", InvoiceState.detail["due"], size="2", color=rx.color("gray", 11)
            ),
            rx.vstack(
                compact_field(
                    f"Amount ({InvoiceState.currency_code})",
                    pay_input("pay_amount", InvoiceState.pay_amount, input_mode="decimal"),
                ),
                compact_field(
                    "Payment date", pay_input("pay_date", InvoiceState.pay_date, type="date")
                ),
                compact_field(
                    "Method",
                    choice_select(
                        [(method, method.replace("_", " ").capitalize()) for method in METHODS],
                        value=InvoiceState.pay_method,
                        on_change=lambda v: InvoiceState.set_pay_field("pay_method", v),
                        trigger_id="pay-pay_method",
                    ),
                ),
                compact_field("Reference", pay_input("pay_reference", InvoiceState.pay_reference)),
                compact_field("Note", pay_input("pay_note", InvoiceState.pay_note)),
                rx.cond(
                    InvoiceState.pay_error != "",
                    rx.callout(InvoiceState.pay_error, icon="triangle-alert", color_scheme="red"),
                ),
                rx.hstack(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.button(
                        "Record payment",
                        on_click=InvoiceState.record_payment,
                        id="pay-submit",
                    ),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                padding_top="12px",
            ),
            max_width="440px",
        ),
        open=InvoiceState.pay_open,
        on_open_change=InvoiceState.set_pay_open,
    )


def _void_button() -> rx.Component:
    return confirm_dialog(
        rx.fragment("Void ", InvoiceState.number, "?"),
        [
            "A voided invoice is permanently inactive: no more payments or reminders, and the "
            "client's link shows it as void. This cannot be undone."
        ],
        keep="Keep invoice",
        confirm="Void invoice",
        on_confirm=InvoiceState.void,
        confirm_id="void-confirm",
        trigger=rx.button(
            rx.icon("ban", size=16), "Void", color_scheme="red", variant="soft", id="void"
        ),
    )


def _kv(label: str, value) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color=rx.color("gray", 11), weight="medium"),
        rx.text(value, size="2", overflow_wrap="anywhere"),  # long emails wrap on phones
        spacing="0",
        min_width="0",
    )


def _sent_view() -> rx.Component:
    items = rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell("Description"),
                rx.table.column_header_cell("Qty", text_align="right", display=TABLET_UP),
                rx.table.column_header_cell("Unit price", text_align="right", display=TABLET_UP),
                rx.table.column_header_cell("Amount", text_align="right"),
            )
        ),
        rx.table.body(
            rx.foreach(
                InvoiceState.line_rows,
                lambda row: rx.table.row(
                    rx.table.cell(
                        rx.text(row["description"]),
                        # on a phone, quantity and unit price go under the description
                        rx.text(
                            row["quantity"],
                            " × ",
                            row["unit_price"],
                            size="1",
                            color=rx.color("gray", 11),
                            display=PHONE_ONLY,
                        ),
                    ),
                    rx.table.cell(row["quantity"], text_align="right", display=TABLET_UP),
                    rx.table.cell(row["unit_price"], text_align="right", display=TABLET_UP),
                    rx.table.cell(row["total"], text_align="right", white_space="nowrap"),
                ),
            )
        ),
        variant="ghost",
        width="100%",
    )
    payments = rx.cond(
        InvoiceState.payments,
        rx.vstack(
            rx.foreach(
                InvoiceState.payments,
                lambda p: rx.hstack(
                    rx.icon("banknote", size=16, color=rx.color("green", 10)),
                    rx.vstack(
                        rx.text(p["amount"], weight="medium", size="2"),
                        rx.text(
                            p["date"],
                            " · ",
                            p["method"],
                            " · ",
                            p["reference"],
                            size="1",
                            color=rx.color("gray", 11),
                        ),
                        spacing="0",
                    ),
                    spacing="3",
                    align="center",
                    class_name="payment-row",
                ),
            ),
            spacing="2",
        ),
        rx.text("No payments recorded yet.", size="2", color=rx.color("gray", 11)),
    )
    return rx.grid(
        rx.vstack(
            card(
                rx.vstack(
                    rx.grid(
                        _kv("Client", InvoiceState.client_name),
                        _kv("Email", InvoiceState.client_email),
                        _kv("Issued", InvoiceState.detail["invoice_date"]),
                        _kv("Due", InvoiceState.detail["due_date"]),
                        _kv("Sent", InvoiceState.detail["sent_at"]),
                        _kv("Views", InvoiceState.detail["views"]),
                        columns=rx.breakpoints(initial="2", md="3"),
                        spacing="3",
                        width="100%",
                    ),
                    rx.divider(),
                    rx.cond(InvoiceState.title != "", rx.text(InvoiceState.title, weight="bold")),
                    items,
                    _totals(
                        InvoiceState.detail["subtotal"],
                        InvoiceState.detail["tax"],
                        InvoiceState.detail["total"],
                        rx.text("Tax (", InvoiceState.detail["tax_rate"], "%)"),
                    ),
                    rx.cond(
                        InvoiceState.notes != "",
                        rx.text(
                            InvoiceState.notes,
                            size="2",
                            color=rx.color("gray", 11),
                            white_space="pre-wrap",
                        ),
                    ),
                    spacing="3",
                    width="100%",
                )
            ),
            card(rx.vstack(rx.text("Payments", weight="bold"), payments, spacing="3")),
            spacing="4",
            width="100%",
            grid_area="main",
        ),
        rx.box(
            card(
                rx.vstack(
                    rx.text("Amount due", size="1", color=rx.color("gray", 11), weight="medium"),
                    rx.text(InvoiceState.detail["due"], size="7", weight="bold", id="amount-due"),
                    rx.text(
                        "Paid ",
                        InvoiceState.detail["paid"],
                        " of ",
                        InvoiceState.detail["total"],
                        size="2",
                        color=rx.color("gray", 11),
                    ),
                    rx.hstack(
                        rx.cond(InvoiceState.can_pay, _payment_dialog()),
                        rx.link(
                            rx.button(rx.icon("download", size=16), "PDF", variant="soft"),
                            href=InvoiceState.detail["pdf"],
                            is_external=True,
                        ),
                        rx.cond(InvoiceState.can_void, _void_button()),
                        flex_wrap="wrap",
                        spacing="2",
                    ),
                    rx.link(
                        rx.hstack(
                            rx.icon("external-link", size=14),
                            rx.text("Client's invoice page", size="2"),
                        ),
                        href=InvoiceState.detail["url"],
                        is_external=True,
                    ),
                    spacing="2",
                    width="100%",
                )
            ),
            grid_area="amount",
        ),
        rx.box(
            card(
                rx.vstack(
                    rx.text("Timeline", weight="bold"),
                    rx.foreach(
                        InvoiceState.timeline,
                        lambda entry: rx.hstack(
                            rx.box(
                                rx.icon(entry["icon"], size=14, color=rx.color("accent", 11)),
                                background=rx.color("accent", 3),
                                padding="6px",
                                border_radius="999px",
                            ),
                            rx.vstack(
                                rx.text(entry["text"], size="2"),
                                rx.text(
                                    entry["when"],
                                    " · ",
                                    entry["who"],
                                    size="1",
                                    color=rx.color("gray", 11),
                                ),
                                spacing="0",
                            ),
                            align="start",
                            spacing="2",
                            class_name="timeline-entry",
                        ),
                    ),
                    spacing="3",
                    width="100%",
                )
            ),
            grid_area="timeline",
        ),
        # Phones and tablets put what is due and its actions first; wide screens beside.
        grid_template_areas=rx.breakpoints(
            initial='"amount" "main" "timeline"', lg='"main amount" "main timeline"'
        ),
        grid_template_columns=rx.breakpoints(
            initial="minmax(0,1fr)", lg="minmax(0,2fr) minmax(0,1fr)"
        ),
        grid_template_rows=rx.breakpoints(initial="auto", lg="auto 1fr"),
        align_items="start",
        spacing="4",
        width="100%",
    )


def invoice_page() -> rx.Component:
    return app_shell(
        rx.hstack(
            rx.link(
                rx.hstack(rx.icon("arrow-left", size=14), rx.text("Invoices", size="2")),
                href="/invoices",
            ),
            rx.cond(~InvoiceState.is_new, status_badge(InvoiceState.status)),
            rx.spacer(),
            rx.cond(
                InvoiceState.editable & ~InvoiceState.is_new,
                _void_button(),
            ),
            align="center",
            width="100%",
        ),
        rx.cond(InvoiceState.editable, _editor(), _sent_view()),
        title=rx.cond(InvoiceState.is_new, "New invoice", InvoiceState.number),
    )
