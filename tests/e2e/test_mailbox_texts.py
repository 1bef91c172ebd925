"""Text messages on the Mailbox page: without an SMS provider they are kept, readable and
their links can be followed, on a desktop and on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.envelope_samples import make_template
from workspace.core.db import session_scope
from workspace.core.schemas.envelopes import EnvelopeCreate
from workspace.core.schemas.records import IntakeCreate
from workspace.core.services import envelopes, portal, records

pytestmark = pytest.mark.browser


def _send_texts(org) -> None:
    template_id = make_template(org, roles=("employee",))
    with session_scope() as session:
        envelopes.create_envelope(
            session,
            actor=org.actor,
            data=EnvelopeCreate.model_validate(
                {
                    "templateId": template_id,
                    "title": "Offer letter - Ada Lovelace",
                    "signers": [
                        {
                            "name": "Ada Lovelace",
                            "email": "ada@example.com",
                            "phone": "+44 7700 900123",
                            "requirePassword": True,
                            "passwordDelivery": "whatsapp",
                        }
                    ],
                }
            ),
        )
        record = records.create_intake(
            session,
            actor=org.actor,
            data=IntakeCreate(title="Acme Catering", contact_name="Sam Lee"),
        )
        portal.create_portal_link(
            session,
            actor=org.actor,
            app_slug="business-intake",
            record_id=record.id,
            recipient_phone="+15551234567",
            notification_channels=["sms"],
        )


def test_text_messages_tab_without_a_provider(signed_in_page, org, screenshot):
    _send_texts(org)
    page = signed_in_page(org)
    page.goto("/mailbox")
    expect(page.locator(".mailbox-row", has_text="ada@example.com")).to_have_count(1)
    page.locator("#texts-tab").click()
    expect(page.locator("#sms-provider-notice")).to_contain_text("No SMS provider is configured")
    rows = page.locator(".text-row")
    expect(rows).to_have_count(2)
    portal_text = page.locator(".text-row", has_text="Acme Catering")
    expect(portal_text).to_contain_text("not sent")
    expect(portal_text).to_contain_text("+15551234567")
    password_text = page.locator(".text-row", has_text="Ada Lovelace <+447700900123>")
    expect(password_text).to_contain_text("WhatsApp")
    screenshot(page, "mailbox-texts-desktop")

    page.locator("#mailbox-search").fill("offer letter")
    expect(rows).to_have_count(1)
    rows.first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Password for “Offer letter - Ada Lovelace”")
    expect(dialog).to_contain_text("no text-message provider is configured")
    screenshot(page, "mailbox-text-message-desktop")
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_have_count(0)

    page.locator("#mailbox-search").fill("")
    page.locator(".text-row", has_text="Acme Catering").click()
    link = page.locator(".message-link")
    href = link.get_attribute("href")
    assert href and "/intake/" in href

    phone = signed_in_page(org, phone=True)
    phone.goto("/mailbox?tab=texts")
    expect(phone.locator(".text-row")).to_have_count(2)
    screenshot(phone, "mailbox-texts-phone")
    phone.locator(".text-row", has_text="Acme Catering").click()
    expect(phone.get_by_role("dialog")).to_contain_text("Acme Catering")
    screenshot(phone, "mailbox-text-message-phone")
