"""Business-app records: create, update, list with checklist summaries, full view,
documents, tasks, team and the encrypted vault. Shared by Business Intake, Hiring Packets
and Renewals & Compliance (see `core.apps` for what differs between them)."""

from __future__ import annotations

import base64
import binascii
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import bindparam, func, literal, true, union_all
from sqlmodel import Session, col, select

from workspace.core import keyring, storage, validation, vault
from workspace.core.actor import Actor
from workspace.core.apps import (
    ACCESS_LEVELS,
    DOCUMENT_TYPES,
    MAX_DOCUMENT_BYTES,
    TEAM_ROLES,
    VAULT_ACCESS_LEVELS,
    AppDefinition,
    Requirement,
    checklist_for,
    get_app,
    humanize,
)
from workspace.core.clock import now_ms
from workspace.core.db import session_scope, text_search
from workspace.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    ValidationFailed,
)
from workspace.core.models import (
    AppRecord,
    Approval,
    AuditLog,
    Membership,
    Organization,
    PortalLink,
    RecordDocument,
    RecordTask,
    TeamAssignment,
    User,
    VaultItem,
)
from workspace.core.models.records import VaultRevealAttempt
from workspace.core.passwords import verify_password
from workspace.core.services.audit import record_audit
from workspace.core.services.events import emit_event
from workspace.core.validation import check_date_ms, clean_email, clean_phone

DAY_MS = 24 * 3600 * 1000
MAX_LIST = 200
REVIEW_STATUSES = ("approved", "rejected", "expired", "needs_revision")
DOCUMENT_STATUSES = ("pending_review", *REVIEW_STATUSES)
_FIELD_KEY = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
# Wrong passwords a person may type before revealing vault values within the window.
REVEAL_MAX_FAILURES = 5
REVEAL_WINDOW_MS = 15 * 60 * 1000
_TYPE_NAMES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPG",
    "image/png": "PNG",
    "image/webp": "WebP",
    "text/plain": "text",
    "text/csv": "CSV",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (.docx)",
    "application/msword": "Word (.doc)",
}
# How each input is named in messages shown to people (the API also gets details.field).
FIELD_LABELS = {
    "title": "the title",
    "relatedParty.name": "the contact's name",
    "relatedParty.email": "the contact's email",
    "relatedParty.phone": "the contact's phone number",
    "relatedParty.company": "the company name",
    "contactName": "the contact's name",
    "contactPhone": "the contact's phone number",
    "companyName": "the company name",
    "candidateName": "the candidate's name",
    "candidatePhone": "the candidate's phone number",
    "relatedPartyName": "the related party's name",
    "label": "the label",
    "description": "the description",
    "reason": "the reason",
    "note": "the note",
    "comment": "the comment",
    "document.filename": "the file name",
    "recipientName": "the recipient's name",
    "recipientPhone": "the recipient's phone number",
    "value": "the value",
}
_MAGIC = {
    "application/pdf": (b"%PDF",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/webp": (b"RIFF",),
}


# ---------------------------------------------------------------- helpers


def parse_date(value: Any, *, field: str) -> int | None:
    """Epoch ms from an int, an ISO date (`2026-08-01`) or an ISO date-time."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValidationFailed(f"{field} must be a date.", field=field, value=value)
    if isinstance(value, int | float):
        return check_date_ms(int(value), field=field, value=value)
    text = str(value).strip()
    try:
        if len(text) == 10:
            parsed = datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
    except ValueError:
        raise ValidationFailed(
            f"{field} must be a date like 2026-08-01 or epoch milliseconds.",
            field=field,
            value=value,
        ) from None
    return check_date_ms(int(parsed.timestamp() * 1000), field=field, value=value)


def iso_day(ms: int | None) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, tz=UTC).date().isoformat()


def field_label(field: str) -> str:
    """How a message names an input: "the candidate's name" for `candidateName`."""
    if field in FIELD_LABELS:
        return FIELD_LABELS[field]
    last = field.rsplit(".", 1)[-1]
    return "the " + re.sub(r"(?<!^)(?=[A-Z])", " ", last).lower()


def clean_text(
    value: str | None, *, field: str, max_length: int = 200, required: bool = True
) -> str:
    """`validation.clean_text` naming the input as the business apps' messages do."""
    return validation.clean_text(
        value, field=field, max_length=max_length, required=required, label=field_label(field)
    )


def _optional_text(value: str | None, *, field: str, max_length: int = 200) -> str:
    return clean_text(value, field=field, max_length=max_length, required=False)


def day_of(ms: int) -> date:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).date()


def days_between(start_ms: int, end_ms: int) -> int:
    """Calendar days from the day of `start_ms` to the day of `end_ms` (UTC): 1 for tomorrow
    at any hour, negative when `end_ms` falls on an earlier day."""
    return (day_of(end_ms) - day_of(start_ms)).days


def days_left_label(due_ms: int, now: int | None = None) -> str:
    """ "today", "tomorrow", "in 9 days", "1 day overdue", "52 days overdue"."""
    left = days_between(now if now is not None else now_ms(), due_ms)
    if left == 0:
        return "today"
    if left == 1:
        return "tomorrow"
    if left > 1:
        return f"in {left} days"
    return "1 day overdue" if left == -1 else f"{-left} days overdue"


def _optional_email(value: str | None, *, field: str) -> str:
    return clean_email(value, field=field) if value and value.strip() else ""


def actor_label(actor: Actor) -> str:
    return actor.email or actor.type


def load_record(session: Session, *, actor: Actor, app: AppDefinition, record_id: str) -> AppRecord:
    record = session.get(AppRecord, record_id)
    if record is None or record.org_id != actor.org_id or record.app_slug != app.slug:
        raise NotFound(f"{app.label} not found.")
    return record


def record_public(record: AppRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "appSlug": record.app_slug,
        "recordType": record.record_type,
        "title": record.title,
        "status": record.status,
        "metadata": record.details,
        "relatedParty": {
            "name": record.party_name,
            "email": record.party_email,
            "phone": record.party_phone,
            "company": record.party_company,
        },
        "ownerUserId": record.owner_user_id,
        "expirationDate": iso_day(record.expiration_at),
        "renewalDueDate": iso_day(record.renewal_due_at),
        "nextDueAt": record.next_due_at,
        "testMode": record.test_mode,
        "createdAt": record.created_at,
        "updatedAt": record.updated_at,
    }


def audit(
    session: Session,
    *,
    actor: Actor,
    record: AppRecord,
    action: str,
    description: str,
    data: dict[str, Any] | None = None,
    actor_email: str | None = None,
) -> None:
    record_audit(
        session,
        actor=actor,
        subject_type="record",
        subject_id=record.id,
        action=action,
        description=description,
        data=data,
        actor_email=actor_email,
    )


def emit(
    session: Session,
    *,
    actor: Actor,
    app: AppDefinition,
    record: AppRecord,
    generic: str | None,
    specific: str | None,
    data: dict[str, Any] | None = None,
) -> None:
    """The generic `app.*` event and, when the app defines one, its own event."""
    payload = {"appSlug": app.slug, "record": record_public(record), **(data or {})}
    if generic:
        emit_event(session, actor=actor, type=generic, data=payload)
    name = app.events.get(specific or "")
    if name:
        emit_event(session, actor=actor, type=name, data=payload)


