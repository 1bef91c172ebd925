"""Recurring subscriptions: pending until the first invoice is paid, then active; the job
runner issues each period's invoice; cancelling stops future billing."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from workspace.core.actor import Actor
from workspace.core.clock import now_ms
from workspace.core.db import fetch_page, session_scope
from workspace.core.errors import Conflict, NotFound, ValidationFailed
from workspace.core.jobs import enqueue, job_handler
from workspace.core.models import Customer, Invoice, Organization, Subscription
from workspace.core.money import MAX_MINOR, currency, format_money
from workspace.core.schemas.invoices import (
    InvoiceCreate,
    LineItemIn,
    PackageSend,
    SubscriptionCreate,
    SubscriptionUpdate,
    view_url,
)
from workspace.core.services.audit import record_audit
from workspace.core.services.customers import get_customer
from workspace.core.services.invoices import (
    DAY_MS,
    create_invoice,
    parse_time_ms,
    send_invoice,
    start_of_day,
)
from workspace.core.validation import clean_text

BILL_KIND = "subscriptions.bill"
CADENCE_UNITS = {"days": 366, "months": 24}
STATUSES = ("pending", "active", "cancelled")


def period_start(sub: Subscription, index: int) -> int:
    """When period `index` (0 = the first) begins. Months keep the billing day, clamped to
    the month's length (the 31st bills on 28/29 February)."""
    if sub.cadence_unit == "days":
        return sub.start_date + index * sub.cadence * DAY_MS
    start = datetime.fromtimestamp(sub.start_date / 1000, tz=UTC)
    months = start.month - 1 + index * sub.cadence
    year, month = start.year + months // 12, months % 12 + 1
    day = min(sub.billing_day_of_month, calendar.monthrange(year, month)[1])
    return int(start.replace(year=year, month=month, day=day).timestamp() * 1000)


def get_subscription(session: Session, *, actor: Actor, subscription_id: str) -> Subscription:
    sub = session.get(Subscription, subscription_id)
    if sub is None or sub.org_id != actor.org_id or sub.test_mode != actor.test_mode:
        raise NotFound("Subscription not found.", details={"field": "id", "value": subscription_id})
    return sub


def _audit(session: Session, actor: Actor, sub: Subscription, action: str, text: str, **data: Any):
    record_audit(
        session,
        actor=actor,
        subject_type="subscription",
        subject_id=sub.id,
        action=action,
        description=text,
        data=data,
    )


def _check_amount(amount: int) -> int:
    if amount <= 0 or amount > MAX_MINOR:
        problem = "must be more than 0" if amount <= 0 else "is too large"
        raise ValidationFailed(f"The amount {problem}.", field="amountKobo", value=amount)
    return amount


def _issue_invoice(
    session: Session, actor: Actor, sub: Subscription, customer: Customer, *, send: bool
) -> Invoice:
    """The invoice for the next unbilled period; advances the subscription."""
    starts = period_start(sub, sub.periods_billed)
    ends = period_start(sub, sub.periods_billed + 1)
    label = (
        f"{datetime.fromtimestamp(starts / 1000, tz=UTC):%d %b %Y} – "
        f"{datetime.fromtimestamp((ends - DAY_MS) / 1000, tz=UTC):%d %b %Y}"
    )
    invoice = create_invoice(
        session,
        actor=actor,
        subscription_id=sub.id,
        data=InvoiceCreate(
            customer_id=customer.id,
            title=f"{sub.name} ({label})",
            currency=sub.currency,
            line_items=[
                LineItemIn(
                    description=f"{sub.name}, {label}", quantity=1, unit_price_kobo=sub.amount_minor
                )
            ],
            invoice_date=max(starts, now_ms()) if sub.periods_billed else starts,
            due_date=max(starts, now_ms()) + sub.due_in_days * DAY_MS,
        ),
    )
    sub.periods_billed += 1
    sub.next_billing_at = ends
    sub.updated_at = now_ms()
    session.add(sub)
    session.flush()
    if send:
        send_invoice(session, actor=actor, invoice_id=invoice.id)
    _audit(
        session,
        actor,
        sub,
        "subscription.invoiced",
        f"Invoice {invoice.invoice_number} issued for {label}",
        invoice_id=invoice.id,
        period=sub.periods_billed,
    )
    return invoice


