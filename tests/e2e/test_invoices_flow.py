"""Invoices in the served app: the client's public page on a phone (views, status changes), the
owner's editor → send → record payment → void flow, the customer picker, totals per currency
and the reminder schedule."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from workspace.core.db import session_scope
from workspace.core.models import Event, Invoice
from workspace.core.schemas.invoices import CustomerCreate, InvoiceCreate, PaymentCreate
from workspace.core.services import customers
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


def test_public_invoice_page_counts_views_and_follows_status(
    org, new_page, signed_in_page, screenshot
):
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
    icon = desktop.request.get("/favicon.ico")  # the browser tab shows the app's icon
    assert icon.status == 200 and icon.body()[:4] == b"\x00\x00\x01\x00"
    with session_scope() as session:
        views = session.exec(select(Event).where(Event.type == "invoice.viewed")).all()
    assert [event.data["view_count"] for event in views] == [1, 2, 3]

    owner = signed_in_page(org)
    owner.goto(f"/invoice/{invoice.view_token}")
    expect(owner.locator("#preview-note")).to_contain_text("not counted as the client's views")
    expect(owner.locator("#invoice-status")).to_have_text("Partially paid")
    assert _stored(invoice.id).view_count == 3
    expect(desktop.locator("#preview-note")).to_have_count(0)

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


def test_customer_picker_links_the_invoice(org, signed_in_page, screenshot):
    with session_scope() as session:
        customer = customers.create_customer(
            session,
            actor=org.actor,
            data=CustomerCreate(name="Jane Doe", email="jane@globex.test", company="Globex"),
        )
        customers.create_customer(
            session,
            actor=org.actor,
            data=CustomerCreate(name="Grace Mensah", email="grace@accrafoods.com"),
        )
    page = signed_in_page(org)
    page.goto("/invoices/new")
    page.locator("#customer-search").fill("glob")
    expect(page.locator(".customer-match")).to_have_count(1)
    screenshot(page, "invoice-customer-picker-desktop")
    page.keyboard.press("Escape")  # closes the matches
    expect(page.locator(".customer-match")).to_have_count(0)
    page.locator("#customer-search").fill("glob")
    expect(page.locator(".customer-match")).to_have_count(1)
    page.keyboard.press("Tab")  # the keyboard reaches the match and Enter picks it
    expect(page.locator(".customer-match")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#linked-customer")).to_contain_text("Jane Doe")
    expect(page.locator("#field-client_name")).to_have_value("Jane Doe")
    expect(page.locator("#field-client_email")).to_have_value("jane@globex.test")
    expect(page.locator("#field-client_company")).to_have_value("Globex")
    screenshot(page, "invoice-customer-linked-desktop")
    page.locator(".line-description input").first.fill("Quarterly audit")
    page.locator(".line-price input").first.fill("1200")
    page.locator("#save-draft").click()
    expect(page).to_have_url(re.compile(r"/invoices/inv_\w+$"))
    invoice_id = page.url.rsplit("/", 1)[1]
    stored = _stored(invoice_id)
    assert (stored.customer_id, stored.client_name, stored.client_company) == (
        customer.id,
        "Jane Doe",
        "Globex",
    )
    expect(page.locator("#linked-customer")).to_contain_text("Jane Doe")

    # Unlinking drops the link; a new client can be typed instead.
    page.locator("#unlink-customer").click()
    page.locator("#customer-search").fill("nobody")
    expect(page.locator("#customer-matches")).to_contain_text("No customer matches")
    page.locator("#field-client_name").fill("Kofi Boateng")
    page.locator("#field-client_email").fill("kofi@example.com")
    page.locator("#send").click()
    expect(page.locator("#amount-due")).to_have_text("₦1,200.00")
    stored = _stored(invoice_id)
    assert (stored.customer_id, stored.client_email) == (None, "kofi@example.com")

    page.goto(f"/customers/{customer.id}")
    page.get_by_role("link", name="New invoice").click()
    expect(page.locator("#linked-customer")).to_contain_text("Jane Doe")
    expect(page.locator("#field-client_email")).to_have_value("jane@globex.test")


def test_reminder_schedule_and_totals_per_currency(org, signed_in_page, screenshot):
    _sent_invoice(org)
    usd = InvoiceCreate.model_validate(
        {
            "clientName": "Jane Doe",
            "clientEmail": "jane@globex.test",
            "currency": "USD",
            "lineItems": [{"description": "Audit", "quantity": 1, "unitPriceKobo": 120000}],
        }
    )
    with session_scope() as session:
        invoice = service.create_invoice(session, actor=org.actor, data=usd)
        service.send_invoice(session, actor=org.actor, invoice_id=invoice.id)
    page = signed_in_page(org)
    page.goto("/invoices")
    outstanding = page.locator("#stat-wallet")
    expect(outstanding).to_contain_text("₦55,900.00")
    expect(outstanding).to_contain_text("$1,200.00")
    expect(page.locator("#aging-chart")).to_contain_text("₦55,900.00")
    page.locator("#aging-currency").get_by_role("radio", name="USD").click()
    expect(page.locator("#aging-chart")).to_contain_text("$1,200.00")
    expect(page.locator("#aging-chart")).not_to_contain_text("₦")
    screenshot(page, "invoices-list-currencies-desktop")

    page.locator("#reminder-schedule").click()
    days = page.locator(".reminder-day")
    expect(days).to_have_count(3)
    expect(page.locator("#reminder-days")).to_contain_text("3 days before the due date")
    page.get_by_role("button", name="Remove On the due date").click()
    expect(days).to_have_count(2)
    page.locator("#reminder-when").click()
    page.get_by_role("option", name="after the due date").click()
    page.locator("#reminder-count").fill("400")
    page.locator("#reminder-add").click()
    expect(page.locator("#reminder-error")).to_contain_text("from 1 to 365 after the due date")
    page.locator("#reminder-count").fill("7")
    page.locator("#reminder-add").click()
    expect(page.locator("#reminder-error")).to_contain_text("already in the schedule")
    page.locator("#reminder-count").fill("14")
    page.locator("#reminder-add").click()
    expect(page.locator("#reminder-days")).to_contain_text("14 days after the due date")
    screenshot(page, "invoices-reminder-schedule-desktop")
    page.locator("#reminder-save").click()
    expect(page.get_by_text("Reminder schedule saved.")).to_be_visible()
    with session_scope() as session:
        settings = service.reminder_settings(session, org_id=org.org_id)
        assert (settings.reminder_days, settings.reminders_enabled) == ([-3, 7, 14], True)

    phone = signed_in_page(org, phone=True)
    phone.goto("/invoices")
    expect(phone.locator("#stat-wallet")).to_contain_text("$1,200.00")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "invoices-list-phone")
    phone.locator("#reminder-schedule").click()
    expect(phone.locator(".reminder-day")).to_have_count(3)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "invoices-reminder-schedule-phone")


def test_customers_list_orders_by_name_and_searches(org, signed_in_page, screenshot):
    with session_scope() as session:
        for name, email, company in (
            ("Zainab Bello", "zainab@example.com", ""),
            ("ada Obi", "ada@example.com", "Acme Foods"),
            ("Kofi Mensah", "kofi@example.com", "Mensah & Sons"),
        ):
            customers.create_customer(
                session,
                actor=org.actor,
                data=CustomerCreate(name=name, email=email, company=company),
            )
    page = signed_in_page(org)
    page.goto("/customers")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(3)
    assert [row.locator("td").first.inner_text() for row in rows.all()] == [
        "ada Obi",
        "Kofi Mensah",
        "Zainab Bello",
    ]
    expect(page.get_by_text("1–3 of 3")).to_be_visible()
    screenshot(page, "customers-list-desktop")
    page.get_by_placeholder("Search name, email or company…").fill("acme")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("ada@example.com")
    page.get_by_role("link", name="ada Obi").click()
    expect(page).to_have_url(re.compile(r"/customers/cus_\w+$"))

    phone = signed_in_page(org, phone=True)
    phone.goto("/customers")
    expect(phone.locator("tbody tr")).to_have_count(3)
    screenshot(phone, "customers-list-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_phone_invoice_editor_keeps_each_line_readable(org, signed_in_page, screenshot):
    page = signed_in_page(org, phone=True)
    page.goto("/invoices/new")
    page.locator(".line-description input").first.fill("Bonded warehouse storage")
    page.locator(".line-quantity input").first.fill("12.5")
    page.locator(".line-price input").first.fill("1,234,567.89")
    total = page.locator(".line-total").first
    expect(total).to_have_text("₦15,432,098.63")
    quantity = page.locator(".line-quantity input").first
    assert quantity.evaluate("el => el.scrollWidth <= el.clientWidth")  # "12.5" shows whole
    assert total.evaluate("el => el.getBoundingClientRect().height < 30")  # one line
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "invoice-editor-phone")
