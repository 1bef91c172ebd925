"""The public signing page's State driven directly, as one browser tab opening signing links:
each link starts afresh, and drafts say so."""

from __future__ import annotations

from reflex.istate.data import RouterData

from tests.envelope_samples import make_template
from workspace.core.clock import now_ms
from workspace.core.db import session_scope
from workspace.core.models import EnvelopeSigner
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
