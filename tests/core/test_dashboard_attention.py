"""The dashboard's "needs attention" figures, counted from stored rows of every app."""

from __future__ import annotations

import dataclasses

from sqlmodel import select

from tests.dashboard_samples import sent_envelope, sent_invoice
from workspace.core import clock
from workspace.core.db import session_scope
from workspace.core.models import Envelope, Invoice
from workspace.core.schemas.invoices import PaymentCreate
from workspace.core.schemas.records import ComplianceCreate, HiringCreate, IntakeCreate
from workspace.core.services import invoices, overview, records

DAY_MS = 24 * 3600 * 1000


def _records(actor) -> None:
    with session_scope() as session:
        for status in ("pending_review", "pending_review", "pending_documents", "approved"):
            records.create_intake(
                session, actor=actor, data=IntakeCreate(title="Vendor", status=status)
            )
        for status in ("draft", "offer_sent", "documents_pending", "cleared_to_start", "started"):
            records.create_hiring_packet(
                session,
                actor=actor,
                data=HiringCreate(candidateName="Avery Johnson", status=status),
            )
        for status in ("expiring_soon", "expired", "expired", "compliant"):
            records.create_compliance_item(
                session, actor=actor, data=ComplianceCreate(title="Insurance", status=status)
            )


def test_needs_attention_counts_what_waits_on_someone(org, other_org):
    actor = org.actor
    sent = sent_envelope(org, actor)
    sent_envelope(org, actor)
    overdue = sent_invoice(actor, 5_000_000)
    paid = sent_invoice(actor, 2_000_000)
    sent_invoice(actor, 900, currency="USD")  # another currency: never added to NGN
    _records(actor)
    # Another organization's rows and this one's test-mode rows are not counted.
    sent_invoice(other_org.actor, 7_000_000)
    _records(other_org.actor)
    sent_invoice(dataclasses.replace(actor, test_mode=True), 3_000_000)
    with session_scope() as session:
        invoices.record_payment(
            session,
            actor=actor,
            invoice_id=paid,
            data=PaymentCreate(amountKobo=1_500_000, paymentDate=clock.now_ms()),
        )
        session.get(Invoice, overdue).status = "overdue"
        completed = session.get(Envelope, sent)
        completed.status, completed.completed_at = "completed", clock.now_ms()

    with session_scope() as session:
        figures = overview.needs_attention(session, actor=actor)
    assert figures == overview.Attention(
        awaiting_signature=1,
        completed_this_week=1,
        currency="NGN",
        outstanding_minor=5_500_000,
        overdue_minor=5_000_000,
        overdue_invoices=1,
        paid_this_month_minor=1_500_000,
        intakes_to_review=2,
        intakes_missing_documents=1,
        hires_in_progress=3,  # a draft packet is a hire being prepared
        hires_cleared_to_start=1,
        renewals_expiring=1,
        renewals_expired=2,
    )
    with clock.travel(by_ms=8 * DAY_MS), session_scope() as session:
        assert overview.needs_attention(session, actor=actor).completed_this_week == 0


def test_an_empty_workspace_needs_nothing(org):
    with session_scope() as session:
        figures = overview.needs_attention(session, actor=org.actor)
        assert session.exec(select(Invoice)).all() == []
    assert figures.awaiting_signature == figures.outstanding_minor == 0
    assert figures.intakes_to_review == figures.renewals_expired == 0
