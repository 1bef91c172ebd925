"""Business-app record pages ignore a double-click: the second event of a create, send or
approve does nothing, whether the first left a dialog closed or just handled the same form."""

from sqlmodel import select

from tests.record_samples import attached_document, portal_link, vendor_intake
from tests.ui.states import record_page
from workspace.core.db import session_scope
from workspace.core.models import Approval, PortalLink, RecordDocument, RecordTask


def _count(model) -> int:
    with session_scope() as session:
        return len(session.exec(select(model)).all())


def test_repeat_of_the_same_inline_form_does_nothing(org):
    state = record_page(org, vendor_intake(org))
    task = {"title": "Call the bank", "description": "", "dueDate": ""}
    state.add_task(task)
    assert state.add_task(task) is None
    assert _count(RecordTask) == 1

    link = {"recipientName": "Sam Lee", "recipientEmail": "sam@example.com", "sendEmail": "on"}
    state.create_link(link)
    state.create_link(link)
    assert _count(PortalLink) == 1

    approval = {"title": "Finance approval", "mode": "sequential", "approvers": "cfo@acme.test"}
    state.request_approval(approval)
    state.request_approval(approval)
    assert _count(Approval) == 1

    # A different task right after is not a repeat.
    state.add_task({"title": "Check insurance", "description": "", "dueDate": ""})
    assert _count(RecordTask) == 2


def test_a_failed_submission_is_not_remembered_as_done(org):
    state = record_page(org, vendor_intake(org))
    approval = {"title": "Finance approval", "mode": "sequential", "approvers": "not-an-email"}
    state.request_approval(approval)
    assert _count(Approval) == 0
    state._refresh()
    assert state._is_repeat(("request_approval", sorted(approval.items()))) is False


def test_approving_twice_decides_one_step(org):
    record_id = vendor_intake(org)
    state = record_page(org, record_id)
    me = org.owner_email
    state.request_approval(
        {"title": "Sign-off", "mode": "sequential", "approvers": f"{me}, ceo@acme.test"}
    )
    approval_id = state.approval_lines[0].approval_id
    assert state.approval_lines[0].can_decide
    state.decide(approval_id, "approved", "")
    assert state.decide(approval_id, "approved", "") is None
    assert [line.status_label for line in state.approval_lines] == ["Approved", "Pending"]


def test_review_dialog_and_document_approval_ignore_a_second_click(org):
    record_id = vendor_intake(org)
    doc_id = attached_document(org, record_id)
    state = record_page(org, record_id)
    state.open_review(doc_id, "needs_revision")
    state.submit_review({"reason": "Unsigned"})
    assert state.review_doc_id == ""
    assert state.submit_review({"reason": "Unsigned"}) is None

    state.approve_document(doc_id)
    assert state.approve_document(doc_id) is None
    with session_scope() as session:
        assert session.get(RecordDocument, doc_id).status == "approved"


def test_revoking_a_portal_link_asks_first_and_runs_once(org):
    record_id = vendor_intake(org)
    link_id, _ = portal_link(org, record_id)
    state = record_page(org, record_id)
    state.ask_revoke(link_id, "Sam Lee")
    assert state.revoke_link_id == link_id and state.revoke_link_label == "Sam Lee"
    state.cancel_revoke(False)  # "Keep link"
    assert state.revoke_link_id == ""
    assert state.revoke_link() is None
    with session_scope() as session:
        assert session.get(PortalLink, link_id).status == "active"

    state.ask_revoke(link_id, "Sam Lee")
    state.revoke_link()
    assert state.revoke_link_id == ""
    assert state.revoke_link() is None  # the second click of a double-click
    with session_scope() as session:
        assert session.get(PortalLink, link_id).status == "revoked"
    assert [link.status for link in state.links] == ["revoked"]


def test_page_load_closes_every_dialog(org):
    state = record_page(org, vendor_intake(org))
    state.review_doc_id, state.reveal_id, state.reveal_label = "doc_1", "vault_1", "Bank"
    state.revoke_link_id, state.revoke_link_label = "portal_1", "Sam"
    state.vault_key, state.vault_error = "bank_account", "Tick to confirm"
    # `load` reads the route; give it the record's own path.
    record_id = state.record_id
    state.router = state.router.__class__.from_router_data(
        {
            "pathname": f"/business-intake/{record_id}",
            "query": {"record_id": record_id},
            "headers": {},
        }
    )
    state.load()
    assert (state.review_doc_id, state.reveal_id, state.revoke_link_id) == ("", "", "")
    assert (state.vault_key, state.vault_error, state.reveal_error) == ("", "", "")
    assert state.found and state.title == "Acme Catering"


def test_refresh_after_an_action_keeps_an_open_dialog(org):
    state = record_page(org, vendor_intake(org))
    state.revoke_link_id = "portal_1"
    state.add_task({"title": "Call the bank", "description": "", "dueDate": ""})
    assert state.revoke_link_id == "portal_1"
