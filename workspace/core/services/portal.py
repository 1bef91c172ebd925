"""Public intake portal links: an external recipient uploads checklist documents and fills
requested details (vault fields are encrypted on submit) without an account."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from workspace.core.actor import Actor
from workspace.core.apps import AppDefinition, get_app
from workspace.core.clock import now_ms
from workspace.core.config import get_settings, secret_key
from workspace.core.errors import Conflict, NotFound, ValidationFailed
from workspace.core.ids import hash_token, new_id
from workspace.core.models import AppRecord, PortalLink, RecordDocument, VaultItem
from workspace.core.services import branding, records
from workspace.core.services.mail import send_notice
from workspace.core.services.records import clean_text
from workspace.core.services.sms import send_text
from workspace.core.validation import clean_email, clean_phone

DEFAULT_TTL_DAYS = 30
CHANNELS = ("email", "sms")
# Details a portal recipient is asked for by default, per app (vault fields, encrypted).
DEFAULT_REQUESTED_FIELDS: dict[str, list[dict[str, str]]] = {
    "business-intake": [
        {"fieldKey": "tax_id", "label": "Tax ID (EIN / TIN)", "accessLevel": "finance"},
        {"fieldKey": "bank_account", "label": "Bank account number", "accessLevel": "finance"},
    ],
    "hiring-packets": [
        {"fieldKey": "ssn", "label": "Social security / national ID number", "accessLevel": "hr"},
        {"fieldKey": "bank_account", "label": "Bank account for payroll", "accessLevel": "hr"},
    ],
    "renewals-compliance": [],
}


def portal_token(link_id: str) -> str:
    """The secret in the link, derived from its id: only the hash is stored, yet the owner
    can copy the link again later."""
    digest = hmac.new(secret_key(), f"portal:{link_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def portal_url(link_id: str) -> str:
    return f"{get_settings().public_base_url}/intake/{portal_token(link_id)}"


def link_state(link: PortalLink, now: int | None = None) -> str:
    if link.status == "revoked":
        return "revoked"
    if link.expires_at <= (now or now_ms()):
        return "expired"
    return link.status


def closed_message(org_name: str) -> str:
    return f"This request is closed; contact {org_name} if you need to send something."


def _check_open(session: Session, app: AppDefinition, record: AppRecord) -> None:
    """A record in a closed status takes no more documents or details from its portal."""
    if app.portal_closed(record.status):
        org = records.organization(session, record.org_id)
        raise Conflict(
            closed_message(org.name),
            details={"recordStatus": record.status},
        )


def portal_link_public(link: PortalLink) -> dict[str, Any]:
    return {
        "id": link.id,
        "recordId": link.record_id,
        "url": portal_url(link.id),
        "status": link_state(link),
        "label": link.label,
        "recipientName": link.recipient_name,
        "recipientEmail": link.recipient_email,
        "recipientPhone": link.recipient_phone,
        "notificationChannels": link.notification_channels,
        "requestedFields": link.requested_fields,
        "expiresAt": link.expires_at,
        "revokedAt": link.revoked_at,
        "submittedAt": link.submitted_at,
        "lastViewedAt": link.last_viewed_at,
        "createdAt": link.created_at,
    }


def portal_links_for(session: Session, record: AppRecord) -> list[dict[str, Any]]:
    links = session.exec(
        select(PortalLink)
        .where(PortalLink.record_id == record.id)
        .order_by(col(PortalLink.created_at).desc())
    )
    return [portal_link_public(link) for link in links]


def list_portal_links(
    session: Session, *, actor: Actor, app_slug: str, record_id: str
) -> list[dict[str, Any]]:
    app = get_app(app_slug)
    record = records.load_record(session, actor=actor, app=app, record_id=record_id)
    return portal_links_for(session, record)


def _requested_fields(app: AppDefinition, fields: list[dict[str, Any]] | None) -> list[dict]:
    if fields is None:
        return list(DEFAULT_REQUESTED_FIELDS.get(app.slug, []))
    cleaned, seen = [], set()
    for index, item in enumerate(fields):
        key = records.check_field_key(
            item.get("fieldKey", ""), field=f"requestedFields[{index}].fieldKey"
        )
        if key in seen:
            continue
        seen.add(key)
        cleaned.append(
            {
                "fieldKey": key,
                "label": clean_text(item.get("label"), field=f"requestedFields[{index}].label"),
                "accessLevel": records.check_vault_access_level(
                    item.get("accessLevel") or "admin",
                    field=f"requestedFields[{index}].accessLevel",
                ),
            }
        )
    return cleaned


def create_portal_link(
    session: Session,
    *,
    actor: Actor,
    app_slug: str,
    record_id: str,
    recipient_name: str | None = None,
    recipient_email: str | None = None,
    recipient_phone: str | None = None,
    notification_channels: list[str] | None = None,
    label: str | None = None,
    expires_in_days: int | None = None,
    requested_fields: list[dict[str, Any]] | None = None,
) -> PortalLink:
    app = get_app(app_slug)
    record = records.load_record(session, actor=actor, app=app, record_id=record_id)
    if app.portal_closed(record.status):
        raise Conflict(
            f"This {app.noun} is {records.humanize(record.status).lower()}: change its status "
            "before asking for documents.",
            details={"recordStatus": record.status},
        )
    channels = list(dict.fromkeys(notification_channels or []))
    for index, channel in enumerate(channels):
        if channel not in CHANNELS:
            raise ValidationFailed(
                "Send the link by email or SMS.",
                field=f"notificationChannels[{index}]",
                value=channel,
            )
    if record.details.get("smsAlerts") and "sms" not in channels:
        channels.append("sms")  # a hiring packet whose candidate asked for SMS alerts
    email = (
        clean_email(recipient_email, field="recipientEmail")
        if recipient_email
        else record.party_email
    )
    phone = clean_text(recipient_phone, field="recipientPhone", max_length=40, required=False)
    if "email" in channels and not email:
        raise ValidationFailed(
            "Enter the recipient's email to send the link by email.", field="recipientEmail"
        )
    if "sms" in channels:
        if not (phone or record.party_phone):
            raise ValidationFailed(
                "Enter the recipient's phone number to send the link by SMS.",
                field="recipientPhone",
            )
        phone = clean_phone(phone or record.party_phone, field="recipientPhone")
    days = DEFAULT_TTL_DAYS if expires_in_days is None else expires_in_days
    if not 1 <= days <= 365:
        raise ValidationFailed(
            "The link can stay valid for 1 to 365 days.", field="expiresInDays", value=days
        )
    link_id = new_id("portal")
    link = PortalLink(
        id=link_id,
        org_id=record.org_id,
        record_id=record.id,
        token_hash=hash_token(portal_token(link_id)),
        label=clean_text(label, field="label", required=False) or f"{app.name} document collection",
        recipient_name=clean_text(recipient_name, field="recipientName", required=False)
        or record.party_name,
        recipient_email=email,
        recipient_phone=phone or record.party_phone,
        notification_channels=channels,
        requested_fields=_requested_fields(app, requested_fields),
        expires_at=now_ms() + days * records.DAY_MS,
        created_by=records.actor_label(actor),
    )
    session.add(link)
    records.touch(record)
    session.flush()
    if "email" in channels:
        org = records.organization(session, record.org_id)
        send_notice(
            session,
            to_email=email,
            to_name=link.recipient_name,
            subject=f"{org.name}: documents requested for {record.title}",
            heading=f"{org.name} needs a few documents from you",
            paragraphs=[
                f"Hello {link.recipient_name or 'there'},",
                f"Please upload the documents and details requested for “{record.title}”. "
                "It takes a few minutes and works on your phone.",
                f"The link expires on {records.iso_day(link.expires_at)}.",
            ],
            button_label="Open your checklist",
            button_url=portal_url(link.id),
            org=org,
            org_id=record.org_id,
            category="portal_link",
            deliver=not record.test_mode,
        )
    if "sms" in channels:
        send_text(
            session,
            to_phone=link.recipient_phone,
            to_name=link.recipient_name,
            body=f"{records.organization(session, record.org_id).name}: please upload the "
            f"documents requested for “{record.title}” here: {portal_url(link.id)}",
            org_id=record.org_id,
            category="portal_link",
            deliver=not record.test_mode,
        )
    records.audit(
        session,
        actor=actor,
        record=record,
        action="portal_link_created",
        description="Portal link created for "
        + (link.recipient_email or link.recipient_name or "a recipient"),
        data={"portalLinkId": link.id, "channels": channels},
    )
    records.emit(
        session,
        actor=actor,
        app=app,
        record=record,
        generic="app.portal.link_created",
        specific=None,
        data={"portalLink": portal_link_public(link)},
    )
    return link


def revoke_portal_link(
    session: Session, *, actor: Actor, app_slug: str, record_id: str, link_id: str
) -> PortalLink:
    app = get_app(app_slug)
    record = records.load_record(session, actor=actor, app=app, record_id=record_id)
    link = session.get(PortalLink, link_id)
    if link is None or link.record_id != record.id:
        raise NotFound("Portal link not found.")
    if link.status != "revoked":
        link.status, link.revoked_at = "revoked", now_ms()
        records.touch(record)
        records.audit(
            session,
            actor=actor,
            record=record,
            action="portal_link_revoked",
            description=f"Portal link for {link.recipient_email or link.recipient_name} revoked",
            data={"portalLinkId": link.id},
        )
    return link


# ---------------------------------------------------------------- the public side


@dataclass
class PortalView:
    state: str  # active | submitted | closed (the record's status) | revoked | expired
    link: PortalLink
    record: AppRecord
    app: AppDefinition
    org_name: str
    brand_color: str
    logo_url: str
    checklist: list[records.ChecklistItem]
    filled_fields: dict[str, str]  # fieldKey -> redacted preview
    documents: list[RecordDocument]


def _link_for_token(session: Session, token: str) -> PortalLink:
    link = session.exec(
        select(PortalLink).where(PortalLink.token_hash == hash_token(token or ""))
    ).first()
    if link is None:
        raise NotFound("This link is not valid. Ask the sender for a new one.")
    return link


def open_portal(session: Session, *, token: str, mark_viewed: bool = True) -> PortalView:
    link = _link_for_token(session, token)
    record = session.get(AppRecord, link.record_id)
    if record is None:
        raise NotFound("This link is not valid. Ask the sender for a new one.")
    app = get_app(record.app_slug)
    org = records.organization(session, record.org_id)
    state = link_state(link)
    if state in ("active", "submitted") and app.portal_closed(record.status):
        state = "closed"
    if state in ("active", "submitted") and mark_viewed:
        link.last_viewed_at = now_ms()
    checklist = records.record_checklist(session, app, record)
    keys = [f["fieldKey"] for f in link.requested_fields]
    filled = {}
    if keys:
        for item in session.exec(
            select(VaultItem).where(
                VaultItem.record_id == record.id, col(VaultItem.field_key).in_(keys)
            )
        ):
            filled[item.field_key] = item.redacted_preview
    documents = list(
        session.exec(
            select(RecordDocument)
            .where(RecordDocument.record_id == record.id, RecordDocument.source == "portal")
            .order_by(col(RecordDocument.created_at).desc())
        )
    )
    return PortalView(
        state,
        link,
        record,
        app,
        org.name,
        org.brand_color,
        branding.logo_url(org),
        checklist,
        filled,
        documents,
    )


def _portal_actor(link: PortalLink, record: AppRecord, ip: str | None, ua: str | None) -> Actor:
    return Actor(
        org_id=record.org_id,
        type="portal",
        email=link.recipient_email or None,
        test_mode=record.test_mode,
        ip=ip,
        user_agent=ua,
    )


def _usable(session: Session, token: str) -> tuple[PortalLink, AppRecord, AppDefinition]:
    link = _link_for_token(session, token)
    state = link_state(link)
    if state == "revoked":
        raise Conflict("This link has been revoked by the sender.")
    if state == "expired":
        raise Conflict("This link has expired. Ask the sender for a new one.")
    record = session.get(AppRecord, link.record_id)
    if record is None:
        raise NotFound("This link is not valid.")
    app = get_app(record.app_slug)
    _check_open(session, app, record)
    return link, record, app


def portal_upload(
    session: Session,
    *,
    token: str,
    requirement_key: str,
    file_name: str,
    content_type: str,
    data: bytes,
    ip: str | None = None,
    user_agent: str | None = None,
) -> RecordDocument:
    link, record, app = _usable(session, token)
    actor = _portal_actor(link, record, ip, user_agent)
    return records.attach_to_record(
        session,
        actor=actor,
        app=app,
        record=record,
        file_name=file_name,
        content_type=content_type,
        data=data,
        requirement_key=requirement_key,
        label=None,
        status="pending_review",
        access_level=None,
        is_sensitive=False,
        source="portal",
    )


def portal_submit(
    session: Session,
    *,
    token: str,
    values: dict[str, str],
    note: str | None = None,
    ip: str | None = None,
    user_agent: str | None = None,
) -> PortalLink:
    """Encrypt the requested details, mark the link submitted, notify the owner."""
    link, record, app = _usable(session, token)
    actor = _portal_actor(link, record, ip, user_agent)
    requested = {f["fieldKey"]: f for f in link.requested_fields}
    unknown = [k for k in values if k not in requested]
    if unknown:
        raise ValidationFailed("This field was not requested.", field=f"fields.{unknown[0]}")
    stored = []
    for key, value in values.items():
        if value is None or not str(value).strip():
            continue
        spec = requested[key]
        records.store_vault_value(
            session,
            actor=actor,
            app=app,
            record=record,
            field_key=key,
            value=str(value).strip(),
            label=spec["label"],
            access_level=spec["accessLevel"],
        )
        stored.append(key)
    note = clean_text(note, field="note", max_length=2000, required=False)
    uploaded = session.exec(
        select(RecordDocument).where(
            RecordDocument.record_id == record.id, RecordDocument.source == "portal"
        )
    ).all()
    if not stored and not uploaded and not note:
        raise ValidationFailed("Upload a document or fill in a detail before submitting.")
    link.status, link.submitted_at = "submitted", now_ms()
    records.touch(record)
    records.audit(
        session,
        actor=actor,
        record=record,
        action="portal_submitted",
        description=f"{link.recipient_name or link.recipient_email or 'Recipient'} submitted "
        f"{len(uploaded)} document(s) and {len(stored)} detail(s) through the portal"
        + (f": {note}" if note else ""),
        data={"portalLinkId": link.id, "fields": stored, "documents": len(uploaded)},
    )
    data = {"portalLink": portal_link_public(link), "fields": stored, "note": note}
    records.emit(
        session,
        actor=actor,
        app=app,
        record=record,
        generic="app.portal.submitted",
        specific="portal_submitted",
        data=data,
    )
    if app.slug == "business-intake" and record.status in ("draft", "pending_documents"):
        records.change_status(
            session,
            actor=actor,
            app=app,
            record=record,
            status="pending_review",
            reason="submitted through the portal",
        )
    org = records.organization(session, record.org_id)
    record_url = f"{get_settings().public_base_url}/{app.slug}/{record.id}"
    for user in records.owner_recipients(session, record):
        send_notice(
            session,
            to_email=user.email,
            to_name=user.name,
            subject=f"Portal submission: {record.title}",
            heading=f"{link.recipient_name or 'A recipient'} submitted “{record.title}”",
            paragraphs=[
                f"{len(uploaded)} document(s) and {len(stored)} detail(s) are ready for review.",
                *([f"Note from the recipient: {note}"] if note else []),
            ],
            button_label="Review the submission",
            button_url=record_url,
            org=org,
            org_id=record.org_id,
            category="portal_submitted",
            deliver=not record.test_mode,
        )
    return link


def notify_document_returned(session: Session, *, record: AppRecord, doc: RecordDocument) -> bool:
    """Email the person who sent a document through the portal that it was rejected or needs
    a revision, with the reviewer's reason and their portal link. False when there is no
    usable link with an email address to write to."""
    app = get_app(record.app_slug)
    if app.portal_closed(record.status):
        return False
    now = now_ms()
    links = [
        link
        for link in session.exec(
            select(PortalLink)
            .where(PortalLink.record_id == record.id)
            .order_by(col(PortalLink.created_at).desc())
        )
        if link.recipient_email and link_state(link, now) in ("active", "submitted")
    ]
    link = next((x for x in links if x.recipient_email == doc.uploaded_by), None) or next(
        iter(links), None
    )
    if link is None:
        return False
    org = records.organization(session, record.org_id)
    what = doc.label or doc.file_name
    verdict = "was not accepted" if doc.status == "rejected" else "needs a revision"
    send_notice(
        session,
        to_email=link.recipient_email,
        to_name=link.recipient_name,
        subject=f"{org.name}: {what} {verdict}",
        heading=f"Your {what} {verdict}",
        paragraphs=[
            f"Hello {link.recipient_name or 'there'},",
            f"{org.name} reviewed {doc.file_name}, which you sent for “{record.title}”.",
            f"Reason: {doc.review_reason}",
            "Please upload a new file through your checklist.",
        ],
        button_label="Open your checklist",
        button_url=portal_url(link.id),
        org=org,
        org_id=record.org_id,
        category="portal_document_returned",
        deliver=not record.test_mode,
    )
    return True