def touch(record: AppRecord) -> None:
    record.updated_at = now_ms()


def owner_recipients(session: Session, record: AppRecord) -> list[User]:
    """Who hears about a record: its owner, else the organization's owners."""
    if record.owner_user_id:
        user = session.get(User, record.owner_user_id)
        if user is not None:
            return [user]
    return list(
        session.exec(
            select(User)
            .join(Membership, col(Membership.user_id) == col(User.id))
            .where(Membership.org_id == record.org_id, Membership.role == "owner")
        )
    )


def organization(session: Session, org_id: str) -> Organization:
    org = session.get(Organization, org_id)
    if org is None:
        raise NotFound("Organization not found.")
    return org


def _member_user(session: Session, *, actor: Actor, user_id: str, field: str) -> User:
    row = session.exec(
        select(User)
        .join(Membership, col(Membership.user_id) == col(User.id))
        .where(Membership.org_id == actor.org_id, col(User.id) == user_id)
    ).first()
    if row is None:
        raise ValidationFailed("No workspace member has this user id.", field=field, value=user_id)
    return row


# ---------------------------------------------------------------- create / update


def _set_due_dates(record: AppRecord, expiration_at: int | None, renewal_due_at: int | None):
    if expiration_at is not None and renewal_due_at is not None and renewal_due_at > expiration_at:
        raise ValidationFailed(
            f"The renewal due date ({iso_day(renewal_due_at)}) must be on or before the "
            f"expiration date ({iso_day(expiration_at)}).",
            field="renewalDueDate",
            value=iso_day(renewal_due_at),
        )
    record.expiration_at = expiration_at
    record.renewal_due_at = renewal_due_at
    dates = [d for d in (expiration_at, renewal_due_at) if d is not None]
    record.next_due_at = min(dates) if dates else None


def create_record(
    session: Session,
    *,
    actor: Actor,
    app_slug: str,
    title: str,
    record_type: str | None = None,
    status: str | None = None,
    metadata: dict[str, Any] | None = None,
    party_name: str | None = None,
    party_email: str | None = None,
    party_phone: str | None = None,
    party_company: str | None = None,
    expiration_date: Any = None,
    renewal_due_date: Any = None,
    type_field_name: str = "recordType",
    party_fields: dict[str, str] | None = None,
) -> AppRecord:
    """`party_fields` names the related party's inputs as the app's API spells them
    (`candidateName`…), for the field path of a validation error."""
    app = get_app(app_slug)
    kind = app.record_type_for(record_type, field_name=type_field_name)
    names = {
        "name": "relatedParty.name",
        "email": "relatedParty.email",
        "phone": "relatedParty.phone",
        "company": "relatedParty.company",
        **(party_fields or {}),
    }
    details = dict(metadata or {})
    details[app.type_field] = kind.key
    expiration_at = parse_date(expiration_date, field="expirationDate")
    renewal_due_at = parse_date(renewal_due_date, field="renewalDueDate")
    if expiration_date is not None:
        details["expirationDate"] = iso_day(expiration_at)
    if renewal_due_date is not None:
        details["renewalDueDate"] = iso_day(renewal_due_at)
    record = AppRecord(
        org_id=actor.org_id,
        app_slug=app.slug,
        record_type=kind.record_type,
        title=clean_text(title, field="title", max_length=300),
        status=app.check_status(status) if status else app.initial_status,
        details=details,
        party_name=_optional_text(party_name, field=names["name"]),
        party_email=_optional_email(party_email, field=names["email"]),
        party_phone=_optional_text(party_phone, field=names["phone"], max_length=40),
        party_company=_optional_text(party_company, field=names["company"]),
        owner_user_id=actor.user_id,
        test_mode=actor.test_mode,
    )
    _set_due_dates(record, expiration_at, renewal_due_at)
    session.add(record)
    session.flush()
    audit(
        session,
        actor=actor,
        record=record,
        action="record_created",
        description=f"{app.label} “{record.title}” created ({kind.label})",
    )
    emit(
        session,
        actor=actor,
        app=app,
        record=record,
        generic="app.record.created",
        specific="created",
    )
    if record.next_due_at is not None:
        from workspace.core.services.renewals import apply_due_status, schedule_renewals

        schedule_renewals(session)
        apply_due_status(session, record, reason="already due when created")
    return record


def create_intake(session: Session, *, actor: Actor, data) -> AppRecord:
    """Business Intake create (`IntakeCreate`)."""
    metadata = {
        key: value
        for key, value in {
            "serviceCategory": data.service_category,
            "taxClassification": data.tax_classification,
            "paymentTerms": data.payment_terms,
            "riskLevel": data.risk_level,
            "targetStartDate": data.target_start_date,
            "notes": data.notes,
        }.items()
        if value not in (None, "")
    }
    if data.target_start_date:
        parse_date(data.target_start_date, field="targetStartDate")
    title = data.title or data.company_name or data.contact_name
    if not (title or "").strip():
        raise ValidationFailed("Enter a title or the company name.", field="title")
    return create_record(
        session,
        actor=actor,
        app_slug="business-intake",
        title=title,
        record_type=data.intake_type,
        status=data.status,
        metadata=metadata,
        party_name=data.contact_name,
        party_email=data.contact_email,
        party_phone=data.contact_phone,
        party_company=data.company_name,
        type_field_name="intakeType",
        party_fields={
            "name": "contactName",
            "email": "contactEmail",
            "phone": "contactPhone",
            "company": "companyName",
        },
    )


def create_hiring_packet(session: Session, *, actor: Actor, data) -> AppRecord:
    """Hiring Packet create (`HiringCreate`). With `smsAlerts` the candidate's portal links
    are also texted to `candidatePhone`, which must then be a number in E.164 form."""
    if data.start_date:
        parse_date(data.start_date, field="startDate")
    candidate = clean_text(data.candidate_name, field="candidateName")
    phone = data.candidate_phone
    if data.sms_alerts:
        if not phone:
            raise ValidationFailed(
                "Add the candidate's phone number to send them text messages.",
                field="candidatePhone",
            )
        phone = clean_phone(phone, field="candidatePhone")
    metadata = {
        key: value
        for key, value in {
            "roleTitle": data.role_title,
            "department": data.department,
            "startDate": data.start_date,
            "managerName": data.manager_name,
            "managerEmail": _optional_email(data.manager_email, field="managerEmail") or None,
            "compensation": data.compensation,
            "smsAlerts": data.sms_alerts,
        }.items()
        if value not in (None, "")
    }
    return create_record(
        session,
        actor=actor,
        app_slug="hiring-packets",
        title=data.title or candidate,
        record_type=data.worker_type,
        status=data.status,
        metadata=metadata,
        party_name=candidate,
        party_email=data.candidate_email,
        party_phone=phone,
        type_field_name="workerType",
        party_fields={
            "name": "candidateName",
            "email": "candidateEmail",
            "phone": "candidatePhone",
        },
    )


