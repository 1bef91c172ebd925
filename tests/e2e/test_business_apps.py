"""Business apps in Chromium: the intake portal on a phone, and vault reveal permissions on the
record page (the value never reaches the page unless the reveal is authorised)."""

from pathlib import Path

from playwright.sync_api import expect
from sqlmodel import select

from workspace.core.db import session_scope
from workspace.core.models import (
    AppRecord,
    Event,
    Membership,
    OutboxMessage,
    RecordDocument,
    User,
    VaultItem,
)
from workspace.core.passwords import hash_password
from workspace.core.schemas.records import IntakeCreate
from workspace.core.services import accounts, portal, records
from workspace.ui.state import SESSION_COOKIE

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BANK = "000123456789"


def _intake(org) -> str:
    with session_scope() as session:
        record = records.create_intake(
            session,
            actor=org.actor,
            data=IntakeCreate(
                title="Acme Catering",
                intakeType="vendor",
                contactName="Sam Lee",
                contactEmail="sam@example.com",
                companyName="Acme Catering",
            ),
        )
        return record.id


def _link(org, record_id) -> tuple[str, str]:
    with session_scope() as session:
        link = portal.create_portal_link(
            session,
            actor=org.actor,
            app_slug="business-intake",
            record_id=record_id,
            recipient_name="Sam Lee",
        )
        return link.id, portal.portal_token(link.id)


def test_portal_submission_on_a_phone(org, phone_page, tmp_path: Path, screenshot):
    record_id = _intake(org)
    _, token = _link(org, record_id)
    page = phone_page
    page.goto(f"/intake/{token}")
    expect(page.get_by_text("Hello Sam Lee")).to_be_visible()
    expect(page.get_by_text("W-9 or tax form")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    w9 = tmp_path / "w9.pdf"
    w9.write_bytes(PDF)
    page.locator(".portal-upload-button[data-key='tax_form']").click()
    page.locator("#portal-upload input[type=file]").set_input_files(str(w9))
    expect(page.get_by_text("Your uploads")).to_be_visible()
    expect(page.get_by_text("w9.pdf")).to_be_visible()

    page.fill("#detail-tax_id", "98-7654321")
    page.fill("#detail-bank_account", BANK)
    page.locator("textarea[name=note]").fill("Remittance to the operating account")
    page.click("#portal-submit")
    expect(page.locator("#portal-submitted")).to_be_visible()
    expect(page.get_by_text("****6789")).to_be_visible()
    screenshot(page, "business-apps-portal-submitted")
    assert BANK not in page.content()

    with session_scope() as session:
        doc = session.exec(select(RecordDocument)).one()
        assert (doc.source, doc.requirement_key, doc.status) == (
            "portal",
            "tax_form",
            "pending_review",
        )
        items = {v.field_key: v for v in session.exec(select(VaultItem))}
        assert records.decrypt_item(items["bank_account"]) == BANK
        assert BANK.encode() not in items["bank_account"].ciphertext
        assert session.get(AppRecord, record_id).status == "pending_review"
        events = [e.type for e in session.exec(select(Event))]
        mail = [(m.to_email, m.subject) for m in session.exec(select(OutboxMessage))]
    assert "business_intake.portal.submitted" in events and "app.portal.submitted" in events
    assert (org.owner_email, "Portal submission: Acme Catering") in mail


def test_revoked_and_unknown_links_show_a_clear_page(org, phone_page):
    record_id = _intake(org)
    link_id, token = _link(org, record_id)
    with session_scope() as session:
        portal.revoke_portal_link(
            session,
            actor=org.actor,
            app_slug="business-intake",
            record_id=record_id,
            link_id=link_id,
        )
    phone_page.goto(f"/intake/{token}")
    expect(phone_page.get_by_text("This link was revoked")).to_be_visible()
    phone_page.goto("/intake/not-a-real-token")
    expect(phone_page.get_by_text("Link not found")).to_be_visible()


def _member_page(new_page, live_server, org, email, role):
    with session_scope() as session:
        user = User(email=email, name=role.title(), password_hash=hash_password("their-pass-1"))
        session.add(user)
        session.flush()
        session.add(Membership(org_id=org.org_id, user_id=user.id, role=role))
    with session_scope() as session:
        token = accounts.log_in(session, email=email, password="their-pass-1").token
    page = new_page()
    page.context.add_cookies(
        [{"name": SESSION_COOKIE, "value": token, "url": live_server, "sameSite": "Lax"}]
    )
    return page


def _with_vault_value(org) -> str:
    record_id = _intake(org)
    with session_scope() as session:
        records.set_vault_field(
            session,
            actor=org.actor,
            app_slug="business-intake",
            record_id=record_id,
            field_key="bank_account",
            value=BANK,
            label="Bank account",
            access_level="finance",
        )
    return record_id


def test_member_cannot_reveal_and_the_value_never_reaches_the_page(org, new_page, live_server):
    record_id = _with_vault_value(org)
    page = _member_page(new_page, live_server, org, "member@acme.test", "member")
    page.goto(f"/business-intake/{record_id}")
    expect(page.locator(".vault-preview")).to_have_text("****6789")
    page.get_by_role("button", name="Reveal").click()
    page.fill("#reveal-password", "their-pass-1")
    page.click("#reveal-submit")
    expect(page.locator("#reveal-error")).to_contain_text("can reveal")
    assert BANK not in page.content()


def test_finance_reveals_with_the_password(org, new_page, live_server, screenshot):
    record_id = _with_vault_value(org)
    page = _member_page(new_page, live_server, org, "money@acme.test", "finance")
    page.goto(f"/business-intake/{record_id}")
    expect(page.get_by_text("Acme Catering").first).to_be_visible()
    assert BANK not in page.content()
    page.get_by_role("button", name="Reveal").click()
    page.fill("#reveal-password", "their-pass-1")
    page.click("#reveal-submit")
    expect(page.locator("#revealed-value")).to_have_text(BANK)
    screenshot(page, "business-apps-vault-revealed")
