"""Invoice lifecycle: draft → sent → viewed → partially_paid / paid, overdue, void.

Every function changes the invoice, writes an audit row and emits the contract's
`invoice.*` event in the caller's transaction. A daily sweep job marks overdue
invoices and sends the organization's reminder schedule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from itertools import pairwise
from typing import Any

from sqlalchemy import case, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from workspace.core import storage
from workspace.core.actor import Actor
from workspace.core.clock import now_ms
from workspace.core.db import session_scope, text_search
from workspace.core.errors import Conflict, NotFound, ValidationFailed
from workspace.core.ids import new_token
from workspace.core.jobs import enqueue, job_handler
from workspace.core.models import (
    Customer,
    Invoice,
    InvoiceCounter,
    InvoiceSettings,
    LineItem,
    Organization,
    Payment,
)
from workspace.core.models.invoices import DEFAULT_REMINDER_DAYS, INVOICE_STATUSES, OPEN_STATUSES
from workspace.core.money import (
    MAX_MINOR,
    compute_totals,
    currency,
    format_decimal,
    format_money,
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
from workspace.core.services.audit import record_audit
from workspace.core.services.events import emit_event
from workspace.core.services.mail import send_notice
from workspace.core.validation import check_date_ms, clean_email, clean_text

DAY_MS = 24 * 3600 * 1000
MAX_LINE_ITEMS = 500
SWEEP_KIND = "invoices.sweep"
EDITABLE_FIELDS = (
    "customer_id",
    "client_name",
    "client_email",
    "client_company",
    "title",
    "currency",
    "line_items",
    "tax_rate",
    "invoice_date",
    "due_date",
    "notes",
)


# ---------------------------------------------------------------- parsing helpers


def parse_time_ms(value: Any, *, field: str) -> int:
    """Epoch milliseconds from an integer or an ISO 8601 string ('2026-04-10T00:00:00.000Z')."""
    if isinstance(value, bool):
        raise ValidationFailed(f"{field} must be a date.", field=field, value=value)
    if isinstance(value, int | float):
        return check_date_ms(int(value), field=field, value=value)
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return check_date_ms(int(text), field=field, value=value)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed(
            f"{field} must be epoch milliseconds or an ISO 8601 date.", field=field, value=value
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return check_date_ms(int(parsed.timestamp() * 1000), field=field, value=value)


def _payment_date(value: Any, invoice: Invoice, now: int) -> int:
    """When the money arrived: today by default, never after today nor before the invoice's
    date (a deposit taken earlier is dated on the invoice date)."""
    if not value:
        return now
    paid = parse_time_ms(value, field="paymentDate")
    if start_of_day(paid) > start_of_day(now) + DAY_MS:  # a day's grace for time zones
        raise ValidationFailed(
            "The payment date can't be in the future.", field="paymentDate", value=value
        )
    if start_of_day(paid) < start_of_day(invoice.invoice_date):
        raise ValidationFailed(
            f"The payment date can't be before the invoice date ({_date(invoice.invoice_date)}).",
            field="paymentDate",
            value=value,
        )
    return paid


def start_of_day(ms: int) -> int:
    return ms - ms % DAY_MS


def _tax_rate(value: Any) -> Decimal:
    if value is None or value == "":
        return Decimal(0)
    rate = to_decimal(value, field="taxRate")
    if rate < 0 or rate > 100:
        raise ValidationFailed("taxRate must be between 0 and 100.", field="taxRate", value=value)
    if rate.as_tuple().exponent < -4:  # type: ignore[operator]
        raise ValidationFailed(
            "taxRate can have at most 4 decimal places.", field="taxRate", value=value
        )
    return rate


@dataclass(frozen=True)
class ParsedLine:
    description: str
    quantity: Decimal
    unit_price: int
    client_total: int | None


def _parse_lines(items: list[LineItemIn]) -> list[ParsedLine]:
    if len(items) > MAX_LINE_ITEMS:
        raise ValidationFailed(
            f"An invoice can have at most {MAX_LINE_ITEMS} line items.", field="lineItems"
        )
    lines = []
    for index, item in enumerate(items):
        path, line = f"lineItems[{index}]", f"Line {index + 1}"
        description = clean_text(item.description, field=f"{path}.description", max_length=500)
        quantity = to_decimal(item.quantity, field=f"{path}.quantity", label=f"{line}'s quantity")
        if quantity <= 0 or quantity > 10**9:
            raise ValidationFailed(
                f"{line}'s quantity must be more than 0 (and at most a billion).",
                field=f"{path}.quantity",
                value=item.quantity,
            )
        if quantity.as_tuple().exponent < -6:  # type: ignore[operator]
            raise ValidationFailed(
                f"{line}'s quantity can have at most 6 decimal places.",
                field=f"{path}.quantity",
                value=item.quantity,
            )
        if item.unit_price_kobo < 0 or item.unit_price_kobo > MAX_MINOR:
            problem = "can't be negative" if item.unit_price_kobo < 0 else "is too large"
            raise ValidationFailed(
                f"{line}'s unit price {problem}.",
                field=f"{path}.unitPriceKobo",
                value=item.unit_price_kobo,
            )
        lines.append(ParsedLine(description, quantity, item.unit_price_kobo, item.total_kobo))
    return lines


def _check_client_total(field: str, sent: int | None, expected: int, why: str) -> None:
    if sent is not None and sent != expected:
        raise ValidationFailed(
            f"{field} is {sent} but the server computes {expected} ({why}).",
            field=field,
            value=sent,
            expected=expected,
        )


# ---------------------------------------------------------------- lookups


def get_invoice(session: Session, *, actor: Actor, invoice_id: str) -> Invoice:
    invoice = session.get(Invoice, invoice_id)
    if invoice is None or invoice.org_id != actor.org_id or invoice.test_mode != actor.test_mode:
        raise NotFound("Invoice not found.", details={"field": "id", "value": invoice_id})
    return invoice


def _lock_invoice(session: Session, *, actor: Actor, invoice_id: str) -> Invoice:
    """The invoice row, locked until the transaction ends (PostgreSQL) so updates serialize."""
    invoice = session.exec(
        select(Invoice).where(Invoice.id == invoice_id).with_for_update()
    ).first()
    if invoice is None or invoice.org_id != actor.org_id or invoice.test_mode != actor.test_mode:
        raise NotFound("Invoice not found.", details={"field": "id", "value": invoice_id})
    session.refresh(invoice)
    return invoice


def line_items(session: Session, invoice_id: str) -> list[LineItem]:
    return list(
        session.exec(
            select(LineItem).where(LineItem.invoice_id == invoice_id).order_by(LineItem.position)
        )
    )


def payments(session: Session, invoice_id: str) -> list[Payment]:
    return list(
        session.exec(
            select(Payment)
            .where(Payment.invoice_id == invoice_id)
            .order_by(col(Payment.payment_date), col(Payment.created_at))
        )
    )


def _customer(session: Session, actor: Actor, customer_id: str, field: str) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None or customer.org_id != actor.org_id or customer.test_mode != actor.test_mode:
        raise NotFound("Customer not found.", details={"field": field, "value": customer_id})
    return customer


# ---------------------------------------------------------------- numbering


def next_invoice_number(session: Session, *, org_id: str, test_mode: bool) -> int:
    """Take the next number in the caller's transaction: a rollback gives it back, so numbers
    are never skipped, and the row lock on the counter keeps concurrent creates apart."""
    bump = (
        update(InvoiceCounter)
        .where(col(InvoiceCounter.org_id) == org_id, col(InvoiceCounter.test_mode) == test_mode)
        .values(last_number=col(InvoiceCounter.last_number) + 1)
        .returning(col(InvoiceCounter.last_number))
        .execution_options(synchronize_session=False)
    )
    number = session.execute(bump).scalar_one_or_none()
    if number is not None:
        return number
    try:
        with session.begin_nested():
            session.add(InvoiceCounter(org_id=org_id, test_mode=test_mode, last_number=1))
            session.flush()
        return 1
    except IntegrityError:  # another transaction created the counter first
        return session.execute(bump).scalar_one()


def format_invoice_number(number: int) -> str:
    return f"INV-{number:04d}"


# ---------------------------------------------------------------- events


def event_data(invoice: Invoice, **extra: Any) -> dict[str, Any]:
    """The contract's snake_case webhook payload for invoice events."""
    return {
        "invoice_id": invoice.id,
        "invoice_number": invoice.invoice_number,
        "client_email": invoice.client_email,
        "client_name": invoice.client_name,
        "total_kobo": invoice.total_minor,
        "total_paid_kobo": invoice.paid_minor,
        "currency": invoice.currency,
        "status": invoice.status,
        "due_date": invoice.due_date,
        **extra,
    }


