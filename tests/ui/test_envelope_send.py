"""The Send pages' States driven directly: a package to one signer per package role, and an
uploaded PDF with fields placed per signer (or none, for the default signature lines)."""

import pytest
from sqlmodel import col, select

from tests.envelope_samples import make_template
from tests.pdf_samples import make_pdf
from tests.ui.states import signed_in_state
from workspace.core.db import session_scope
from workspace.core.models import Envelope, EnvelopeSigner, OutboxMessage, PdfDocument
from workspace.core.schemas.templates import TemplateField
from workspace.core.services import templates as template_service
from workspace.ui.pages.envelope_upload import UploadSendState
from workspace.ui.pages.envelopes import SendState


def _envelope(org) -> tuple[Envelope, list[EnvelopeSigner]]:
    with session_scope() as session:
        envelope = session.exec(select(Envelope).where(Envelope.org_id == org.org_id)).one()
        signers = session.exec(
            select(EnvelopeSigner)
            .where(EnvelopeSigner.envelope_id == envelope.id)
            .order_by(col(EnvelopeSigner.signing_order), col(EnvelopeSigner.created_at))
        ).all()
        return envelope, list(signers)


def test_send_a_package_to_a_signer_per_package_role(org):
    contract = make_template(org, roles=("employee", "employer"))
    nda = make_template(org, name="NDA", roles=("employee",))
    with session_scope() as session:
        package = template_service.create_package(
            session, actor=org.actor, name="New Hire Package", template_ids=[contract, nda]
        )
        package_id = package.id
    state = signed_in_state(SendState, org)
    state.load()
    assert state.source == "template" and [p["id"] for p in state.packages] == [package_id]
    state.set_source("package")
    assert state.title == "New Hire Package"
    assert [r["role_label"] for r in state.rows] == ["Employee", "Employer"]
    state.set_row(0, "name", "Ada Lovelace")
    state.set_row(0, "email", "ada@example.com")
    state.set_row(1, "name", "Jane Smith")
    state.set_row(1, "email", "jane@company.com")
    state.set_row(1, "order", "2")
    state.set_message("Welcome aboard")
    result = state.send()
    assert state.error == "" and result is not None
    envelope, signers = _envelope(org)
    assert envelope.package_id == package_id and len(envelope.documents) == 2
    assert envelope.message == "Welcome aboard" and envelope.status == "sent"
    assert [(s.email, s.signing_order) for s in signers] == [
        ("ada@example.com", 1),
        ("jane@company.com", 2),
    ]


def test_a_role_without_a_signer_is_named_and_nothing_is_sent(org):
    make_template(org, roles=("employee", "employer"))
    state = signed_in_state(SendState, org)
    state.load()
    state.set_row(0, "name", "Ada Lovelace")
    state.set_row(0, "email", "ada@example.com")
    state.set_row(1, "order", "first")
    state.send()
    assert state.error == "Signing order must be a whole number."
    state.set_row(1, "order", "1")
    state.send()
    assert state.error == "Enter the name of the employer signer."
    assert state.error_field == "signers[1].name"
    with session_scope() as session:
        assert session.exec(select(Envelope)).all() == []


def _uploaded(org, state: UploadSendState, pages: int = 2) -> None:
    """What the upload handler leaves behind, without the browser's upload request."""
    from workspace.ui.components.field_placement import document_pages

    with session_scope() as session:
        document, _ = template_service.save_document(
            session, actor=org.actor, data=make_pdf(pages), filename="Lease.pdf"
        )
        state._document_id, state.pages = document.id, document_pages(document)
    state.filename, state.title = "Lease.pdf", "Lease"