def create_subscription(
    session: Session, *, actor: Actor, data: SubscriptionCreate
) -> tuple[Subscription, Invoice]:
    """A pending subscription and its first invoice (sent unless `sendInvoice` is false)."""
    customer = get_customer(session, actor=actor, customer_id=data.customer_id)
    unit = (data.cadence_unit or "days").lower()
    if unit not in CADENCE_UNITS:
        raise ValidationFailed(
            "cadenceUnit must be 'days' or 'months'.", field="cadenceUnit", value=data.cadence_unit
        )
    if data.cadence < 1 or data.cadence > CADENCE_UNITS[unit]:
        raise ValidationFailed(
            f"cadence must be between 1 and {CADENCE_UNITS[unit]} {unit}.",
            field="cadence",
            value=data.cadence,
        )
    if data.due_in_days < 0 or data.due_in_days > 365:
        raise ValidationFailed(
            "dueInDays must be between 0 and 365.", field="dueInDays", value=data.due_in_days
        )
    start = parse_time_ms(data.start_date, field="startDate") if data.start_date else now_ms()
    # Billing runs forward from the first billing date: a past one would issue (and email) an
    # invoice for every period since. A day's grace covers time zones behind UTC.
    if start_of_day(start) < start_of_day(now_ms()) - DAY_MS:
        raise ValidationFailed(
            "The first billing date can't be in the past.",
            field="startDate",
            value=data.start_date,
        )
    sub = Subscription(
        org_id=actor.org_id,
        customer_id=customer.id,
        name=clean_text(data.name, field="name"),
        amount_minor=_check_amount(data.amount_kobo),
        currency=currency(
            data.currency or session.get(Organization, actor.org_id).default_currency
        ).code,
        cadence=data.cadence,
        cadence_unit=unit,
        start_date=start,
        billing_day_of_month=datetime.fromtimestamp(start / 1000, tz=UTC).day,
        due_in_days=data.due_in_days,
        test_mode=actor.test_mode,
    )
    session.add(sub)
    session.flush()
    _audit(
        session,
        actor,
        sub,
        "subscription.created",
        f"Subscription {sub.name} for {customer.email}: "
        f"{format_money(sub.amount_minor, sub.currency)} every {sub.cadence} {sub.cadence_unit}",
        amount_kobo=sub.amount_minor,
    )
    invoice = _issue_invoice(session, actor, sub, customer, send=data.send_invoice)
    return sub, invoice


def send_package(
    session: Session, *, actor: Actor, customer_id: str, data: PackageSend
) -> dict[str, Any]:
    """One call: a pending subscription, its first invoice and an agreement to sign (an envelope
    from a template or package, with the customer as signer)."""
    from workspace.core.schemas.envelopes import CcRecipientIn, EnvelopeCreate, SignerIn
    from workspace.core.services import envelopes

    customer = get_customer(session, actor=actor, customer_id=customer_id)
    if bool(data.package_id) == bool(data.template_id):
        raise ValidationFailed("Give either packageId or templateId.", field="packageId")
    sub, invoice = create_subscription(
        session,
        actor=actor,
        data=SubscriptionCreate(
            customer_id=customer.id,
            name=data.name,
            amount_kobo=data.amount_kobo,
            currency=data.currency,
            cadence=data.cadence,
            cadence_unit=data.cadence_unit,
            start_date=data.start_date,
            due_in_days=data.due_in_days,
            send_invoice=data.email_invoice,
        ),
    )
    envelope, signers = envelopes.create_envelope(
        session,
        actor=actor,
        data=EnvelopeCreate(
            package_id=data.package_id,
            template_id=data.template_id,
            title=data.agreement_title or f"{sub.name} agreement: {customer.name}",
            message=data.message,
            signers=[
                SignerIn(name=customer.name, email=customer.email, role=data.customer_role),
                *data.additional_signers,
            ],
            cc_recipients=[CcRecipientIn(email=email) for email in data.cc_emails],
            placeholder_values=data.custom_merge_tag_values or None,
        ),
    )
    signer = next(s for s in signers if s.email == customer.email)
    _audit(
        session,
        actor,
        sub,
        "subscription.package_sent",
        f"Agreement “{envelope.title}” sent to {customer.email} with invoice "
        f"{invoice.invoice_number}",
        envelope_id=envelope.id,
        invoice_id=invoice.id,
    )
    return {
        "subscriptionId": sub.id,
        "invoiceId": invoice.id,
        "invoiceNumber": invoice.invoice_number,
        "invoiceUrl": view_url(invoice),
        "envelopeId": envelope.id,
        "signingRequestId": envelope.id,
        "signingUrl": envelopes.signing_url(signer),
        "customerId": customer.id,
        "packageId": data.package_id,
        "templateId": data.template_id,
        "status": sub.status,
    }


