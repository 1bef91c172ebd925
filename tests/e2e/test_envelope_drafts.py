"""Draft envelopes in the browser: save one from the Send page, find it under Drafts, change
a signer's address and signing order, add and remove signers, send it (the invitations reach
the outbox at the new address, in the new order), and discard another."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.envelope_samples import make_template
from workspace.core.db import session_scope
from workspace.core.models import Envelope, EnvelopeSigner, OutboxMessage, Template
from workspace.core.schemas.envelopes import EnvelopeCreate
from workspace.core.services.envelopes import create_envelope

pytestmark = pytest.mark.browser


def _stored(envelope_id: str) -> tuple[Envelope, list[EnvelopeSigner]]:
    with session_scope() as session:
        envelope = session.get(Envelope, envelope_id)
        signers = session.exec(
            select(EnvelopeSigner).where(EnvelopeSigner.envelope_id == envelope_id)
        ).all()
        return envelope, list(signers)


def _invited() -> list[str]:
    with session_scope() as session:
        return list(
            session.exec(
                select(OutboxMessage.to_email).where(OutboxMessage.category == "signing")
            ).all()
        )


def test_save_a_draft_change_its_signers_and_send_it(org, signed_in_page, screenshot):
    make_template(org, roles=("employee", "employer"))
    app = signed_in_page(org)
    app.goto("/envelopes/new")
    expect(app.locator("#signer-name-1")).to_be_visible()
    app.locator("#envelope-title").fill("Offer letter - Ada Lovelace")
    app.locator("#signer-name-0").fill("Ada Lovelace")
    app.locator("#signer-email-0").fill("ada@example.com")
    app.locator("#signer-name-1").fill("Jane Smith")
    app.locator("#signer-email-1").fill("jane@old-company.com")
    screenshot(app, "envelopes-send-with-draft-desktop")
    app.locator("#save-draft").click()

    expect(app).to_have_url(re.compile(r"/envelopes/env_\w+/?$"))
    expect(app.locator("#draft-notice")).to_contain_text("Draft — not sent yet")
    envelope_id = app.url.rstrip("/").rsplit("/", 1)[1]
    envelope, signers = _stored(envelope_id)
    assert envelope.status == "draft" and envelope.title == "Offer letter - Ada Lovelace"
    assert sorted(s.email for s in signers) == ["ada@example.com", "jane@old-company.com"]
    assert {s.email: s.signing_order for s in signers}["jane@old-company.com"] == 2
    assert _invited() == []  # nobody is emailed for a draft
    expect(app.locator("#send-draft")).to_have_text("Send now")
    expect(app.get_by_text("30 days after sending")).to_be_visible()
    screenshot(app, "envelopes-draft-desktop")

    app.goto("/envelopes")
    app.get_by_role("tab", name="Drafts").click()
    row = app.locator(f'[data-envelope="{envelope_id}"]')
    expect(row).to_contain_text("Offer letter - Ada Lovelace")
    expect(row).to_contain_text("Not sent · 2 signers")
    expect(app.locator("[data-envelope]")).to_have_count(1)
    screenshot(app, "envelopes-list-drafts-desktop")
    row.get_by_role("link").click()
    expect(app.locator("#draft-notice")).to_be_visible()

    # change Jane's address, and let her sign beside Ada instead of after her
    app.get_by_label("Change Jane Smith").click()
    expect(app.locator("#signer-form-email")).to_have_value("jane@old-company.com")
    expect(app.locator("#signer-form-order")).to_have_value("2")
    app.locator("#signer-form-email").fill("jane@company.com")
    app.locator("#signer-form-order").fill("1")
    screenshot(app, "envelopes-draft-change-signer-desktop")
    app.locator("#signer-form-save").click()
    expect(app.get_by_text("jane@company.com · employer")).to_be_visible()
    _, signers = _stored(envelope_id)
    assert {s.email: s.signing_order for s in signers} == {
        "ada@example.com": 1,
        "jane@company.com": 1,
    }

    # a bad address stays in the dialog with the reason
    app.locator("#add-signer").click()
    app.locator("#signer-form-name").fill("Legal Team")
    app.locator("#signer-form-email").fill("legal@")
    app.locator("#signer-form-save").click()
    expect(app.locator("#signer-form-error")).to_be_visible()
    screenshot(app, "envelopes-draft-add-signer-desktop")
    app.locator("#signer-form-email").fill("legal@company.com")
    app.locator("#signer-form-save").click()
    expect(app.get_by_label("Remove Legal Team")).to_be_visible()
    _, signers = _stored(envelope_id)
    assert sorted(s.email for s in signers) == [
        "ada@example.com",
        "jane@company.com",
        "legal@company.com",
    ]
    app.get_by_label("Remove Legal Team").click()
    expect(app.get_by_label("Remove Legal Team")).to_have_count(0)
    _, signers = _stored(envelope_id)
    assert sorted(s.email for s in signers) == ["ada@example.com", "jane@company.com"]

    phone = signed_in_page(org, phone=True)
    phone.goto(f"/envelopes/{envelope_id}")
    expect(phone.locator("#draft-notice")).to_be_visible()
    expect(phone.get_by_label("Change Jane Smith")).to_be_visible()
    screenshot(phone, "envelopes-draft-phone")

    app.locator("#send-draft").click()
    expect(app.locator("#draft-notice")).to_have_count(0)
    expect(app.get_by_text("Signing invitation emailed to jane@company.com")).to_be_visible()
    envelope, signers = _stored(envelope_id)
    assert envelope.status == "sent" and {s.status for s in signers} == {"sent"}
    assert sorted(_invited()) == ["ada@example.com", "jane@company.com"]
    screenshot(app, "envelopes-draft-sent-desktop")


def test_discard_a_draft(org, signed_in_page):
    make_template(org, roles=("employee",))
    with session_scope() as session:
        template_id = session.exec(select(Template.id)).one()
        envelope, _ = create_envelope(
            session,
            actor=org.actor,
            data=EnvelopeCreate(
                template_id=template_id,
                signers=[{"name": "Ada Lovelace", "email": "ada@example.com"}],
                save_as_draft=True,
            ),
        )
        envelope_id = envelope.id
    app = signed_in_page(org)
    app.goto(f"/envelopes/{envelope_id}")
    app.locator("#discard-draft").click()
    expect(app.get_by_role("alertdialog")).to_contain_text("Discard this draft?")
    app.locator("#confirm-cancel").click()
    expect(app).to_have_url(re.compile(r"/envelopes/?$"))
    assert _stored(envelope_id)[0].status == "cancelled"
    assert _invited() == []