def _audit(
    session: Session,
    actor: Actor,
    invoice: Invoice,
    action: str,
    description: str,
    *,
    new_subject: bool = False,
    **data: Any,
) -> None:
    record_audit(
        session,
        actor=actor,
        subject_type="invoice",
        subject_id=invoice.id,
        action=action,
        description=description,
        data=data,
        new_subject=new_subject,
    )


# ---------------------------------------------------------------- create / update


def _apply_fields(
    session: Session, actor: Actor, invoice: Invoice, data: InvoiceCreate, fields: set[str]
) -> list[ParsedLine] | None:
    """Validate and copy the given fields onto the invoice; returns new lines if sent."""
    if "customer_id" in fields and data.customer_id:
        customer = _customer(session, actor, data.customer_id, "customerId")
        invoice.customer_id = customer.id
        if not data.client_name:
            invoice.client_name = customer.name
        if not data.client_email:
            invoice.client_email = customer.email
        if data.client_company is None:
            invoice.client_company = customer.company
    elif "customer_id" in fields:
        invoice.customer_id = None
    if "client_name" in fields and data.client_name is not None:
        invoice.client_name = clean_text(data.client_name, field="clientName")
    if "client_email" in fields and data.client_email is not None:
        invoice.client_email = clean_email(data.client_email, field="clientEmail")
    if "client_company" in fields and data.client_company is not None:
        invoice.client_company = clean_text(
            data.client_company, field="clientCompany", required=False
        )
    if "title" in fields and data.title is not None:
        invoice.title = clean_text(data.title, field="title", max_length=300, required=False)
    if "currency" in fields and data.currency is not None:
        invoice.currency = currency(data.currency).code
    if "notes" in fields and data.notes is not None:
        invoice.notes = clean_text(data.notes, field="notes", max_length=5000, required=False)
    if "tax_rate" in fields:
        invoice.tax_rate = format_decimal(_tax_rate(data.tax_rate))
    if "invoice_date" in fields and data.invoice_date is not None:
        invoice.invoice_date = parse_time_ms(data.invoice_date, field="invoiceDate")
    if "due_date" in fields and data.due_date is not None:
        invoice.due_date = parse_time_ms(data.due_date, field="dueDate")
    if not invoice.client_name:
        raise ValidationFailed("clientName is required (or give a customerId).", field="clientName")
    if not invoice.client_email:
        raise ValidationFailed(
            "clientEmail is required (or give a customerId).", field="clientEmail"
        )
    if invoice.due_date < start_of_day(invoice.invoice_date):
        raise ValidationFailed(
            "dueDate cannot be before invoiceDate.", field="dueDate", value=invoice.due_date
        )
    if "line_items" in fields and data.line_items is not None:
        return _parse_lines(data.line_items)
    return None


