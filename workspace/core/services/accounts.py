"""Sign-up, log-in, sessions, password reset, members and invitations, organization profile."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from workspace.core.actor import Actor
from workspace.core.clock import now_ms
from workspace.core.config import get_settings
from workspace.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    Unauthorized,
    ValidationFailed,
)
from workspace.core.ids import hash_token, new_token
from workspace.core.models import (
    Invitation,
    LoginAttempt,
    LoginSession,
    Membership,
    Organization,
    PasswordReset,
    User,
)
from workspace.core.models.accounts import ROLES
from workspace.core.money import currency
from workspace.core.passwords import hash_password, verify_password
from workspace.core.services.audit import record_audit
from workspace.core.services.mail import send_notice
from workspace.core.validation import check_password, clean_email, clean_text

SESSION_TTL_MS = 14 * 24 * 3600 * 1000
RESET_TTL_MS = 3600 * 1000
INVITE_TTL_MS = 7 * 24 * 3600 * 1000
THROTTLE_WINDOW_MS = 15 * 60 * 1000
THROTTLE_MAX_FAILURES = 5

# Verified against a real hash so an unknown email costs the same time as a wrong password.
_DUMMY_HASH = None


@dataclass(frozen=True)
class SignedIn:
    token: str
    user: User
    org: Organization
    role: str


def _actor_for(user: User, org_id: str, role: str) -> Actor:
    return Actor(
        org_id=org_id, type="user", user_id=user.id, email=user.email, name=user.name, role=role
    )


def sign_up(
    session: Session, *, email: str, password: str, name: str, org_name: str
) -> tuple[User, Organization]:
    """Create a user and their organization; the user becomes its owner."""
    email = clean_email(email)
    check_password(password)
    name = clean_text(name, field="name", required=False)
    org_name = clean_text(org_name, field="organizationName")
    if session.exec(select(User).where(User.email == email)).first():
        raise Conflict(
            "An account with this email already exists. Log in instead.", details={"field": "email"}
        )
    user = User(email=email, name=name, password_hash=hash_password(password))
    org = Organization(name=org_name)
    session.add(user)
    session.add(org)
    session.flush()
    session.add(Membership(org_id=org.id, user_id=user.id, role="owner"))
    record_audit(
        session,
        actor=_actor_for(user, org.id, "owner"),
        subject_type="organization",
        subject_id=org.id,
        action="organization_created",
        description=f"Organization created by {email}",
    )
    return user, org


def _recent_failures(session: Session, email: str) -> int:
    since = now_ms() - THROTTLE_WINDOW_MS
    return session.exec(
        select(func.count())
        .select_from(LoginAttempt)
        .where(
            LoginAttempt.email == email,
            col(LoginAttempt.created_at) >= since,
            col(LoginAttempt.succeeded).is_(False),
        )
    ).one()


def log_in(session: Session, *, email: str, password: str, ip: str = "") -> SignedIn:
    """Check the password (throttled per email) and open a session."""
    global _DUMMY_HASH
    email = (email or "").strip().lower()
    if _recent_failures(session, email) >= THROTTLE_MAX_FAILURES:
        raise RateLimited(
            "Too many failed attempts. Wait 15 minutes or reset your password.",
            retry_after=THROTTLE_WINDOW_MS // 1000,
        )
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None:
        _DUMMY_HASH = _DUMMY_HASH or hash_password("not-a-real-password")
        verify_password(password or "", _DUMMY_HASH)
        ok = False
    else:
        ok = verify_password(password or "", user.password_hash)
    session.add(LoginAttempt(email=email, ip=ip[:64], succeeded=ok))
    if not ok or user is None:
        session.commit()
        raise Unauthorized("Email or password is incorrect.")
    membership = session.exec(
        select(Membership).where(Membership.user_id == user.id).order_by(col(Membership.created_at))
    ).first()
    if membership is None:
        raise Forbidden("This account does not belong to any organization.")
    return _open_session(session, user, membership)


def _open_session(session: Session, user: User, membership: Membership) -> SignedIn:
    token = new_token()
    session.add(
        LoginSession(
            token_hash=hash_token(token),
            user_id=user.id,
            org_id=membership.org_id,
            expires_at=now_ms() + SESSION_TTL_MS,
        )
    )
    org = session.get(Organization, membership.org_id)
    assert org is not None
    return SignedIn(token=token, user=user, org=org, role=membership.role)


def resolve_session(session: Session, *, token: str) -> Actor | None:
    """The actor behind a browser session token, or None when it is unknown or expired."""
    if not token:
        return None
    row = session.exec(
        select(LoginSession).where(LoginSession.token_hash == hash_token(token))
    ).first()
    if row is None or row.expires_at < now_ms():
        return None
    user = session.get(User, row.user_id)
    membership = session.exec(
        select(Membership).where(Membership.user_id == row.user_id, Membership.org_id == row.org_id)
    ).first()
    if user is None or membership is None:
        return None
    return _actor_for(user, row.org_id, membership.role)


def log_out(session: Session, *, token: str) -> None:
    row = session.exec(
        select(LoginSession).where(LoginSession.token_hash == hash_token(token))
    ).first()
    if row is not None:
        session.delete(row)


def _new_reset_link(session: Session, user: User) -> str:
    token = new_token()
    session.add(
        PasswordReset(
            user_id=user.id, token_hash=hash_token(token), expires_at=now_ms() + RESET_TTL_MS
        )
    )
    return f"{get_settings().public_base_url}/reset-password?token={token}"


def password_reset_link(session: Session, *, email: str) -> str:
    """A one-hour reset link for the operator to hand over (an install without SMTP, where
    the emailed link only reaches the Mailbox of someone signed in)."""
    user = session.exec(select(User).where(User.email == (email or "").strip().lower())).first()
    if user is None:
        raise NotFound(f"No account with the email {email!r}.")
    return _new_reset_link(session, user)


def request_password_reset(session: Session, *, email: str) -> None:
    """Email a one-hour reset link. Says nothing about whether the email exists."""
    email = (email or "").strip().lower()
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None:
        return
    url = _new_reset_link(session, user)
    membership = session.exec(select(Membership).where(Membership.user_id == user.id)).first()
    org = session.get(Organization, membership.org_id) if membership else None
    send_notice(
        session,
        to_email=user.email,
        to_name=user.name,
        subject="Reset your Workspace password",
        heading="Reset your password",
        paragraphs=[
            "Someone asked to reset the password of your Workspace account.",
            "The link works once and expires in one hour. If it was not you, ignore this email.",
        ],
        button_label="Choose a new password",
        button_url=url,
        org=org,
        org_id=org.id if org else None,
        category="password_reset",
    )


def reset_password(session: Session, *, token: str, new_password: str) -> None:
    check_password(new_password)
    row = session.exec(
        select(PasswordReset).where(PasswordReset.token_hash == hash_token(token or ""))
    ).first()
    if row is None or row.used_at is not None or row.expires_at < now_ms():
        raise ValidationFailed(
            "This reset link is invalid or has expired. Ask for a new one.", field="token"
        )
    user = session.get(User, row.user_id)
    assert user is not None
    user.password_hash = hash_password(new_password)
    row.used_at = now_ms()
    # The reset proves the person controls the email: failed logins no longer lock it.
    for attempt in session.exec(
        select(LoginAttempt).where(
            LoginAttempt.email == user.email, col(LoginAttempt.succeeded).is_(False)
        )
    ):
        session.delete(attempt)
    # Existing sessions end when the password changes.
    for login in session.exec(select(LoginSession).where(LoginSession.user_id == user.id)):
        session.delete(login)


def invite_member(session: Session, *, actor: Actor, email: str, role: str) -> Invitation:
    actor.require_admin()
    email = clean_email(email)
    if role not in ROLES:
        raise ValidationFailed(f"Role must be one of {', '.join(ROLES)}.", field="role", value=role)
    if role == "owner" and actor.role != "owner" and actor.type == "user":
        raise Forbidden("Only an owner can invite another owner.")
    existing = session.exec(
        select(Membership)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(Membership.org_id == actor.org_id, User.email == email)
    ).first()
    if existing:
        raise Conflict("This person is already a member.", details={"field": "email"})
    # Inviting the same email again replaces the pending invitation: one link, the latest role.
    for earlier in session.exec(
        select(Invitation).where(
            Invitation.org_id == actor.org_id,
            Invitation.email == email,
            col(Invitation.accepted_at).is_(None),
        )
    ):
        session.delete(earlier)
    token = new_token()
    invitation = Invitation(
        org_id=actor.org_id,
        email=email,
        role=role,
        token_hash=hash_token(token),
        invited_by=actor.user_id or actor.type,
        expires_at=now_ms() + INVITE_TTL_MS,
    )
    session.add(invitation)
    session.flush()
    org = session.get(Organization, actor.org_id)
    url = f"{get_settings().public_base_url}/accept-invite?token={token}"
    send_notice(
        session,
        to_email=email,
        subject=f"You're invited to {org.name if org else 'Workspace'}",
        heading=f"Join {org.name if org else 'your team'} on Workspace",
        paragraphs=[
            f"{actor.email or 'A colleague'} invited you to join as {role}.",
            "The invitation expires in 7 days.",
        ],
        button_label="Accept invitation",
        button_url=url,
        org=org,
        org_id=actor.org_id,
        category="invitation",
    )
    record_audit(
        session,
        actor=actor,
        subject_type="organization",
        subject_id=actor.org_id,
        action="member_invited",
        description=f"Invited {email} as {role}",
    )
    return invitation


def invitation_for_token(session: Session, *, token: str) -> tuple[Invitation, Organization]:
    row = session.exec(
        select(Invitation).where(Invitation.token_hash == hash_token(token or ""))
    ).first()
    if row is None or row.accepted_at is not None or row.expires_at < now_ms():
        raise NotFound("This invitation is invalid, used or expired.")
    org = session.get(Organization, row.org_id)
    assert org is not None
    return row, org


def accept_invitation(session: Session, *, token: str, name: str, password: str) -> SignedIn:
    """Join the inviting organization, creating the account if needed."""
    invitation, _org = invitation_for_token(session, token=token)
    user = session.exec(select(User).where(User.email == invitation.email)).first()
    if user is None:
        check_password(password)
        user = User(
            email=invitation.email,
            name=clean_text(name, field="name", required=False),
            password_hash=hash_password(password),
        )
        session.add(user)
        session.flush()
    elif not verify_password(password or "", user.password_hash):
        raise Unauthorized("This email already has an account: enter its password to join.")
    invitation.accepted_at = now_ms()
    member = session.exec(
        select(Membership).where(
            Membership.org_id == invitation.org_id, Membership.user_id == user.id
        )
    ).first()
    if member is not None:  # joined already (another invitation): just sign in
        return _open_session(session, user, member)
    membership = Membership(org_id=invitation.org_id, user_id=user.id, role=invitation.role)
    session.add(membership)
    session.flush()
    record_audit(
        session,
        actor=_actor_for(user, invitation.org_id, invitation.role),
        subject_type="organization",
        subject_id=invitation.org_id,
        action="member_joined",
        description=f"{user.email} joined as {invitation.role}",
    )
    return _open_session(session, user, membership)


@dataclass(frozen=True)
class MemberView:
    membership_id: str
    user_id: str
    email: str
    name: str
    role: str
    created_at: int


def list_members(session: Session, *, actor: Actor) -> list[MemberView]:
    rows = session.exec(
        select(Membership, User)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(Membership.org_id == actor.org_id)
        .order_by(col(Membership.created_at))
    )
    return [MemberView(m.id, u.id, u.email, u.name, m.role, m.created_at) for m, u in rows]


def list_pending_invitations(session: Session, *, actor: Actor) -> list[Invitation]:
    return list(
        session.exec(
            select(Invitation)
            .where(
                Invitation.org_id == actor.org_id,
                col(Invitation.accepted_at).is_(None),
                col(Invitation.expires_at) > now_ms(),
            )
            .order_by(col(Invitation.created_at).desc())
        )
    )


def revoke_invitation(session: Session, *, actor: Actor, invitation_id: str) -> Invitation:
    """Withdraw a pending invitation; its link stops working."""
    actor.require_admin()
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.org_id != actor.org_id:
        raise NotFound("Invitation not found.")
    if invitation.accepted_at is not None:
        raise Conflict("This invitation has already been accepted.")
    session.delete(invitation)
    record_audit(
        session,
        actor=actor,
        subject_type="organization",
        subject_id=actor.org_id,
        action="invitation_revoked",
        description=f"Invitation of {invitation.email} withdrawn",
    )
    return invitation


def change_member_role(
    session: Session, *, actor: Actor, membership_id: str, role: str
) -> Membership:
    actor.require_admin()
    if role not in ROLES:
        raise ValidationFailed(f"Role must be one of {', '.join(ROLES)}.", field="role", value=role)
    membership = session.get(Membership, membership_id)
    if membership is None or membership.org_id != actor.org_id:
        raise NotFound("Member not found.")
    if membership.role == "owner" and role != "owner":
        owners = session.exec(
            select(func.count())
            .select_from(Membership)
            .where(Membership.org_id == actor.org_id, Membership.role == "owner")
        ).one()
        if owners <= 1:
            raise Conflict("The organization needs at least one owner.")
    if (
        (role == "owner" or membership.role == "owner")
        and actor.role != "owner"
        and actor.type == "user"
    ):
        raise Forbidden("Only an owner can change an owner's role.")
    membership.role = role
    record_audit(
        session,
        actor=actor,
        subject_type="organization",
        subject_id=actor.org_id,
        action="member_role_changed",
        description=f"Role of {membership.user_id} set to {role}",
    )
    return membership


def remove_member(session: Session, *, actor: Actor, membership_id: str) -> None:
    actor.require_admin()
    membership = session.get(Membership, membership_id)
    if membership is None or membership.org_id != actor.org_id:
        raise NotFound("Member not found.")
    if membership.role == "owner":
        raise Conflict("Change the owner's role before removing them.")
    session.delete(membership)
    for login in session.exec(
        select(LoginSession).where(
            LoginSession.user_id == membership.user_id, LoginSession.org_id == actor.org_id
        )
    ):
        session.delete(login)
    record_audit(
        session,
        actor=actor,
        subject_type="organization",
        subject_id=actor.org_id,
        action="member_removed",
        description=f"Removed {membership.user_id}",
    )


def get_organization(session: Session, *, actor: Actor) -> Organization:
    org = session.get(Organization, actor.org_id)
    if org is None:
        raise NotFound("Organization not found.")
    return org


def update_organization(
    session: Session,
    *,
    actor: Actor,
    name: str | None = None,
    brand_color: str | None = None,
    logo_sha256: str | None = None,
    default_currency: str | None = None,
) -> Organization:
    actor.require_admin()
    org = get_organization(session, actor=actor)
    if name is not None:
        org.name = clean_text(name, field="name")
    if default_currency is not None:
        org.default_currency = currency(default_currency, field="defaultCurrency").code
    if brand_color is not None:
        color = brand_color.strip()
        if not (
            len(color) == 7
            and color.startswith("#")
            and all(c in "0123456789abcdefABCDEF" for c in color[1:])
        ):
            raise ValidationFailed(
                "Brand colour must look like #1a2b3c.", field="brandColor", value=brand_color
            )
        org.brand_color = color
    if logo_sha256 is not None:
        org.logo_sha256 = logo_sha256 or None
    record_audit(
        session,
        actor=actor,
        subject_type="organization",
        subject_id=org.id,
        action="organization_updated",
        description="Organization profile updated",
    )
    return org
