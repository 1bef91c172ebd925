"""Figures for the dashboard, counted from stored rows."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from workspace.core.actor import Actor
from workspace.core.clock import now_ms
from workspace.core.models import ApiKey, Membership, OutboxMessage
from workspace.core.services.accounts import list_pending_invitations

WEEK_MS = 7 * 24 * 3600 * 1000


@dataclass(frozen=True)
class Overview:
    members: int
    pending_invitations: int
    active_api_keys: int
    emails_this_week: int


def _count(session: Session, model, *conditions) -> int:
    return session.exec(select(func.count()).select_from(model).where(*conditions)).one()


def organization_overview(session: Session, *, actor: Actor) -> Overview:
    return Overview(
        members=_count(session, Membership, Membership.org_id == actor.org_id),
        pending_invitations=len(list_pending_invitations(session, actor=actor)),
        active_api_keys=_count(
            session, ApiKey, ApiKey.org_id == actor.org_id, col(ApiKey.revoked_at).is_(None)
        ),
        emails_this_week=_count(
            session,
            OutboxMessage,
            OutboxMessage.org_id == actor.org_id,
            col(OutboxMessage.created_at) >= now_ms() - WEEK_MS,
        ),
    )
