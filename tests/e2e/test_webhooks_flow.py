"""The Webhooks page driven in Chromium against the served app, delivering to a real receiver
on loopback (the served app gets ALLOW_PRIVATE_WEBHOOK_TARGETS=true from tests/conftest.py)."""

from __future__ import annotations

import json
import re
import time

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.core.test_webhooks import seed_recipe_verify, standard_webhooks_verify
from workspace.core.db import session_scope
from workspace.core.events_catalog import EVENT_GROUPS
from workspace.core.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.browser


def _endpoints() -> list[WebhookEndpoint]:
    with session_scope() as session:
        return list(session.exec(select(WebhookEndpoint)))


def _delivery(delivery_id: str) -> WebhookDelivery:
    with session_scope() as session:
        return session.get(WebhookDelivery, delivery_id)


def _signed_with(request, secret: str) -> bool:
    """Both signature schemes check out with `secret` (independent verifiers)."""
    headers = request.headers
    return seed_recipe_verify(
        request.body, headers["x-webhook-signature"], headers["x-webhook-timestamp"], secret
    ) and standard_webhooks_verify(request.body, headers, secret)


def _fits_the_screen(page, locator) -> bool:
    """Nothing runs off the side: no page-wide scrolling and `locator` inside the viewport."""
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    return (
        page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        and box["x"] >= 0
        and box["x"] + box["width"] <= width
    )


def _read_secret(page) -> str:
    """The one-time secret as shown, after checking the copy button puts the same text on the
    clipboard."""
    shown = page.locator("#webhook-secret")
    expect(shown).to_contain_text("whsec_")
    secret = shown.inner_text().strip()
    page.locator("#copy-secret").click()
    # .last: an earlier copy's toast may still be on screen, with the earlier secret on the
    # clipboard until this copy lands
    expect(page.get_by_text("Secret copied").last).to_be_visible()
    deadline = time.monotonic() + 10
    while (copied := page.evaluate("navigator.clipboard.readText()")) != secret:
        assert time.monotonic() < deadline, f"the clipboard holds {copied!r}, not the secret"
        page.wait_for_timeout(100)
    return secret


