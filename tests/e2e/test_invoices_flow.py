"""Invoices in the served app: the client's public page on a phone (views, status changes) and
the owner's editor → send → record payment → void flow."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from workspace.core.db import session_scope
from workspace.core.models import Event, Invoice
from workspace.core.schemas.invoices import InvoiceCreate, PaymentCreate
from workspace.core.services import invoices as service

pytestmark = pytest.mark.browser


def _sent_invoice(org) -> Invoice:
    body = InvoiceCreate.model_validate(
        {
            "clientName": "John Smith",
            "clientEmail": "john@example.com",
            "clientCompany": "Acme Corp",
            "title": "Consulting Services - March 2026",
            "currency": "NGN",
            "lineItems": [
                {
                    "description": "Strategy consulting (10 hours)",
                    "quantity": 10,
                    "unitPriceKobo": 500000,
                },
                {"description": "Document review", "quantity": 1, "unitPriceKobo": 200000},
            ],
            "taxRate": 7.5,
            "notes": "Payment due within 30 days.",
        }
    )
    with session_scope() as session:
        invoice = service.create_invoice(session, actor=org.actor, data=body)
        return service.send_invoice(session, actor=org.actor, invoice_id=invoice.id)


def _stored(invoice_id: str) -> Invoice:
    with session_scope() as session:
        return session.get(Invoice, invoice_id)


def test_public_invoice_page_counts_views_and_follows_status(org, new_page, screenshot):
    invoice = _sent_invoice(org)
    phone = new_page(phone=True)
    phone.goto(f"/invoice/{invoice.view_token}")
    expect(phone.locator("#public-amount-due")).to_have_text("₦55,900.00")
    expect(phone.get_by_text("Strategy consulting (10 hours)")).to_be_visible()
    expect(phone.locator("#download-pdf")).to_have_attribute(
        "href", f"/files/invoice/{invoice.view_token}/pdf"
    )
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "invoice-public-phone")
    stored = _stored(invoice.id)
    assert stored.status == "viewed" and stored.view_count == 1 and stored.last_viewed_at

    with session_scope() as session:
        service.record_payment(
            session,
            actor=org.actor,
            invoice_id=invoice.id,
            data=PaymentCreate(
                amount_kobo=2000000, payment_method="bank_transfer", reference="TXN-12345"
            ),
        )
    phone.reload()
    expect(phone.locator("#invoice-status")).to_have_text("Partially paid")
    expect(phone.locator("#public-amount-due")).to_have_text("₦35,900.00")
    expect(phone.locator(".public-payment")).to_contain_text("TXN-12345")
    assert _stored(invoice.id).view_count == 2

    desktop = new_page()
    desktop.goto(f"/invoice/{invoice.view_token}")
    expect(desktop.locator("#invoice-status")).to_have_text("Partially paid")
    screenshot(desktop, "invoice-public-desktop")
    pdf = desktop.request.get(f"/files/invoice/{invoice.view_token}/pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    with session_scope() as session:
        views = session.exec(select(Event).where(Event.type == "invoice.viewed")).all()
    assert [event.data["view_count"] for event in views] == [1, 2, 3]

    missing = new_page(phone=True)
    missing.goto("/invoice/not-a-real-token")
    expect(missing.get_by_text("This invoice link is not valid")).to_be_visible()


def test_owner_creates_sends_records_payment_and_voids(org, signed_in_page, screenshot):
    page = signed_in_page(org)
    page.goto("/invoices/new")
    page.locator("#field-client_name").fill("Grace Mensah")
    page.locator("#field-client_email").fill("grace@accrafoods.com")
    page.locator("#field-title").fill("Website refresh")
    page.locator("#field-tax_rate").fill("7.5")
    page.locator(".line-description input").first.fill("Design sprint")
    page.locator(".line-quantity input").first.fill("2.5")
    page.locator(".line-price input").first.fill("100,000")
    expect(page.locator(".line-total").first).to_have_text("₦250,000.00")
    expect(page.locator("#total-total")).to_have_text("₦268,750.00")
    screenshot(page, "invoice-editor-desktop")
    page.locator("#send").click()
    expect(page.locator("#amount-due")).to_have_text("₦268,750.00")
    invoice_id = re.search(r"/invoices/(inv_\w+)", page.url).group(1)
    stored = _stored(invoice_id)
    assert stored.status == "sent" and stored.total_minor == 26875000 and stored.pdf_sha256

    page.locator("#record-payment").click()
    page.locator("#pay-pay_amount").fill("100000")
    page.locator("#pay-pay_reference").fill("TRF-77")
    page.locator("#pay-submit").click()
    expect(page.locator("#amount-due")).to_have_text("₦168,750.00")
    expect(page.locator(".payment-row")).to_contain_text("TRF-77")
    expect(page.locator(".timeline-entry").first).to_contain_text("Payment of ₦100,000.00")
    assert _stored(invoice_id).status == "partially_paid"

    page.locator("#record-payment").click()
    page.locator("#pay-pay_amount").fill("999999")
    page.locator("#pay-submit").click()
    expect(page.get_by_text("still due")).to_be_visible()
    page.keyboard.press("Escape")

    page.locator("#void").click()
    page.locator("#void-confirm").click()
    expect(page.get_by_text("Void", exact=True).first).to_be_visible()
    assert _stored(invoice_id).status == "void"
    screenshot(page, "invoice-detail-void")

    page.goto("/invoices")
    expect(page.locator(".invoice-row")).to_have_count(1)
    page.locator("#tab-void").click()
    expect(page.locator(".invoice-row")).to_contain_text("Grace Mensah")
    page.locator("#tab-paid").click()
    expect(page.get_by_text("No invoices here")).to_be_visible()
    screenshot(page, "invoices-list")
