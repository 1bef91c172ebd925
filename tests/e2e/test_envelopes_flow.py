"""Send from the app, sign through each emailed link (drawn on a phone by touch, typed,
uploaded), complete, download, and check the sealed PDF with pdfsig, pyHanko and its text;
send a package and a one-off uploaded PDF with fields placed in the browser."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect
from sqlmodel import select

from tests.core.pdf_helpers import pdfsig, pyhanko_status
from tests.envelope_samples import make_template
from tests.pdf_samples import make_pdf
from workspace.core.db import session_scope
from workspace.core.models import Envelope, OutboxMessage
from workspace.core.pdf import ca
from workspace.core.services.templates import create_package

pytestmark = pytest.mark.browser

SIGNERS = [
    ("Ada Lovelace", "ada@example.com"),
    ("Jane Smith", "jane@company.com"),
    ("Legal Team", "legal@company.com"),
]


def _link_for(email: str) -> str:
    with session_scope() as session:
        messages = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.to_email == email, OutboxMessage.category == "signing")
            .order_by(OutboxMessage.created_at)
        ).all()
    assert messages, f"no invitation for {email}"
    return re.search(r"https?://\S+/sign/[A-Za-z0-9_-]+", messages[-1].text_body).group(0)


def _wait_for_link(email: str, page) -> str:
    for _ in range(50):
        try:
            return _link_for(email)
        except AssertionError:
            page.wait_for_timeout(200)
    return _link_for(email)


def _fill(page, field_id: str, value: str) -> None:
    page.locator(f'[data-field="{field_id}"]').click()
    page.locator("#current-input").fill(value)
    expect(page.locator(f'[data-field="{field_id}"]')).to_contain_text(value)


def _draw_by_touch(page) -> None:
    """Real touch events (as a phone sends them) on the signature canvas."""
    canvas = page.locator("#signature-pad")
    expect(canvas).to_be_visible()
    box = canvas.bounding_box()
    cdp = page.context.new_cdp_session(page)
    points = [(box["x"] + 25 + i * 13, box["y"] + 85 + (-1) ** i * 28) for i in range(18)]
    cdp.send(
        "Input.dispatchTouchEvent",
        {"type": "touchStart", "touchPoints": [{"x": points[0][0], "y": points[0][1]}]},
    )
    for x, y in points[1:]:
        cdp.send(
            "Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]}
        )
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def _signature_png() -> bytes:
    image = Image.new("RGB", (420, 140), "white")
    ImageDraw.Draw(image).line(
        [(30, 100), (140, 30), (260, 110), (390, 40)], fill=(10, 20, 90), width=7
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _words(pdf: bytes, page: int) -> list[tuple[str, float, float, float, float]]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "final.pdf"
        path.write_bytes(pdf)
        xml = subprocess.run(
            ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
    return [
        (m[4], float(m[0]), float(m[1]), float(m[2]), float(m[3]))
        for m in re.findall(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)</word>', xml
        )
    ]


def _inside(words, text: str, x: float, y: float, width: float, height: float) -> bool:
    """The word is drawn inside the field's box (points from the top-left, 2 pt slack)."""
    return any(
        word == text
        and x - 2 <= x0
        and x1 <= x + width + 2
        and y - 2 <= y0
        and y1 <= y + height + 2
        for word, x0, y0, x1, y1 in words
    )