def create_compliance_item(session: Session, *, actor: Actor, data) -> AppRecord:
    """Renewals & Compliance create (`ComplianceCreate`)."""
    if data.renewal_window_days is not None and not 1 <= data.renewal_window_days <= 365:
        raise ValidationFailed(
            "The renewal window can be 1 to 365 days.",
            field="renewalWindowDays",
            value=data.renewal_window_days,
        )
    metadata = {
        key: value
        for key, value in {
            "issuingAuthority": data.issuing_authority,
            "policyNumber": data.policy_number,
            "renewalWindowDays": data.renewal_window_days,
        }.items()
        if value not in (None, "")
    }
    return create_record(
        session,
        actor=actor,
        app_slug="renewals-compliance",
        title=data.title,
        record_type=data.tracking_type,
        status=data.status,
        metadata=metadata,
        party_name=data.related_party_name,
        party_email=data.related_party_email,
        expiration_date=data.expiration_date,
        renewal_due_date=data.renewal_due_date,
        type_field_name="trackingType",
        party_fields={"name": "relatedPartyName", "email": "relatedPartyEmail"},
    )


def change_status(
    session: Session,
    *,
    actor: Actor,
    app: AppDefinition,
    record: AppRecord,
    status: str,
    reason: str = "",
) -> bool:
    """Move a record to `status` (audited, evented). Returns False when it already was."""
    app.check_status(status)
    if record.status == status:
        return False
    previous = record.status
    record.status = status
    touch(record)
    audit(
        session,
        actor=actor,
        record=record,
        action="status_changed",
        description=f"Status {humanize(previous)} → {humanize(status)}"
        + (f" ({reason})" if reason else ""),
        data={"from": previous, "to": status},
    )
    emit(
        session,
        actor=actor,
        app=app,
        record=record,
        generic="app.record.status_changed",
        specific="status_changed",
        data={"previousStatus": previous},
    )
    return True


UNSET: Any = object()


def update_record(
    session: Session,
    *,
    actor: Actor,
    app_slug: str,
    record_id: str,
    title: str | None = None,
    status: str | None = None,
    metadata: dict[str, Any] | None = None,
    related_party: dict[str, Any] | None = None,
    expiration_date: Any = UNSET,
    renewal_due_date: Any = UNSET,
) -> AppRecord:
    """Partial update: title, metadata (merged), related party fields, due dates, status."""
    app = get_app(app_slug)
    record = load_record(session, actor=actor, app=app, record_id=record_id)
    changed: list[str] = []
    if status is not None:
        app.check_status(status)
    if title is not None:
        record.title = clean_text(title, field="title", max_length=300)
        changed.append("title")
    if metadata:
        protected = {app.type_field}
        record.details = {
            **record.details,
            **{k: v for k, v in metadata.items() if k not in protected},
        }
        changed.append("metadata")
    if related_party:
        if "name" in related_party and related_party["name"] is not None:
            record.party_name = _optional_text(related_party["name"], field="relatedParty.name")
        if "email" in related_party and related_party["email"] is not None:
            record.party_email = _optional_email(related_party["email"], field="relatedParty.email")
        if "phone" in related_party and related_party["phone"] is not None:
            record.party_phone = _optional_text(
                related_party["phone"], field="relatedParty.phone", max_length=40
            )
        if "company" in related_party and related_party["company"] is not None:
            record.party_company = _optional_text(
                related_party["company"], field="relatedParty.company"
            )
        changed.append("relatedParty")
    if expiration_date is not UNSET or renewal_due_date is not UNSET:
        expiration_at = (
            record.expiration_at
            if expiration_date is UNSET
            else parse_date(expiration_date, field="expirationDate")
        )
        renewal_due_at = (
            record.renewal_due_at
            if renewal_due_date is UNSET
            else parse_date(renewal_due_date, field="renewalDueDate")
        )
        _set_due_dates(record, expiration_at, renewal_due_at)
        record.details = {
            **record.details,
            "expirationDate": iso_day(expiration_at),
            "renewalDueDate": iso_day(renewal_due_at),
        }
        changed.append("dates")
        if record.next_due_at is not None:
            from workspace.core.services.renewals import schedule_renewals

            schedule_renewals(session)
    if changed:
        touch(record)
        audit(
            session,
            actor=actor,
            record=record,
            action="record_updated",
            description=f"Updated {', '.join(changed)}",
            data={"fields": changed},
        )
    if status is not None:
        change_status(session, actor=actor, app=app, record=record, status=status)
    if "dates" in changed or (metadata and "renewalWindowDays" in metadata):
        from workspace.core.services.renewals import apply_due_status

        apply_due_status(session, record, reason="already due with the new dates")
    session.flush()
    return record


# ---------------------------------------------------------------- checklist


@dataclass
class ChecklistItem:
    requirement: Requirement
    status: str  # missing | pending_review | approved | rejected | expired | needs_revision
    document_id: str | None = None

    def public(self) -> dict[str, Any]:
        return {
            **self.requirement.public(),
            "requirementKey": self.requirement.key,
            "status": self.status,
            "documentId": self.document_id,
        }


def _document_state(doc_status: str, expires_at: int | None, now: int) -> str:
    if doc_status == "approved" and expires_at is not None and expires_at <= now:
        return "expired"
    return doc_status


def build_checklist(
    requirements: Iterable[Requirement],
    documents: Iterable[tuple[str | None, str, int | None, int, str]],
) -> list[ChecklistItem]:
    """Each requirement's state from its documents (key, status, expires_at, created_at, id):
    approved when any current document is approved, else the latest document's state."""
    now = now_ms()
    by_key: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    for key, status, expires_at, created_at, doc_id in documents:
        if key:
            by_key[key].append((_document_state(status, expires_at, now), created_at, doc_id))
    items = []
    for requirement in requirements:
        docs = sorted(by_key.get(requirement.key, []), key=lambda d: d[1])
        approved = [d for d in docs if d[0] == "approved"]
        if approved:
            items.append(ChecklistItem(requirement, "approved", approved[-1][2]))
        elif docs:
            items.append(ChecklistItem(requirement, docs[-1][0], docs[-1][2]))
        else:
            items.append(ChecklistItem(requirement, "missing"))
    return items


def checklist_summary(items: list[ChecklistItem]) -> dict[str, int]:
    required = [i for i in items if i.requirement.required]
    approved = sum(1 for i in required if i.status == "approved")
    pending = sum(1 for i in required if i.status == "pending_review")
    count = len(required)
    return {
        "requiredCount": count,
        "approvedRequired": approved,
        "pendingReviewRequired": pending,
        "missingRequired": count - approved - pending,
        "completionPercent": round(100 * approved / count) if count else 100,
    }


# The page's record ids are one expanding parameter, so the statements below are built once
# and served from SQLAlchemy's compiled cache.
_PAGE_IDS = bindparam("record_ids", expanding=True)
_DOCUMENTS_QUERY = select(
    RecordDocument.record_id,
    RecordDocument.requirement_key,
    RecordDocument.status,
    RecordDocument.expires_at,
    RecordDocument.created_at,
    RecordDocument.id,
).where(col(RecordDocument.record_id).in_(_PAGE_IDS))


