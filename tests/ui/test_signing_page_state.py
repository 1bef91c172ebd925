"""The public signing page's State driven directly, as one browser tab opening signing links:
each link starts afresh, drafts say so, errors on finishing name their field and move the
guide there, consent brings the first field into view, and declining needs a reason."""

from __future__ import annotations

import json

from reflex.event import EventSpec
from reflex.istate.data import RouterData

from tests.envelope_samples import make_template
from workspace.core.clock import now_ms
from workspace.core.db import session_scope
from workspace.core.models import Envelope, EnvelopeSigner
from workspace.core.schemas.envelopes import EnvelopeCreate, SignerIn
from workspace.core.services import envelopes
from workspace.ui.pages.signing import SigningState


def _link(
    org,
    *,
    title: str = "Contract A",
    name: str = "Carol P1",
    email: str = "carol@example.com",
    role: str = "employee",
    pages: int = 2,
    **options,
) -> str:
    """A sent (or draft / scheduled) one-signer envelope; returns the signer's link token."""
    template_id = make_template(org, roles=(role,), pages=pages, name=title)
    with session_scope() as session:
        _, signers = envelopes.create_envelope(
            session,
            actor=org.actor,
            data=EnvelopeCreate(
                template_id=template_id,
                title=title,
                signers=[SignerIn(name=name, email=email, role=role, **options.pop("signer", {}))],
                **options,
            ),
        )
        return envelopes.signing_token(signers[0])


def _tab() -> SigningState:
    root = SigningState.get_root_state()(_reflex_internal_init=True)
    return root.get_substate(SigningState.get_full_name().split(".")[1:])


def _open(state: SigningState, token: str) -> None:
    """What the browser does on /sign/<token>: route to the page and run its on-load."""
    state.parent_state.router = RouterData.from_router_data(
        {
            "pathname": "/sign/[signing_token]",
            "asPath": f"/sign/{token}",
            "query": {"signing_token": token},
            "headers": {"user-agent": "pytest"},
            "ip": "203.0.113.7",
        }
    )
    for _ in state.load() or ():
        pass


def _script(result) -> str:
    """The JavaScript an event returned by a handler runs in the browser."""
    assert isinstance(result, EventSpec), result
    texts = [str(value) for _, value in result.args]
    return " ".join(json.loads(t) if t.startswith('"') else t for t in texts)


def _adopt_typed_signature(state: SigningState, field_id: str, text: str) -> None:
    state.select(field_id)
    state.open_signature()
    state.set_typed_name(text)
    state.use_typed()


def _filled(state: SigningState) -> dict[str, str]:
    return {f["id"]: f["display"] or f["image"] for f in state.fields if f["filled"]}


# --- a fresh start per link ------------------------------------------------------------------


def test_a_second_link_in_the_same_tab_carries_nothing_from_the_first(org):
    link_a = _link(org, title="Contract A", name="Carol P1")
    link_b = _link(org, title="Contract B", name="Carol P2", email="carol2@example.com")
    tab = _tab()
    _open(tab, link_a)
    assert tab.view == "sign" and tab.title == "Contract A"
    tab.agree()
    tab.select("employee_name")
    tab.set_text("Carol One")
    _adopt_typed_signature(tab, "employee_signature", "Carol One")
    assert "employee_signature" in _filled(tab)
    tab.set_decline_open(True)
    tab.set_decline_reason("half typed")

    _open(tab, link_b)

    assert (tab.view, tab.title, tab.signer_name) == ("sign", "Contract B", "Carol P2")
    assert tab.consented is False
    assert tab.typed_name == "" and tab._previews == {} and tab._values == {}
    assert set(_filled(tab)) == {"employee_date"}  # filled in on signing, nothing else
    assert tab.decline_open is False and tab.decline_reason == ""
    assert tab.signature_open is False and tab.finish_error == ""
    assert tab.current_id == tab.fields[0]["id"]
    tab.agree()
    tab.finish()
    assert tab.view == "sign" and "Employee signature" in tab.finish_error
    with session_scope() as session:
        signed = [s.name for s in session.query(EnvelopeSigner).all() if s.status == "signed"]
    assert signed == []


def test_a_bad_link_after_a_good_one_shows_only_that_the_link_does_not_work(org):
    tab = _tab()
    _open(tab, _link(org))
    tab.agree()
    tab.open_signature()
    _open(tab, "bogus")
    assert tab.view == "invalid" and "not valid" in tab.message
    assert (tab.organization, tab.title, tab.signer_name, tab.sender_message) == ("", "", "", "")
    assert tab.pages == [] and tab.fields == [] and tab.current_id == ""
    assert tab.consented is False and tab.signature_open is False


def test_reopening_the_same_link_starts_afresh_but_keeps_the_verification_passed(org):
    link = _link(org, signer={"password": "open-sesame"})
    other = _link(org, title="Contract B", email="dan@example.com")
    tab = _tab()
    _open(tab, link)
    assert tab.view == "verify"
    tab.submit_password({"password": "open-sesame"})
    assert tab.view == "sign"
    tab.agree()
    tab.select("employee_name")
    tab.set_text("Carol")
    _open(tab, link)
    assert tab.view == "sign" and tab._values == {}
    assert tab.consented is True  # given on the server, so it comes back from there
    _open(tab, other)
    _open(tab, link)
    assert tab.view == "verify"  # a verification is not carried across other links


