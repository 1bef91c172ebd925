import re

import pytest
from sqlmodel import select

from workspace.core.actor import Actor
from workspace.core.db import get_engine, session_scope
from workspace.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    Unauthorized,
    ValidationFailed,
)
from workspace.core.ids import hash_token
from workspace.core.models import Invitation, LoginSession, Membership, OutboxMessage, User
from workspace.core.services import accounts


def test_sqlite_runs_in_wal_with_foreign_keys():
    engine = get_engine()
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_sign_up_makes_owner_and_hashes_password(org):
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == org.owner_email)).one()
        membership = session.exec(select(Membership).where(Membership.user_id == user.id)).one()
    assert membership.role == "owner" and membership.org_id == org.org_id
    assert user.password_hash.startswith("scrypt$") and org.owner_password not in user.password_hash


def test_sign_up_rejects_bad_input_and_duplicates(org):
    with session_scope() as session, pytest.raises(ValidationFailed) as bad_email:
        accounts.sign_up(session, email="nope", password="longenough", name="", org_name="X")
    assert bad_email.value.field == "email"
    with session_scope() as session, pytest.raises(ValidationFailed, match="8 characters"):
        accounts.sign_up(session, email="a@b.co", password="short", name="", org_name="X")
    with session_scope() as session, pytest.raises(Conflict):
        accounts.sign_up(
            session, email=org.owner_email.upper(), password="longenough", name="", org_name="X"
        )


def test_log_in_opens_a_session_and_log_out_ends_it(org):
    with session_scope() as session:
        signed = accounts.log_in(session, email=org.owner_email, password=org.owner_password)
    with session_scope() as session:
        actor = accounts.resolve_session(session, token=signed.token)
        assert actor is not None and actor.org_id == org.org_id and actor.role == "owner"
        stored = session.exec(select(LoginSession)).all()
        assert all(row.token_hash != signed.token for row in stored)  # only the hash is stored
        accounts.log_out(session, token=signed.token)
    with session_scope() as session:
        assert accounts.resolve_session(session, token=signed.token) is None


def test_login_is_throttled_after_repeated_failures(org):
    for _ in range(5):
        with session_scope() as session, pytest.raises(Unauthorized):
            accounts.log_in(session, email=org.owner_email, password="wrong-password")
    with session_scope() as session, pytest.raises(RateLimited):
        accounts.log_in(session, email=org.owner_email, password=org.owner_password)
    with session_scope() as session:  # a password reset lifts the lock
        accounts.request_password_reset(session, email=org.owner_email)
        mail = session.exec(select(OutboxMessage)).one()
    token = re.search(r"reset-password\?token=([\w-]+)", mail.text_body).group(1)
    with session_scope() as session:
        accounts.reset_password(session, token=token, new_password="after-the-lock")
    with session_scope() as session:
        assert accounts.log_in(session, email=org.owner_email, password="after-the-lock").token


def test_password_of_spaces_is_refused():
    with session_scope() as session, pytest.raises(ValidationFailed, match="only spaces"):
        accounts.sign_up(session, email="s@b.co", password=" " * 9, name="", org_name="X")


def test_password_reset_by_emailed_link(org):
    with session_scope() as session:
        accounts.request_password_reset(session, email=org.owner_email)
        accounts.request_password_reset(session, email="nobody@nowhere.test")  # silent
        messages = session.exec(select(OutboxMessage)).all()
    assert len(messages) == 1 and messages[0].to_email == org.owner_email
    token = re.search(r"reset-password\?token=([\w-]+)", messages[0].text_body).group(1)
    with session_scope() as session:
        accounts.reset_password(session, token=token, new_password="brand-new-pass")
    with session_scope() as session, pytest.raises(ValidationFailed):
        accounts.reset_password(session, token=token, new_password="another-pass1")  # used once
    with session_scope() as session:
        assert accounts.log_in(session, email=org.owner_email, password="brand-new-pass").token


def _owner(org) -> Actor:
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == org.owner_email)).one()
    return Actor(org_id=org.org_id, type="user", user_id=user.id, email=user.email, role="owner")