def _documents_for(session: Session, record_ids: list[str]):
    if not record_ids:
        return {}
    grouped: dict[str, list] = defaultdict(list)
    for record_id, *rest in session.execute(_DOCUMENTS_QUERY, {"record_ids": record_ids}):
        grouped[record_id].append(tuple(rest))
    return grouped


COUNTED = (
    ("pendingApprovalCount", Approval, Approval.status == "pending"),
    ("openTaskCount", RecordTask, RecordTask.status == "open"),
    ("teamMemberCount", TeamAssignment, true()),
    ("portalLinkCount", PortalLink, col(PortalLink.status) != "revoked"),
    ("vaultItemCount", VaultItem, true()),
)
_COUNTS_QUERY = union_all(
    *[
        select(literal(name).label("name"), model.record_id, func.count().label("n"))
        .where(col(model.record_id).in_(_PAGE_IDS), condition)
        .group_by(model.record_id)
        for name, model, condition in COUNTED
    ]
)


def _counts(session: Session, record_ids: list[str]) -> dict[str, dict[str, int]]:
    """Every per-record count for a page of records, in one query."""
    counts: dict[str, dict[str, int]] = {
        record_id: {name: 0 for name, _, _ in COUNTED} for record_id in record_ids
    }
    if record_ids:
        for name, record_id, number in session.execute(_COUNTS_QUERY, {"record_ids": record_ids}):
            counts[record_id][name] = number
    return counts


# ---------------------------------------------------------------- lists


@dataclass
class RecordSummary:
    record: AppRecord
    checklist: list[ChecklistItem]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def summary(self) -> dict[str, int]:
        return checklist_summary(self.checklist)

    def public(self, app: AppDefinition, *, key: str | None = None) -> dict[str, Any]:
        return {
            key or app.list_key: record_public(self.record),
            "checklistSummary": self.summary,
            **self.counts,
        }


def _filtered(actor: Actor, app: AppDefinition, status: str | None, search: str | None):
    query = select(AppRecord).where(
        AppRecord.org_id == actor.org_id,
        AppRecord.app_slug == app.slug,
        AppRecord.test_mode == actor.test_mode,
    )
    if status:
        statuses = [s.strip() for s in status.split(",") if s.strip()]
        for value in statuses:
            app.check_status(value)
        query = query.where(col(AppRecord.status).in_(statuses))
    match = text_search(
        search or "",
        AppRecord.title,
        AppRecord.party_name,
        AppRecord.party_email,
        AppRecord.party_company,
    )
    if match is not None:
        query = query.where(match)
    return query


def summaries_for(
    session: Session, app: AppDefinition, records: list[AppRecord]
) -> list[RecordSummary]:
    """Checklist summaries and counts for a page of records in a fixed number of queries."""
    ids = [r.id for r in records]
    documents = _documents_for(session, ids)
    counts = _counts(session, ids)
    result = []
    for record in records:
        items = build_checklist(
            checklist_for(app, record.record_type), documents.get(record.id, [])
        )
        result.append(
            RecordSummary(
                record,
                items,
                counts[record.id],
            )
        )
    return result


def list_records(
    session: Session,
    *,
    actor: Actor,
    app_slug: str,
    status: str | None = None,
    search: str | None = None,
    limit: int = 50,
    offset: int = 0,
    order: str = "created",
) -> list[RecordSummary]:
    app = get_app(app_slug)
    if limit < 1 or limit > MAX_LIST:
        raise ValidationFailed(
            f"limit must be between 1 and {MAX_LIST}.", field="limit", value=limit
        )
    query = _filtered(actor, app, status, search)
    if order == "due":
        query = query.order_by(col(AppRecord.next_due_at).is_(None), col(AppRecord.next_due_at))
    else:
        query = query.order_by(col(AppRecord.created_at).desc(), col(AppRecord.id).desc())
    records = list(session.exec(query.offset(offset).limit(limit)))
    return summaries_for(session, app, records)


def count_by_status(
    session: Session, *, actor: Actor, app_slug: str, search: str | None = None
) -> dict[str, int]:
    app = get_app(app_slug)
    query = _filtered(actor, app, None, search).subquery()
    rows = session.exec(select(query.c.status, func.count()).group_by(query.c.status))
    counts = {status: 0 for status in app.statuses}
    counts.update(dict(rows.all()))
    return counts


def upcoming_due(
    session: Session, *, actor: Actor, app_slug: str, until_ms: int, limit: int = 200
) -> list[AppRecord]:
    """Records with a renewal or expiration date on or before `until_ms` (calendar view)."""
    app = get_app(app_slug)
    return list(
        session.exec(
            select(AppRecord)
            .where(
                AppRecord.org_id == actor.org_id,
                AppRecord.app_slug == app.slug,
                AppRecord.test_mode == actor.test_mode,
                col(AppRecord.next_due_at).is_not(None),
                col(AppRecord.next_due_at) <= until_ms,
                AppRecord.status != "archived",
            )
            .order_by(col(AppRecord.next_due_at))
            .limit(limit)
        )
    )


# ---------------------------------------------------------------- documents


def document_public(doc: RecordDocument, record: AppRecord) -> dict[str, Any]:
    return {
        "id": doc.id,
        "recordId": doc.record_id,
        "entityType": record.record_type,
        "requirementKey": doc.requirement_key,
        "label": doc.label,
        "fileName": doc.file_name,
        "contentType": doc.content_type,
        "sizeBytes": doc.size_bytes,
        "sha256": doc.sha256,
        "status": _document_state(doc.status, doc.expires_at, now_ms()),
        "reviewReason": doc.review_reason,
        "reviewedBy": doc.reviewed_by,
        "reviewedAt": doc.reviewed_at,
        "accessLevel": doc.access_level,
        "isSensitive": doc.is_sensitive,
        "expiresAt": doc.expires_at,
        "uploadedBy": doc.uploaded_by,
        "source": doc.source,
        "createdAt": doc.created_at,
    }


def decode_base64(data: str, *, field: str) -> bytes:
    text = (data or "").strip()
    if text.startswith("data:") and "," in text:
        text = text.split(",", 1)[1]
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed("The file is not valid base64.", field=field) from None


def _check_file(
    data: bytes, content_type: str, requirement: Requirement | None, *, field_prefix: str
) -> str:
    content_type = (content_type or "").split(";")[0].strip().lower()
    accepted = requirement.accepted_types if requirement else DOCUMENT_TYPES
    if content_type not in accepted:
        raise ValidationFailed(
            f"Upload a {file_kinds(accepted)} file.",
            field=f"{field_prefix}contentType",
            value=content_type,
            accepted=list(accepted),
        )
    if not data:
        raise ValidationFailed("The file is empty.", field=f"{field_prefix}data")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise PayloadTooLarge(
            f"Files are limited to {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB.",
            details={"field": f"{field_prefix}data"},
        )
    magic = _MAGIC.get(content_type)
    if magic and not data.startswith(magic):
        raise ValidationFailed(
            f"This file is not a readable {_TYPE_NAMES.get(content_type, content_type)} file.",
            field=f"{field_prefix}data",
        )
    return content_type


