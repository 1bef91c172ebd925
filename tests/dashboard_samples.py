"""Rows the dashboard counts: a sent envelope and a sent invoice, made through the services."""

from __future__ import annotations

from tests.envelope_samples import make_template
from workspace.core.db import session_scope
from workspace.core.schemas.envelopes import EnvelopeCreate
from workspace.core.schemas.invoices import InvoiceCreate
from workspace.core.services import envelopes, invoices


def sent_invoice(actor, amount_minor: int, currency: str = "NGN") -> str:
    body = InvoiceCreate.model_validate(
        {
            "clientName": "John Smith",
            "clientEmail": "john@example.com",
            "title": "Consulting",
            "currency": currency,
            "lineItems": [{"description": "Work", "quantity": 1, "unitPriceKobo": amount_minor}],
        }
    )
    with session_scope() as session:
        invoice = invoices.create_invoice(session, actor=actor, data=body)
        invoices.send_invoice(session, actor=actor, invoice_id=invoice.id)
        return invoice.id


def sent_envelope(org, actor) -> str:
    template_id = make_template(org, roles=("employee",))
    with session_scope() as session:
        envelope, _ = envelopes.create_envelope(
            session,
            actor=actor,
            data=EnvelopeCreate(
                template_id=template_id,
                signers=[{"name": "Ada Lovelace", "email": "ada@example.com"}],
            ),
        )
        return envelope.id