def _apply_totals(
    session: Session,
    invoice: Invoice,
    data: InvoiceCreate,
    lines: list[ParsedLine] | None,
    *,
    new: bool = False,
) -> list[LineItem]:
    """Recompute totals on the server; any client-sent total that disagrees is a 400.
    Returns the new line items (none when the lines did not change) for the caller to add
    once the invoice row exists."""
    if lines is None:
        stored = line_items(session, invoice.id)
        pairs = [
            (to_decimal(item.quantity, field="quantity"), item.unit_price_minor) for item in stored
        ]
    else:
        pairs = [(line.quantity, line.unit_price) for line in lines]
    totals = compute_totals(pairs, Decimal(invoice.tax_rate))
    if lines is not None:
        for index, (line, total) in enumerate(zip(lines, totals.line_totals, strict=True)):
            _check_client_total(
                f"lineItems[{index}].totalKobo",
                line.client_total,
                total,
                f"{format_decimal(line.quantity)} × {line.unit_price}, rounded half-up",
            )
    _check_client_total("subtotalKobo", data.subtotal_kobo, totals.subtotal, "sum of line totals")
    _check_client_total(
        "taxAmountKobo",
        data.tax_amount_kobo,
        totals.tax,
        f"{invoice.tax_rate}% of {totals.subtotal}, rounded half-up",
    )
    _check_client_total("totalKobo", data.total_kobo, totals.total, "subtotalKobo + taxAmountKobo")
    if totals.total > MAX_MINOR:
        raise ValidationFailed("The invoice total is too large.", field="totalKobo")
    if lines is not None and not new:
        for item in line_items(session, invoice.id):
            session.delete(item)
        session.flush()
    invoice.subtotal_minor, invoice.tax_minor, invoice.total_minor = (
        totals.subtotal,
        totals.tax,
        totals.total,
    )
    if lines is None:
        return []
    return [
        LineItem(
            invoice_id=invoice.id,
            position=position,
            description=line.description,
            quantity=format_decimal(line.quantity),
            unit_price_minor=line.unit_price,
            total_minor=total,
        )
        for position, (line, total) in enumerate(zip(lines, totals.line_totals, strict=True))
    ]


def create_invoice(
    session: Session,
    *,
    actor: Actor,
    data: InvoiceCreate,
    subscription_id: str | None = None,
) -> Invoice:
    """A new draft with the next `INV-nnnn` number."""
    now = now_ms()
    invoice_date = (
        parse_time_ms(data.invoice_date, field="invoiceDate") if data.invoice_date else now
    )
    invoice = Invoice(
        org_id=actor.org_id,
        number=0,
        invoice_number="",
        client_name="",
        client_email="",
        currency=_org(session, actor.org_id).default_currency,
        invoice_date=invoice_date,
        due_date=invoice_date + 30 * DAY_MS,
        view_token=new_token(),
        subscription_id=subscription_id,
        test_mode=actor.test_mode,
        created_at=now,
        updated_at=now,
    )
    lines = _apply_fields(session, actor, invoice, data, set(EDITABLE_FIELDS))
    if invoice.customer_id is None:
        invoice.customer_id = session.exec(
            select(Customer.id).where(
                Customer.org_id == actor.org_id,
                Customer.test_mode == actor.test_mode,
                Customer.email == invoice.client_email,
            )
        ).first()
    new_lines = _apply_totals(session, invoice, data, lines or [], new=True)
    invoice.number = next_invoice_number(session, org_id=actor.org_id, test_mode=actor.test_mode)
    invoice.invoice_number = format_invoice_number(invoice.number)
    session.add(invoice)  # the unit of work inserts it before its lines (foreign key)
    session.add_all(new_lines)
    _audit(
        session,
        actor,
        invoice,
        "invoice.created",
        f"Invoice {invoice.invoice_number} created for {invoice.client_email}",
        new_subject=True,
        total_kobo=invoice.total_minor,
        currency=invoice.currency,
    )
    emit_event(session, actor=actor, type="invoice.created", data=event_data(invoice))
    return invoice


