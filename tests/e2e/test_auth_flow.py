"""Sign up, log out and log in again through the real pages of the served app."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from workspace.core.db import session_scope
from workspace.core.models import Membership, Organization, User

pytestmark = pytest.mark.browser


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_sign_up_log_out_and_log_in_again(page, live_server, screenshot):
    page.goto("/signup")
    expect(page.get_by_role("heading", name="Create your workspace")).to_be_visible()
    screenshot(page, "auth-signup-desktop")

    page.locator("#name").fill("Ada Lovelace")
    page.locator("#organization").fill("Analytical Engines <b>Ltd</b>")
    page.locator("#email").fill("Ada@Engines.test")
    page.locator("#password").fill("difference-engine-2")
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(f"{live_server}/")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.locator("#user-menu")).to_contain_text("ada@engines.test")
    # The organization name is shown as text, never interpreted as markup.
    expect(page.get_by_text("Analytical Engines <b>Ltd</b>").first).to_be_visible()
    screenshot(page, "auth-dashboard-after-signup")

    with session_scope() as session:
        user = session.exec(select(User).where(User.email == "ada@engines.test")).one()
        membership = session.exec(select(Membership).where(Membership.user_id == user.id)).one()
        org = session.get(Organization, membership.org_id)
        assert user.name == "Ada Lovelace"
        assert membership.role == "owner"
        assert org.name == "Analytical Engines <b>Ltd</b>"

    page.locator("#user-menu").click()
    page.get_by_role("menuitem", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login/?$"))

    # A signed-out browser is sent to the login page, which returns it where it was going.
    page.goto("/invoices")
    expect(page).to_have_url(re.compile(r"/login/?\?next=/invoices/?$"))

    page.locator("#email").fill("ada@engines.test")
    page.locator("#password").fill("wrong-password-1")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Email or password is incorrect.")
    screenshot(page, "auth-login-error-desktop")

    page.locator("#password").fill("difference-engine-2")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(re.escape(live_server) + r"/invoices/?$"))
    page.goto("/")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_text("Analytical Engines <b>Ltd</b>").first).to_be_visible()


def test_auth_pages_fit_a_phone(phone_page, screenshot):
    for path, heading in [("/login", "Log in"), ("/signup", "Create your workspace")]:
        phone_page.goto(path)
        expect(phone_page.get_by_role("heading", name=heading)).to_be_visible()
        assert _no_horizontal_scroll(phone_page), f"{path} scrolls sideways on a phone"
        screenshot(phone_page, f"auth{path.replace('/', '-')}-phone")


def test_signed_in_page_starts_signed_in(signed_in_page, org):
    page = signed_in_page(org)
    page.goto("/")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.locator("#user-menu")).to_contain_text(org.owner_email)
