"""One envelope's page State driven directly: a signer who waits for earlier signers is not
offered Resend, and the actions ignore a repeat of the click that already did them."""

from sqlmodel import select

from tests.envelope_samples import make_template
from tests.ui.states import signed_in_state
from workspace.core.db import session_scope
from workspace.core.models import Envelope, OutboxMessage
from workspace.core.schemas.envelopes import EnvelopeCreate
from workspace.core.services import envelopes as service
from workspace.ui.pages.envelopes import EnvelopeState


def _sequential(org, *, draft: bool = False) -> str:
    template_id = make_template(org, roles=("employee", "employer"))
    with session_scope() as session:
        envelope, _ = service.create_envelope(
            session,
            actor=org.actor,
            data=EnvelopeCreate(
                template_id=template_id,
                signers=[
                    {"name": "Max", "email": "max@x.test", "role": "employee", "signingOrder": 1},
                    {"name": "Eve", "email": "eve@x.test", "role": "employer", "signingOrder": 2},
                ],
                save_as_draft=draft,
            ),
        )
        return envelope.id


def _page(org, envelope_id, monkeypatch) -> EnvelopeState:
    monkeypatch.setattr(EnvelopeState, "_envelope_id", lambda self: envelope_id)
    state = signed_in_state(EnvelopeState, org)
    state.load()
    return state


def _mail_to(email: str) -> int:
    with session_scope() as session:
        return len(session.exec(select(OutboxMessage).where(OutboxMessage.to_email == email)).all())


def test_a_waiting_signer_is_not_offered_resend_and_says_why(org, monkeypatch):
    state = _page(org, _sequential(org), monkeypatch)
    max_, eve = state.signers
    assert max_["resendable"] == "1"
    assert eve["resendable"] == "" and eve["status"] == "pending"
    assert eve["detail"] == "Invited once Max has signed"
    state.resend(eve["id"])  # a stale page that still showed the button
    assert state.signers[1]["status"] == "pending" and _mail_to("eve@x.test") == 0


def test_repeated_clicks_send_a_draft_and_cancel_once(org, monkeypatch):
    state = _page(org, _sequential(org, draft=True), monkeypatch)
    assert state.send_draft() is not None
    assert state.send_draft() is None  # the repeat finds it sent and does nothing
    assert _mail_to("max@x.test") == 1
    state.set_cancel_open(True)
    assert state.cancel() is not None
    assert state.cancel() is None
    with session_scope() as session:
        assert session.exec(select(Envelope.status)).one() == "cancelled"


def test_a_package_envelope_names_its_roles_as_the_package_does(org, monkeypatch):
    from workspace.core.services import templates as template_service

    contract = make_template(org, roles=("employee", "employer"))
    with session_scope() as session:
        package = template_service.create_package(
            session, actor=org.actor, name="Hire", template_ids=[contract]
        )
        envelope, _ = service.create_envelope(
            session,
            actor=org.actor,
            data=EnvelopeCreate(
                package_id=package.id,
                signers=[
                    {"name": "Ada", "email": "ada@x.test", "role": "Employee"},
                    {"name": "Jo", "email": "jo@x.test", "role": "Employer"},
                ],
            ),
        )
        roles = [s.role for s in service.envelope_signers(session, envelope)]
    assert all(role.startswith("role_") for role in roles)  # stored as the package's role ids
    state = _page(org, envelope.id, monkeypatch)
    assert [s["role_label"] for s in state.signers] == ["Employee", "Employer"]


def test_an_uploaded_documents_numbered_roles_read_as_words():
    envelope = Envelope(documents=[{"fields": [{"role": "signer_2"}, {"role": "witness"}]}])
    with session_scope() as session:
        assert service.role_labels(session, envelope) == {
            "signer_2": "Signer 2",
            "witness": "witness",
        }