def test_send_sign_complete_download_and_verify(
    org, signed_in_page, new_page, live_server, screenshot
):
    make_template(org)
    app = signed_in_page(org)
    app.goto("/envelopes/new")
    expect(app.locator("#signer-name-2")).to_be_visible()
    for index, (name, email) in enumerate(SIGNERS):
        app.locator(f"#signer-name-{index}").fill(name)
        app.locator(f"#signer-email-{index}").fill(email)
    app.locator("#envelope-title").fill("Employment Contract - Ada Lovelace")
    app.locator("#envelope-message").fill("Welcome aboard - please review and sign.")
    screenshot(app, "envelopes-send-desktop")
    app.locator("#send-envelope").click()
    expect(app).to_have_url(re.compile(r"/envelopes/env_\w+/?$"))
    expect(app.get_by_text("Signing invitation emailed to ada@example.com")).to_be_visible()
    screenshot(app, "envelopes-detail-sent-desktop")
    with session_scope() as session:
        envelope = session.exec(select(Envelope).where(Envelope.org_id == org.org_id)).one()
        envelope_id = envelope.id

    # Signer 1 on a phone: consent, fields, a signature drawn with a finger.
    phone = new_page(phone=True)
    phone.goto(_wait_for_link("ada@example.com", phone))
    expect(phone.locator("#consent")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "signing-consent-phone")
    expect(phone.locator("#field-employee_name")).to_have_text("Full name *")  # the sender's label
    expect(phone.locator("#field-department")).to_have_text("Department *")
    phone.locator("#consent").click()
    _fill(phone, "employee_name", "Ada Lovelace")
    _fill(phone, "employee_email", "ada@example.com")
    phone.locator('[data-field="department"]').click()
    phone.locator("#current-select").click()
    phone.get_by_role("option", name="Sales").click()
    expect(phone.locator('[data-field="quota"]')).to_be_visible()  # shown by the condition
    _fill(phone, "quota", "125000")
    phone.locator('[data-field="agree"]').click()
    phone.locator("#current-checkbox").click()
    phone.locator("#next-required").click()
    expect(phone.locator("#current-label")).to_contain_text("Employee signature")
    phone.locator("#open-signature").click()
    _draw_by_touch(phone)
    screenshot(phone, "signing-draw-phone")
    phone.locator("#use-drawn").click()
    expect(phone.locator('[data-field="employee_signature"] img')).to_be_visible()
    screenshot(phone, "signing-ready-phone")
    phone.locator("#finish").click()
    expect(phone.get_by_text("Thank you, you have signed")).to_be_visible()
    screenshot(phone, "signing-thanks-phone")

    # Signer 2 on desktop: initials typed in the handwriting font, signature uploaded.
    desk = new_page()
    desk.goto(_wait_for_link("jane@company.com", desk))
    desk.locator("#consent").click()
    desk.locator('[data-field="employer_initials"]').click()
    desk.locator("#tab-type").click()
    desk.locator("#typed-name").fill("JS")
    expect(desk.locator("#typed-preview")).to_have_text("JS")
    screenshot(desk, "signing-type-desktop")
    desk.locator("#use-typed").click()
    expect(desk.locator('[data-field="employer_initials"] img')).to_be_visible()
    desk.locator('[data-field="employer_signature"]').click()
    desk.locator("#tab-upload").click()
    desk.locator("#signature-upload input[type=file]").set_input_files(
        files=[{"name": "signature.png", "mimeType": "image/png", "buffer": _signature_png()}]
    )
    expect(desk.locator('[data-field="employer_signature"] img')).to_be_visible()
    screenshot(desk, "signing-document-desktop")
    desk.locator("#finish").click()
    expect(desk.get_by_text("Thank you, you have signed")).to_be_visible()

    # Signer 3 opens the link of signer 1 first: already signed.
    early = new_page()
    early.goto(_link_for("ada@example.com"))
    expect(early.get_by_text("Thank you, you have signed")).to_be_visible()

    last = new_page()
    last.goto(_wait_for_link("legal@company.com", last) + "?embedded=yes")
    last.locator("#consent").click()
    last.locator('[data-field="approver_signature"]').click()
    last.locator("#tab-type").click()
    last.locator("#typed-name").fill("Legal Team")
    last.locator("#use-typed").click()
    screenshot(last, "signing-embedded-desktop")
    last.locator("#finish").click()
    download = last.locator("#download-signed")
    expect(download).to_be_visible()
    screenshot(last, "signing-complete-desktop")

    pdf = httpx.get(download.get_attribute("href"), timeout=30).content
    assert pdf.startswith(b"%PDF")
    assert "Signature Validation: Signature is Valid." in pdfsig(pdf)
    status = pyhanko_status(pdf, ca.ca_certificate_pem())
    assert status.intact and status.valid and status.bottom_line
    page_one = _words(pdf, 1)
    assert _inside(page_one, "Ada", 72, 150, 220, 22)
    assert _inside(page_one, "ada@example.com", 320, 150, 220, 22)
    assert _inside(page_one, "Sales", 72, 200, 150, 22)
    assert _inside(page_one, "125000", 320, 200, 120, 22)
    certificate_text = " ".join(w[0] for w in _words(pdf, 3))
    assert envelope_id in certificate_text and "Lovelace" in certificate_text

    app.goto(f"/envelopes/{envelope_id}")
    expect(app.locator("#download-document")).to_be_visible()
    expect(app.get_by_text("All signers signed; document sealed")).to_be_visible()
    screenshot(app, "envelopes-detail-completed-desktop")
    app.goto("/envelopes")
    expect(app.locator(f'[data-envelope="{envelope_id}"]')).to_contain_text("3/3 signed")
    screenshot(app, "envelopes-list-desktop")
    phone_app = signed_in_page(org, phone=True)
    phone_app.goto(f"/envelopes/{envelope_id}")
    expect(phone_app.locator("#download-document")).to_be_visible()
    screenshot(phone_app, "envelopes-detail-phone")


