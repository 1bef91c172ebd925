"""Every page of the app on a 390 px phone: its title shows and nothing scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.envelope_samples import make_template
from workspace.core.db import session_scope
from workspace.core.schemas.envelopes import EnvelopeCreate
from workspace.core.schemas.invoices import CustomerCreate, InvoiceCreate
from workspace.core.schemas.records import IntakeCreate
from workspace.core.services import customers, invoices, records
from workspace.core.services.envelopes import create_envelope

pytestmark = pytest.mark.browser

PAGES = {
    "/": "Dashboard",
    "/templates": "Templates",
    "/templates/packages": "Packages",
    "/envelopes": "Envelopes",
    "/envelopes/new": "Send for signature",
    "/envelopes/upload": "Upload and send",
    "/invoices": "Invoices",
    "/invoices/new": "New invoice",
    "/customers": "Customers",
    "/business-intake": "Business Intake",
    "/hiring-packets": "Hiring Packets",
    "/renewals-compliance": "Renewals & Compliance",
    "/renewals-compliance/calendar": "Compliance calendar",
    "/webhooks": "Webhooks",
    "/mailbox": "Mailbox",
    "/settings": "Settings",
}


def _customer_with_an_invoice(org) -> tuple[str, str, str]:
    """A customer and a sent invoice with long texts, as (customer id, invoice id, number)."""
    with session_scope() as session:
        customer = customers.create_customer(
            session,
            actor=org.actor,
            data=CustomerCreate(
                name="Oluwaseun Adebayo-Williams",
                email="oluwaseun.adebayo-williams@northwind-logistics.example.com",
                company="Northwind Logistics & Warehousing International",
            ),
        )
        body = InvoiceCreate.model_validate(
            {
                "customerId": customer.id,
                "title": "Quarterly warehousing, freight forwarding and customs brokerage",
                "currency": "NGN",
                "lineItems": [
                    {
                        "description": "Bonded warehouse storage, 40-foot container equivalents",
                        "quantity": 12.5,
                        "unitPriceKobo": 125000000,
                    }
                ],
                "taxRate": 7.5,
            }
        )
        invoice = invoices.create_invoice(session, actor=org.actor, data=body)
        invoices.send_invoice(session, actor=org.actor, invoice_id=invoice.id)
        return customer.id, invoice.id, invoice.invoice_number


def _sent_envelope(org) -> str:
    template_id = make_template(org, roles=("employee",), name="Employment Contract")
    with session_scope() as session:
        envelope, _ = create_envelope(
            session,
            actor=org.actor,
            data=EnvelopeCreate(
                template_id=template_id,
                signers=[
                    {
                        "name": "Oluwaseun Adebayo-Williams",
                        "email": "oluwaseun.adebayo-williams@northwind-logistics.example.com",
                    }
                ],
            ),
        )
        return envelope.id


def _intake(org) -> str:
    with session_scope() as session:
        return records.create_intake(
            session,
            actor=org.actor,
            data=IntakeCreate(
                title="Northwind Logistics & Warehousing International",
                intakeType="vendor",
                contactName="Oluwaseun Adebayo-Williams",
                contactEmail="oluwaseun.adebayo-williams@northwind-logistics.example.com",
                companyName="Northwind Logistics & Warehousing International",
            ),
        ).id


def test_every_page_fits_a_phone(org, signed_in_page, screenshot):
    customer_id, invoice_id, number = _customer_with_an_invoice(org)
    envelope_id, intake_id = _sent_envelope(org), _intake(org)
    details = {customer_id: "detail", invoice_id: "detail", envelope_id: "detail"}
    details[intake_id] = "detail"
    pages = {
        **PAGES,
        "/business-intake/new": "New business intake",
        f"/customers/{customer_id}": "Customer",
        f"/invoices/{invoice_id}": number,
        f"/envelopes/{envelope_id}": "Employment Contract",
        f"/business-intake/{intake_id}": "Northwind Logistics & Warehousing International",
    }
    phone = signed_in_page(org, phone=True)
    too_wide = {}
    for path, title in pages.items():
        phone.goto(path)
        expect(phone.get_by_role("heading", name=title, exact=True).first).to_be_visible()
        name = path
        for record_id, word in details.items():
            name = name.replace(record_id, word)
        screenshot(phone, "phone" + (name.replace("/", "-") if path != "/" else "-dashboard"))
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            too_wide[path] = width
    assert too_wide == {}, f"pages wider than the phone: {too_wide}"