def update_invoice(
    session: Session, *, actor: Actor, invoice_id: str, data: InvoiceUpdate
) -> Invoice:
    """Change a draft. Anything else is frozen (409)."""
    invoice = _lock_invoice(session, actor=actor, invoice_id=invoice_id)
    if invoice.status != "draft":
        raise Conflict(
            f"Only draft invoices can be edited; {invoice.invoice_number} is {invoice.status}.",
            details={"status": invoice.status},
        )
    fields = data.model_fields_set & set(EDITABLE_FIELDS)
    before = _draft_contents(session, invoice)
    lines = _apply_fields(session, actor, invoice, data, fields)
    session.add_all(_apply_totals(session, invoice, data, lines))
    session.flush()
    if _draft_contents(session, invoice) == before:  # saved as it was: nothing to record
        return invoice
    invoice.updated_at = now_ms()
    session.add(invoice)
    session.flush()
    _audit(
        session,
        actor,
        invoice,
        "invoice.updated",
        f"Draft {invoice.invoice_number} edited",
        fields=sorted(data.model_dump(by_alias=True, include=fields).keys()),
        total_kobo=invoice.total_minor,
    )
    return invoice


def _draft_contents(session: Session, invoice: Invoice) -> tuple:
    """What a client would see of a draft: its editable columns and its lines."""
    columns = tuple(
        getattr(invoice, name) for name in EDITABLE_FIELDS if name not in ("line_items",)
    )
    lines = tuple(
        (item.description, str(item.quantity), item.unit_price_minor)
        for item in line_items(session, invoice.id)
    )
    return columns, lines


# ---------------------------------------------------------------- send, view


def _org(session: Session, org_id: str) -> Organization:
    org = session.get(Organization, org_id)
    if org is None:
        raise NotFound("Organization not found.")
    return org


