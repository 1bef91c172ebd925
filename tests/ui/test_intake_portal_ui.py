"""The portal and approver page States: a double tap submits once, a refused submission keeps
what was typed, a closed record shows a closed page, returned documents show their reason,
the organization's brand reaches the page, the approver sees the record's status."""

from sqlmodel import select

from tests.record_samples import approval_links, portal_link, vendor_intake
from workspace.core.db import session_scope
from workspace.core.models import AuditLog, Organization, OutboxMessage
from workspace.core.services import portal, records
from workspace.ui.pages.intake_portal import ApproverState, PortalState, brand_colors

PDF = b"%PDF-1.4\n%%EOF\n"


def _portal_state(monkeypatch, token: str):
    monkeypatch.setattr(PortalState, "_token", lambda self: token)  # normally from the route
    root = PortalState.get_root_state()(_reflex_internal_init=True)
    state = root.get_substate(PortalState.get_full_name().split(".")[1:])
    state.load()
    return state


def _status(org, record_id, status):
    with session_scope() as session:
        records.update_record(
            session, actor=org.actor, app_slug="business-intake", record_id=record_id, status=status
        )


def _submissions() -> tuple[int, int]:
    with session_scope() as session:
        audits = session.exec(select(AuditLog).where(AuditLog.action == "portal_submitted")).all()
        mails = session.exec(
            select(OutboxMessage).where(OutboxMessage.category == "portal_submitted")
        ).all()
        return len(audits), len(mails)


def test_a_double_tap_on_submit_records_one_submission(org, monkeypatch):
    record_id = vendor_intake(org)
    _link_id, token = portal_link(org, record_id)
    state = _portal_state(monkeypatch, token)
    form = {"tax_id": "98-7654321", "bank_account": "", "note": "Here you go"}
    cleared = state.submit(form)
    assert state.state == "submitted" and cleared  # the inputs are emptied after success
    assert state.submit(dict(form)) is None
    assert _submissions() == (1, 1)


def test_a_refused_submission_keeps_what_was_typed(org, monkeypatch):
    record_id = vendor_intake(org)
    _link_id, token = portal_link(org, record_id)
    state = _portal_state(monkeypatch, token)
    result = state.submit({"tax_id": "98-7654321", "note": "n" * 2500})
    assert result is None  # no event clears the inputs
    assert state.submit_error == "The note can be at most 2,000 characters."
    assert _submissions() == (0, 0)


def test_a_rejected_intake_shows_a_closed_page(org, monkeypatch):
    record_id = vendor_intake(org)
    _link_id, token = portal_link(org, record_id)
    _status(org, record_id, "rejected")
    state = _portal_state(monkeypatch, token)
    assert state.state == "closed"
    assert state.closed_message.startswith("Acme Inc is no longer collecting documents")


def test_a_returned_document_shows_its_reason_and_the_brand_is_applied(org, monkeypatch):
    record_id = vendor_intake(org)
    _link_id, token = portal_link(org, record_id)
    with session_scope() as session:
        session.get(Organization, org.org_id).brand_color = "#facc15"
        doc = portal.portal_upload(
            session,
            token=token,
            requirement_key="tax_form",
            file_name="w9-signed-final-version.pdf",
            content_type="application/pdf",
            data=PDF,
        )
        records.review_document(
            session,
            actor=org.actor,
            app_slug="business-intake",
            record_id=record_id,
            document_id=doc.id,
            status="rejected",
            reason="The W-9 is not signed.",
        )
    state = _portal_state(monkeypatch, token)
    assert [(u.status, u.reason) for u in state.uploads] == [("rejected", "The W-9 is not signed.")]
    assert (state.brand, state.brand_text) == ("#facc15", "#111827")
    state.choose("tax_form", "W-9 or tax form")
    assert state.upload_kinds == "PDF, JPG, PNG or WebP"


def test_brand_colours_fall_back_and_pick_readable_text():
    assert brand_colors("#4f46e5") == ("#4f46e5", "#ffffff")
    assert brand_colors("red; background:url(x)") == ("#4f46e5", "#ffffff")
    assert brand_colors("#ffffff") == ("#ffffff", "#111827")


def test_the_approver_sees_the_record_status_and_a_closed_record(org, monkeypatch):
    record_id = vendor_intake(org)
    links = approval_links(org, record_id)
    token = links[0].rsplit("/", 1)[1]
    monkeypatch.setattr(ApproverState, "_token", lambda self: token)
    root = ApproverState.get_root_state()(_reflex_internal_init=True)
    state = root.get_substate(ApproverState.get_full_name().split(".")[1:])
    state.load()
    assert state.record_status_label == "Pending documents" and not state.record_closed
    _status(org, record_id, "rejected")
    state.load()
    assert state.record_status_label == "Rejected" and state.record_closed
    state.approve()
    assert "rejected" in state.error
