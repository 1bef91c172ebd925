"""Upload a PDF, place a signature field by drag and drop, move and resize it with the mouse,
reload, and read its geometry back through the API; the same editor on a phone."""

from __future__ import annotations

import base64
import re
import time

import httpx
import pytest
from playwright.sync_api import expect

from tests.pdf_samples import make_pdf

pytestmark = pytest.mark.browser

LETTER_WIDTH_PT = 612  # the sample PDFs' pages


def _box_in_points(page, field, page_element) -> dict[str, float]:
    """The field's box in PDF points, at whatever zoom the page is drawn."""
    box = field.bounding_box()
    origin = page_element.bounding_box()
    px_per_pt = origin["width"] / LETTER_WIDTH_PT
    return {
        "x": (box["x"] - origin["x"]) / px_per_pt,
        "y": (box["y"] - origin["y"]) / px_per_pt,
        "width": box["width"] / px_per_pt,
        "height": box["height"] / px_per_pt,
    }


def _drag(page, locator, dx: float, dy: float, *, corner: bool = False) -> None:
    box = locator.bounding_box()
    if corner:  # react-rnd's bottom-right resize handle
        start_x, start_y = box["x"] + box["width"] - 2, box["y"] + box["height"] - 2
    else:
        start_x, start_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(start_x, start_y)
    page.mouse.down()
    page.mouse.move(start_x + dx, start_y + dy, steps=10)
    page.mouse.up()