def _date(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%d %b %Y")


def _mail_client(
    session: Session,
    invoice: Invoice,
    org: Organization,
    *,
    subject: str,
    heading: str,
    paragraphs: list[str],
    button_label: str,
    category: str,
) -> None:
    """An email to the invoice's client with a link to the public invoice page (kept in the
    outbox only for test-mode invoices)."""
    send_notice(
        session,
        to_email=invoice.client_email,
        to_name=invoice.client_name,
        subject=subject,
        heading=heading,
        paragraphs=[f"Hi {invoice.client_name},", *paragraphs],
        button_label=button_label,
        button_url=view_url(invoice),
        org=org,
        org_id=invoice.org_id,
        category=category,
        deliver=not invoice.test_mode,
    )


def render_invoice_pdf(session: Session, invoice: Invoice) -> bytes:
    from workspace.core.pdf.invoice import render_invoice

    return render_invoice(
        invoice=invoice,
        org=_org(session, invoice.org_id),
        lines=line_items(session, invoice.id),
        payments=payments(session, invoice.id),
    )


def invoice_pdf(session: Session, *, actor: Actor, invoice_id: str) -> tuple[Invoice, bytes]:
    invoice = get_invoice(session, actor=actor, invoice_id=invoice_id)
    return invoice, current_pdf(session, invoice)


def current_pdf(session: Session, invoice: Invoice) -> bytes:
    """The frozen PDF as sent while nothing has changed since; a fresh statement once
    payments or a void have been recorded (line items and totals stay frozen either way)."""
    unchanged = invoice.paid_minor == 0 and invoice.status != "void"
    if invoice.pdf_sha256 and unchanged and storage.exists(invoice.pdf_sha256):
        return storage.get_bytes(invoice.pdf_sha256)
    return render_invoice_pdf(session, invoice)


def send_invoice(session: Session, *, actor: Actor, invoice_id: str) -> Invoice:
    """Freeze the draft (PDF + SHA-256), email the client a link, emit `invoice.sent`."""
    invoice = _lock_invoice(session, actor=actor, invoice_id=invoice_id)
    if invoice.status != "draft":
        raise Conflict(
            f"Only draft invoices can be sent; {invoice.invoice_number} is {invoice.status}.",
            details={"status": invoice.status},
        )
    if not line_items(session, invoice.id) or invoice.total_minor <= 0:
        raise ValidationFailed(
            "Add at least one line item with an amount before sending.", field="lineItems"
        )
    now = now_ms()
    invoice.status = "sent"
    invoice.sent_at = now
    invoice.updated_at = now
    invoice.pdf_sha256 = storage.put_bytes(render_invoice_pdf(session, invoice))
    session.add(invoice)
    session.flush()
    org = _org(session, invoice.org_id)
    due = format_money(amount_due(invoice), invoice.currency)
    _mail_client(
        session,
        invoice,
        org,
        subject=f"Invoice {invoice.invoice_number} from {org.name}: {due} due "
        f"{_date(invoice.due_date)}",
        heading=f"Invoice {invoice.invoice_number} from {org.name}",
        paragraphs=[
            f"{org.name} sent you invoice {invoice.invoice_number}"
            + (f" for {invoice.title}." if invoice.title else "."),
            f"Amount due: {due}, due on {_date(invoice.due_date)}.",
            "You can view and download the invoice at the link below.",
        ],
        button_label="View invoice",
        category="invoice",
    )
    _audit(
        session,
        actor,
        invoice,
        "invoice.sent",
        f"Invoice {invoice.invoice_number} sent to {invoice.client_email}",
        pdf_sha256=invoice.pdf_sha256,
    )
    emit_event(
        session,
        actor=actor,
        type="invoice.sent",
        data=event_data(invoice, view_url=view_url(invoice), pdf_sha256=invoice.pdf_sha256),
    )
    if invoice.due_date < start_of_day(now):  # sent after its due day: overdue from the start
        _make_overdue(session, invoice, now)
    schedule_sweep(session)
    return invoice


def public_invoice(session: Session, *, token: str) -> Invoice:
    """The invoice behind a view link (drafts are not visible yet)."""
    invoice = (
        session.exec(select(Invoice).where(Invoice.view_token == token)).first() if token else None
    )
    if invoice is None or invoice.status == "draft":
        raise NotFound("This invoice link is not valid.")
    return invoice


def record_view(
    session: Session,
    *,
    token: str,
    ip: str | None = None,
    user_agent: str | None = None,
    viewer_org_id: str | None = None,
) -> Invoice:
    """The client opened the invoice page: count it, and the first open moves sent → viewed.
    An open by a signed-in member of the invoice's organization (`viewer_org_id`) is a preview
    and is not counted."""
    invoice = public_invoice(session, token=token)
    if viewer_org_id == invoice.org_id:
        return invoice
    now = now_ms()
    session.execute(
        update(Invoice)
        .where(col(Invoice.id) == invoice.id)
        .values(
            view_count=col(Invoice.view_count) + 1,
            last_viewed_at=now,
            status=case((col(Invoice.status) == "sent", "viewed"), else_=col(Invoice.status)),
        )
        .execution_options(synchronize_session=False)
    )
    session.refresh(invoice)
    actor = Actor(
        org_id=invoice.org_id,
        type="portal",
        email=invoice.client_email,
        test_mode=invoice.test_mode,
        ip=ip,
        user_agent=user_agent,
    )
    _audit(
        session,
        actor,
        invoice,
        "invoice.viewed",
        f"Viewed by the client (view {invoice.view_count})",
        view_count=invoice.view_count,
    )
    emit_event(
        session,
        actor=actor,
        type="invoice.viewed",
        data=event_data(invoice, view_count=invoice.view_count, viewed_at=now),
    )
    return invoice


# ---------------------------------------------------------------- payments, void


PAYABLE = ("sent", "viewed", "overdue", "partially_paid")


def record_payment(
    session: Session, *, actor: Actor, invoice_id: str, data: PaymentCreate
) -> tuple[Invoice, Payment]:
    """Partial payments set partially_paid; reaching the total sets paid and emails a receipt."""
    invoice = _lock_invoice(session, actor=actor, invoice_id=invoice_id)
    if invoice.status not in PAYABLE:
        hint = " Send it first." if invoice.status == "draft" else ""
        raise Conflict(
            f"Payments cannot be recorded on a {invoice.status} invoice.{hint}",
            details={"status": invoice.status},
        )
    remaining = invoice.total_minor - invoice.paid_minor
    if data.amount_kobo <= 0:
        raise ValidationFailed(
            "The payment amount must be more than 0.", field="amountKobo", value=data.amount_kobo
        )
    if data.amount_kobo > remaining:
        raise ValidationFailed(
            f"The payment of {format_money(data.amount_kobo, invoice.currency)} is more than the "
            f"{format_money(remaining, invoice.currency)} still due.",
            field="amountKobo",
            value=data.amount_kobo,
            amountDueKobo=remaining,
        )
    now = now_ms()
    payment_date = _payment_date(data.payment_date, invoice, now)
    method = clean_text(
        data.payment_method or "other", field="paymentMethod", max_length=40
    ).lower()
    payment = Payment(
        org_id=invoice.org_id,
        invoice_id=invoice.id,
        amount_minor=data.amount_kobo,
        payment_date=payment_date,
        payment_method=method.replace(" ", "_"),
        reference=clean_text(data.reference, field="reference", required=False),
        note=clean_text(data.note, field="note", max_length=1000, required=False),
        test_mode=invoice.test_mode,
        created_at=now,
    )
    session.add(payment)
    invoice.paid_minor += data.amount_kobo
    invoice.status = "paid" if invoice.paid_minor == invoice.total_minor else "partially_paid"
    invoice.updated_at = now
    if invoice.status == "paid":
        invoice.paid_at = now
    session.add(invoice)
    session.flush()
    _audit(
        session,
        actor,
        invoice,
        "invoice.payment_recorded",
        f"Payment of {format_money(payment.amount_minor, invoice.currency)} recorded"
        + (f" ({payment.reference})" if payment.reference else ""),
        payment_id=payment.id,
        amount_kobo=payment.amount_minor,
        payment_method=payment.payment_method,
        reference=payment.reference,
    )
    emit_event(
        session,
        actor=actor,
        type="invoice.payment_recorded",
        data=event_data(
            invoice,
            amount_kobo=payment.amount_minor,
            payment_method=payment.payment_method,
            reference=payment.reference,
            payment_date=payment.payment_date,
        ),
    )
    if invoice.status == "paid":
        _audit(session, actor, invoice, "invoice.paid", f"{invoice.invoice_number} paid in full")
        emit_event(session, actor=actor, type="invoice.paid", data=event_data(invoice, paid_at=now))
        _send_receipt(session, invoice)
        if invoice.subscription_id:
            from workspace.core.services.subscriptions import subscription_invoice_paid

            subscription_invoice_paid(session, actor=actor, invoice=invoice)
    return invoice, payment


def _send_receipt(session: Session, invoice: Invoice) -> None:
    org = _org(session, invoice.org_id)
    history = [
        f"{_date(p.payment_date)}: {format_money(p.amount_minor, invoice.currency)}"
        + (f" by {p.payment_method.replace('_', ' ')}" if p.payment_method else "")
        + (f" (ref {p.reference})" if p.reference else "")
        for p in payments(session, invoice.id)
    ]
    _mail_client(
        session,
        invoice,
        org,
        subject=f"Receipt: invoice {invoice.invoice_number} paid in full",
        heading=f"Receipt for invoice {invoice.invoice_number}",
        paragraphs=[
            f"Thank you. Invoice {invoice.invoice_number} from {org.name} is paid in full: "
            f"{format_money(invoice.total_minor, invoice.currency)}.",
            "Payments received: " + "; ".join(history) + ".",
        ],
        button_label="View receipt",
        category="invoice_receipt",
    )


def void_invoice(session: Session, *, actor: Actor, invoice_id: str) -> Invoice:
    invoice = _lock_invoice(session, actor=actor, invoice_id=invoice_id)
    if invoice.status in ("paid", "void"):
        raise Conflict(
            f"{invoice.invoice_number} is {invoice.status} and cannot be voided.",
            details={"status": invoice.status},
        )
    now = now_ms()
    previous = invoice.status
    invoice.status = "void"
    invoice.voided_at = now
    invoice.updated_at = now
    session.add(invoice)
    session.flush()
    _audit(
        session,
        actor,
        invoice,
        "invoice.voided",
        f"Invoice {invoice.invoice_number} voided (was {previous})",
        previous_status=previous,
    )
    emit_event(session, actor=actor, type="invoice.voided", data=event_data(invoice))
    return invoice


# ---------------------------------------------------------------- lists and totals


def _scope(actor: Actor) -> tuple[Any, ...]:
    return (Invoice.org_id == actor.org_id, Invoice.test_mode == actor.test_mode)


def list_invoices(
    session: Session,
    *,
    actor: Actor,
    status: str | None = None,
    search: str = "",
    customer_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Invoice], int]:
    """Newest first, paged on the server; `total` counts every match.

    The page is read along the (organization, created) index and stops after `limit` rows; the
    count is a separate index-only query, skipped when the page itself shows where the list
    ends. (Counting with a window function in the page query would read and sort every match.)
    """
    conditions = list(_scope(actor))
    if status:
        if status not in INVOICE_STATUSES:
            raise ValidationFailed(
                f"status must be one of: {', '.join(INVOICE_STATUSES)}.",
                field="status",
                value=status,
            )
        conditions.append(Invoice.status == status)
    if customer_id:
        conditions.append(Invoice.customer_id == customer_id)
    match = text_search(
        search,
        Invoice.invoice_number,
        Invoice.client_name,
        Invoice.client_email,
        Invoice.client_company,
        Invoice.title,
    )
    if match is not None:
        conditions.append(match)
    rows = list(
        session.exec(
            select(Invoice)
            .where(*conditions)
            .order_by(col(Invoice.created_at).desc(), col(Invoice.number).desc())
            .offset(offset)
            .limit(limit)
        )
    )
    if len(rows) < limit and (rows or not offset):
        return rows, offset + len(rows)
    total = session.exec(select(func.count()).select_from(Invoice).where(*conditions)).one()
    return rows, int(total)