def file_kinds(content_types: Iterable[str]) -> str:
    """Accepted file types as people name them: "PDF, JPG, PNG or WebP"."""
    accepted = set(content_types)
    names = [name for kind, name in _TYPE_NAMES.items() if kind in accepted]
    names += sorted(accepted - set(_TYPE_NAMES))
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def access_allowed(actor: Actor, level: str) -> bool:
    if actor.type in ("api", "system"):
        return True
    return (actor.role or "") in ACCESS_LEVELS.get(level, ())


def attach_document(
    session: Session,
    *,
    actor: Actor,
    app_slug: str,
    record_id: str,
    file_name: str,
    content_type: str,
    data: bytes,
    requirement_key: str | None = None,
    label: str | None = None,
    status: str | None = None,
    access_level: str | None = None,
    is_sensitive: bool = False,
    source: str = "api",
) -> RecordDocument:
    app = get_app(app_slug)
    record = load_record(session, actor=actor, app=app, record_id=record_id)
    return attach_to_record(
        session,
        actor=actor,
        app=app,
        record=record,
        file_name=file_name,
        content_type=content_type,
        data=data,
        requirement_key=requirement_key,
        label=label,
        status=status,
        access_level=access_level,
        is_sensitive=is_sensitive,
        source=source,
    )


def attach_to_record(
    session: Session,
    *,
    actor: Actor,
    app: AppDefinition,
    record: AppRecord,
    file_name: str,
    content_type: str,
    data: bytes,
    requirement_key: str | None,
    label: str | None,
    status: str | None,
    access_level: str | None,
    is_sensitive: bool,
    source: str,
) -> RecordDocument:
    requirements = {r.key: r for r in checklist_for(app, record.record_type)}
    requirement = None
    if requirement_key:
        requirement = requirements.get(requirement_key)
        if requirement is None:
            raise ValidationFailed(
                "This document is not on the checklist. Choose one of: "
                + ", ".join(r.label for r in requirements.values())
                + ".",
                field="requirementKey",
                value=requirement_key,
                allowed=list(requirements),
            )
    content_type = _check_file(data, content_type, requirement, field_prefix="document.")
    name = clean_text(file_name, field="document.filename", max_length=255)
    name = re.sub(r"[\\/\x00-\x1f]", "_", name)
    if status is not None and status not in ("pending_review", "approved"):
        raise ValidationFailed(
            "status on upload must be pending_review or approved.", field="status", value=status
        )
    if status == "approved" and actor.type not in ("user", "api", "system"):
        status = "pending_review"
    level = access_level or "general"
    if level not in ACCESS_LEVELS:
        raise ValidationFailed(
            f"accessLevel must be one of {', '.join(ACCESS_LEVELS)}.",
            field="accessLevel",
            value=level,
        )
    now = now_ms()
    doc = RecordDocument(
        org_id=record.org_id,
        record_id=record.id,
        requirement_key=requirement_key or None,
        label=_optional_text(label, field="label") or (requirement.label if requirement else name),
        file_name=name,
        content_type=content_type,
        size_bytes=len(data),
        sha256=storage.put_bytes(data),
        status=status or "pending_review",
        access_level=level,
        is_sensitive=bool(is_sensitive),
        expires_at=(
            now + requirement.expires_after_days * DAY_MS
            if requirement and requirement.expires_after_days
            else None
        ),
        uploaded_by=actor_label(actor),
        source=source,
        created_at=now,
    )
    session.add(doc)
    touch(record)
    session.flush()
    audit(
        session,
        actor=actor,
        record=record,
        action="document_attached",
        description=f"Attached {doc.file_name}"
        + (f" for {requirement.label}" if requirement else ""),
        data={"documentId": doc.id, "requirementKey": doc.requirement_key, "sha256": doc.sha256},
    )
    emit(
        session,
        actor=actor,
        app=app,
        record=record,
        generic="app.document.attached",
        specific="document_attached",
        data={"document": document_public(doc, record)},
    )
    return doc


def _load_document(session: Session, record: AppRecord, document_id: str) -> RecordDocument:
    doc = session.get(RecordDocument, document_id)
    if doc is None or doc.record_id != record.id:
        raise NotFound("Document not found.")
    return doc


def review_document(
    session: Session,
    *,
    actor: Actor,
    app_slug: str,
    record_id: str,
    document_id: str,
    status: str,
    reason: str | None = None,
) -> RecordDocument:
    """Approve, reject (with a reason), mark expired or request a revision."""
    app = get_app(app_slug)
    record = load_record(session, actor=actor, app=app, record_id=record_id)
    doc = _load_document(session, record, document_id)
    if status not in REVIEW_STATUSES:
        raise ValidationFailed(
            f"status must be one of {', '.join(REVIEW_STATUSES)}.", field="status", value=status
        )
    reason = _optional_text(reason, field="reason", max_length=2000)
    if status in ("rejected", "needs_revision") and not reason:
        raise ValidationFailed("Give a reason so the sender knows what to fix.", field="reason")
    if not access_allowed(actor, doc.access_level):
        raise Forbidden("Your role cannot review documents at this access level.")
    previous = doc.status
    doc.status = status
    doc.review_reason = reason
    doc.reviewed_by = actor_label(actor)
    doc.reviewed_at = now_ms()
    if status == "expired" and (doc.expires_at is None or doc.expires_at > doc.reviewed_at):
        doc.expires_at = doc.reviewed_at
    touch(record)
    session.flush()
    after_review(session, actor=actor, app=app, record=record, doc=doc, previous=previous)
    if doc.source == "portal" and status in ("rejected", "needs_revision"):
        from workspace.core.services.portal import notify_document_returned

        notify_document_returned(session, record=record, doc=doc)
    return doc


def after_review(
    session: Session,
    *,
    actor: Actor,
    app: AppDefinition,
    record: AppRecord,
    doc: RecordDocument,
    previous: str,
) -> None:
    audit(
        session,
        actor=actor,
        record=record,
        action="document_reviewed",
        description=f"{doc.file_name}: {previous} → {doc.status}"
        + (f" ({doc.review_reason})" if doc.review_reason else ""),
        data={"documentId": doc.id, "from": previous, "to": doc.status},
    )
    emit(
        session,
        actor=actor,
        app=app,
        record=record,
        generic="app.document.reviewed",
        specific="document_reviewed",
        data={"document": document_public(doc, record)},
    )
    if doc.status == "approved" and app.slug == "renewals-compliance":
        summary = checklist_summary(record_checklist(session, app, record))
        if summary["missingRequired"] == 0 and summary["pendingReviewRequired"] == 0:
            target = "compliant" if record.status == "pending_documents" else None
            if target:
                change_status(
                    session,
                    actor=actor,
                    app=app,
                    record=record,
                    status=target,
                    reason="all required documents approved",
                )


def record_checklist(
    session: Session, app: AppDefinition, record: AppRecord
) -> list[ChecklistItem]:
    docs = _documents_for(session, [record.id]).get(record.id, [])
    return build_checklist(checklist_for(app, record.record_type), docs)


