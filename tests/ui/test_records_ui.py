"""Business-app page States driven directly: lists, creation, vault reveal permissions (nothing
secret reaches the state sent to the browser before the reveal is authorised), the portal."""

import json

from sqlmodel import select

from workspace.core.db import session_scope
from workspace.core.models import AuditLog, Membership, User, VaultItem
from workspace.core.passwords import hash_password
from workspace.core.schemas.records import IntakeCreate
from workspace.core.services import accounts, portal, records
from workspace.ui.pages.intake_portal import PortalState
from workspace.ui.pages.record_detail import RecordState
from workspace.ui.pages.records import RecordListState

SECRET = "1234567890"


def _state(cls, token: str | None = None):
    root = cls.get_root_state()(_reflex_internal_init=True)
    state = root.get_substate(cls.get_full_name().split(".")[1:])
    if token is not None:
        state.session_token = token
    return root, state


def _login(email: str, password: str) -> str:
    with session_scope() as session:
        return accounts.log_in(session, email=email, password=password).token


def _add_user(org, email, role):
    with session_scope() as session:
        user = User(email=email, name=role.title(), password_hash=hash_password("their-pass-1"))
        session.add(user)
        session.flush()
        session.add(Membership(org_id=org.org_id, user_id=user.id, role=role))


def _record_with_secret(org) -> str:
    with session_scope() as session:
        record = records.create_intake(
            session,
            actor=org.actor,
            data=IntakeCreate(title="Acme Catering", intakeType="vendor", contactEmail="s@x.io"),
        )
        records.set_vault_field(
            session,
            actor=org.actor,
            app_slug="business-intake",
            record_id=record.id,
            field_key="bank_account",
            value=SECRET,
            label="Bank account",
            access_level="finance",
        )
        return record.id


def _page_state(org, email, password, record_id):
    root, state = _state(RecordState, _login(email, password))
    state.app_slug, state.record_id = "business-intake", record_id
    state._refresh()
    return root, state


def _serialized(root) -> str:
    return json.dumps(root.dict(), default=str)


def test_member_without_access_level_is_refused_and_nothing_leaks(org):
    record_id = _record_with_secret(org)
    _add_user(org, "member@acme.test", "member")
    root, state = _page_state(org, "member@acme.test", "their-pass-1", record_id)
    assert [v.preview for v in state.vault_items] == ["****7890"]
    assert state.vault_items[0].can_reveal is False
    state.open_reveal(state.vault_items[0].id, "Bank account")
    state.reveal({"password": "their-pass-1"})
    assert "can reveal" in state.reveal_error and state.revealed_value == ""
    assert SECRET not in _serialized(root)
    with session_scope() as session:
        denied = session.exec(
            select(AuditLog).where(AuditLog.action == "vault_reveal_denied")
        ).all()
    assert len(denied) == 1 and denied[0].actor_email == "member@acme.test"


def test_finance_reveals_after_the_password_and_hiding_clears_it(org):
    record_id = _record_with_secret(org)
    _add_user(org, "money@acme.test", "finance")
    root, state = _page_state(org, "money@acme.test", "their-pass-1", record_id)
    assert state.vault_items[0].can_reveal is True
    state.open_reveal(state.vault_items[0].id, "Bank account")
    state.reveal({"password": "wrong-password"})
    assert state.reveal_error == "The password is incorrect." and SECRET not in _serialized(root)
    state.reveal({"password": "their-pass-1"})
    assert state.revealed_value == SECRET
    assert any("revealed" in a.description for a in state.activity)
    state.close_reveal()
    assert SECRET not in _serialized(root)


def test_list_state_filters_and_searches(org):
    _record_with_secret(org)
    with session_scope() as session:
        records.create_intake(
            session, actor=org.actor, data=IntakeCreate(title="Bright Legal", intakeType="client")
        )
    _root, state = _state(RecordListState, _login(org.owner_email, org.owner_password))
    state.app_slug = "business-intake"
    state._refresh()
    assert {r.title for r in state.rows} == {"Acme Catering", "Bright Legal"}
    assert state.tabs[0].count == 2
    state.set_search("bright")
    assert [r.title for r in state.rows] == ["Bright Legal"]
    state.set_search("")
    state.set_status_filter("approved")
    assert state.rows == []


def test_portal_state_submits_details_without_keeping_them(org, monkeypatch):
    record_id = _record_with_secret(org)
    with session_scope() as session:
        link = portal.create_portal_link(
            session, actor=org.actor, app_slug="business-intake", record_id=record_id
        )
        token = portal.portal_token(link.id)
    monkeypatch.setattr(PortalState, "_token", lambda self: token)  # normally from the route
    root, state = _state(PortalState)
    state.load()
    assert state.state == "active" and [d.key for d in state.details] == ["tax_id", "bank_account"]
    state.submit({"tax_id": "98-7654321", "note": "Here you go"})
    assert state.state == "submitted"
    assert {d.key: d.preview for d in state.details}["tax_id"] == "****4321"
    assert "98-7654321" not in _serialized(root)
    with session_scope() as session:
        stored = session.exec(select(VaultItem).where(VaultItem.field_key == "tax_id")).one()
        assert records.decrypt_item(stored) == "98-7654321"
