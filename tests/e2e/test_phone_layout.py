"""Every page of the app on a 390 px phone and an 820 px tablet: its title shows and nothing
scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.app_pages import PAGES
from tests.envelope_samples import make_template
from tests.record_samples import vendor_intake
from workspace.core.db import session_scope
from workspace.core.schemas.envelopes import EnvelopeCreate
from workspace.core.schemas.invoices import CustomerCreate, InvoiceCreate
from workspace.core.services import customers, invoices
from workspace.core.services.envelopes import create_envelope

pytestmark = pytest.mark.browser


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


@pytest.mark.parametrize(
    ("device", "width"),
    [("phone", 390), ("tablet", 820)],  # a tablet opens the menu, as a phone does
)
def test_every_page_fits_the_screen(org, signed_in_page, screenshot, device, width):
    customer_id, invoice_id, number = _customer_with_an_invoice(org)
    envelope_id = _sent_envelope(org)
    intake_id = vendor_intake(
        org,
        company="Northwind Logistics & Warehousing International",
        contact_name="Oluwaseun Adebayo-Williams",
        contact_email="oluwaseun.adebayo-williams@northwind-logistics.example.com",
    )
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
    # Lists with the rows above: measured once those rows are on screen.
    loaded = {
        "/envelopes": "Oluwaseun Adebayo-Williams",
        "/invoices": number,
        "/customers": "Oluwaseun Adebayo-Williams",
        "/business-intake": "Northwind Logistics & Warehousing International",
    }
    page = signed_in_page(org, phone=device == "phone")
    if device == "tablet":
        page.set_viewport_size({"width": width, "height": 1100})
    too_wide = {}
    for path, title in pages.items():
        page.goto(path)
        expect(page.get_by_role("heading", name=title, exact=True).first).to_be_visible()
        if path in loaded:
            expect(page.get_by_text(loaded[path]).first).to_be_visible()
        name = path
        for record_id, word in details.items():
            name = name.replace(record_id, word)
        screenshot(page, device + (name.replace("/", "-") if path != "/" else "-dashboard"))
        page_width = page.evaluate("document.documentElement.scrollWidth")
        if page_width > width:
            too_wide[path] = page_width
    assert too_wide == {}, f"pages wider than the {device}: {too_wide}"
    if device == "tablet":
        expect(page.get_by_role("button", name="Menu")).to_be_visible()
