"""The daily renewals job: compliance items move to expiring_soon inside their renewal window
(default 30 days before the renewal due date or expiration date) and to expired after the
expiration date; each move creates a renewal task and emails the owner and the related
party. Documents past their requirement's `expires_after_days` become expired."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from workspace.core.actor import Actor
from workspace.core.apps import get_app
from workspace.core.clock import now_ms
from workspace.core.config import get_settings
from workspace.core.db import session_scope
from workspace.core.jobs import enqueue, job_handler
from workspace.core.models import AppRecord, RecordDocument, RecordTask
from workspace.core.services import records
from workspace.core.services.mail import send_notice

JOB_KIND = "apps.renewals"
DEFAULT_WINDOW_DAYS = 30
APP_SLUG = "renewals-compliance"
WATCHED = ("pending_documents", "compliant", "renewed", "expiring_soon")


@dataclass
class RenewalRun:
    expiring_soon: int = 0
    expired: int = 0
    documents_expired: int = 0


def schedule_renewals(session: Session, *, at_ms: int | None = None) -> None:
    """Make sure a renewals run is queued for the given day (once per day)."""
    run_at = at_ms if at_ms is not None else now_ms()
    day = run_at // records.DAY_MS
    enqueue(session, kind=JOB_KIND, run_at=run_at, unique_key=f"{JOB_KIND}:{day}")


def _window_ms(record: AppRecord) -> int:
    days = record.details.get("renewalWindowDays") or DEFAULT_WINDOW_DAYS
    return int(days) * records.DAY_MS


def _notify(session: Session, record: AppRecord, *, expired: bool) -> None:
    org = records.organization(session, record.org_id)
    due = records.iso_day(record.expiration_at if expired else record.next_due_at)
    heading = f"“{record.title}” has expired" if expired else f"“{record.title}” is due for renewal"
    paragraph = (
        f"It expired on {due}. Upload the renewed document to stay compliant."
        if expired
        else f"It is due on {due}. Send the renewed document before then."
    )
    recipients = [(u.email, u.name) for u in records.owner_recipients(session, record)]
    if record.party_email:
        recipients.append((record.party_email, record.party_name))
    url = f"{get_settings().public_base_url}/{APP_SLUG}/{record.id}"
    for email, name in dict(recipients).items():
        internal = email != record.party_email
        send_notice(
            session,
            to_email=email,
            to_name=name,
            subject=heading,
            heading=heading,
            paragraphs=[f"Hello {name or 'there'},", paragraph],
            button_label="Open the item" if internal else None,
            button_url=url if internal else None,
            org=org,
            org_id=record.org_id,
            category="renewal",
            deliver=not record.test_mode,
        )


def _renewal_task(session: Session, actor: Actor, record: AppRecord, *, expired: bool) -> None:
    title = ("Renew expired: " if expired else "Renew: ") + record.title
    exists = session.exec(
        select(RecordTask).where(
            RecordTask.record_id == record.id,
            RecordTask.kind == "renewal",
            RecordTask.status == "open",
            RecordTask.title == title,
        )
    ).first()
    if exists is None:
        records.add_task(
            session,
            actor=actor,
            app=get_app(APP_SLUG),
            record=record,
            title=title,
            description="Collect the renewed document and update the dates.",
            due_at=record.next_due_at,
            kind="renewal",
        )


def due_status(record: AppRecord, now: int) -> str | None:
    """The status a watched item's dates call for now (expired / expiring_soon), or None."""
    if record.app_slug != APP_SLUG or record.status not in WATCHED or record.next_due_at is None:
        return None
    if record.expiration_at is not None and record.expiration_at <= now:
        return "expired"
    if record.next_due_at - _window_ms(record) <= now:
        return "expiring_soon"
    return None


def apply_due_status(
    session: Session, record: AppRecord, *, now: int | None = None, reason: str = "renewals check"
) -> str | None:
    """Move one item to the status its dates call for, with the renewal task and the emails;
    the new status, or None when it stays. Run by the daily check, and at once when an item
    is created or its dates change."""
    target = due_status(record, now if now is not None else now_ms())
    if target is None or record.status == target:
        return None
    actor = Actor(org_id=record.org_id, type="system", role="owner", test_mode=record.test_mode)
    records.change_status(
        session, actor=actor, app=get_app(APP_SLUG), record=record, status=target, reason=reason
    )
    _renewal_task(session, actor, record, expired=target == "expired")
    _notify(session, record, expired=target == "expired")
    return target


def run_renewals(session: Session, *, now: int | None = None) -> RenewalRun:
    now = now if now is not None else now_ms()
    result = RenewalRun()
    candidates = session.exec(
        select(AppRecord).where(
            AppRecord.app_slug == APP_SLUG,
            col(AppRecord.status).in_(WATCHED),
            col(AppRecord.next_due_at).is_not(None),
        )
    )
    for record in candidates:
        target = apply_due_status(session, record, now=now)
        if target == "expired":
            result.expired += 1
        elif target == "expiring_soon":
            result.expiring_soon += 1
    stale = session.exec(
        select(RecordDocument, AppRecord)
        .join(AppRecord, col(AppRecord.id) == col(RecordDocument.record_id))
        .where(
            col(RecordDocument.status).in_(("approved", "pending_review")),
            col(RecordDocument.expires_at).is_not(None),
            col(RecordDocument.expires_at) <= now,
        )
    ).all()
    for doc, record in stale:
        actor = Actor(org_id=record.org_id, type="system", role="owner", test_mode=record.test_mode)
        previous = doc.status
        doc.status, doc.reviewed_at, doc.reviewed_by = "expired", now, "system"
        doc.review_reason = "Past its validity period"
        records.after_review(
            session,
            actor=actor,
            app=get_app(record.app_slug),
            record=record,
            doc=doc,
            previous=previous,
        )
        result.documents_expired += 1
    session.flush()
    return result


@job_handler(JOB_KIND)
def renewals_job(_payload: dict) -> None:
    with session_scope() as session:
        run_renewals(session)
        schedule_renewals(session, at_ms=(now_ms() // records.DAY_MS + 1) * records.DAY_MS)