def test_place_move_resize_reload_and_read_back(
    signed_in_page, org, live_server, tmp_path, screenshot
):
    pdf = tmp_path / "Service agreement.pdf"
    pdf.write_bytes(make_pdf(3, texts={1: "Client: {{client_name}}"}))
    page = signed_in_page(org)
    page.goto("/templates")
    expect(page.get_by_text("No templates yet")).to_be_visible()
    screenshot(page, "templates-list-empty")

    page.locator("input[type=file]").set_input_files(str(pdf))
    expect(page).to_have_url(re.compile(r"/templates/tpl_\w+$"), timeout=30_000)
    template_id = page.url.rsplit("/", 1)[1]
    page_one = page.locator("#page-1")
    expect(page_one.locator("img")).to_be_visible()
    # The pages open fitted to the width of their panel (a letter page is 816 px at 100%).
    expect(page.locator(".zoom-label")).not_to_have_text("100%")
    scroller = page.locator("#pages-scroller").bounding_box()
    drawn = page_one.bounding_box()
    assert (
        scroller["x"] < drawn["x"]
        and drawn["x"] + drawn["width"] < scroller["x"] + scroller["width"]
    )

    page.drag_and_drop("#palette-signature", "#page-1", target_position={"x": 300, "y": 420})
    field = page.locator(".field-box")
    expect(field).to_have_count(1)
    expect(page.locator("#save-status")).to_have_text("Saved")

    geometry = page.locator("#geometry")
    dropped = geometry.inner_text()
    _drag(page, field, 80, 60)
    expect(geometry).not_to_have_text(dropped)
    moved = geometry.inner_text()
    _drag(page, field, 50, 30, corner=True)
    expect(geometry).not_to_have_text(moved)
    expect(page.locator("#save-status")).to_have_text("Saved")
    placed = _box_in_points(page, field, page_one)
    screenshot(page, "template-editor-field-placed")

    page.reload()
    expect(page.locator(".field-box")).to_have_count(1)
    reloaded = _box_in_points(page, page.locator(".field-box"), page.locator("#page-1"))
    for key in placed:
        assert reloaded[key] == pytest.approx(placed[key], abs=1)

    response = httpx.get(
        f"{live_server}/api/v1/templates/{template_id}/fields", headers=org.headers()
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["placeholderKeys"] == ["client_name"]
    [stored] = data["fields"]
    assert (stored["type"], stored["page"], stored["role"]) == ("signature", 1, "signer")
    for key in ("x", "y", "width", "height"):
        assert stored[key] == pytest.approx(placed[key], abs=1), key
    # The drag and the resize changed the default 180 x 48 pt box.
    assert stored["width"] > 200 and stored["height"] > 55


def test_properties_conditions_and_list(signed_in_page, org, live_server, tmp_path, screenshot):
    pdf = tmp_path / "Order form.pdf"
    pdf.write_bytes(make_pdf(2))
    page = signed_in_page(org)
    page.goto("/templates")
    page.locator("input[type=file]").set_input_files(str(pdf))
    expect(page).to_have_url(re.compile(r"/templates/tpl_\w+$"), timeout=30_000)
    template_id = page.url.rsplit("/", 1)[1]

    page.get_by_label("Template name").fill("Order form v2")  # saved without leaving the box
    for _ in range(50):
        if (
            httpx.get(
                f"{live_server}/api/v1/templates/{template_id}", headers=org.headers()
            ).json()["data"]["name"]
            == "Order form v2"
        ):
            break
        time.sleep(0.1)
    page.reload()
    expect(page.get_by_label("Template name")).to_have_value("Order form v2")
    page.locator("#palette-dropdown").click()  # a click places the type on the current page
    expect(page.locator(".field-box")).to_have_count(1)
    page.locator("#palette-text").focus()  # the keyboard places fields too
    page.keyboard.press("Enter")
    expect(page.locator(".field-box")).to_have_count(2)
    page.locator("#field-label").fill("Details")
    page.locator("#field-label").blur()
    page.locator("#add-condition").click()
    expect(page.locator("#save-status")).to_have_text("Saved")
    screenshot(page, "template-editor-conditions")

    fields = httpx.get(
        f"{live_server}/api/v1/templates/{template_id}/fields", headers=org.headers()
    ).json()["data"]["fields"]
    dropdown, text = fields
    assert dropdown["type"] == "dropdown" and len(dropdown["options"]) == 2
    assert text["label"] == "Details"
    assert text["conditions"] == [{"sourceFieldId": dropdown["id"], "operator": "is_not_empty"}]
    assert (text["conditionAction"], text["conditionLogic"]) == ("show", "all")

    # Arrow keys nudge the focused field; Delete removes it.
    page.locator(".field-box").nth(0).click()
    page.keyboard.press("Delete")
    expect(page.locator(".field-box")).to_have_count(1)
    expect(page.locator("#save-status")).to_have_text("Saved")
    fields = httpx.get(
        f"{live_server}/api/v1/templates/{template_id}/fields", headers=org.headers()
    ).json()["data"]["fields"]
    assert [f["label"] for f in fields] == ["Details"] and "conditions" not in fields[0]

    page.goto("/templates")
    expect(page.locator(".template-row")).to_have_count(1)
    expect(page.locator(".template-row")).to_contain_text("2 pages")
    expect(page.locator(".template-row")).to_contain_text("1 field")
    screenshot(page, "templates-list")


def test_the_editor_on_a_phone(signed_in_page, org, live_server, screenshot):
    document = {"data": base64.b64encode(make_pdf(2)).decode(), "filename": "Lease.pdf"}
    created = httpx.post(
        f"{live_server}/api/v1/templates",
        headers=org.headers(),
        json={"name": "Lease", "document": document, "fields": []},
    )
    assert created.status_code == 201, created.text
    template_id = created.json()["data"]["id"]

    phone = signed_in_page(org, phone=True)
    phone.goto(f"/templates/{template_id}")
    page_one = phone.locator("#page-1")
    expect(page_one.locator("img")).to_be_visible()
    expect(phone.locator(".zoom-label")).not_to_have_text("100%")
    drawn = page_one.bounding_box()
    assert drawn["x"] >= 0 and drawn["x"] + drawn["width"] <= 390
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    # No properties until a field is selected: the pages take the room.
    expect(phone.get_by_text("Select a field to edit")).to_be_hidden()
    screenshot(phone, "template-editor-phone")

    phone.locator("#palette-text").tap()
    expect(phone.locator(".field-box")).to_have_count(1)
    expect(phone.locator("#properties")).to_be_visible()
    expect(phone.locator("#save-status")).to_have_text("Saved")
    expect(phone.get_by_text("1 field", exact=True)).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "template-editor-phone-selected")

    phone.get_by_role("button", name="Close the field's properties").tap()
    expect(phone.locator("#properties")).to_be_hidden()

    # A field type tapped while page 2 is in view goes on page 2.
    phone.locator("#page-2").scroll_into_view_if_needed()
    phone.locator("#palette-checkbox").tap()
    expect(phone.locator("#page-2 .field-box")).to_have_count(1)
    expect(phone.locator("#save-status")).to_have_text("Saved")
    fields = httpx.get(
        f"{live_server}/api/v1/templates/{template_id}/fields", headers=org.headers()
    ).json()["data"]["fields"]
    assert [(f["type"], f["page"]) for f in fields] == [("text", 1), ("checkbox", 2)]


def test_clicking_a_small_field_selects_it_without_resizing(
    signed_in_page, org, live_server, tmp_path
):
    pdf = tmp_path / "Checklist.pdf"
    pdf.write_bytes(make_pdf(1))
    page = signed_in_page(org)
    page.goto("/templates")
    page.locator("input[type=file]").set_input_files(str(pdf))
    expect(page).to_have_url(re.compile(r"/templates/tpl_\w+$"), timeout=30_000)
    template_id = page.url.rsplit("/", 1)[1]
    page.locator("#palette-checkbox").click()
    expect(page.locator("#save-status")).to_have_text("Saved")

    def stored() -> dict:
        fields = httpx.get(
            f"{live_server}/api/v1/templates/{template_id}/fields", headers=org.headers()
        ).json()["data"]["fields"]
        return {key: fields[0][key] for key in ("x", "y", "width", "height")}

    before = stored()
    box = page.locator(".field-box").bounding_box()
    assert box["width"] < 30  # checkbox-sized on screen
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("#field-label")).to_be_visible()  # selected
    expect(page.locator("#save-status")).to_have_text("Saved")
    assert stored() == before  # neither resized nor moved by the click
    page.keyboard.press("Delete")  # the field, not a resize handle, has the focus
    expect(page.locator(".field-box")).to_have_count(0)
