import pytest
from sqlmodel import select

from workspace.core import clock, storage
from workspace.core.actor import Actor
from workspace.core.db import session_scope
from workspace.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    ValidationFailed,
)
from workspace.core.models import Invitation, Organization, OutboxMessage
from workspace.core.services import accounts, branding, mailbox, overview
from workspace.core.services.accounts import list_members
from workspace.core.services.api_keys import create_api_key, revoke_api_key
from workspace.core.services.mail import render_email

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _owner(org) -> Actor:
    with session_scope() as session:
        (member,) = list_members(session, actor=org.actor)
    return Actor(
        org_id=org.org_id, type="user", user_id=member.user_id, email=member.email, role="owner"
    )


def _member(org, email="staff@acme.test", role="member") -> Actor:
    with session_scope() as session:
        accounts.invite_member(session, actor=_owner(org), email=email, role=role)
    with session_scope() as session:
        token = _invite_token(session, email)
    with session_scope() as session:
        signed = accounts.accept_invitation(session, token=token, name="", password="staff-pass-1")
    return Actor(org_id=org.org_id, type="user", user_id=signed.user.id, email=email, role=role)


def _invite_token(session, email):
    message = session.exec(select(OutboxMessage).where(OutboxMessage.to_email == email)).first()
    return message.text_body.split("token=")[1].split()[0]


def test_logo_is_stored_by_hash_served_and_used_in_emails(org):
    with session_scope() as session:
        saved = branding.set_organization_logo(session, actor=_owner(org), data=PNG)
        sha = saved.logo_sha256
    assert storage.get_bytes(sha) == PNG
    with session_scope() as session:
        data, media_type, served_sha = branding.organization_logo(session, org_id=org.org_id)
        org_row = session.get(Organization, org.org_id)
        _text, html = render_email(heading="Hi", paragraphs=["x"], org=org_row)
    assert (data, media_type, served_sha) == (PNG, "image/png", sha)
    assert f'src="http://testserver/files/logo/{org.org_id}?v={sha[:12]}"' in html
    with session_scope() as session:
        branding.remove_organization_logo(session, actor=_owner(org))
    with session_scope() as session, pytest.raises(NotFound):
        branding.organization_logo(session, org_id=org.org_id)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", ValidationFailed),
        (b"<svg onload='alert(1)'></svg>", ValidationFailed),
        (PNG + b"\x00" * branding.MAX_LOGO_BYTES, PayloadTooLarge),
    ],
)
def test_bad_logos_are_refused_and_change_nothing(org, data, error):
    with session_scope() as session, pytest.raises(error):
        branding.set_organization_logo(session, actor=_owner(org), data=data)
    with session_scope() as session:
        assert session.get(Organization, org.org_id).logo_sha256 is None


def test_only_admins_change_the_logo(org):
    staff = _member(org)
    with session_scope() as session, pytest.raises(Forbidden):
        branding.set_organization_logo(session, actor=staff, data=PNG)


def test_logo_media_types():
    assert branding.logo_media_type(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert branding.logo_media_type(b"GIF89a...") == "image/gif"
    assert branding.logo_media_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert branding.logo_media_type(b"%PDF-1.7") is None


def test_revoke_invitation(org, other_org):
    owner = _owner(org)
    with session_scope() as session:
        invitation = accounts.invite_member(session, actor=owner, email="x@acme.test", role="hr")
    with session_scope() as session, pytest.raises(NotFound):
        accounts.revoke_invitation(session, actor=other_org.actor, invitation_id=invitation.id)
    with session_scope() as session:
        accounts.revoke_invitation(session, actor=owner, invitation_id=invitation.id)
    with session_scope() as session:
        assert session.get(Invitation, invitation.id) is None
        assert accounts.list_pending_invitations(session, actor=owner) == []
    _member(org, "joined@acme.test")
    with session_scope() as session:
        accepted = session.exec(
            select(Invitation).where(Invitation.email == "joined@acme.test")
        ).one()
    with session_scope() as session, pytest.raises(Conflict):
        accounts.revoke_invitation(session, actor=owner, invitation_id=accepted.id)


def test_mailbox_pages_searches_and_hides_private_links(org, other_org):
    owner = _owner(org)
    staff = _member(org)
    with session_scope() as session:
        accounts.invite_member(session, actor=owner, email="new@acme.test", role="admin")
        accounts.request_password_reset(session, email=org.owner_email)
    with session_scope() as session:
        rows, total = mailbox.list_mailbox(session, actor=staff, limit=2)
        assert total == 3 and len(rows) == 2  # staff invite, new invite, owner's reset
        _, total = mailbox.list_mailbox(session, actor=owner, search="NEW@acme")
        assert total == 1
        _, total = mailbox.list_mailbox(session, actor=owner, status="sent")
        assert total == 0
        assert mailbox.list_mailbox(session, actor=other_org.actor)[1] == 0
        with pytest.raises(ValidationFailed):
            mailbox.list_mailbox(session, actor=owner, status="bogus")
        by_recipient = {m.to_email: m for m in mailbox.list_mailbox(session, actor=owner)[0]}
    reset, invite = by_recipient[org.owner_email], by_recipient["new@acme.test"]
    own_invite = by_recipient["staff@acme.test"]
    with session_scope() as session:
        assert mailbox.read_mailbox_message(session, actor=owner, message_id=reset.id).id
        assert mailbox.read_mailbox_message(session, actor=owner, message_id=invite.id).id
        with pytest.raises(Forbidden):
            mailbox.read_mailbox_message(session, actor=staff, message_id=reset.id)
        with pytest.raises(Forbidden):
            mailbox.read_mailbox_message(session, actor=staff, message_id=invite.id)
        assert mailbox.read_mailbox_message(session, actor=staff, message_id=own_invite.id).id
        with pytest.raises(NotFound):
            mailbox.read_mailbox_message(session, actor=other_org.actor, message_id=invite.id)


def test_overview_counts_stored_rows(org, other_org):
    owner = _owner(org)
    _member(org)
    with session_scope() as session:
        accounts.invite_member(session, actor=owner, email="later@acme.test", role="member")
        key, _ = create_api_key(session, actor=owner, name="ci")
        revoke_api_key(session, actor=owner, key_id=key.id)
    with session_scope() as session:
        figures = overview.organization_overview(session, actor=owner)
    # org fixture made 2 keys; 2 invitations were emailed
    assert figures == overview.Overview(
        members=2, pending_invitations=1, active_api_keys=2, emails_this_week=2
    )
    with clock.travel(by_ms=8 * 24 * 3600 * 1000), session_scope() as session:
        assert overview.organization_overview(session, actor=owner).emails_this_week == 0
