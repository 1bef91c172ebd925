"""Customers (duplicate email → 409 with the existing id) and subscriptions: pending until the
first invoice is paid, then billed each period by the job runner until cancelled."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import col, select

from workspace.core import clock
from workspace.core.db import session_scope
from workspace.core.errors import Conflict, ValidationFailed
from workspace.core.jobs import run_due_jobs
from workspace.core.models import Invoice, Subscription
from workspace.core.schemas.invoices import (
    CustomerCreate,
    CustomerUpdate,
    PaymentCreate,
    SubscriptionCreate,
    SubscriptionUpdate,
)
from workspace.core.services import customers, invoices, subscriptions

DAY = 24 * 3600 * 1000


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


def new_customer(org, email="john@example.com", name="John Doe"):
    with session_scope() as session:
        return customers.create_customer(
            session,
            actor=org.actor,
            data=CustomerCreate(name=name, email=email, phone_number="555-123-4567"),
        )


def sub_invoices(sub_id: str) -> list[Invoice]:
    with session_scope() as session:
        return list(
            session.exec(
                select(Invoice)
                .where(Invoice.subscription_id == sub_id)
                .order_by(col(Invoice.number))
            )
        )


def test_duplicate_email_is_409_with_existing_id(org, other_org):
    first = new_customer(org)
    with pytest.raises(Conflict) as info:
        new_customer(org, email="JOHN@example.com ")
    assert info.value.details["existingCustomerId"] == first.id
    assert new_customer(other_org).id != first.id  # per organization
    second = new_customer(org, email="jane@example.com", name="Jane Roe")
    with session_scope() as session, pytest.raises(Conflict):
        customers.update_customer(
            session, actor=org.actor, customer_id=second.id, data=CustomerUpdate(email=first.email)
        )
    with session_scope() as session:
        rows, total = customers.list_customers(session, actor=org.actor, search="jane")
    assert total == 1 and rows[0].id == second.id


def test_subscription_lifecycle_with_job_runner(org):
    customer = new_customer(org)
    start = ms("2026-01-31T09:00:00")
    with clock.travel(to_ms=start):
        with session_scope() as session:
            sub, first = subscriptions.create_subscription(
                session,
                actor=org.actor,
                data=SubscriptionCreate(
                    customer_id=customer.id,
                    name="Monthly Retainer",
                    amount_kobo=29900,
                    currency="USD",
                    cadence=1,
                    cadence_unit="months",
                ),
            )
        assert sub.status == "pending" and first.status == "sent"
        assert first.total_minor == 29900 and first.customer_id == customer.id
        assert sub.next_billing_at == ms("2026-02-28T09:00:00")  # the 31st clamps to February
    with clock.travel(to_ms=ms("2026-03-05T09:00:00")):
        run_due_jobs()
        assert len(sub_invoices(sub.id)) == 1  # pending: no second invoice yet
        with session_scope() as session:
            invoices.record_payment(
                session,
                actor=org.actor,
                invoice_id=first.id,
                data=PaymentCreate(amount_kobo=29900, payment_method="card"),
            )
            assert session.get(Subscription, sub.id).status == "active"
        run_due_jobs()  # the overdue February period is billed now
        billed = sub_invoices(sub.id)
        assert len(billed) == 2 and billed[1].status == "sent"
    with clock.travel(to_ms=ms("2026-03-31T10:00:00")):
        with session_scope() as session:
            subscriptions.update_subscription(
                session,
                actor=org.actor,
                subscription_id=sub.id,
                data=SubscriptionUpdate(amount_kobo=34900, name="Premium Monthly Retainer"),
            )
        run_due_jobs()
        billed = sub_invoices(sub.id)
        assert [i.total_minor for i in billed] == [29900, 29900, 34900]
        with session_scope() as session:
            cancelled = subscriptions.cancel_subscription(
                session, actor=org.actor, subscription_id=sub.id
            )
        assert cancelled.status == "cancelled" and cancelled.next_billing_at is None
    with clock.travel(to_ms=ms("2026-06-30T10:00:00")):
        run_due_jobs()
    assert len(sub_invoices(sub.id)) == 3


def test_subscription_validation(org):
    customer = new_customer(org)
    with session_scope() as session, pytest.raises(ValidationFailed) as info:
        subscriptions.create_subscription(
            session,
            actor=org.actor,
            data=SubscriptionCreate(
                customer_id=customer.id, name="x", amount_kobo=100, cadence_unit="weeks"
            ),
        )
    assert info.value.field == "cadenceUnit"
    with session_scope() as session, pytest.raises(ValidationFailed) as info:
        subscriptions.create_subscription(
            session,
            actor=org.actor,
            data=SubscriptionCreate(customer_id=customer.id, name="x", amount_kobo=0),
        )
    assert info.value.field == "amountKobo"