def test_webhook_from_creation_to_rotation(signed_in_page, org, receiver, live_server, screenshot):
    page = signed_in_page(org)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page.goto("/webhooks")
    expect(page.get_by_text("No webhook endpoints yet")).to_be_visible()
    screenshot(page, "webhooks-empty-desktop")

    # Create: URL and description, events picked by group. Without events the form says so.
    page.locator("#add-webhook").first.click()
    dialog = page.get_by_role("dialog")
    page.locator("#webhook-url").fill(receiver.url)
    page.locator("#webhook-description").fill("Order system")
    page.locator("#create-webhook").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Pick at least one event.")
    assert _endpoints() == []

    envelope = dialog.locator(".event-group", has_text="Envelope")
    envelope.get_by_role("button", name="Envelope events: select all or clear").click()
    expect(page.locator("#events-selected")).to_have_text("8 selected")
    expect(envelope).to_contain_text("8 of 8")
    expect(envelope.get_by_role("button", name="Envelope events")).to_have_text("Clear")
    envelope.get_by_text("envelope.viewed", exact=True).click()  # all but one
    expect(envelope).to_contain_text("7 of 8")
    invoice = dialog.locator(".event-group", has_text="Invoice")
    invoice.get_by_role("button", name="Invoice events: select all or clear").click()
    expect(page.locator("#events-selected")).to_have_text("15 selected")
    dialog.get_by_role("button", name="Select all events").click()
    every = sum(len(events) for _, events in EVENT_GROUPS)
    expect(page.locator("#events-selected")).to_have_text(f"{every} selected")
    dialog.get_by_role("button", name="Clear all events").click()
    expect(page.locator("#events-selected")).to_have_text("0 selected")
    envelope.get_by_role("button", name="Envelope events: select all or clear").click()
    envelope.get_by_text("envelope.viewed", exact=True).click()
    invoice.get_by_role("button", name="Invoice events: select all or clear").click()
    expect(page.locator("#events-selected")).to_have_text("15 selected")
    screenshot(page, "webhooks-create-desktop")
    page.locator("#create-webhook").click()

    # The secret is shown once, with a working copy button.
    secret = _read_secret(page)
    screenshot(page, "webhooks-secret-desktop")
    [endpoint] = _endpoints()
    assert endpoint.url == receiver.url and endpoint.description == "Order system"
    assert "envelope.viewed" not in endpoint.events and "invoice.paid" in endpoint.events
    assert len(endpoint.events) == 15
    page.get_by_role("button", name="I have stored it").click()
    expect(page.locator("#webhook-secret")).to_have_count(0)
    assert secret not in page.content()
    card = page.locator(".webhook-card", has_text=receiver.url)
    expect(card).to_contain_text("Active")
    expect(card).to_contain_text("Order system")
    expect(card).to_contain_text("Invoice: all 8 events")
    expect(card).to_contain_text("envelope.created")

    # A test ping reaches the receiver signed with that secret and shows up in the log by
    # itself, with its status code and how long the receiver took.
    card.get_by_role("button", name="Send test").click()
    [ping] = receiver.wait_for(1)
    ping_body = json.loads(ping.body)
    assert ping_body["type"] == "ping" and _signed_with(ping, secret)
    log = page.locator("#delivery-log")
    row = log.locator(".delivery-row", has_text="ping")
    expect(row).to_contain_text("Delivered")
    expect(row).to_contain_text("200")
    expect(row).to_contain_text(re.compile(r"\d+ ms"))
    screenshot(page, "webhooks-log-desktop")
    with session_scope() as session:
        [delivery] = session.exec(select(WebhookDelivery)).all()
    assert delivery.status == "succeeded" and delivery.last_status_code == 200
    expect(row).to_contain_text(f"{delivery.last_duration_ms} ms")

    # The payload and the receiver's response.
    row.get_by_role("button", name="View").click()
    detail = page.get_by_role("dialog")
    expect(detail).to_contain_text(delivery.id)
    expect(page.locator("#delivery-payload")).to_contain_text(ping_body["id"])
    expect(page.locator("#delivery-payload")).to_contain_text("This is a test event")
    attempt = detail.locator(".delivery-attempt")
    expect(attempt).to_have_count(1)
    expect(attempt).to_contain_text("Delivered")
    expect(attempt).to_contain_text("ok")
    screenshot(page, "webhooks-delivery-desktop")

    # Redelivery sends the same event again, signed again.
    detail.get_by_role("button", name="Redeliver").click()
    _, again = receiver.wait_for(2)
    assert json.loads(again.body)["id"] == ping_body["id"] and _signed_with(again, secret)
    expect(row).to_contain_text("Delivered")
    expect(row.locator("td").nth(4)).to_have_text("2")  # attempts
    assert _delivery(delivery.id).attempt_count == 2

    # Off and on again; nothing can be sent while it is off.
    switch = card.get_by_role("switch", name="Webhook enabled")
    switch.click()
    expect(card).to_contain_text("Disabled")
    expect(card).to_contain_text(f"Switched off by {org.owner_email}.")
    expect(card.get_by_role("button", name="Send test")).to_be_disabled()
    assert _endpoints()[0].is_active is False
    screenshot(page, "webhooks-disabled-desktop")
    switch.click()
    expect(card.get_by_text("Active", exact=True)).to_be_visible()
    assert _endpoints()[0].is_active is True

    # Rotation: a new secret, shown once; for a day both secrets sign.
    card.get_by_role("button", name="More actions").click()
    page.get_by_role("menuitem", name="Rotate secret").click()
    new_secret = _read_secret(page)
    assert new_secret != secret
    expect(page.get_by_role("dialog")).to_contain_text("previous secret keeps signing")
    screenshot(page, "webhooks-rotated-desktop")
    page.get_by_role("button", name="I have stored it").click()
    expect(card).to_contain_text("Previous secret also signs until")
    card.get_by_role("button", name="Send test").click()
    *_, rotated = receiver.wait_for(3)
    assert _signed_with(rotated, new_secret)
    assert standard_webhooks_verify(rotated.body, rotated.headers, secret)
    assert seed_recipe_verify(
        rotated.body,
        rotated.headers["x-webhook-signature-previous"],
        rotated.headers["x-webhook-timestamp"],
        secret,
    )
    expect(log.locator(".delivery-row", has_text="Delivered")).to_have_count(2)

    # A receiver that refuses: the log says so, with the status code it answered.
    receiver.answers = [(503, {})]
    card.get_by_role("button", name="Send test").click()
    receiver.wait_for(4)
    failed = log.locator(".delivery-row", has_text="Failed")
    expect(failed).to_contain_text("503")
    failed.get_by_role("button", name="View").click()
    expect(page.get_by_role("dialog").locator(".delivery-attempt")).to_contain_text(
        "Not accepted (HTTP 503)"
    )
    screenshot(page, "webhooks-failed-delivery-desktop")
    page.get_by_role("button", name="Close").click()

    # The same page on a phone: nothing runs off the side.
    phone = signed_in_page(org, phone=True)
    phone.goto("/webhooks")
    phone_card = phone.locator(".webhook-card", has_text=receiver.url)
    phone_card.get_by_role("button", name="Deliveries").click()
    phone_rows = phone.locator("#delivery-log .delivery-row")
    expect(phone_rows).to_have_count(3)
    screenshot(phone, "webhooks-phone")
    view = phone_rows.first.get_by_role("button", name="View")
    assert _fits_the_screen(phone, phone_card) and _fits_the_screen(phone, view)
    view.click()
    expect(phone.locator("#delivery-payload")).to_be_visible()
    screenshot(phone, "webhooks-delivery-phone")
    assert _fits_the_screen(phone, phone.get_by_role("dialog"))
    phone.get_by_role("button", name="Close").click()
    phone.locator("#add-webhook").first.click()
    expect(phone.locator(".event-group").first).to_be_visible()
    screenshot(phone, "webhooks-create-phone")
    assert _fits_the_screen(phone, phone.get_by_role("dialog"))
    phone.get_by_role("button", name="Cancel").click()

    # Deleting asks first.
    card.get_by_role("button", name="More actions").click()
    page.get_by_role("menuitem", name="Delete").click()
    expect(page.get_by_role("alertdialog")).to_contain_text(receiver.url)
    page.locator("#confirm-delete").click()
    expect(page.get_by_text("No webhook endpoints yet")).to_be_visible()
    assert _endpoints() == []