def list_documents(
    session: Session, *, actor: Actor, app_slug: str, record_id: str
) -> list[dict[str, Any]]:
    app = get_app(app_slug)
    record = load_record(session, actor=actor, app=app, record_id=record_id)
    docs = session.exec(
        select(RecordDocument)
        .where(RecordDocument.record_id == record.id)
        .order_by(col(RecordDocument.created_at).desc())
    )
    return [document_public(d, record) for d in docs]


def document_content(
    session: Session, *, actor: Actor, app_slug: str, record_id: str, document_id: str
) -> tuple[RecordDocument, bytes]:
    """The file of a document, for download or preview (access level checked, audited)."""
    app = get_app(app_slug)
    record = load_record(session, actor=actor, app=app, record_id=record_id)
    doc = _load_document(session, record, document_id)
    if (doc.is_sensitive or doc.access_level != "general") and not access_allowed(
        actor, doc.access_level
    ):
        raise Forbidden("Your role cannot open documents at this access level.")
    if doc.is_sensitive:
        audit(
            session,
            actor=actor,
            record=record,
            action="document_downloaded",
            description=f"Opened sensitive document {doc.file_name}",
            data={"documentId": doc.id},
        )
    return doc, storage.get_bytes(doc.sha256)


# ---------------------------------------------------------------- tasks


def task_public(task: RecordTask) -> dict[str, Any]:
    return {
        "id": task.id,
        "recordId": task.record_id,
        "title": task.title,
        "description": task.description,
        "kind": task.kind,
        "status": task.status,
        "dueDate": task.due_at,
        "assigneeUserId": task.assignee_user_id,
        "completedAt": task.completed_at,
        "completedBy": task.completed_by,
        "createdAt": task.created_at,
    }


def create_task(
    session: Session,
    *,
    actor: Actor,
    app_slug: str,
    record_id: str,
    title: str,
    description: str | None = None,
    due_date: Any = None,
    assignee_user_id: str | None = None,
) -> RecordTask:
    app = get_app(app_slug)
    record = load_record(session, actor=actor, app=app, record_id=record_id)
    return add_task(
        session,
        actor=actor,
        app=app,
        record=record,
        title=title,
        description=description,
        due_at=parse_date(due_date, field="dueDate"),
        assignee_user_id=assignee_user_id,
    )


def add_task(
    session: Session,
    *,
    actor: Actor,
    app: AppDefinition,
    record: AppRecord,
    title: str,
    description: str | None,
    due_at: int | None,
    assignee_user_id: str | None = None,
    kind: str = "task",
) -> RecordTask:
    if assignee_user_id:
        _member_user(session, actor=actor, user_id=assignee_user_id, field="assigneeUserId")
    task = RecordTask(
        org_id=record.org_id,
        record_id=record.id,
        title=clean_text(title, field="title", max_length=300),
        description=_optional_text(description, field="description", max_length=5000),
        due_at=due_at,
        assignee_user_id=assignee_user_id or None,
        kind=kind,
    )
    session.add(task)
    touch(record)
    session.flush()
    audit(
        session,
        actor=actor,
        record=record,
        action="task_created",
        description=f"Task “{task.title}” created",
        data={"taskId": task.id},
    )
    emit(
        session,
        actor=actor,
        app=app,
        record=record,
        generic="app.action.created",
        specific="task_created",
        data={"action": task_public(task)},
    )
    return task


def update_task(
    session: Session,
    *,
    actor: Actor,
    app_slug: str,
    record_id: str,
    task_id: str,
    title: str | None = None,
    description: str | None = None,
    due_date: Any = UNSET,
    assignee_user_id: Any = UNSET,
    status: str | None = None,
) -> RecordTask:
    """Edit a task, or complete / reopen it with `status`."""
    app = get_app(app_slug)
    record = load_record(session, actor=actor, app=app, record_id=record_id)
    task = session.get(RecordTask, task_id)
    if task is None or task.record_id != record.id:
        raise NotFound("Task not found.")
    if status is not None and status not in ("open", "completed"):
        raise ValidationFailed("status must be open or completed.", field="status", value=status)
    if title is not None:
        task.title = clean_text(title, field="title", max_length=300)
    if description is not None:
        task.description = _optional_text(description, field="description", max_length=5000)
    if due_date is not UNSET:
        task.due_at = parse_date(due_date, field="dueDate")
    if assignee_user_id is not UNSET:
        if assignee_user_id:
            _member_user(session, actor=actor, user_id=assignee_user_id, field="assigneeUserId")
        task.assignee_user_id = assignee_user_id or None
    completed_now = status == "completed" and task.status != "completed"
    reopened = status == "open" and task.status == "completed"
    if completed_now:
        task.status, task.completed_at, task.completed_by = (
            "completed",
            now_ms(),
            actor_label(actor),
        )
    elif reopened:
        task.status, task.completed_at, task.completed_by = "open", None, None
    touch(record)
    session.flush()
    action = "task_completed" if completed_now else "task_reopened" if reopened else "task_updated"
    audit(
        session,
        actor=actor,
        record=record,
        action=action,
        description=f"Task “{task.title}” {action.split('_')[1]}",
        data={"taskId": task.id},
    )
    if completed_now:
        emit(
            session,
            actor=actor,
            app=app,
            record=record,
            generic="app.action.completed",
            specific="task_completed",
            data={"action": task_public(task)},
        )
    return task


def list_tasks(session: Session, *, actor: Actor, app_slug: str, record_id: str) -> list[dict]:
    app = get_app(app_slug)
    record = load_record(session, actor=actor, app=app, record_id=record_id)
    return [task_public(t) for t in _tasks(session, record.id)]


def _tasks(session: Session, record_id: str) -> list[RecordTask]:
    return list(
        session.exec(
            select(RecordTask)
            .where(RecordTask.record_id == record_id)
            .order_by(col(RecordTask.status).desc(), col(RecordTask.created_at))
        )
    )


# ---------------------------------------------------------------- team


def assign_team_member(
    session: Session, *, actor: Actor, app_slug: str, record_id: str, user_id: str, role: str
) -> TeamAssignment:
    app = get_app(app_slug)
    record = load_record(session, actor=actor, app=app, record_id=record_id)
    if role not in TEAM_ROLES:
        raise ValidationFailed(
            f"role must be one of {', '.join(TEAM_ROLES)}.", field="role", value=role
        )
    user = _member_user(session, actor=actor, user_id=user_id, field="userId")
    assignment = session.exec(
        select(TeamAssignment).where(
            TeamAssignment.record_id == record.id, TeamAssignment.user_id == user.id
        )
    ).first()
    if assignment is None:
        assignment = TeamAssignment(org_id=record.org_id, record_id=record.id, user_id=user.id)
        session.add(assignment)
    assignment.role = role
    touch(record)
    session.flush()
    audit(
        session,
        actor=actor,
        record=record,
        action="team_assigned",
        description=f"{user.email} assigned as {role}",
        data={"userId": user.id, "role": role},
    )
    emit(
        session,
        actor=actor,
        app=app,
        record=record,
        generic=None,
        specific="team_assigned",
        data={
            "member": {"id": assignment.id, "userId": user.id, "email": user.email, "role": role}
        },
    )
    return assignment