def test_invite_member_with_role_and_accept(org):
    owner = _owner(org)
    with session_scope() as session:
        accounts.invite_member(session, actor=owner, email="fin@acme.test", role="finance")
        mail = session.exec(
            select(OutboxMessage).where(OutboxMessage.to_email == "fin@acme.test")
        ).one()
    token = re.search(r"accept-invite\?token=([\w-]+)", mail.text_body).group(1)
    with session_scope() as session:
        signed = accounts.accept_invitation(
            session, token=token, name="Fin", password="finance-pass"
        )
    assert signed.role == "finance" and signed.org.id == org.org_id
    with session_scope() as session:
        roles = {m.email: m.role for m in accounts.list_members(session, actor=owner)}
    assert roles == {org.owner_email: "owner", "fin@acme.test": "finance"}
    finance = Actor(org_id=org.org_id, type="user", user_id=signed.user.id, role="finance")
    with session_scope() as session, pytest.raises(Forbidden):
        accounts.invite_member(session, actor=finance, email="x@acme.test", role="member")
    with session_scope() as session, pytest.raises(ValidationFailed):
        accounts.invite_member(session, actor=owner, email="y@acme.test", role="emperor")


def test_members_are_scoped_by_organization(org, other_org):
    owner = _owner(org)
    other_owner = _owner(other_org)
    with session_scope() as session:
        members = accounts.list_members(session, actor=owner)
        other_members = accounts.list_members(session, actor=other_owner)
    assert [m.email for m in members] == [org.owner_email]
    with session_scope() as session, pytest.raises(NotFound):
        accounts.change_member_role(
            session, actor=owner, membership_id=other_members[0].membership_id, role="member"
        )


def test_last_owner_cannot_be_demoted(org):
    owner = _owner(org)
    with session_scope() as session:
        me = accounts.list_members(session, actor=owner)[0]
    with session_scope() as session, pytest.raises(Conflict):
        accounts.change_member_role(
            session, actor=owner, membership_id=me.membership_id, role="admin"
        )


def test_organization_profile_stores_markup_as_text(org):
    owner = _owner(org)
    with session_scope() as session:
        updated = accounts.update_organization(
            session, actor=owner, name="<script>x</script>'; DROP", brand_color="#112233"
        )
    assert updated.name == "<script>x</script>'; DROP"
    with session_scope() as session, pytest.raises(ValidationFailed):
        accounts.update_organization(session, actor=owner, brand_color="red")


def test_inviting_again_replaces_the_pending_invitation_and_a_second_link_signs_in(org):
    owner = _owner(org)

    def invite(role: str) -> str:
        with session_scope() as session:
            accounts.invite_member(session, actor=owner, email="dup@acme.test", role=role)
            mails = session.exec(
                select(OutboxMessage).where(OutboxMessage.to_email == "dup@acme.test")
            ).all()
        return re.search(r"accept-invite\?token=([\w-]+)", mails[-1].text_body).group(1)

    first, second = invite("member"), invite("admin")
    with session_scope() as session:
        assert [i.role for i in accounts.list_pending_invitations(session, actor=owner)] == [
            "admin"
        ]
        with pytest.raises(NotFound):
            accounts.invitation_for_token(session, token=first)
        # a copy of the pending invitation, as two invitations sent before this rule left
        pending = accounts.invitation_for_token(session, token=second)[0]
        session.add(
            Invitation(
                org_id=org.org_id,
                email="dup@acme.test",
                role="member",
                token_hash=hash_token("older-link"),
                invited_by=owner.user_id,
                expires_at=pending.expires_at,
            )
        )
    with session_scope() as session:
        joined = accounts.accept_invitation(session, token=second, name="D", password="dup-pass-1")
    with session_scope() as session:
        again = accounts.accept_invitation(
            session, token="older-link", name="D", password="dup-pass-1"
        )
    assert joined.role == again.role == "admin" and again.org.id == org.org_id
    with session_scope() as session:
        members = [m.email for m in accounts.list_members(session, actor=owner)]
    assert members.count("dup@acme.test") == 1


def test_operator_prints_a_reset_link_for_an_install_without_email(org, capsys):
    from workspace.cli import main

    assert main(["reset-link", "--email", org.owner_email.upper()]) == 0
    url = capsys.readouterr().out.strip()
    assert url.startswith("http") and "/reset-password?token=" in url
    with session_scope() as session:
        accounts.reset_password(session, token=url.split("token=")[1], new_password="from-the-cli")
        assert not session.exec(select(OutboxMessage)).all()  # nothing was emailed
    with session_scope() as session:
        assert accounts.log_in(session, email=org.owner_email, password="from-the-cli").token
    assert main(["reset-link", "--email", "nobody@nowhere.test"]) == 1
    assert "No account" in capsys.readouterr().err
