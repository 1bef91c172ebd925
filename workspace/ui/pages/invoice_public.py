"""The client's invoice page `/invoice/<viewToken>`: no account, phone-friendly. Every open
counts as a view (the first one moves a sent invoice to viewed)."""

from __future__ import annotations

import reflex as rx

from workspace.core.db import session_scope
from workspace.core.errors import DomainError
from workspace.core.models import Organization
from workspace.core.money import format_money
from workspace.core.schemas.invoices import amount_due
from workspace.core.services import invoices as service
from workspace.ui.pages.invoices import fmt_date
from workspace.ui.state import AuthState

PUBLIC_STATUS = {
    "sent": ("Due", "blue"),
    "viewed": ("Due", "blue"),
    "overdue": ("Overdue", "red"),
    "partially_paid": ("Partially paid", "amber"),
    "paid": ("Paid", "green"),
    "void": ("Void", "gray"),
}


class PublicInvoiceState(rx.State):
    found: bool = False
    loaded: bool = False
    invoice: dict[str, str] = {}
    lines: list[dict[str, str]] = []
    payments: list[dict[str, str]] = []
    preview: bool = False  # opened by a member of the invoice's organization

    @rx.event
    async def open(self):
        """Counts this open as a view (unless the invoice's own team opened it) and loads what
        the client may see."""
        parts = [p for p in self.router.url.path.split("/") if p]
        token = parts[1] if len(parts) > 1 else ""
        member = (await self.get_state(AuthState))._actor()
        try:
            with session_scope() as session:
                invoice = service.record_view(
                    session,
                    token=token,
                    ip=self.router.session.client_ip,
                    user_agent=self.router.headers.user_agent,
                    viewer_org_id=member.org_id if member else None,
                )
                org = session.get(Organization, invoice.org_id)
                items = service.line_items(session, invoice.id)
                paid = service.payments(session, invoice.id)
        except DomainError:
            self.found, self.loaded = False, True
            self.invoice, self.lines, self.payments = {}, [], []
            return
        self.preview = member is not None and member.org_id == invoice.org_id
        code = invoice.currency
        label, color = PUBLIC_STATUS.get(invoice.status, (invoice.status, "gray"))
        self.invoice = {
            "org": org.name if org else "",
            "logo": f"/files/logo/{org.id}" if org and org.logo_sha256 else "",
            "brand": (org.brand_color if org else "") or "#4f46e5",
            "number": invoice.invoice_number,
            "title": invoice.title,
            "client": invoice.client_name,
            "company": invoice.client_company,
            "email": invoice.client_email,
            "status": invoice.status,
            "status_label": label,
            "status_color": color,
            "issued": fmt_date(invoice.invoice_date),
            "due_date": fmt_date(invoice.due_date),
            "subtotal": format_money(invoice.subtotal_minor, code),
            "tax_label": f"Tax ({invoice.tax_rate}%)",
            "tax": format_money(invoice.tax_minor, code),
            "total": format_money(invoice.total_minor, code),
            "paid": format_money(invoice.paid_minor, code) if invoice.paid_minor else "",
            "due": format_money(amount_due(invoice), code),
            "notes": invoice.notes,
            "pdf": f"/files/invoice/{token}/pdf",
            "views": str(invoice.view_count),
        }
        self.lines = [
            {
                "description": item.description,
                "detail": f"{item.quantity} × {format_money(item.unit_price_minor, code)}",
                "total": format_money(item.total_minor, code),
            }
            for item in items
        ]
        self.payments = [
            {
                "date": fmt_date(p.payment_date),
                "amount": format_money(p.amount_minor, code),
                "method": p.payment_method.replace("_", " ").capitalize(),
                "reference": p.reference,
            }
            for p in paid
        ]
        self.found = self.loaded = True


def _summary_row(label, value, strong: bool = False) -> rx.Component:
    return rx.hstack(
        rx.text(
            label, size="2", color=rx.color("gray", 11), weight=rx.cond(strong, "bold", "regular")
        ),
        rx.text(value, size=rx.cond(strong, "4", "2"), weight=rx.cond(strong, "bold", "regular")),
        justify="between",
        width="100%",
    )


