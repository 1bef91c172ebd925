"""Figures for the dashboard, counted from stored rows: what needs attention across the
apps, and the workspace itself (members, keys, mail)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from workspace.core.actor import Actor
from workspace.core.clock import now_ms
from workspace.core.models import ApiKey, Membership, OutboxMessage
from workspace.core.services import envelopes, invoices, records
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


@dataclass(frozen=True)
class Attention:
    """What is waiting on someone, in the actor's mode. Money in the currency most invoices
    use (amounts in different currencies are never added)."""

    awaiting_signature: int
    completed_this_week: int
    currency: str
    outstanding_minor: int
    overdue_minor: int
    overdue_invoices: int
    paid_this_month_minor: int
    intakes_to_review: int
    intakes_missing_documents: int
    hires_in_progress: int
    hires_cleared_to_start: int
    renewals_expiring: int
    renewals_expired: int


def needs_attention(session: Session, *, actor: Actor) -> Attention:
    envelope_counts = envelopes.status_counts(session, actor=actor)
    recent = envelopes.activity_since(session, actor=actor, since_ms=now_ms() - WEEK_MS)
    totals = invoices.invoice_totals(session, actor=actor)

    def by_status(app_slug: str) -> dict[str, int]:
        return records.count_by_status(session, actor=actor, app_slug=app_slug)

    intakes = by_status("business-intake")
    hires = by_status("hiring-packets")
    renewals = by_status("renewals-compliance")
    return Attention(
        awaiting_signature=sum(envelope_counts[status] for status in envelopes.ACTIVE),
        completed_this_week=recent["completed"],
        currency=totals["currency"],
        outstanding_minor=totals["outstandingKobo"],
        overdue_minor=totals["overdueKobo"],
        overdue_invoices=totals["counts"]["overdue"],
        paid_this_month_minor=totals["paidThisMonthKobo"],
        intakes_to_review=intakes["pending_review"],
        intakes_missing_documents=intakes["pending_documents"],
        hires_in_progress=hires["draft"] + hires["offer_sent"] + hires["documents_pending"],
        hires_cleared_to_start=hires["cleared_to_start"],
        renewals_expiring=renewals["expiring_soon"],
        renewals_expired=renewals["expired"],
    )
