"""Request bodies and response shapes for invoices, customers and subscriptions.

Field names follow the contract (`invoiceNumber`, `totalKobo`, `paidAmountKobo`, …):
amounts are integer minor units of the invoice's currency whatever the currency is.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from workspace.core.config import get_settings
from workspace.core.models import Customer, Invoice, LineItem, Payment, Subscription
from workspace.core.money import format_decimal, to_decimal
from workspace.core.schemas.base import ApiModel
from workspace.core.schemas.envelopes import SignerIn

Number = int | float | str
Timestamp = int | str


class LineItemIn(ApiModel):
    description: str = ""
    quantity: Number = 1
    unit_price_kobo: int = 0
    total_kobo: int | None = None


class InvoiceCreate(ApiModel):
    customer_id: str | None = None
    client_name: str | None = None
    client_email: str | None = None
    client_company: str | None = None
    title: str | None = None
    currency: str | None = None  # the organization's default currency
    line_items: list[LineItemIn] = Field(default_factory=list)
    subtotal_kobo: int | None = None
    tax_rate: Number | None = None
    tax_amount_kobo: int | None = None
    total_kobo: int | None = None
    invoice_date: Timestamp | None = None
    due_date: Timestamp | None = None
    notes: str | None = None


class InvoiceUpdate(InvoiceCreate):
    """Every field optional; only the fields present in the body change."""

    currency: str | None = None  # type: ignore[assignment]
    line_items: list[LineItemIn] | None = None  # type: ignore[assignment]


class PaymentCreate(ApiModel):
    amount_kobo: int
    payment_date: Timestamp | None = None
    payment_method: str | None = None
    reference: str | None = None
    note: str | None = None


class ReminderSchedule(ApiModel):
    reminder_days: list[int]
    reminders_enabled: bool = True


class CustomerCreate(ApiModel):
    name: str
    email: str
    phone_number: str | None = None
    company: str | None = None


class CustomerUpdate(ApiModel):
    name: str | None = None
    email: str | None = None
    phone_number: str | None = None
    company: str | None = None


class SubscriptionCreate(ApiModel):
    customer_id: str
    name: str
    amount_kobo: int
    currency: str | None = None  # the organization's default currency
    cadence: int = 30
    cadence_unit: str = "days"
    start_date: Timestamp | None = None
    due_in_days: int = 14
    send_invoice: bool = True


class PackageSend(ApiModel):
    """A subscription, its first invoice and an agreement to sign, for one customer."""

    package_id: str | None = None
    template_id: str | None = None
    name: str
    amount_kobo: int
    currency: str | None = None  # the organization's default currency
    cadence: int = 30
    cadence_unit: str = "days"
    start_date: Timestamp | None = None
    due_in_days: int = 14
    email_invoice: bool = True
    cc_emails: list[str] = Field(default_factory=list)
    custom_merge_tag_values: dict[str, Any] | None = None
    customer_role: str | None = None
    additional_signers: list[SignerIn] = Field(default_factory=list)
    agreement_title: str | None = None
    message: str = ""


class SubscriptionUpdate(ApiModel):
    name: str | None = None
    amount_kobo: int | None = None
    is_active: bool | None = None


def view_url(invoice: Invoice) -> str:
    return f"{get_settings().public_base_url}/invoice/{invoice.view_token}"


def _number(text: str) -> int | float:
    """Exact decimal text as a JSON number (integers stay integers)."""
    value = to_decimal(text, field="value")
    return int(value) if value == value.to_integral_value() else float(format_decimal(value))


def line_item_out(item: LineItem) -> dict[str, Any]:
    return {
        "description": item.description,
        "quantity": _number(item.quantity),
        "unitPriceKobo": item.unit_price_minor,
        "totalKobo": item.total_minor,
    }


def payment_out(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.id,
        "amountKobo": payment.amount_minor,
        "paymentDate": payment.payment_date,
        "paymentMethod": payment.payment_method,
        "reference": payment.reference,
        "note": payment.note,
        "createdAt": payment.created_at,
    }


def invoice_summary_out(invoice: Invoice) -> dict[str, Any]:
    """The list shape."""
    return {
        "id": invoice.id,
        "invoiceNumber": invoice.invoice_number,
        "clientName": invoice.client_name,
        "clientEmail": invoice.client_email,
        "clientCompany": invoice.client_company,
        "customerId": invoice.customer_id,
        "title": invoice.title,
        "currency": invoice.currency,
        "totalKobo": invoice.total_minor,
        "paidAmountKobo": invoice.paid_minor,
        "amountDueKobo": amount_due(invoice),
        "status": invoice.status,
        "invoiceDate": invoice.invoice_date,
        "dueDate": invoice.due_date,
        "sentAt": invoice.sent_at,
        "viewCount": invoice.view_count,
        "viewToken": invoice.view_token,
        "createdAt": invoice.created_at,
    }


def invoice_out(invoice: Invoice, lines: list[LineItem], payments: list[Payment]) -> dict[str, Any]:
    """The full shape, with line items and payment history."""
    return {
        **invoice_summary_out(invoice),
        "subscriptionId": invoice.subscription_id,
        "lineItems": [line_item_out(item) for item in lines],
        "subtotalKobo": invoice.subtotal_minor,
        "taxRate": _number(invoice.tax_rate),
        "taxAmountKobo": invoice.tax_minor,
        "notes": invoice.notes,
        "payments": [payment_out(p) for p in payments],
        "lastViewedAt": invoice.last_viewed_at,
        "viewUrl": view_url(invoice),
        "paidAt": invoice.paid_at,
        "voidedAt": invoice.voided_at,
        "overdueAt": invoice.overdue_at,
        "pdfSha256": invoice.pdf_sha256,
        "testMode": invoice.test_mode,
        "updatedAt": invoice.updated_at,
    }


def amount_due(invoice: Invoice) -> int:
    if invoice.status == "void":
        return 0
    return invoice.total_minor - invoice.paid_minor


def customer_out(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.id,
        "name": customer.name,
        "email": customer.email,
        "phoneNumber": customer.phone_number,
        "company": customer.company,
        "testMode": customer.test_mode,
        "createdAt": customer.created_at,
        "updatedAt": customer.updated_at,
    }


def subscription_out(sub: Subscription, customer: Customer | None = None) -> dict[str, Any]:
    data = {
        "id": sub.id,
        "customerId": sub.customer_id,
        "name": sub.name,
        "amountKobo": sub.amount_minor,
        "currency": sub.currency,
        "cadence": sub.cadence,
        "cadenceUnit": sub.cadence_unit,
        "startDate": sub.start_date,
        "billingDayOfMonth": sub.billing_day_of_month,
        "dueInDays": sub.due_in_days,
        "status": sub.status,
        "isActive": sub.status == "active",
        "periodsBilled": sub.periods_billed,
        "nextPaymentDate": sub.next_billing_at,
        "lastPaymentDate": sub.last_payment_at,
        "canceledAt": sub.cancelled_at,
        "testMode": sub.test_mode,
        "createdAt": sub.created_at,
        "updatedAt": sub.updated_at,
    }
    if customer is not None:
        data["customerName"] = customer.name
        data["customerEmail"] = customer.email
    return data