def _invoice_view() -> rx.Component:
    inv = PublicInvoiceState.invoice
    header = rx.hstack(
        rx.hstack(
            rx.cond(inv["logo"] != "", rx.image(src=inv["logo"], height="36px", alt="")),
            rx.text(inv["org"], weight="bold", size="4", color=inv["brand"]),
            align="center",
            spacing="2",
        ),
        rx.badge(
            inv["status_label"],
            color_scheme=inv["status_color"],
            size="2",
            radius="full",
            id="invoice-status",
        ),
        justify="between",
        align="center",
        width="100%",
    )
    amount = rx.vstack(
        rx.text(
            rx.cond(
                inv["status"] == "paid",
                "Paid in full",
                rx.cond(inv["status"] == "void", "This invoice was voided", "Amount due"),
            ),
            size="2",
            color=rx.color("gray", 11),
        ),
        rx.text(inv["due"], size="8", weight="bold", id="public-amount-due"),
        rx.text(
            "Invoice ",
            inv["number"],
            " · due ",
            inv["due_date"],
            size="2",
            color=rx.color("gray", 11),
        ),
        rx.link(
            rx.button(rx.icon("download", size=16), "Download PDF", size="3", width="100%"),
            href=inv["pdf"],
            is_external=True,
            width="100%",
            id="download-pdf",
        ),
        spacing="2",
        align="start",
        width="100%",
    )
    items = rx.vstack(
        rx.foreach(
            PublicInvoiceState.lines,
            lambda line: rx.hstack(
                rx.vstack(
                    rx.text(line["description"], size="2", weight="medium"),
                    rx.text(line["detail"], size="1", color=rx.color("gray", 11)),
                    spacing="0",
                    min_width="0",
                ),
                rx.text(line["total"], size="2", white_space="nowrap"),
                justify="between",
                width="100%",
                padding_y="8px",
                border_bottom=f"1px solid {rx.color('gray', 4)}",
            ),
        ),
        _summary_row("Subtotal", inv["subtotal"]),
        _summary_row(inv["tax_label"], inv["tax"]),
        _summary_row("Total", inv["total"], strong=True),
        rx.cond(inv["paid"] != "", _summary_row("Paid", inv["paid"])),
        spacing="2",
        width="100%",
    )
    payments = rx.cond(
        PublicInvoiceState.payments,
        rx.vstack(
            rx.text("Payment history", weight="bold", size="3"),
            rx.foreach(
                PublicInvoiceState.payments,
                lambda p: rx.hstack(
                    rx.icon("circle-check", size=16, color=rx.color("green", 10)),
                    rx.vstack(
                        rx.text(p["amount"], size="2", weight="medium"),
                        rx.text(
                            p["date"],
                            " · ",
                            p["method"],
                            " ",
                            p["reference"],
                            size="1",
                            color=rx.color("gray", 11),
                        ),
                        spacing="0",
                    ),
                    align="center",
                    spacing="2",
                    class_name="public-payment",
                ),
            ),
            spacing="2",
            width="100%",
        ),
    )
    return rx.vstack(
        rx.cond(
            PublicInvoiceState.preview,
            rx.callout(
                "You are signed in to this invoice's workspace, so this is a preview: "
                "your visits are not counted as the client's views.",
                icon="eye",
                width="100%",
                id="preview-note",
            ),
        ),
        rx.card(
            rx.vstack(
                header,
                rx.divider(),
                amount,
                spacing="4",
                width="100%",
            ),
            size="3",
            width="100%",
            border_top=f"4px solid {inv['brand']}",
        ),
        rx.card(
            rx.vstack(
                rx.grid(
                    rx.vstack(
                        rx.text("Billed to", size="1", color=rx.color("gray", 11), weight="medium"),
                        rx.text(inv["client"], size="2", weight="medium"),
                        rx.text(inv["company"], size="2"),
                        rx.text(inv["email"], size="1", color=rx.color("gray", 11)),
                        spacing="0",
                    ),
                    rx.vstack(
                        rx.text("Issued", size="1", color=rx.color("gray", 11), weight="medium"),
                        rx.text(inv["issued"], size="2"),
                        rx.text(
                            "Due",
                            size="1",
                            color=rx.color("gray", 11),
                            weight="medium",
                            padding_top="4px",
                        ),
                        rx.text(inv["due_date"], size="2"),
                        spacing="0",
                    ),
                    columns="2",
                    spacing="3",
                    width="100%",
                ),
                rx.cond(inv["title"] != "", rx.text(inv["title"], weight="bold", size="3")),
                items,
                rx.cond(
                    inv["notes"] != "",
                    rx.text(
                        inv["notes"], size="2", color=rx.color("gray", 11), white_space="pre-wrap"
                    ),
                ),
                spacing="4",
                width="100%",
            ),
            size="3",
            width="100%",
        ),
        rx.cond(PublicInvoiceState.payments, rx.card(payments, size="3", width="100%")),
        rx.text(
            "Sent by ",
            inv["org"],
            " with Workspace",
            size="1",
            color=rx.color("gray", 11),
            align_self="center",
        ),
        spacing="4",
        width="100%",
    )


def public_invoice_page() -> rx.Component:
    return rx.box(
        rx.center(
            rx.box(
                rx.cond(
                    PublicInvoiceState.loaded,
                    rx.cond(
                        PublicInvoiceState.found,
                        _invoice_view(),
                        rx.card(
                            rx.vstack(
                                rx.icon("file-x", size=32, color=rx.color("gray", 11)),
                                rx.heading("This invoice link is not valid", size="4"),
                                rx.text(
                                    "Check that you copied the whole link from the email, "
                                    "or ask the sender for a new one.",
                                    size="2",
                                    color=rx.color("gray", 11),
                                    text_align="center",
                                ),
                                align="center",
                                spacing="3",
                                padding="24px",
                            ),
                            width="100%",
                        ),
                    ),
                    rx.center(rx.spinner(size="3"), padding="80px"),
                ),
                width="100%",
                max_width="680px",
            ),
            padding=["12px", "24px", "40px"],
        ),
        min_height="100vh",
        background=rx.color("gray", 2),
    )