def test_portal_status_pages_and_password(org, new_page, client, screenshot):
    template = make_template(org)
    response = client.post(
        "/api/v1/envelopes",
        headers=org.headers(),
        json={
            "templateId": template,
            "signers": [
                {
                    "name": "Ada",
                    "email": "ada@example.com",
                    "role": "employee",
                    "signingOrder": 1,
                    "password": "open-sesame",
                },
                {
                    "name": "Jane",
                    "email": "jane@company.com",
                    "role": "employer",
                    "signingOrder": 2,
                },
                {
                    "name": "Legal",
                    "email": "legal@company.com",
                    "role": "approver",
                    "signingOrder": 2,
                },
            ],
        },
    ).json()["data"]
    links = ["/sign/" + s["signingUrl"].rsplit("/sign/", 1)[1] for s in response["signers"]]
    page = new_page(phone=True)
    page.goto(links[1])
    expect(page.get_by_text("Not your turn yet")).to_be_visible()
    screenshot(page, "signing-waiting-phone")
    page.goto(links[0])
    expect(page.locator("#password-input")).to_be_visible()
    page.locator("#password-input").fill("wrong")
    page.locator("#password-submit").click()
    expect(page.locator("#verify-error")).to_contain_text("4 tries left")
    screenshot(page, "signing-password-phone")
    page.locator("#password-input").fill("open-sesame")
    page.locator("#password-submit").click()
    expect(page.locator("#consent")).to_be_visible()
    page.locator("#consent").click()
    page.locator("#decline-open").click()
    page.locator("#decline-reason").fill("The start date is wrong")
    page.locator("#decline-submit").click()
    expect(page.get_by_text("You declined to sign")).to_be_visible()
    page.goto(links[2])
    expect(page.get_by_text("This envelope was declined")).to_be_visible()
    page.goto("/sign/not-a-real-token")
    expect(page.get_by_text("This link does not work")).to_be_visible()
    screenshot(page, "signing-invalid-phone")


def _document_shown(page, name: str) -> None:
    """The signer sees the document: its first page image has loaded."""
    image = page.get_by_role("img", name=f"{name} · page 1", exact=False).first
    expect(image).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )


def test_send_a_package_from_the_packages_page(org, signed_in_page, new_page, screenshot):
    contract = make_template(org, roles=("employee", "employer"))
    nda = make_template(org, name="NDA", roles=("employee",))
    with session_scope() as session:
        create_package(
            session, actor=org.actor, name="New Hire Package", template_ids=[contract, nda]
        )
    app = signed_in_page(org)
    app.goto("/templates/packages")
    expect(app.locator(".send-package")).to_be_visible()
    screenshot(app, "packages-send-desktop")
    app.locator(".send-package").click()
    expect(app).to_have_url(re.compile(r"/envelopes/new\?package=pkg_\w+$"))
    expect(app.locator("#package-select")).to_have_text("New Hire Package")
    expect(app.locator("#envelope-title")).to_have_value("New Hire Package")
    for index, (name, email) in enumerate(SIGNERS[:2]):
        app.locator(f"#signer-name-{index}").fill(name)
        app.locator(f"#signer-email-{index}").fill(email)
    app.locator("#envelope-message").fill("Your new hire documents, all in one place.")
    screenshot(app, "envelopes-send-package-desktop")
    app.locator("#send-envelope").click()
    expect(app).to_have_url(re.compile(r"/envelopes/env_\w+/?$"))
    expect(app.get_by_text("Signing invitation emailed to ada@example.com")).to_be_visible()
    with session_scope() as session:
        envelope = session.exec(select(Envelope).where(Envelope.org_id == org.org_id)).one()
    assert envelope.source == "package" and len(envelope.documents) == 2

    signer = new_page(phone=True)
    signer.goto(_wait_for_link("ada@example.com", signer))
    expect(signer.locator("#consent")).to_be_visible()
    signer.locator("#consent").click()
    _document_shown(signer, "Employment Contract")
    expect(signer.get_by_role("img", name="NDA · page 1", exact=False)).to_have_count(1)
    assert signer.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(signer, "signing-package-phone")


def _click_at(page_canvas, x_fraction: float, y_fraction: float) -> None:
    """Click a document page at a spot given as fractions of its size (any zoom)."""
    box = page_canvas.bounding_box()
    page_canvas.click(position={"x": box["width"] * x_fraction, "y": box["height"] * y_fraction})