def test_upload_place_fields_per_signer_and_send(org):
    state = signed_in_state(UploadSendState, org)
    state.load()
    state.send()
    assert state.error == "Upload the PDF to send first."
    _uploaded(org, state)
    state.set_signer(0, "name", "Ada Lovelace")
    state.set_signer(0, "email", "ada@example.com")
    state.add_signer()
    state.set_signer(1, "name", "Jane Smith")
    state.set_signer(1, "email", "jane@company")
    state.send()
    assert state.error == "Enter a valid email address for Jane Smith."
    state.set_signer(1, "email", "jane@company.com")
    state.set_signer(1, "order", "2")
    assert state.current_signer == "signer_2"
    state.set_current_signer("signer_1")
    state.place_at(2, 0.3, 0.8)  # a signature (the default tool) for Ada on page 2
    state.set_tool("date")
    state.place_at(2, 0.7, 0.8)
    state.set_current_signer("signer_2")
    state.place_at(1, 0.5, 0.5)  # only a date for Jane: she needs a signature
    state.send()
    assert state.error.startswith("Place a signature field for Jane Smith")
    state.set_tool("signature")
    state.drop_field(1, "initials", 0.9, 0.95)
    box = state.page_views[0].fields[-1]
    state.move_field(box.id, 10, 20)
    moved = state.fields[-1]
    assert moved["x"] == 10 / state.page_views[0].width and moved["role"] == "signer_2"
    result = state.send()
    assert state.error == "" and result is not None

    envelope, signers = _envelope(org)
    assert envelope.source == "document" and envelope.title == "Lease"
    fields = envelope.documents[0]["fields"]
    assert sorted((f["role"], f["type"], f["page"]) for f in fields) == [
        ("signer_1", "date", 2),
        ("signer_1", "signature", 2),
        ("signer_2", "date", 1),
        ("signer_2", "initials", 1),
    ]
    assert [(s.name, s.role, s.status) for s in signers] == [
        ("Ada Lovelace", "signer_1", "sent"),
        ("Jane Smith", "signer_2", "pending"),
    ]
    with session_scope() as session:
        assert len(session.exec(select(PdfDocument)).all()) == 1  # the upload is reused
        invited = session.exec(
            select(OutboxMessage.to_email).where(OutboxMessage.category == "signing")
        ).all()
    assert invited == ["ada@example.com"]


def test_upload_without_fields_gets_a_signature_line_per_signer(org):
    state = signed_in_state(UploadSendState, org)
    state.load()
    _uploaded(org, state, pages=3)
    state.set_signer(0, "name", "Ada Lovelace")
    state.set_signer(0, "email", "ada@example.com")
    state.add_signer()
    state.set_signer(1, "name", "Jane Smith")
    state.set_signer(1, "email", "jane@company.com")
    state.place_at(1, 0.5, 0.5)  # for Jane, the signer added last
    state.remove_signer("signer_2")  # her fields go with her
    assert state.fields == [] and state.current_signer == "signer_1"
    state.add_signer()
    state.set_signer(1, "name", "Sam Lee")
    state.set_signer(1, "email", "sam@example.com")
    state.send()
    assert state.error == ""
    envelope, signers = _envelope(org)
    fields = envelope.documents[0]["fields"]
    assert [(f["type"], f["role"], f["page"]) for f in fields] == [
        ("signature", "signer_1", 3),
        ("signature", "signer_3", 3),
    ]
    assert [s.role for s in signers] == ["signer_1", "signer_3"]


def test_save_as_draft_sends_nothing(org):
    make_template(org, roles=("employee",))
    state = signed_in_state(SendState, org)
    state.load()
    state.set_row(0, "name", "Ada Lovelace")
    state.set_row(0, "email", "ada@example.com")
    result = state.save_draft()
    assert state.error == "" and result is not None
    envelope, signers = _envelope(org)
    assert envelope.status == "draft" and [s.status for s in signers] == ["pending"]
    with session_scope() as session:
        assert session.exec(select(OutboxMessage)).all() == []