AGING_BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")


def totals_version(session: Session, *, actor: Actor) -> tuple[int, int, int]:
    """Changes whenever `invoice_totals` may give other figures: how many invoices there are,
    the latest change to any of them (payments, sending, voiding and the overdue sweep all
    stamp `updated_at`), and the day (aging and "paid this month" move with the calendar).
    Two index lookups, so a page can keep its totals while nothing changed."""
    count, last_change = session.exec(
        select(func.count(), func.max(Invoice.updated_at)).where(*_scope(actor))
    ).one()
    return int(count), int(last_change or 0), start_of_day(now_ms())


def invoice_totals(session: Session, *, actor: Actor) -> dict[str, Any]:
    """Outstanding, overdue, paid this month and aging (days past due), per currency: amounts
    in different currencies are never added. `byCurrency` lists every currency with an open
    balance or a payment this month, the main one (used by most invoices) first; the top-level
    figures are the main currency's.

    Two queries: the invoices grouped by status and currency (read from one covering index)
    give the counts, the main currency and the open amounts; the payments of this month give
    the rest."""
    now = now_ms()
    due = Invoice.total_minor - Invoice.paid_minor
    # bucket edges as due dates (more than 30 days late = due before now - 30 days), so each
    # row is compared with integers instead of computing its days late
    edges = [start_of_day(now), *(now - days * DAY_MS for days in (30, 60, 90))]
    aging_conditions = (
        Invoice.due_date >= edges[0],
        *(
            (Invoice.due_date < later) & (Invoice.due_date >= earlier)
            for later, earlier in pairwise(edges)
        ),
        Invoice.due_date < edges[-1],
    )
    groups = session.exec(
        select(
            Invoice.status,
            Invoice.currency,
            func.count(),
            func.coalesce(func.sum(due), 0),
            *[
                func.coalesce(func.sum(case((condition, due), else_=0)), 0)
                for condition in aging_conditions
            ],
        )
        .where(*_scope(actor))
        .group_by(Invoice.status, Invoice.currency)
    ).all()
    counts = dict.fromkeys(INVOICE_STATUSES, 0)
    invoices_per_currency: dict[str, int] = {}
    # per currency: outstanding, overdue, then one amount per aging bucket
    open_by_currency: dict[str, list[int]] = {}
    for status, code, count, owed, *aging in groups:
        if status in counts:
            counts[status] += count
        invoices_per_currency[code] = invoices_per_currency.get(code, 0) + count
        if status in OPEN_STATUSES:
            sums = open_by_currency.setdefault(code, [0] * (2 + len(AGING_BUCKETS)))
            amounts = [owed, owed if status == "overdue" else 0, *aging]
            open_by_currency[code] = [a + int(b) for a, b in zip(sums, amounts, strict=True)]
    main = (
        min(invoices_per_currency, key=lambda code: (-invoices_per_currency[code], code))
        if invoices_per_currency
        else _org(session, actor.org_id).default_currency  # no invoices yet
    )
    month_start = datetime.fromtimestamp(now / 1000, tz=UTC).replace(
        day=1, hour=0, minute=0, second=0, microsecond=0
    )
    paid_rows = (
        select(Invoice.currency, func.coalesce(func.sum(Payment.amount_minor), 0))
        .join(Invoice, col(Invoice.id) == col(Payment.invoice_id))
        .where(
            Payment.org_id == actor.org_id,
            Payment.test_mode == actor.test_mode,
            Payment.payment_date >= int(month_start.timestamp() * 1000),
            Invoice.status != "void",
        )
        .group_by(Invoice.currency)
    )
    paid_by_currency = {code: int(amount) for code, amount in session.exec(paid_rows).all()}

    def figures(code: str) -> dict[str, Any]:
        outstanding, overdue, *aging = open_by_currency.get(code, [0] * (2 + len(AGING_BUCKETS)))
        return {
            "currency": code,
            "outstandingKobo": outstanding,
            "overdueKobo": overdue,
            "paidThisMonthKobo": paid_by_currency.get(code, 0),
            "aging": [
                {"bucket": name, "amountKobo": amount}
                for name, amount in zip(AGING_BUCKETS, aging, strict=True)
            ],
        }

    others = sorted(
        ({*open_by_currency, *paid_by_currency} - {main}),
        key=lambda code: (-open_by_currency.get(code, [0])[0], code),
    )
    by_currency = [figures(code) for code in [main, *others]]
    return {**by_currency[0], "byCurrency": by_currency, "counts": counts}


