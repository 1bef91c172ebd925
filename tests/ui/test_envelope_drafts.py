"""A draft envelope's page State driven directly: what it says while nothing was sent, signer
changes with their errors shown in the dialog, and sending a draft that has a send time."""

import pytest
from sqlmodel import select

from tests.envelope_samples import make_template
from tests.ui.states import signed_in_state
from workspace.core.clock import now_ms
from workspace.core.db import session_scope
from workspace.core.models import Envelope, EnvelopeSigner, Job
from workspace.core.schemas.envelopes import EnvelopeCreate
from workspace.core.services import envelopes as service
from workspace.ui.pages.envelopes import EnvelopeState

HOUR = 3600 * 1000


@pytest.fixture
def scheduled_draft(org) -> str:
    template_id = make_template(org, roles=("employee",))
    with session_scope() as session:
        envelope, _ = service.create_envelope(
            session,
            actor=org.actor,
            data=EnvelopeCreate(
                template_id=template_id,
                signers=[{"name": "Ada Lovelace", "email": "ada@example.com"}],
                scheduled_at=now_ms() + 48 * HOUR,
                expires_in_hours=7 * 24,
                save_as_draft=True,
            ),
        )
        return envelope.id


def test_a_scheduled_draft_is_explained_edited_and_scheduled(org, scheduled_draft, monkeypatch):
    monkeypatch.setattr(EnvelopeState, "_envelope_id", lambda self: scheduled_draft)
    state = signed_in_state(EnvelopeState, org)
    state.load()
    assert state.is_draft and state.send_label == "Schedule"
    assert "the invitations go out on" in state.draft_note and "7 days" in state.draft_note
    assert state.envelope["expires"] == "7 days after sending"
    assert state.roles == ["employee"]

    state.open_add_signer()
    assert state.signer_form["role"] == "employee" and state.signer_form["order"] == "1"
    state.set_signer_field("name", "Legal Team")
    state.set_signer_field("email", "legal")
    state.save_signer()
    assert state.signer_dialog_open and "email" in state.signer_error.lower()
    state.set_signer_field("email", "legal@company.com")
    state.save_signer()
    assert not state.signer_dialog_open and len(state.signers) == 2

    ada = state.signers[0]["id"]
    state.open_edit_signer(ada)
    state.set_signer_field("email", "ada@company.com")
    state.save_signer()
    with session_scope() as session:
        assert session.get(EnvelopeSigner, ada).email == "ada@company.com"

    state.send_draft()
    with session_scope() as session:
        envelope = session.get(Envelope, scheduled_draft)
        jobs = session.exec(select(Job.kind).where(Job.unique_key.contains(envelope.id))).all()
    assert envelope.status == "scheduled" and service.KIND_SEND in jobs
    assert not state.is_draft and state.send_label == ""