def subscription_invoice_paid(session: Session, *, actor: Actor, invoice: Invoice) -> None:
    """Called when one of the subscription's invoices is paid in full."""
    sub = session.get(Subscription, invoice.subscription_id)
    if sub is None or sub.status == "cancelled":
        return
    sub.last_payment_at = now_ms()
    sub.updated_at = now_ms()
    if sub.status == "pending":
        sub.status = "active"
        session.add(sub)
        session.flush()
        _audit(
            session,
            actor,
            sub,
            "subscription.activated",
            f"Active: first invoice {invoice.invoice_number} paid",
            invoice_id=invoice.id,
        )
        _schedule_billing(session, sub)
    session.add(sub)


def _schedule_billing(session: Session, sub: Subscription) -> None:
    if sub.next_billing_at is None:
        return
    enqueue(
        session,
        kind=BILL_KIND,
        payload={"subscription_id": sub.id},
        run_at=sub.next_billing_at,
        unique_key=f"{BILL_KIND}:{sub.id}:{sub.periods_billed}",
    )


def bill_subscription(subscription_id: str) -> Invoice | None:
    """Issue the period's invoice when it is due (the job runner calls this)."""
    with session_scope() as session:
        sub = session.exec(
            select(Subscription).where(Subscription.id == subscription_id).with_for_update()
        ).first()
        if sub is None or sub.status != "active" or sub.next_billing_at is None:
            return None
        if sub.next_billing_at > now_ms():
            _schedule_billing(session, sub)
            return None
        actor = Actor(org_id=sub.org_id, type="system", role="owner", test_mode=sub.test_mode)
        customer = session.get(Customer, sub.customer_id)
        if customer is None:
            return None
        invoice = _issue_invoice(session, actor, sub, customer, send=True)
        _schedule_billing(session, sub)
        return invoice


@job_handler(BILL_KIND)
def _bill_job(payload: dict[str, Any]) -> None:
    bill_subscription(payload["subscription_id"])


def cancel_subscription(session: Session, *, actor: Actor, subscription_id: str) -> Subscription:
    """Stops future billing; invoices already issued stay as they are."""
    sub = get_subscription(session, actor=actor, subscription_id=subscription_id)
    if sub.status == "cancelled":
        raise Conflict("This subscription is already cancelled.", details={"status": sub.status})
    now = now_ms()
    sub.status = "cancelled"
    sub.cancelled_at = now
    sub.next_billing_at = None
    sub.updated_at = now
    session.add(sub)
    session.flush()
    _audit(session, actor, sub, "subscription.cancelled", f"Subscription {sub.name} cancelled")
    return sub


def update_subscription(
    session: Session, *, actor: Actor, subscription_id: str, data: SubscriptionUpdate
) -> Subscription:
    """Rename, change the amount of future invoices, or deactivate (`isActive: false`)."""
    sub = get_subscription(session, actor=actor, subscription_id=subscription_id)
    if data.is_active is False:
        return cancel_subscription(session, actor=actor, subscription_id=sub.id)
    if sub.status == "cancelled":
        raise Conflict(
            "A cancelled subscription cannot be changed.", details={"status": sub.status}
        )
    if data.is_active is True and sub.status == "pending":
        raise Conflict(
            "The subscription becomes active when its first invoice is paid.",
            details={"status": sub.status},
        )
    changed: dict[str, Any] = {}
    if data.name is not None:
        changed["name"] = sub.name = clean_text(data.name, field="name")
    if data.amount_kobo is not None:
        changed["amount_kobo"] = sub.amount_minor = _check_amount(data.amount_kobo)
    sub.updated_at = now_ms()
    session.add(sub)
    session.flush()
    _audit(
        session, actor, sub, "subscription.updated", f"Subscription {sub.name} updated", **changed
    )
    return sub


def list_subscriptions(
    session: Session,
    *,
    actor: Actor,
    customer_id: str | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Subscription], int]:

    query = select(Subscription).where(
        Subscription.org_id == actor.org_id, Subscription.test_mode == actor.test_mode
    )
    if customer_id:
        query = query.where(Subscription.customer_id == customer_id)
    if status:
        status = "cancelled" if status == "canceled" else status
        if status not in STATUSES:
            raise ValidationFailed(
                "status must be pending, active or cancelled.", field="status", value=status
            )
        query = query.where(Subscription.status == status)
    return fetch_page(
        session, query, col(Subscription.created_at).desc(), limit=limit, offset=offset
    )