def invoice_timeline(session: Session, *, actor: Actor, invoice_id: str) -> list[dict[str, Any]]:
    """The invoice's audit trail: created, sent, views, payments, reminders, overdue, void."""
    from workspace.core.services.audit import list_audit

    invoice = get_invoice(session, actor=actor, invoice_id=invoice_id)
    return [
        {
            "action": row.action,
            "description": row.description,
            "actorType": row.actor_type,
            "actorEmail": row.actor_email,
            "ipAddress": row.ip_address,
            "createdAt": row.created_at,
        }
        for row in list_audit(
            session, org_id=invoice.org_id, subject_type="invoice", subject_id=invoice.id
        )
    ]


# ---------------------------------------------------------------- reminders and overdue


def reminder_settings(session: Session, *, org_id: str) -> InvoiceSettings:
    return session.get(InvoiceSettings, org_id) or InvoiceSettings(
        org_id=org_id, reminder_days=list(DEFAULT_REMINDER_DAYS)
    )


def set_reminder_schedule(
    session: Session, *, actor: Actor, reminder_days: list[int], reminders_enabled: bool = True
) -> InvoiceSettings:
    """Days relative to the due date (-3 = three days before, 0 = on the day, 7 = a week late)."""
    actor.require_admin()
    days = sorted(set(reminder_days))
    if len(days) > 10:
        raise ValidationFailed("Use at most 10 reminder days.", field="reminderDays")
    for day in days:
        if day < -60 or day > 365:
            raise ValidationFailed(
                "Reminder days must be between -60 and 365.", field="reminderDays", value=day
            )
    settings = session.get(InvoiceSettings, actor.org_id) or InvoiceSettings(org_id=actor.org_id)
    settings.reminder_days = days
    settings.reminders_enabled = reminders_enabled
    settings.updated_at = now_ms()
    session.add(settings)
    session.flush()
    record_audit(
        session,
        actor=actor,
        subject_type="organization",
        subject_id=actor.org_id,
        action="invoice.reminder_schedule_changed",
        description="Invoice reminder schedule changed",
        data={"reminder_days": days, "reminders_enabled": reminders_enabled},
    )
    return settings


