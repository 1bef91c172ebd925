"""The dashboard shows what needs attention across the apps, from stored rows."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.dashboard_samples import sent_envelope, sent_invoice
from workspace.core.db import session_scope
from workspace.core.models import Invoice
from workspace.core.schemas.records import ComplianceCreate, IntakeCreate
from workspace.core.services import records

pytestmark = pytest.mark.browser


def _seed(org) -> None:
    actor = org.actor
    sent_envelope(org, actor)
    overdue = sent_invoice(actor, 5_590_000)
    with session_scope() as session:
        session.get(Invoice, overdue).status = "overdue"
        records.create_intake(
            session, actor=actor, data=IntakeCreate(title="Vendor", status="pending_review")
        )
        records.create_compliance_item(
            session, actor=actor, data=ComplianceCreate(title="Insurance", status="expiring_soon")
        )


def test_the_dashboard_shows_what_needs_attention(org, signed_in_page, screenshot):
    _seed(org)
    page = signed_in_page(org)
    page.goto("/")
    expect(page.locator("#figure-awaiting-signature")).to_have_text("1")
    expect(page.locator("#figure-outstanding")).to_have_text("₦55,900.00")
    expect(page.get_by_text("₦55,900.00 overdue on 1 invoice")).to_be_visible()
    expect(page.locator("#figure-paid")).to_have_text("₦0.00")
    expect(page.locator("#figure-intakes")).to_have_text("1")
    expect(page.locator("#figure-hires")).to_have_text("0")
    expect(page.locator("#figure-renewals")).to_have_text("1")
    current = page.locator('a[aria-current="page"]')
    expect(current.first).to_contain_text("Dashboard")  # the menu marks where you are
    screenshot(page, "dashboard-desktop")

    phone = signed_in_page(org, phone=True)
    phone.goto("/")
    expect(phone.locator("#figure-outstanding")).to_have_text("₦55,900.00")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "dashboard-attention-phone")

    page.locator("#figure-outstanding").click()
    expect(page).to_have_url(re.compile(r"/invoices/?$"))

    page.goto("/")
    page.locator("#figure-intakes").click()  # opens the intakes waiting for review
    expect(page).to_have_url(re.compile(r"/business-intake\?status=pending_review$"))
    expect(page.get_by_text("No intakes match")).to_have_count(0)
    expect(page.get_by_text("Vendor").first).to_be_visible()
    page.goto("/")
    page.locator("#figure-renewals").click()
    expect(page).to_have_url(re.compile(r"/renewals-compliance\?status=expiring_soon$"))
    expect(page.get_by_text("Insurance").first).to_be_visible()
    screenshot(page, "dashboard-to-expiring-soon")