# --- not sent yet ----------------------------------------------------------------------------


def test_a_draft_link_says_it_is_a_draft_and_a_scheduled_one_that_it_is_scheduled(org):
    tab = _tab()
    _open(tab, _link(org, save_as_draft=True))
    assert tab.view == "draft" and tab.title == "Contract A"
    _open(tab, _link(org, title="Later", scheduled_at=now_ms() + 3600_000))
    assert tab.view == "not_sent" and tab.title == "Later"


# --- consent and the first field ---------------------------------------------------------------


def test_agreeing_brings_the_first_field_into_view_when_it_is_further_down(org):
    tab = _tab()
    _open(tab, _link(org, name="Bob", role="approver", pages=3))
    assert [f["page"] for f in tab.fields] == ["0-3"]
    assert tab.current_id == "approver_signature"
    script = _script(tab.agree())
    assert tab.consented is True
    assert '"field-approver_signature"' in script and "scrollIntoView" in script
    assert "'center'" in script  # clear of the sticky header and guide


def test_next_and_previous_move_the_page_to_the_field(org):
    tab = _tab()
    _open(tab, _link(org))
    tab.agree()
    script = _script(tab.step(1))
    assert f'"field-{tab.current_id}"' in script and "scrollIntoView" in script


# --- finishing ---------------------------------------------------------------------------------


def _fill_employee(tab: SigningState, **overrides) -> None:
    values = {"employee_name": "Carol One", "employee_email": "carol@example.com", **overrides}
    for field_id, value in values.items():
        tab.select(field_id)
        tab.set_text(value)
    tab.select("department")
    tab.set_choice("eng")
    tab.select("agree")
    tab.set_checked(True)
    _adopt_typed_signature(tab, "employee_signature", "Carol One")


def test_a_bad_email_on_finishing_is_named_and_the_guide_moves_to_it(org):
    tab = _tab()
    _open(tab, _link(org))
    tab.agree()
    _fill_employee(tab, employee_email="not-an-email")
    tab.select("agree")
    script = _script(tab.finish())
    assert tab.view == "sign"
    assert tab.finish_error == "Email: enter a valid email address."
    assert tab.current_id == "employee_email" and tab.current["label"] == "Email"
    assert '"field-employee_email"' in script


def test_a_message_that_already_names_its_field_is_shown_as_it_is(org):
    tab = _tab()
    _open(tab, _link(org))
    tab.agree()
    _fill_employee(tab)
    tab.select("department")
    tab.set_choice("sales")
    tab.select("quota")
    tab.set_text("lots")
    tab.select("employee_name")
    script = _script(tab.finish())
    assert tab.finish_error == "Sales quota: enter a number."
    assert tab.current_id == "quota" and '"field-quota"' in script


def test_missing_required_fields_move_the_guide_to_the_first(org):
    tab = _tab()
    _open(tab, _link(org))
    tab.agree()
    tab.select("employee_signature")
    script = _script(tab.finish())
    assert tab.finish_error.startswith("Fill in the required fields: Full name, Email")
    assert tab.current_id == "employee_name" and '"field-employee_name"' in script


def test_a_good_finish_signs(org):
    tab = _tab()
    _open(tab, _link(org))
    tab.agree()
    _fill_employee(tab)
    tab.finish()
    assert tab.view == "done" and tab.finish_error == ""


# --- declining ---------------------------------------------------------------------------------


def _envelope_status() -> str:
    with session_scope() as session:
        return session.query(Envelope).one().status


def test_declining_needs_a_reason_in_plain_words(org):
    tab = _tab()
    _open(tab, _link(org))
    tab.set_decline_open(True)
    for reason in ("", "   \n "):
        tab.set_decline_reason(reason)
        assert tab.submit_decline() is None
        assert tab.decline_error == "Give a reason for declining."
        assert tab.decline_open is True and tab.view == "sign"
    tab.set_decline_reason("x" * 1001)
    tab.submit_decline()
    assert tab.decline_error == "The reason can be at most 1000 characters."
    assert _envelope_status() == "viewed"  # opened, not declined
    tab.set_decline_reason("The start date is wrong")
    assert tab.decline_error == ""  # typing clears the message


def test_a_signer_can_decline_without_agreeing_to_sign_electronically(org):
    tab = _tab()
    _open(tab, _link(org))
    assert tab.consented is False
    tab.set_decline_open(True)
    tab.set_decline_reason("  Wrong start date  ")
    tab.submit_decline()
    assert tab.view == "declined_now" and tab.decline_open is False
    with session_scope() as session:
        assert session.query(EnvelopeSigner).one().decline_reason == "Wrong start date"
    assert _envelope_status() == "declined"


def test_a_decline_the_server_refuses_is_shown_in_the_dialog(org):
    link = _link(org)
    tab = _tab()
    _open(tab, link)
    with session_scope() as session:
        envelope = session.query(Envelope).one()
        envelope.status = "cancelled"
        session.add(envelope)
    tab.set_decline_open(True)
    tab.set_decline_reason("No longer needed")
    tab.submit_decline()
    assert tab.decline_error == "The sender cancelled this envelope."
    assert tab.view == "sign" and tab.decline_open is True