def schedule_sweep(session: Session, *, after_ms: int | None = None) -> None:
    """Make sure the daily sweep runs at the start of the next UTC day."""
    run_at = start_of_day(after_ms if after_ms is not None else now_ms()) + DAY_MS
    enqueue(session, kind=SWEEP_KIND, run_at=run_at, unique_key=f"{SWEEP_KIND}:{run_at}")


def _system(invoice: Invoice) -> Actor:
    return Actor(org_id=invoice.org_id, type="system", role="owner", test_mode=invoice.test_mode)


def mark_overdue(session: Session, *, now: int) -> int:
    """Open invoices whose due day has ended become overdue (the event fires once)."""
    late = session.exec(
        select(Invoice).where(
            col(Invoice.status).in_(("sent", "viewed", "partially_paid")),
            Invoice.due_date < start_of_day(now),
            col(Invoice.overdue_at).is_(None),
        )
    ).all()
    for invoice in late:
        _make_overdue(session, invoice, now)
    return len(late)


def _make_overdue(session: Session, invoice: Invoice, now: int) -> None:
    invoice.status = "overdue"
    invoice.overdue_at = now
    invoice.updated_at = now
    session.add(invoice)
    session.flush()
    actor = _system(invoice)
    _audit(session, actor, invoice, "invoice.overdue", f"{invoice.invoice_number} is overdue")
    emit_event(
        session,
        actor=actor,
        type="invoice.overdue",
        data=event_data(invoice, amount_due_kobo=amount_due(invoice)),
    )


def _reminder_wording(day: int) -> str:
    if day < 0:
        return f"is due in {-day} day{'s' if day != -1 else ''}"
    if day == 0:
        return "is due today"
    return f"is {day} day{'s' if day != 1 else ''} overdue"


def send_due_reminders(session: Session, *, now: int) -> int:
    """Send each open invoice the latest reminder of its organization's schedule that has come
    due since it was sent and was not sent yet. Paid and void invoices never get one."""
    sent = 0
    open_invoices = session.exec(
        select(Invoice).where(
            col(Invoice.status).in_(OPEN_STATUSES), col(Invoice.sent_at).is_not(None)
        )
    ).all()
    schedules: dict[str, InvoiceSettings] = {}
    for invoice in open_invoices:
        settings = schedules.setdefault(
            invoice.org_id, reminder_settings(session, org_id=invoice.org_id)
        )
        if not settings.reminders_enabled:
            continue
        due_day = start_of_day(invoice.due_date)
        sent_day = start_of_day(invoice.sent_at or 0)
        eligible = [
            day
            for day in settings.reminder_days
            if sent_day < due_day + day * DAY_MS <= now
            and (invoice.last_reminder_day is None or day > invoice.last_reminder_day)
        ]
        if not eligible:
            continue
        _send_reminder(session, invoice, max(eligible))
        sent += 1
    return sent


def _send_reminder(session: Session, invoice: Invoice, day: int) -> None:
    org = _org(session, invoice.org_id)
    wording = _reminder_wording(day)
    due = format_money(amount_due(invoice), invoice.currency)
    _mail_client(
        session,
        invoice,
        org,
        subject=f"Reminder: invoice {invoice.invoice_number} {wording}",
        heading=f"Reminder: invoice {invoice.invoice_number} {wording}",
        paragraphs=[
            f"This is a friendly reminder that invoice {invoice.invoice_number} from {org.name} "
            f"{wording} (due date {_date(invoice.due_date)}).",
            f"Amount due: {due}.",
        ],
        button_label="View invoice",
        category="invoice_reminder",
    )
    invoice.last_reminder_day = day
    invoice.reminders_sent += 1
    session.add(invoice)
    session.flush()
    actor = _system(invoice)
    _audit(
        session,
        actor,
        invoice,
        "invoice.reminder_sent",
        f"Reminder sent to {invoice.client_email}: {wording}",
        reminder_day=day,
    )
    emit_event(
        session,
        actor=actor,
        type="invoice.reminder_sent",
        data=event_data(
            invoice,
            reminder_day=day,
            reminder_number=invoice.reminders_sent,
            amount_due_kobo=amount_due(invoice),
        ),
    )


def run_invoice_sweep() -> dict[str, int]:
    """Mark overdue invoices, then send due reminders; schedules tomorrow's run if needed."""
    now = now_ms()
    with session_scope() as session:
        overdue = mark_overdue(session, now=now)
    with session_scope() as session:
        reminders = send_due_reminders(session, now=now)
        still_open = session.exec(
            select(func.count()).select_from(Invoice).where(col(Invoice.status).in_(OPEN_STATUSES))
        ).one()
        if still_open:
            schedule_sweep(session, after_ms=now)
    return {"overdue": overdue, "reminders": reminders}


@job_handler(SWEEP_KIND)
def _sweep_job(_payload: dict[str, Any]) -> None:
    run_invoice_sweep()
