"""Invoices, their line items and payments, customers, subscriptions and invoice settings."""

from typing import Any

from sqlalchemy import BigInteger, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from workspace.core.models.base import id_field, json_field, ms_field

INVOICE_STATUSES = ("draft", "sent", "viewed", "overdue", "partially_paid", "paid", "void")
OPEN_STATUSES = ("sent", "viewed", "overdue", "partially_paid")
DEFAULT_REMINDER_DAYS = [-3, 0, 7]


class InvoiceCounter(SQLModel, table=True):
    """The last invoice number handed out, per organization and mode (live/test)."""

    org_id: str = Field(
        foreign_key="organization.id", primary_key=True, max_length=40, ondelete="CASCADE"
    )
    test_mode: bool = Field(default=False, primary_key=True)
    last_number: int = 0


class Customer(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("org_id", "test_mode", "email"),
        Index("ix_customer_org_name", "org_id", "test_mode", "name"),
    )
    id: str = id_field("cus")
    org_id: str = Field(foreign_key="organization.id", max_length=40, ondelete="CASCADE")
    name: str = Field(max_length=200)
    email: str = Field(max_length=320)
    phone_number: str = Field(default="", max_length=40)
    company: str = Field(default="", max_length=200)
    test_mode: bool = False
    created_at: int = ms_field()
    updated_at: int = ms_field()


class Subscription(SQLModel, table=True):
    __table_args__ = (Index("ix_subscription_org_status", "org_id", "test_mode", "status"),)
    id: str = id_field("sub")
    org_id: str = Field(foreign_key="organization.id", max_length=40, ondelete="CASCADE")
    customer_id: str = Field(foreign_key="customer.id", index=True, max_length=40)
    name: str = Field(max_length=200)
    amount_minor: int = Field(sa_type=BigInteger)
    currency: str = Field(max_length=3)
    cadence: int = 30
    cadence_unit: str = Field(default="days", max_length=10)  # days | months
    start_date: int = ms_field()
    billing_day_of_month: int = 1
    due_in_days: int = 14
    periods_billed: int = 0
    next_billing_at: int | None = ms_field(nullable=True)
    status: str = Field(default="pending", max_length=20)  # pending | active | cancelled
    last_payment_at: int | None = ms_field(nullable=True)
    cancelled_at: int | None = ms_field(nullable=True)
    test_mode: bool = False
    created_at: int = ms_field()
    updated_at: int = ms_field()


class Invoice(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("org_id", "test_mode", "number"),
        Index("ix_invoice_org_created", "org_id", "test_mode", "created_at"),
        Index("ix_invoice_org_status", "org_id", "test_mode", "status", "created_at"),
        Index("ix_invoice_open_due", "status", "due_date"),
        # covers invoice_totals: counts, open amounts and aging without reading the rows
        Index(
            "ix_invoice_org_totals",
            "org_id",
            "test_mode",
            "status",
            "currency",
            "due_date",
            "total_minor",
            "paid_minor",
        ),
        Index("ix_invoice_org_updated", "org_id", "test_mode", "updated_at"),
    )
    id: str = id_field("inv")
    org_id: str = Field(foreign_key="organization.id", max_length=40, ondelete="CASCADE")
    number: int
    invoice_number: str = Field(max_length=20)
    customer_id: str | None = Field(
        default=None, foreign_key="customer.id", index=True, max_length=40
    )
    subscription_id: str | None = Field(
        default=None, foreign_key="subscription.id", index=True, max_length=40
    )
    client_name: str = Field(max_length=200)
    client_email: str = Field(max_length=320)
    client_company: str = Field(default="", max_length=200)
    title: str = Field(default="", max_length=300)
    currency: str = Field(max_length=3)
    tax_rate: str = Field(default="0", max_length=20)  # percent, exact decimal text
    subtotal_minor: int = Field(default=0, sa_type=BigInteger)
    tax_minor: int = Field(default=0, sa_type=BigInteger)
    total_minor: int = Field(default=0, sa_type=BigInteger)
    paid_minor: int = Field(default=0, sa_type=BigInteger)
    status: str = Field(default="draft", max_length=20)
    invoice_date: int = ms_field()
    due_date: int = ms_field()
    notes: str = Field(default="", sa_type=Text)
    view_token: str = Field(max_length=64, unique=True)
    view_count: int = 0
    last_viewed_at: int | None = ms_field(nullable=True)
    sent_at: int | None = ms_field(nullable=True)
    paid_at: int | None = ms_field(nullable=True)
    voided_at: int | None = ms_field(nullable=True)
    overdue_at: int | None = ms_field(nullable=True)
    last_reminder_day: int | None = None  # offset (days from due) of the last reminder sent
    reminders_sent: int = 0
    pdf_sha256: str | None = Field(default=None, max_length=64)
    test_mode: bool = False
    created_at: int = ms_field()
    updated_at: int = ms_field()


class LineItem(SQLModel, table=True):
    __table_args__ = (Index("ix_lineitem_invoice", "invoice_id", "position"),)
    id: str = id_field("li")
    invoice_id: str = Field(foreign_key="invoice.id", max_length=40, ondelete="CASCADE")
    position: int
    description: str = Field(max_length=500)
    quantity: str = Field(max_length=40)  # exact decimal text
    unit_price_minor: int = Field(sa_type=BigInteger)
    total_minor: int = Field(sa_type=BigInteger)


class Payment(SQLModel, table=True):
    __table_args__ = (Index("ix_payment_org_date", "org_id", "payment_date"),)
    id: str = id_field("pay")
    org_id: str = Field(foreign_key="organization.id", max_length=40, ondelete="CASCADE")
    invoice_id: str = Field(foreign_key="invoice.id", index=True, max_length=40, ondelete="CASCADE")
    amount_minor: int = Field(sa_type=BigInteger)
    payment_date: int = ms_field()
    payment_method: str = Field(default="other", max_length=40)
    reference: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=1000)
    test_mode: bool = False
    created_at: int = ms_field()


class InvoiceSettings(SQLModel, table=True):
    """Per-organization reminder schedule: days relative to the due date (-3 = 3 days before)."""

    org_id: str = Field(
        foreign_key="organization.id", primary_key=True, max_length=40, ondelete="CASCADE"
    )
    reminder_days: list[Any] = json_field(lambda: list(DEFAULT_REMINDER_DAYS))
    reminders_enabled: bool = True
    updated_at: int = ms_field()