def test_upload_a_pdf_place_fields_and_send(org, signed_in_page, new_page, tmp_path, screenshot):
    pdf = tmp_path / "Office lease.pdf"
    pdf.write_bytes(make_pdf(2, texts={2: "Signed by the tenant and the landlord"}))
    app = signed_in_page(org)
    app.goto("/envelopes")
    app.locator("#new-envelope").click()
    expect(app.locator("#new-from-package")).to_be_visible()
    screenshot(app, "envelopes-new-menu-desktop")
    app.locator("#new-from-upload").click()
    expect(app).to_have_url(re.compile(r"/envelopes/upload$"))
    screenshot(app, "envelopes-upload-empty-desktop")
    app.locator("input[type=file]").set_input_files(str(pdf))
    expect(app.locator("#uploaded-filename")).to_have_text("Office lease.pdf")
    expect(app.locator("#envelope-title")).to_have_value("Office lease")
    app.locator("#upload-signer-name-0").fill("Ada Lovelace")
    app.locator("#upload-signer-email-0").fill("ada@example.com")
    app.locator("#add-signer").click()
    app.locator("#upload-signer-name-1").fill("Jane Smith")
    app.locator("#upload-signer-email-1").fill("jane@company.com")

    page_two = app.locator("#page-2")
    expect(page_two.locator("img")).to_be_visible()
    app.locator('.placing-for[data-signer="signer_1"]').click()
    _click_at(page_two, 0.25, 0.65)
    expect(app.locator('.field-box[data-role="signer_1"]')).to_have_count(1)
    app.locator('.placing-for[data-signer="signer_2"]').click()
    app.locator("#send-envelope").click()
    expect(app.locator("#send-error")).to_contain_text("Place a signature field for Jane Smith")
    _click_at(page_two, 0.7, 0.65)
    app.locator("#palette-date").click()
    _click_at(page_two, 0.7, 0.72)
    expect(app.locator('.field-box[data-role="signer_2"]')).to_have_count(2)
    app.locator(".placing-for").first.scroll_into_view_if_needed()
    screenshot(app, "envelopes-upload-fields-desktop")
    app.locator("#send-envelope").click()
    expect(app).to_have_url(re.compile(r"/envelopes/env_\w+/?$"))
    expect(app.get_by_text("Uploaded document").first).to_be_visible()
    with session_scope() as session:
        envelope = session.exec(select(Envelope).where(Envelope.org_id == org.org_id)).one()
    fields = envelope.documents[0]["fields"]
    assert sorted((f["role"], f["type"], f["page"]) for f in fields) == [
        ("signer_1", "signature", 2),
        ("signer_2", "date", 2),
        ("signer_2", "signature", 2),
    ]
    ada_signature = next(f for f in fields if f["role"] == "signer_1")
    assert 0 < ada_signature["x"] < 0.5 and 0.5 < ada_signature["y"] < 1

    signer = new_page()
    signer.goto(_wait_for_link("ada@example.com", signer))
    signer.locator("#consent").click()
    _document_shown(signer, "Office lease")
    expect(signer.locator(f'[data-field="{ada_signature["id"]}"]')).to_be_visible()
    screenshot(signer, "signing-uploaded-desktop")


def test_upload_and_send_fits_a_phone(org, signed_in_page, tmp_path, screenshot):
    pdf = tmp_path / "Office lease.pdf"
    pdf.write_bytes(make_pdf(2))
    phone = signed_in_page(org, phone=True)
    phone.goto("/envelopes/upload")
    phone.locator("input[type=file]").set_input_files(str(pdf))
    expect(phone.locator("#uploaded-filename")).to_have_text("Office lease.pdf")
    phone.locator("#upload-signer-name-0").fill("Ada Lovelace")
    phone.locator("#upload-signer-email-0").fill("ada@example.com")
    page_two = phone.locator("#page-2")
    page_two.scroll_into_view_if_needed()
    # The pages open fitted to the panel's width: nothing to pan sideways to reach a spot.
    expect(phone.locator(".zoom-label")).not_to_have_text("90%")
    panel_width = phone.evaluate("document.getElementById('pages-scroller').clientWidth")
    fitted_width = page_two.bounding_box()["width"]
    assert 200 < fitted_width <= panel_width
    _click_at(page_two, 0.3, 0.7)
    expect(phone.locator('.field-box[data-role="signer_1"]')).to_have_count(1)
    # the page never scrolls sideways: only the document panel pans
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "envelopes-upload-fields-phone")
    phone.get_by_role("button", name="Zoom in").click()
    expect(phone.locator(".zoom-label")).to_have_text("50%")
    assert page_two.bounding_box()["width"] > fitted_width
    phone.locator("#send-envelope").click()
    expect(phone).to_have_url(re.compile(r"/envelopes/env_\w+/?$"))
