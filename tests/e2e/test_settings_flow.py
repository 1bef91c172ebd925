"""Settings, Mailbox and the app shell driven in Chromium against the served app."""

from __future__ import annotations

import re
import struct
import zlib

import httpx
import pytest
from playwright.sync_api import expect
from sqlmodel import select

from workspace.core.db import session_scope
from workspace.core.models import ApiKey, Membership, Organization, User

pytestmark = pytest.mark.browser

HOSTILE_NAME = "Acme <script>alert('x')</script>"


def _png(width: int = 8, height: int = 8) -> bytes:
    """A tiny valid PNG (solid indigo), built without image libraries."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum

    rows = b"".join(b"\x00" + b"\x4f\x46\xe5" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_api_key_created_in_the_ui_works_until_revoked(page, live_server, screenshot):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto("/signup")
    page.locator("#name").fill("Kim Keys")
    page.locator("#organization").fill(HOSTILE_NAME)
    page.locator("#email").fill("kim@keys.test")
    page.locator("#password").fill("correct-horse-1")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    # The name is shown as text in the sidebar, never run as markup.
    expect(page.locator("#org-name")).to_have_text(HOSTILE_NAME)

    page.get_by_role("link", name="Settings").first.click()
    expect(page).to_have_url(re.compile(r"/settings/?$"))
    page.get_by_role("tab", name="API keys").click()
    page.locator("#api-key-name").fill("Accounting sync")
    page.get_by_role("button", name="Create key").click()
    shown = page.locator("#new-api-key")
    expect(shown).to_contain_text("wgs_live_")
    screenshot(page, "settings-api-key-created-desktop")
    raw_key = shown.inner_text().strip()

    me = httpx.get(f"{live_server}/api/v1/me", headers={"Authorization": f"Bearer {raw_key}"})
    assert me.status_code == 200
    assert me.json()["data"]["organization"]["name"] == HOSTILE_NAME
    assert me.json()["data"]["mode"] == "live"

    page.locator("#close-api-key").click()
    expect(shown).to_have_count(0)
    row = page.locator(".api-key-row", has_text="Accounting sync")
    expect(row).to_contain_text("wgs_live_…" + raw_key[-4:])
    expect(row).to_contain_text("Active")
    assert raw_key not in page.content()  # shown once: gone after the dialog closed

    row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("Accounting sync")
    page.locator("#confirm").click()
    expect(row).to_contain_text("Revoked")
    expect(page.get_by_text("Requests with it now get 401")).to_be_visible()

    revoked = httpx.get(f"{live_server}/api/v1/me", headers={"X-API-Key": raw_key})
    assert revoked.status_code == 401 and revoked.json()["error"] == "unauthorized"
    with session_scope() as session:
        key = session.exec(select(ApiKey).where(ApiKey.name == "Accounting sync")).one()
        assert key.revoked_at is not None and key.key_hash != raw_key

    # A nameless key gets an inline message and nothing is stored.
    page.get_by_role("button", name="Create key").click()
    expect(page.get_by_role("alert")).to_contain_text("name is required")
    with session_scope() as session:
        assert len(session.exec(select(ApiKey)).all()) == 1
    assert dialogs == []


def test_invitation_is_followed_from_the_mailbox(signed_in_page, new_page, org, screenshot):
    owner = signed_in_page(org)
    owner.goto("/settings?tab=members")
    owner.locator("#invite-email").fill("Nora.New@Acme.test")
    owner.get_by_role("button", name="Send invitation").click()
    expect(owner.get_by_text("Invitation sent to nora.new@acme.test")).to_be_visible()
    expect(owner.locator("#invitations-table")).to_contain_text("nora.new@acme.test")

    owner.get_by_role("link", name="Mailbox").first.click()
    search = owner.locator("#mailbox-search")
    search.fill("nora.new")
    row = owner.locator(".mailbox-row", has_text="nora.new@acme.test")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("stored")
    screenshot(owner, "mailbox-desktop")
    row.get_by_role("button").focus()  # each message opens from the keyboard too
    owner.keyboard.press("Enter")
    expect(owner.get_by_role("dialog")).to_contain_text("You're invited to Acme Inc")
    expect(owner.locator("#message-frame")).to_have_attribute(
        "sandbox", "allow-popups allow-popups-to-escape-sandbox"
    )
    frame = owner.frame_locator("#message-frame")
    expect(frame.get_by_role("link", name="Accept invitation")).to_be_visible()
    screenshot(owner, "mailbox-message-desktop")
    link = owner.locator(".message-link", has_text="Accept invitation")
    href = link.get_attribute("href")
    assert href and "/accept-invite?token=" in href

    invitee = new_page()
    invitee.goto(href)
    expect(invitee.get_by_role("heading", name="Join Acme Inc")).to_be_visible()
    invitee.locator("#name").fill("Nora New")
    invitee.locator("#password").fill("nora-secret-9")
    invitee.get_by_role("button", name="Join").click()
    expect(invitee.get_by_role("heading", name="Dashboard")).to_be_visible()

    owner.goto("/settings?tab=members")
    members = owner.locator("#members-table")
    expect(members).to_contain_text("Nora New")
    expect(members).to_contain_text("nora.new@acme.test")
    expect(owner.locator("#invitations-table")).to_have_count(0)
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == "nora.new@acme.test")).one()
        membership = session.exec(select(Membership).where(Membership.user_id == user.id)).one()
        assert membership.org_id == org.org_id and membership.role == "member"

    # The new member sees the settings read-only.
    invitee.goto("/settings?tab=members")
    expect(invitee.get_by_text("Only owners and admins can invite")).to_be_visible()
    expect(invitee.locator("#invite-email")).to_have_count(0)


def test_branding_shows_in_the_shell(signed_in_page, live_server, org, screenshot):
    page = signed_in_page(org)
    page.goto("/settings")
    page.locator("#org-name-input").fill("Acme Renamed")
    page.locator("#brand-color-input").fill("#0f766e")
    page.locator("#default-currency").click()
    page.get_by_role("option", name="USD · US dollar").click()
    page.locator("#save-organization").click()
    expect(page.get_by_text("Organization saved.")).to_be_visible()
    expect(page.locator("#org-name")).to_have_text("Acme Renamed")
    with session_scope() as session:
        assert session.get(Organization, org.org_id).default_currency == "USD"
    page.goto("/invoices/new")  # a new invoice starts in it
    expect(page.locator("#field-currency_code")).to_have_text("USD")
    page.goto("/settings")

    page.locator("#brand-color-input").fill("teal")
    page.locator("#save-organization").click()
    expect(page.get_by_role("alert")).to_contain_text("Brand colour must look like #1a2b3c.")

    page.locator("#logo-upload input[type=file]").set_input_files(
        files=[{"name": "logo.png", "mimeType": "image/png", "buffer": _png()}]
    )
    expect(page.get_by_text("Logo updated.")).to_be_visible()
    expect(page.locator("#org-logo").first).to_be_visible()
    screenshot(page, "settings-organization-desktop")
    with session_scope() as session:
        stored = session.get(Organization, org.org_id)
        assert stored.name == "Acme Renamed" and stored.brand_color == "#0f766e"
        assert stored.logo_sha256
    logo = httpx.get(f"{live_server}/files/logo/{org.org_id}")
    assert logo.status_code == 200 and logo.content == _png()


def test_pages_fit_a_phone(signed_in_page, org, screenshot):
    page = signed_in_page(org, phone=True)
    for path, heading in [
        ("/", "Dashboard"),
        ("/settings", "Settings"),
        ("/settings?tab=members", "Settings"),
        ("/settings?tab=api-keys", "Settings"),
        ("/mailbox", "Mailbox"),
    ]:
        page.goto(path)
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        assert _no_horizontal_scroll(page), f"{path} scrolls sideways on a phone"
        name = path.strip("/").replace("?tab=", "-") or "dashboard"
        screenshot(page, f"{name}-phone")
    page.get_by_role("button", name="Menu").click()
    drawer = page.get_by_role("dialog")
    expect(drawer.get_by_role("link", name="Mailbox")).to_be_visible()
    screenshot(page, "navigation-drawer-phone")
    drawer.get_by_role("link", name="Dashboard").click()
    expect(page.locator("#figure-members")).to_have_text("1")
    expect(page.locator("#figure-api-keys")).to_have_text("2")
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("dialog").get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login/?$"))
    page.goto("/settings")
    expect(page).to_have_url(re.compile(r"/login/?\?next=/settings"))
