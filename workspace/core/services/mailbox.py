"""The Mailbox page's view of the outbox: who may read which message.

A fresh install without SMTP is used by following links from here, so a message's body
is a credential when it carries a password-reset or invitation link: a reset link is
readable only by the person it was sent to, an invitation only by owners and admins.
"""

from __future__ import annotations

from sqlmodel import Session

from workspace.core.actor import Actor
from workspace.core.errors import Forbidden, ValidationFailed
from workspace.core.models import OutboxMessage
from workspace.core.services.mail import get_outbox_message, list_outbox

STATUSES = ("stored", "queued", "sent", "failed")
MAX_PAGE = 100


def can_read_body(actor: Actor, message: OutboxMessage) -> bool:
    addressed_to_actor = bool(actor.email) and message.to_email == actor.email
    if message.category == "password_reset":
        return addressed_to_actor
    if message.category == "invitation":
        return addressed_to_actor or actor.has_any_role()
    return True


def list_mailbox(
    session: Session,
    *,
    actor: Actor,
    search: str = "",
    status: str = "",
    limit: int = 20,
    offset: int = 0,
) -> tuple[list[OutboxMessage], int]:
    """One page of the organization's outbox, newest first, and the total matching."""
    if status and status not in STATUSES:
        raise ValidationFailed(
            f"Status must be one of {', '.join(STATUSES)}.", field="status", value=status
        )
    return list_outbox(
        session,
        org_id=actor.org_id,
        search=(search or "").strip()[:200],
        status=status,
        limit=max(1, min(limit, MAX_PAGE)),
        offset=max(0, offset),
    )


def read_mailbox_message(session: Session, *, actor: Actor, message_id: str) -> OutboxMessage:
    message = get_outbox_message(session, org_id=actor.org_id, message_id=message_id)
    if not can_read_body(actor, message):
        raise Forbidden("This message carries a private link for its recipient only.")
    return message
