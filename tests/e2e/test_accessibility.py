"""The app, its dialogs and the public portals for people who use a screen reader or see less
well: every button, link and form control has a name in Chromium's accessibility tree (its
text, a label tied to it, an aria-label, or at least a placeholder), and text contrasts with its
background as WCAG AA asks (4.5:1, or 3:1 for large text)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.dashboard_samples import sent_envelope, sent_invoice
from tests.e2e.app_pages import PAGES
from tests.envelope_samples import make_template
from tests.record_samples import approval_links, portal_link, vendor_intake
from workspace.core.db import session_scope
from workspace.core.models import EnvelopeSigner, Invoice
from workspace.core.schemas.invoices import CustomerCreate
from workspace.core.services import customers
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


# Each visible text's contrast with the first opaque background behind it (WCAG 2 formula).
LOW_CONTRAST_JS = """
() => {
  const rgba = (css) => {
    const m = css.match(/rgba?\\(([^)]+)\\)/);
    if (m) {
      const [r, g, b, a = 1] = m[1].split(",").map(Number);
      return { r, g, b, a };
    }
    const srgb = css.match(/color\\(srgb ([\\d.]+) ([\\d.]+) ([\\d.]+)(?: \\/ ([\\d.]+))?\\)/);
    if (!srgb) return null;
    const [r, g, b] = srgb.slice(1, 4).map((v) => Number(v) * 255);
    return { r, g, b, a: srgb[4] === undefined ? 1 : Number(srgb[4]) };
  };
  const luminance = ({ r, g, b }) => {
    const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const behind = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const color = rgba(getComputedStyle(e).backgroundColor);
      if (color && color.a > 0.9) return color;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const found = [];
  const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (texts.nextNode()) {
    const text = texts.currentNode.textContent.trim();
    const element = texts.currentNode.parentElement;
    if (!text || !element.getClientRects().length) continue;
    // Disabled controls and placeholders are exempt, as WCAG exempts inactive components.
    if (element.closest("[disabled], [data-disabled], [aria-hidden=true], [data-placeholder]")) {
      continue;
    }
    const style = getComputedStyle(element);
    const fg = rgba(style.color);
    if (!fg || style.visibility === "hidden") continue;
    const bg = behind(element);
    const seen = { r: fg.r * fg.a + bg.r * (1 - fg.a), g: fg.g * fg.a + bg.g * (1 - fg.a),
                   b: fg.b * fg.a + bg.b * (1 - fg.a) };
    const [light, dark] = [luminance(seen), luminance(bg)].sort((x, y) => y - x);
    const ratio = (light + 0.05) / (dark + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && parseInt(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) {
      found.push(`${ratio.toFixed(2)}:1 ${style.color} "${text.slice(0, 40)}"`);
    }
  }
  return found;
}
"""


DIALOG = "[role=dialog], [role=alertdialog]"


class Audit:
    """Collects what each screen visited gets wrong, to report it all at once."""

    def __init__(self, page, screenshot):
        self.page, self.screenshot = page, screenshot
        self.problems: dict[str, list[str]] = {}

    def check(self, screen: str) -> None:
        self.page.wait_for_load_state("networkidle")
        unnamed = [f"no name: {html}" for html in unnamed_controls(self.page)]
        faint = [f"low contrast: {text}" for text in self.page.evaluate(LOW_CONTRAST_JS)]
        if unnamed or faint:
            self.problems[screen] = unnamed + faint

    def dialog(self, screen: str, opener) -> None:
        """Opens a dialog with `opener` (a locator to click), checks it and closes it."""
        opener.click()
        expect(self.page.locator(DIALOG)).to_be_visible()
        self.check(screen)
        self.screenshot(self.page, "dialog-" + screen.replace(" ", "-").replace(":", ""))
        self.page.keyboard.press("Escape")
        expect(self.page.locator(DIALOG)).to_have_count(0)

    def report(self) -> str:
        return "\n".join(
            f"{screen}: {problem}" for screen, found in self.problems.items() for problem in found
        )


def _customer(org) -> str:
    with session_scope() as session:
        return customers.create_customer(
            session, actor=org.actor, data=CustomerCreate(name="Grace Hopper", email="g@navy.test")
        ).id


def test_app_pages_and_dialogs_are_accessible(org, signed_in_page, screenshot):
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
    audit.dialog("void invoice", page.locator("#void"))
    page.goto("/webhooks")
    audit.dialog("add webhook", page.get_by_role("button", name="Add endpoint").first)
    page.goto("/templates/packages")
    audit.dialog("new package", page.get_by_role("button", name="New package").first)
    page.goto("/mailbox")
    audit.dialog("mail message", page.locator(".mailbox-row").first)
    page.goto("/settings")
    for tab in ("Members", "API keys"):
        page.get_by_role("tab", name=tab).click()
        audit.check(f"settings: {tab}")
    page.locator("#api-key-name").fill("Accessibility")
    audit.dialog("new API key", page.get_by_role("button", name="Create key"))
    row = page.locator(".api-key-row", has_text="Accessibility")
    audit.dialog("revoke API key", row.get_by_role("button", name="Revoke"))
    assert audit.problems == {}, audit.report()


def test_public_pages_are_accessible(org, phone_page, screenshot):
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

    _, portal_token = portal_link(org, vendor_intake(org))
    phone_page.goto(f"/intake/{portal_token}")
    expect(phone_page.get_by_text("Acme Catering").first).to_be_visible()
    audit.check("intake portal")

    invoice_id = sent_invoice(org.actor, 550000)
    with session_scope() as session:
        view_token = session.get(Invoice, invoice_id).view_token
    phone_page.goto(f"/invoice/{view_token}")
    expect(phone_page.locator("#public-amount-due")).to_be_visible()
    audit.check("public invoice")
    phone_page.goto(approval_links(org, vendor_intake(org))[0])
    expect(phone_page.get_by_text("Finance approval")).to_be_visible()
    audit.check("approver page")
    assert audit.problems == {}, audit.report()