def remove_team_member(
    session: Session, *, actor: Actor, app_slug: str, record_id: str, member_id: str
) -> None:
    app = get_app(app_slug)
    record = load_record(session, actor=actor, app=app, record_id=record_id)
    assignment = session.get(TeamAssignment, member_id)
    if assignment is None or assignment.record_id != record.id:
        raise NotFound("Team member not found.")
    session.delete(assignment)
    touch(record)
    audit(
        session,
        actor=actor,
        record=record,
        action="team_removed",
        description=f"Team member {assignment.user_id} removed",
        data={"userId": assignment.user_id},
    )


def list_team(session: Session, *, actor: Actor, app_slug: str, record_id: str) -> list[dict]:
    app = get_app(app_slug)
    record = load_record(session, actor=actor, app=app, record_id=record_id)
    return _team(session, record.id)


def _team(session: Session, record_id: str) -> list[dict]:
    rows = session.exec(
        select(TeamAssignment, User)
        .join(User, col(User.id) == col(TeamAssignment.user_id))
        .where(TeamAssignment.record_id == record_id)
        .order_by(col(TeamAssignment.created_at))
    )
    return [
        {
            "id": a.id,
            "userId": u.id,
            "email": u.email,
            "name": u.name,
            "role": a.role,
            "createdAt": a.created_at,
        }
        for a, u in rows
    ]


# ---------------------------------------------------------------- vault


def vault_public(item: VaultItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "fieldKey": item.field_key,
        "label": item.label,
        "accessLevel": item.access_level,
        "redactedPreview": item.redacted_preview,
        "updatedBy": item.updated_by,
        "updatedAt": item.updated_at,
    }


def check_field_key(field_key: str, *, field: str = "fieldKey") -> str:
    key = (field_key or "").strip()
    if not _FIELD_KEY.match(key):
        raise ValidationFailed(
            "Name the field with lowercase letters, digits and underscores, starting with a "
            "letter (e.g. bank_account).",
            field=field,
            value=field_key,
        )
    return key


def check_vault_access_level(level: str, *, field: str = "accessLevel") -> str:
    if level not in VAULT_ACCESS_LEVELS:
        raise ValidationFailed(
            f"Choose who may reveal it: {', '.join(VAULT_ACCESS_LEVELS)}.",
            field=field,
            value=level,
        )
    return level


def set_vault_field(
    session: Session,
    *,
    actor: Actor,
    app_slug: str,
    record_id: str,
    field_key: str,
    value: str,
    label: str | None = None,
    access_level: str = "admin",
    replace: bool = False,
) -> VaultItem:
    """Store a new vault value. A field that already holds one is only overwritten with
    `replace=True` (the audit keeps the old value's last four characters)."""
    app = get_app(app_slug)
    record = load_record(session, actor=actor, app=app, record_id=record_id)
    return store_vault_value(
        session,
        actor=actor,
        app=app,
        record=record,
        field_key=field_key,
        value=value,
        label=label,
        access_level=access_level,
        replace=replace,
    )


def store_vault_value(
    session: Session,
    *,
    actor: Actor,
    app: AppDefinition,
    record: AppRecord,
    field_key: str,
    value: str,
    label: str | None,
    access_level: str,
    replace: bool = False,
) -> VaultItem:
    """Encrypt and store one vault value; only the preview is ever returned.

    Staff and integrations overwrite an existing value only with `replace=True`. A portal
    recipient re-entering a detail they were asked for replaces it, but the label and access
    level the staff gave the field stay as they are."""
    key = check_field_key(field_key)
    check_vault_access_level(access_level)
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed("Enter the value.", field="value")
    if len(value) > 4000:
        raise ValidationFailed("The value can be at most 4,000 characters.", field="value")
    item = session.exec(
        select(VaultItem).where(VaultItem.record_id == record.id, VaultItem.field_key == key)
    ).first()
    created = item is None
    from_portal = actor.type == "portal"
    allowed = ACCESS_LEVELS.get(item.access_level, ()) if item is not None else ()
    if item is not None and actor.type == "user" and (actor.role or "") not in allowed:
        # Whoever may not see a value may not swap it (a bank account, say) either.
        raise Forbidden(f"Only {', '.join(allowed)} can replace this value.")
    if item is not None and not replace and not from_portal:
        raise Conflict(
            f"“{item.label}” already holds a value ({item.redacted_preview}). "
            "Confirm that you want to replace it.",
            details={
                "field": "fieldKey",
                "fieldKey": key,
                "vaultItemId": item.id,
                "redactedPreview": item.redacted_preview,
            },
        )
    previous_preview = item.redacted_preview if item is not None else None
    sealed = vault.seal(value, org_id=record.org_id, record_id=record.id, field_key=key)
    if item is None:
        item = VaultItem(
            org_id=record.org_id,
            record_id=record.id,
            field_key=key,
            label="",
            redacted_preview="",
            key_id="",
            wrapped_key=b"",
            nonce=b"",
            ciphertext=b"",
        )
        session.add(item)
    if created or not from_portal:
        item.label = (
            _optional_text(label, field="label") or item.label or key.replace("_", " ").capitalize()
        )
        item.access_level = access_level
    item.redacted_preview = vault.redacted_preview(value)
    item.key_id, item.wrapped_key = sealed.key_id, sealed.wrapped_key
    item.nonce, item.ciphertext = sealed.nonce, sealed.ciphertext
    item.updated_by = actor_label(actor)
    item.updated_at = now_ms()
    touch(record)
    audit(
        session,
        actor=actor,
        record=record,
        action="vault_set" if created else "vault_replaced",
        description=f"Vault field “{item.label}” added ({item.redacted_preview})"
        if created
        else f"Vault field “{item.label}” replaced: {previous_preview} → {item.redacted_preview}",
        data={
            "vaultItemId": item.id,
            "fieldKey": key,
            "accessLevel": item.access_level,
            **({"previousPreview": previous_preview} if not created else {}),
        },
    )
    data = {"vaultItem": vault_public(item)}
    emit(
        session,
        actor=actor,
        app=app,
        record=record,
        generic=None,
        specific="vault_updated",
        data=data,
    )
    if key in app.payment_fields:
        emit(
            session,
            actor=actor,
            app=app,
            record=record,
            generic=None,
            specific="payment_details",
            data=data,
        )
    return item


def list_vault(session: Session, *, actor: Actor, app_slug: str, record_id: str) -> list[dict]:
    app = get_app(app_slug)
    record = load_record(session, actor=actor, app=app, record_id=record_id)
    return [vault_public(v) for v in _vault_items(session, record.id)]


def _vault_items(session: Session, record_id: str) -> list[VaultItem]:
    return list(
        session.exec(
            select(VaultItem)
            .where(VaultItem.record_id == record_id)
            .order_by(col(VaultItem.created_at))
        )
    )


def can_reveal(actor: Actor, access_level: str) -> bool:
    return actor.type == "user" and (actor.role or "") in ACCESS_LEVELS.get(access_level, ())