def test_upload_pages_fit_the_panel_and_zoom_in_steps(org):
    state = signed_in_state(UploadSendState, org)
    state.load()
    _uploaded(org, state)
    page = state.page_views[0]
    assert state.zoom_label == "90%"
    state.fit_to_panel(340)  # a phone: letter pages are 816 px wide at 100%
    fitted = state.page_views[0]
    assert fitted.width == pytest.approx(340 - 32, abs=1) and state.zoom_label == "38%"
    assert fitted.height / fitted.width == pytest.approx(page.height / page.width)
    state.place_at(1, 0.5, 0.5)
    box = state.page_views[0].fields[-1]
    state.move_field(box.id, fitted.width / 4, 0)
    assert state.fields[-1]["x"] == pytest.approx(0.25)  # stored as a fraction of the page
    state.fit_to_panel(2000)  # a wide screen: never larger than the default
    assert state.zoom_label == "90%"
    state.fit_to_panel(0)  # unknown width: the default
    assert state.zoom_label == "90%"
    state.zoom_out()
    assert state.zoom_label == "75%"
    state.fit_to_panel(340)
    state.zoom_in()
    assert state.zoom_label == "50%"


def _envelope_count(org) -> int:
    with session_scope() as session:
        return len(session.exec(select(Envelope).where(Envelope.org_id == org.org_id)).all())


def test_a_second_send_from_the_same_form_makes_no_second_envelope(org):
    make_template(org, roles=("employee",))
    state = signed_in_state(SendState, org)
    state.load()
    state.set_row(0, "name", "Ada Lovelace")
    state.set_row(0, "email", "ada@example.com")
    assert state.send() is not None
    assert state.send() is None and state.save_draft() is None  # a repeat of the click
    assert _envelope_count(org) == 1
    with session_scope() as session:
        invited = session.exec(select(OutboxMessage.to_email)).all()
    assert invited == ["ada@example.com"]
    state.load()  # opening the page again starts a new form
    state.set_row(0, "name", "Ada Lovelace")
    state.set_row(0, "email", "ada@example.com")
    assert state.send() is not None and _envelope_count(org) == 2


def test_a_second_send_of_an_uploaded_document_makes_no_second_envelope(org):
    state = signed_in_state(UploadSendState, org)
    state.load()
    _uploaded(org, state)
    state.set_signer(0, "name", "Ada Lovelace")
    state.set_signer(0, "email", "ada@example.com")
    assert state.send() is not None
    assert state.send() is None
    assert _envelope_count(org) == 1


def test_signer_messages_name_the_problem_and_the_signer(org):
    with session_scope() as session:  # a template whose one role is called "signer"
        template_service.create_template(
            session,
            actor=org.actor,
            name="Consent form",
            pdf_data=make_pdf(1),
            filename="consent.pdf",
            fields=[
                TemplateField(
                    id="signature",
                    type="signature",
                    role="signer",
                    page=1,
                    x=72,
                    y=600,
                    width=180,
                    height=48,
                    required=True,
                )
            ],
        )
    state = signed_in_state(SendState, org)
    state.load()
    state.send()
    assert state.error == "Enter the name of the signer."
    state.set_row(0, "name", "Maximilian " + "Verylongname " * 20)
    state.set_row(0, "email", "max@example.com")
    state.send()
    assert state.error == "The name of the signer is too long (at most 200 characters)."
    state.set_row(0, "name", "Max")
    state.set_cc("hr@example.com, notanemail")
    state.send()
    assert state.error == "CC: 'notanemail' is not a valid email address."
    assert state.error_field == "ccRecipients[1].email"
    state.set_cc("")
    state.set_expiry_days("0")
    state.send()
    assert state.error == "Expires after must be 1 to 365 days."
    state.set_expiry_days("30")
    state.set_schedule("2020-01-01T09:00")
    state.send()
    assert state.error == "Schedule the sending at least 5 minutes and at most 30 days ahead."
    assert _envelope_count(org) == 0

    upload = signed_in_state(UploadSendState, org)
    upload.load()
    _uploaded(org, upload)
    upload.set_signer(0, "name", "Maximilian " + "Verylongname " * 20)
    upload.set_signer(0, "email", "max@example.com")
    upload.send()
    assert upload.error == "The name of signer 1 is too long (at most 200 characters)."
