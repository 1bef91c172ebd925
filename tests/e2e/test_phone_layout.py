"""Every page of the app on a 390 px phone: its title shows and nothing scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

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


def test_every_page_fits_a_phone(org, signed_in_page, screenshot):
    phone = signed_in_page(org, phone=True)
    too_wide = {}
    for path, title in PAGES.items():
        phone.goto(path)
        expect(phone.get_by_role("heading", name=title, exact=True).first).to_be_visible()
        screenshot(phone, "phone" + (path.replace("/", "-") if path != "/" else "-dashboard"))
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            too_wide[path] = width
    assert too_wide == {}, f"pages wider than the phone: {too_wide}"