def _deny(
    session: Session,
    *,
    actor: Actor,
    record: AppRecord,
    item: VaultItem,
    why: str,
    reason: str,
    attempt: VaultRevealAttempt | None = None,
) -> None:
    """Audit a refused reveal and keep it even though the caller's transaction fails."""
    if attempt is not None:
        session.add(attempt)
    audit(
        session,
        actor=actor,
        record=record,
        action="vault_reveal_denied",
        description=f"Reveal of “{item.label}” refused: {why}",
        data={"vaultItemId": item.id, "reason": reason},
    )
    session.commit()


def reveal_wait_seconds(session: Session, *, user_id: str, now: int | None = None) -> int:
    """0 when the person may try their password, else the seconds until they may: after
    REVEAL_MAX_FAILURES wrong passwords within REVEAL_WINDOW_MS (since their last reveal),
    until the oldest of those falls out of the window."""
    now = now if now is not None else now_ms()
    recent = session.exec(
        select(VaultRevealAttempt.succeeded, VaultRevealAttempt.created_at)
        .where(
            VaultRevealAttempt.user_id == user_id,
            col(VaultRevealAttempt.created_at) > now - REVEAL_WINDOW_MS,
        )
        .order_by(col(VaultRevealAttempt.created_at).desc())
    ).all()
    failures = []
    for succeeded, created_at in recent:
        if succeeded:
            break
        failures.append(created_at)
    if len(failures) < REVEAL_MAX_FAILURES:
        return 0
    ends = failures[REVEAL_MAX_FAILURES - 1] + REVEAL_WINDOW_MS
    return max(1, -(-(ends - now) // 1000))


def reveal_vault_field(
    session: Session, *, actor: Actor, app_slug: str, record_id: str, vault_id: str, password: str
) -> str:
    """The plaintext of one vault value for a signed-in person whose role the access level
    allows, after they re-enter their password. Every reveal (and refusal) is audited."""
    app = get_app(app_slug)
    record = load_record(session, actor=actor, app=app, record_id=record_id)
    item = session.get(VaultItem, vault_id)
    if item is None or item.record_id != record.id:
        raise NotFound("Vault field not found.")
    if not can_reveal(actor, item.access_level):
        _deny(session, actor=actor, record=record, item=item, why="role not allowed", reason="role")
        raise Forbidden(
            f"Only {', '.join(ACCESS_LEVELS[item.access_level])} can reveal this value."
        )
    user = session.get(User, actor.user_id)
    if user is None:
        raise Forbidden("Sign in again to reveal this value.")
    wait = reveal_wait_seconds(session, user_id=user.id)
    if wait:
        _deny(
            session,
            actor=actor,
            record=record,
            item=item,
            why="too many wrong passwords",
            reason="locked",
        )
        minutes = -(-wait // 60)
        unit = "minute" if minutes == 1 else "minutes"
        raise RateLimited(
            f"Too many wrong passwords. Try again in {minutes} {unit}.", retry_after=wait
        )
    attempt = VaultRevealAttempt(org_id=record.org_id, user_id=user.id, vault_item_id=item.id)
    if not verify_password(password or "", user.password_hash):
        _deny(
            session,
            actor=actor,
            record=record,
            item=item,
            why="wrong password",
            reason="wrong_password",
            attempt=attempt,
        )
        raise Forbidden("The password is incorrect.")
    attempt.succeeded = True
    session.add(attempt)
    value = decrypt_item(item)
    audit(
        session,
        actor=actor,
        record=record,
        action="vault_revealed",
        description=f"Vault field “{item.label}” revealed",
        data={"vaultItemId": item.id, "fieldKey": item.field_key},
    )
    return value


def decrypt_item(item: VaultItem) -> str:
    return vault.open_sealed(
        vault.Sealed(item.key_id, item.wrapped_key, item.nonce, item.ciphertext),
        org_id=item.org_id,
        record_id=item.record_id,
        field_key=item.field_key,
    )


@keyring.rewrap_hook("vault")
def rewrap_vault_items() -> int:
    """Re-wrap every vault data key under the active master key (after a rotation)."""
    active = keyring.load_keyring().active_id
    done = 0
    while True:
        with session_scope() as session:
            batch = list(
                session.exec(select(VaultItem).where(VaultItem.key_id != active).limit(500))
            )
            for item in batch:
                item.key_id, item.wrapped_key = vault.rewrap(
                    item.key_id,
                    item.wrapped_key,
                    org_id=item.org_id,
                    record_id=item.record_id,
                    field_key=item.field_key,
                )
            done += len(batch)
        if len(batch) < 500:
            return done


# ---------------------------------------------------------------- full view


def activity(session: Session, record: AppRecord, limit: int = 200) -> list[dict[str, Any]]:
    rows = session.exec(
        select(AuditLog)
        .where(
            AuditLog.org_id == record.org_id,
            AuditLog.subject_type == "record",
            AuditLog.subject_id == record.id,
        )
        .order_by(col(AuditLog.seq).desc())
        .limit(limit)
    )
    return [
        {
            "id": row.id,
            "action": row.action,
            "description": row.description,
            "actorType": row.actor_type,
            "actorEmail": row.actor_email,
            "createdAt": row.created_at,
        }
        for row in rows
    ]


def get_record_view(session: Session, *, actor: Actor, app_slug: str, record_id: str) -> dict:
    """Record, checklist, documents, tasks, approvals, team, portal links, vault previews
    and the activity timeline."""
    from workspace.core.services.approvals import approvals_for
    from workspace.core.services.portal import portal_links_for

    app = get_app(app_slug)
    record = load_record(session, actor=actor, app=app, record_id=record_id)
    summary = summaries_for(session, app, [record])[0]
    docs = session.exec(
        select(RecordDocument)
        .where(RecordDocument.record_id == record.id)
        .order_by(col(RecordDocument.created_at).desc())
    )
    tasks = [task_public(t) for t in _tasks(session, record.id)]
    return {
        app.list_key: record_public(record),
        **({"record": record_public(record)} if app.list_key != "record" else {}),
        "recordType": app.type_of(record.record_type).label,
        "checklistSummary": summary.summary,
        "checklist": [item.public() for item in summary.checklist],
        "documents": [document_public(d, record) for d in docs],
        "actions": tasks,
        "approvals": approvals_for(session, record),
        "members": _team(session, record.id),
        "portalLinks": portal_links_for(session, record),
        "vaultItems": [vault_public(v) for v in _vault_items(session, record.id)],
        "activity": activity(session, record),
        **summary.counts,
    }


def document_file(
    session: Session, *, actor: Actor, document_id: str
) -> tuple[RecordDocument, bytes]:
    """A document's file by its id alone (the signed-in download route)."""
    doc = session.get(RecordDocument, document_id)
    record = session.get(AppRecord, doc.record_id) if doc else None
    if doc is None or record is None or record.org_id != actor.org_id:
        raise NotFound("Document not found.")
    return document_content(
        session, actor=actor, app_slug=record.app_slug, record_id=record.id, document_id=doc.id
    )
