"""Every button, link and form control of the app, its dialogs and the public portals has a name
in Chromium's accessibility tree (its text, a label tied to it, an aria-label, or at least a
placeholder), so a screen reader says what it does or what to type."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.dashboard_samples import sent_envelope, sent_invoice
from tests.e2e.app_pages import PAGES
from tests.envelope_samples import make_template
from tests.record_samples import vendor_intake
from workspace.core.db import session_scope
from workspace.core.models import EnvelopeSigner
from workspace.core.schemas.invoices import CustomerCreate
from workspace.core.services import customers, portal
from workspace.core.services.envelopes import signing_token

pytestmark = pytest.mark.browser

CONTROL_ROLES = {
    "button",
    "checkbox",
    "combobox",
    "link",
    "listbox",
    "menuitem",
    "radio",
    "searchbox",
    "slider",
    "spinbutton",
    "switch",
    "tab",
    "textbox",
}


def unnamed_controls(page) -> list[str]:
    """The controls on screen that Chromium's accessibility tree gives no name, each as the
    start of its HTML."""
    cdp = page.context.new_cdp_session(page)
    found = []
    for node in cdp.send("Accessibility.getFullAXTree")["nodes"]:
        role = node.get("role", {}).get("value")
        name = node.get("name", {}).get("value", "")
        if role not in CONTROL_ROLES or node.get("ignored") or name.strip():
            continue
        element = cdp.send("DOM.resolveNode", {"backendNodeId": node["backendDOMNodeId"]})
        html = cdp.send(
            "Runtime.callFunctionOn",
            {
                "objectId": element["object"]["objectId"],
                "functionDeclaration": "function () { return this.outerHTML.slice(0, 120); }",
                "returnByValue": True,
            },
        )
        found.append(html["result"]["value"])
    cdp.detach()
    return found


class Audit:
    """Collects the unnamed controls of each screen visited, to report them all at once."""

    def __init__(self, page, screenshot):
        self.page, self.screenshot = page, screenshot
        self.unnamed: dict[str, list[str]] = {}

    def check(self, screen: str) -> None:
        self.page.wait_for_load_state("networkidle")
        if found := unnamed_controls(self.page):
            self.unnamed[screen] = found

    def dialog(self, screen: str, opener) -> None:
        """Opens a dialog with `opener` (a locator to click), checks it and closes it."""
        opener.click()
        expect(self.page.get_by_role("dialog")).to_be_visible()
        self.check(screen)
        self.screenshot(self.page, "dialog-" + screen.replace(" ", "-").replace(":", ""))
        self.page.keyboard.press("Escape")
        expect(self.page.get_by_role("dialog")).to_have_count(0)

    def report(self) -> str:
        return "controls without a name:\n" + "\n".join(
            f"{screen}: {html}" for screen, found in self.unnamed.items() for html in found
        )


def _customer(org) -> str:
    with session_scope() as session:
        return customers.create_customer(
            session, actor=org.actor, data=CustomerCreate(name="Grace Hopper", email="g@navy.test")
        ).id


def test_app_pages_and_dialogs_name_their_controls(org, signed_in_page, screenshot):
    customer_id, invoice_id = _customer(org), sent_invoice(org.actor, 550000)
    envelope_id, intake_id = sent_envelope(org, org.actor), vendor_intake(org)
    page = signed_in_page(org)
    audit = Audit(page, screenshot)
    detail_pages = {
        f"/customers/{customer_id}": "Grace Hopper",
        f"/invoices/{invoice_id}": "Consulting",
        f"/envelopes/{envelope_id}": "Employment Contract",
        f"/business-intake/{intake_id}": "Acme Catering",
        "/business-intake/new": "New business intake",
        "/hiring-packets/new": "New hiring packet",
        "/renewals-compliance/new": "New compliance item",
    }
    for path, text in {**PAGES, **detail_pages}.items():
        page.goto(path)
        expect(page.get_by_text(text, exact=True).first).to_be_visible()
        audit.check(path)

    page.goto(f"/templates/{make_template(org)}")
    page.locator(".field-box").first.click()
    audit.check("template editor, a field selected")

    page.goto("/customers")
    audit.dialog("new customer", page.locator("#new-customer"))
    page.goto(f"/customers/{customer_id}")
    audit.dialog("edit customer", page.get_by_role("button", name="Edit"))
    audit.dialog("new subscription", page.locator("#new-subscription"))
    page.goto(f"/invoices/{invoice_id}")
    audit.dialog("record payment", page.locator("#record-payment"))
    page.goto("/webhooks")
    audit.dialog("add webhook", page.get_by_role("button", name="Add endpoint").first)
    page.goto("/templates/packages")
    audit.dialog("new package", page.get_by_role("button", name="New package").first)
    assert audit.unnamed == {}, audit.report()


def test_public_pages_name_their_controls(org, phone_page, screenshot):
    audit = Audit(phone_page, screenshot)
    for path, heading in [
        ("/login", "Log in"),
        ("/signup", "Create your workspace"),
        ("/forgot-password", "Reset your password"),
    ]:
        phone_page.goto(path)
        expect(phone_page.get_by_role("heading", name=heading)).to_be_visible()
        audit.check(path)

    envelope_id = sent_envelope(org, org.actor)
    with session_scope() as session:
        signer = session.query(EnvelopeSigner).filter_by(envelope_id=envelope_id).one()
        token = signing_token(signer)
    phone_page.goto(f"/sign/{token}")
    phone_page.locator("#consent").click()
    for field in ("employee_name", "department", "agree"):
        phone_page.locator(f'[data-field="{field}"]').click()
        audit.check(f"signing: {field}")
    audit.dialog("signing: signature", phone_page.locator('[data-field="employee_signature"]'))
    audit.dialog("signing: decline", phone_page.locator("#decline-open"))

    with session_scope() as session:
        link = portal.create_portal_link(
            session,
            actor=org.actor,
            app_slug="business-intake",
            record_id=vendor_intake(org),
            recipient_name="Sam Lee",
        )
        portal_token = portal.portal_token(link.id)
    phone_page.goto(f"/intake/{portal_token}")
    expect(phone_page.get_by_text("Acme Catering").first).to_be_visible()
    audit.check("intake portal")
    assert audit.unnamed == {}, audit.report()
