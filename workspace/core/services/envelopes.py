"""Envelopes: create and send (from a template, a package or an uploaded document), track,
remind, cancel, expire, manage signers, download. The signing itself is in `signing.py`.

Every change writes an audit row on the envelope's chain and the seed's event
(`envelope.*`, `signer.*`, `reminder.sent`, `document.downloaded`) in the caller's
transaction.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
import math
import re
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import case
from sqlmodel import Session, col, func, or_, select

from workspace.core import storage
from workspace.core.actor import Actor
from workspace.core.clock import now_ms, to_ms
from workspace.core.config import get_settings, secret_key
from workspace.core.db import fetch_page, text_search
from workspace.core.errors import Conflict, NotFound, ValidationFailed
from workspace.core.ids import hash_token, random_base62
from workspace.core.jobs import enqueue, job_handler
from workspace.core.models import Organization
from workspace.core.models.envelopes import Envelope, EnvelopeSigner
from workspace.core.models.templates import Package, PdfDocument, Template
from workspace.core.passwords import hash_password
from workspace.core.schemas.envelopes import (
    CcRecipientIn,
    EnvelopeCreate,
    SignerIn,
    SignerUpdate,
)
from workspace.core.schemas.templates import TemplateField
from workspace.core.services import templates as template_service
from workspace.core.services.audit import list_audit, record_audit
from workspace.core.services.events import emit_event
from workspace.core.services.mail import send_notice
from workspace.core.services.sms import send_text
from workspace.core.signed_urls import sign_path
from workspace.core.template_fields import validate_fields
from workspace.core.validation import clean_email, clean_phone, clean_text

STATUSES = (
    "draft",
    "scheduled",
    "sent",
    "viewed",
    "signed",
    "completed",
    "declined",
    "cancelled",
    "expired",
)
ACTIVE = ("sent", "viewed", "signed")
FINISHED = ("completed", "declined", "cancelled", "expired")
SIGNER_STATUSES = ("pending", "sent", "viewed", "signed", "declined")
PASSWORD_DELIVERY = ("email", "sms", "whatsapp")
CHANNEL_LABELS = {"email": "email", "sms": "text message", "whatsapp": "WhatsApp"}

MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS
MIN_SCHEDULE_MS = 5 * MINUTE_MS
MAX_SCHEDULE_MS = 30 * DAY_MS
DEFAULT_EXPIRY_HOURS = 30 * 24
MAX_EXPIRY_HOURS = 365 * 24
MAX_SIGNERS = 50
MAX_CC = 20
MAX_NAME = 200
DOWNLOAD_TTL_SECONDS = 3600
CC_DOWNLOAD_TTL_SECONDS = 7 * 24 * 3600
SIGNATURE_TYPES = ("signature", "initials", "sender_signature")

KIND_SEND = "envelopes.send_scheduled"
KIND_EXPIRE = "envelopes.expire"
KIND_REMIND = "envelopes.auto_remind"


# --- links ------------------------------------------------------------------------------


def signing_token(signer: EnvelopeSigner) -> str:
    """The secret in the signer's link: 192 bits derived from the install secret, so it can be
    shown again (copy link) while the database keeps only its SHA-256."""
    digest = hmac.new(
        secret_key(), f"sign:{signer.id}:{signer.token_nonce}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def signing_url(signer: EnvelopeSigner) -> str:
    return f"{get_settings().public_base_url}/sign/{signing_token(signer)}"


def _issue_token(signer: EnvelopeSigner) -> None:
    signer.token_nonce = random_base62(16)
    signer.token_hash = hash_token(signing_token(signer))


def document_path(envelope: Envelope, kind: str, signer: EnvelopeSigner | None = None) -> str:
    """The sealed file's path; a signer's own link names the signer, so their download is
    recorded as theirs."""
    if signer is not None:
        return f"/files/envelopes/{envelope.id}/signers/{signer.id}/{kind}.pdf"
    return f"/files/envelopes/{envelope.id}/{kind}.pdf"


def download_url(
    envelope: Envelope,
    kind: str,
    *,
    signer: EnvelopeSigner | None = None,
    ttl_seconds: int = DOWNLOAD_TTL_SECONDS,
) -> str:
    return sign_path(document_path(envelope, kind, signer), ttl_seconds=ttl_seconds, absolute=True)


# --- payloads ---------------------------------------------------------------------------


def envelope_payload(envelope: Envelope) -> dict[str, Any]:
    """The envelope object of the seed's webhook payload."""
    return {
        "id": envelope.id,
        "title": envelope.title,
        "status": envelope.status,
        "createdAt": envelope.created_at,
        "completedAt": envelope.completed_at,
        "metadata": envelope.meta.get("value"),
        "labels": envelope.labels,
    }


def completed_fields(envelope: Envelope, signer: EnvelopeSigner) -> list[dict[str, Any]]:
    """The signer's values as the seed's `completedFields` (signatures as PNG data URLs)."""
    result = []
    types = {f["id"]: f["type"] for f in all_fields(envelope)}
    for field_id, entry in signer.values.items():
        value = entry.get("value")
        if types.get(field_id) in SIGNATURE_TYPES and isinstance(value, dict):
            png = storage.get_bytes(value["sha256"])
            value = "data:image/png;base64," + base64.b64encode(png).decode()
        result.append(
            {"fieldId": field_id, "value": value, "completedAt": entry.get("completedAt")}
        )
    return result


def signer_payload(
    signer: EnvelopeSigner, envelope: Envelope | None = None, *, with_fields: bool = False
) -> dict[str, Any]:
    data = {
        "id": signer.id,
        "email": signer.email,
        "name": signer.name,
        "phone": signer.phone,
        "role": signer.role,
        "signingOrder": signer.signing_order,
        "status": signer.status,
        "passwordDelivery": signer.password_delivery,
        "sentAt": signer.sent_at,
        "viewedAt": signer.viewed_at,
        "signedAt": signer.signed_at,
        "declinedAt": signer.declined_at,
        "declineReason": signer.decline_reason,
        "reminderSentAt": signer.reminder_sent_at,
    }
    if with_fields and envelope is not None:
        data["completedFields"] = completed_fields(envelope, signer)
    return data


def emit(
    session: Session,
    *,
    actor: Actor,
    type: str,
    envelope: Envelope,
    signer: EnvelopeSigner | None = None,
) -> None:
    data: dict[str, Any] = {"envelope": envelope_payload(envelope)}
    if signer is not None:
        data["signer"] = signer_payload(signer, envelope, with_fields=type == "signer.signed")
    data["timestamp"] = now_ms()
    emit_event(
        session,
        actor=dataclasses.replace(actor, test_mode=envelope.test_mode),
        type=type,
        data=data,
    )


def audit(
    session: Session,
    *,
    actor: Actor,
    envelope: Envelope,
    action: str,
    description: str,
    data: dict[str, Any] | None = None,
    actor_email: str | None = None,
    new_subject: bool = False,
) -> None:
    record_audit(
        session,
        actor=actor,
        subject_type="envelope",
        subject_id=envelope.id,
        action=action,
        description=description,
        data=data,
        actor_email=actor_email,
        new_subject=new_subject,
    )


def envelope_actor(envelope: Envelope) -> Actor:
    return dataclasses.replace(Actor.system(envelope.org_id), test_mode=envelope.test_mode)


# --- reading ----------------------------------------------------------------------------


def all_fields(envelope: Envelope) -> list[dict[str, Any]]:
    """Every field of every document (ids are unique per envelope)."""
    return [field for document in envelope.documents for field in document["fields"]]


def role_labels(
    session: Session, envelope: Envelope, signers: Sequence[EnvelopeSigner] = ()
) -> dict[str, str]:
    """How each role reads to people: a package's role names (its roles are ids), an
    uploaded document's numbered roles spelled out ("signer_2" -> "Signer 2"), others as named."""
    package = session.get(Package, envelope.package_id) if envelope.package_id else None
    labels = (
        {m["packageRoleId"]: m["packageRoleName"] for m in package.role_mappings} if package else {}
    )
    for role in [*(f["role"] for f in all_fields(envelope)), *(s.role for s in signers)]:
        labels.setdefault(role, re.sub(r"^signer_(\d+)$", r"Signer \1", role))
    return labels


def get_envelope(session: Session, *, actor: Actor, envelope_id: str) -> Envelope:
    envelope = session.get(Envelope, envelope_id)
    if envelope is None or envelope.org_id != actor.org_id:
        raise NotFound("Envelope not found.")
    return envelope


def envelope_signers(session: Session, envelope: Envelope) -> list[EnvelopeSigner]:
    return list(
        session.exec(
            select(EnvelopeSigner)
            .where(EnvelopeSigner.envelope_id == envelope.id)
            .order_by(col(EnvelopeSigner.signing_order), col(EnvelopeSigner.created_at))
        )
    )


def list_envelopes(
    session: Session,
    *,
    actor: Actor,
    status: str | None = None,
    search: str = "",
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Envelope], int]:
    if status and status not in STATUSES:
        raise ValidationFailed(
            f"status must be one of {', '.join(STATUSES)}.", field="status", value=status
        )
    query = select(Envelope).where(
        Envelope.org_id == actor.org_id, Envelope.test_mode == actor.test_mode
    )
    if status:
        query = query.where(Envelope.status == status)
    if search.strip():
        signer_match = select(EnvelopeSigner.envelope_id).where(
            EnvelopeSigner.org_id == actor.org_id,
            text_search(search, EnvelopeSigner.email, EnvelopeSigner.name),
        )
        query = query.where(
            or_(text_search(search, Envelope.title), col(Envelope.id).in_(signer_match))
        )
    return fetch_page(
        session,
        query,
        col(Envelope.created_at).desc(),
        col(Envelope.id),
        limit=limit,
        offset=offset,
    )


def status_counts(session: Session, *, actor: Actor) -> dict[str, int]:
    """How many envelopes of the key's mode are in each status."""
    rows = session.exec(
        select(Envelope.status, func.count())
        .where(Envelope.org_id == actor.org_id, Envelope.test_mode == actor.test_mode)
        .group_by(Envelope.status)
    )
    counts = dict(rows.all())
    return {status: int(counts.get(status, 0)) for status in STATUSES}


def activity_since(session: Session, *, actor: Actor, since_ms: int) -> dict[str, int]:
    """How many envelopes were created, sent, completed, declined, cancelled or expired since
    `since_ms`."""
    moments = {
        "created": Envelope.created_at,
        "sent": Envelope.sent_at,
        "completed": Envelope.completed_at,
        "declined": Envelope.declined_at,
        "cancelled": Envelope.cancelled_at,
        "expired": Envelope.expired_at,
    }
    row = session.exec(
        select(
            *[
                func.coalesce(func.sum(case((column >= since_ms, 1), else_=0)), 0)
                for column in moments.values()
            ]
        ).where(Envelope.org_id == actor.org_id, Envelope.test_mode == actor.test_mode)
    ).one()
    return {name: int(value) for name, value in zip(moments, row, strict=True)}


def waiting_envelopes(session: Session, *, actor: Actor, limit: int = 50) -> list[Envelope]:
    """Envelopes out for signature, the longest waiting first."""
    return list(
        session.exec(
            select(Envelope)
            .where(
                Envelope.org_id == actor.org_id,
                Envelope.test_mode == actor.test_mode,
                col(Envelope.status).in_(ACTIVE),
            )
            .order_by(col(Envelope.sent_at), col(Envelope.id))
            .limit(limit)
        )
    )


def signers_by_envelope(
    session: Session, envelopes: Sequence[Envelope]
) -> dict[str, list[EnvelopeSigner]]:
    ids = [e.id for e in envelopes]
    result: dict[str, list[EnvelopeSigner]] = {i: [] for i in ids}
    if not ids:
        return result
    rows = session.exec(
        select(EnvelopeSigner)
        .where(col(EnvelopeSigner.envelope_id).in_(ids))
        .order_by(col(EnvelopeSigner.signing_order), col(EnvelopeSigner.created_at))
    )
    for signer in rows:
        result[signer.envelope_id].append(signer)
    return result


def envelope_summary(envelope: Envelope, signers: Sequence[EnvelopeSigner]) -> dict[str, Any]:
    """A list item, as the seed's List Envelopes."""
    return {
        "id": envelope.id,
        "title": envelope.title,
        "status": envelope.status,
        "templateName": envelope.template_name,
        "signers": [
            {"id": s.id, "name": s.name, "email": s.email, "role": s.role, "status": s.status}
            for s in signers
        ],
        "labels": envelope.labels,
        "test": envelope.test_mode,
        "createdAt": envelope.created_at,
        "sentAt": envelope.sent_at,
        "completedAt": envelope.completed_at,
        "expiresAt": envelope.expires_at,
    }


def envelope_detail(envelope: Envelope, signers: Sequence[EnvelopeSigner]) -> dict[str, Any]:
    """Get Envelope: the seed's fields plus what a caller needs to follow it."""
    return {
        **envelope_summary(envelope, signers),
        "message": envelope.message,
        "source": envelope.source,
        "templateId": envelope.template_id,
        "packageId": envelope.package_id,
        "scheduledAt": envelope.scheduled_at,
        "cancelledAt": envelope.cancelled_at,
        "declinedAt": envelope.declined_at,
        "expiredAt": envelope.expired_at,
        "metadata": envelope.meta.get("value"),
        "ccRecipients": envelope.cc_recipients,
        "documents": [
            {"name": d["name"], "pageCount": d["pageCount"], "fieldCount": len(d["fields"])}
            for d in envelope.documents
        ],
        "signers": [{**signer_payload(s), "signingUrl": signing_url(s)} for s in signers],
    }


def created_payload(envelope: Envelope, signers: Sequence[EnvelopeSigner]) -> dict[str, Any]:
    """The answer to Create Envelope (also MCP's send-envelope)."""
    return {
        "id": envelope.id,
        "title": envelope.title,
        "status": envelope.status,
        "scheduledAt": envelope.scheduled_at,
        "expiresAt": envelope.expires_at,
        "test": envelope.test_mode,
        "signers": [
            {
                "id": s.id,
                "name": s.name,
                "email": s.email,
                "role": s.role,
                "signingOrder": s.signing_order,
                "status": s.status,
                "signingUrl": signing_url(s),
            }
            for s in signers
        ],
    }


def audit_entries(
    session: Session, *, actor: Actor, envelope_id: str, limit: int = 500
) -> list[dict]:
    envelope = get_envelope(session, actor=actor, envelope_id=envelope_id)
    rows = list_audit(
        session, org_id=actor.org_id, subject_type="envelope", subject_id=envelope.id, limit=limit
    )
    return [
        {
            "id": row.id,
            "action": row.action,
            "actionDescription": row.description,
            "actorType": row.actor_type,
            "actorEmail": row.actor_email,
            "ipAddress": row.ip_address,
            "timestamp": row.created_at,
        }
        for row in rows
    ]


# --- creating ---------------------------------------------------------------------------


def parse_scheduled_at(value: Any) -> int | None:
    """ISO 8601 or epoch milliseconds, 5 minutes to 30 days ahead."""
    if value is None or value == "":
        return None
    when: int | None = None
    if isinstance(value, bool):
        when = None
    elif isinstance(value, int | float):
        when = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{10,16}", text):
            when = int(text)
        else:
            try:
                parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                when = None
            else:
                when = to_ms(parsed)
    if when is None:
        raise ValidationFailed(
            "scheduledAt must be an ISO 8601 time (2026-01-15T09:00:00Z) or epoch milliseconds.",
            field="scheduledAt",
            value=value,
        )
    ahead = when - now_ms()
    if ahead < MIN_SCHEDULE_MS or ahead > MAX_SCHEDULE_MS:
        raise ValidationFailed(
            "scheduledAt must be at least 5 minutes and at most 30 days in the future.",
            field="scheduledAt",
            value=value,
        )
    return when


def _clean_url(value: str | None, *, field: str) -> str | None:
    url = (value or "").strip()
    if not url:
        return None
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or len(url) > 2000:
        raise ValidationFailed("Use an http(s) URL.", field=field, value=value)
    return url


def _generated_password() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


@dataclasses.dataclass
class _Source:
    kind: str
    documents: list[dict[str, Any]]
    roles: list[str]  # in first-use order
    title: str
    template_id: str | None = None
    package_id: str | None = None
    template_name: str | None = None
    role_aliases: dict[str, str] = dataclasses.field(default_factory=dict)  # lower name -> role


def _document_entry(document: PdfDocument, name: str, fields: list[dict], template_id=None):
    return {
        "documentId": document.id,
        "sha256": document.sha256,
        "name": name,
        "filename": document.filename,
        "pageCount": document.page_count,
        "pages": document.pages,
        "placeholderKeys": document.placeholder_keys,
        "templateId": template_id,
        "fields": fields,
    }


def _from_template(session: Session, actor: Actor, template_id: str) -> _Source:
    template = template_service.get_template(session, actor=actor, template_id=template_id)
    if template.is_archived:
        raise ValidationFailed("This template is archived.", field="templateId", value=template_id)
    document = template_service.template_document(session, template)
    fields = [dict(f) for f in template.fields]
    return _Source(
        kind="template",
        documents=[_document_entry(document, template.name, fields, template.id)],
        roles=list(template.roles),
        title=template.name,
        template_id=template.id,
        template_name=template.name,
    )


def _from_package(session: Session, actor: Actor, package_id: str) -> _Source:
    package: Package = template_service.get_package(session, actor=actor, package_id=package_id)
    if package.status != "active":
        raise ValidationFailed("This package is archived.", field="packageId", value=package_id)
    templates: list[Template] = template_service.package_templates(session, package)
    role_of: dict[tuple[str, str], str] = {}
    aliases: dict[str, str] = {}
    for mapping in package.role_mappings:
        role = mapping["packageRoleId"]
        aliases[mapping["packageRoleName"].lower()] = role
        for ref in mapping["templateRoles"]:
            role_of[(ref["templateId"], ref["roleId"])] = role
            aliases.setdefault(ref["roleId"].lower(), role)
    documents = []
    seen_ids: set[str] = set()
    for template in templates:
        document = template_service.template_document(session, template)
        fields = []
        for field in template.fields:
            item = dict(field, role=role_of.get((template.id, field["role"]), field["role"]))
            if item["id"] in seen_ids:  # same field id in two templates: keep both apart
                renamed = f"{template.id}:{item['id']}"
                item = _rename_field(item, renamed, {item["id"]: renamed})
            seen_ids.add(item["id"])
            fields.append(item)
        documents.append(_document_entry(document, template.name, fields, template.id))
    roles = template_service.package_signing_roles(session, package)
    return _Source(
        kind="package",
        documents=documents,
        roles=[mapping["packageRoleId"] for mapping in roles],
        title=package.name,
        package_id=package.id,
        template_name=package.name,
        role_aliases=aliases,
    )


def _rename_field(field: dict, new_id: str, renames: dict[str, str]) -> dict:
    conditions = [
        {**c, "sourceFieldId": renames.get(c["sourceFieldId"], c["sourceFieldId"])}
        for c in field.get("conditions") or []
    ]
    renamed = {**field, "id": new_id}
    if conditions:
        renamed["conditions"] = conditions
    return renamed


def _default_signature_fields(signers: Sequence[SignerIn], page_count: int) -> list[TemplateField]:
    """For an uploaded document sent without fields: one signature per signer, stacked at the
    bottom of the last page (in points on a US Letter-sized page, clamped by validation)."""
    fields = []
    for index, signer in enumerate(signers):
        fields.append(
            TemplateField(
                id=f"signature_{index + 1}",
                type="signature",
                role=(signer.role or "").strip() or f"signer_{index + 1}",
                page=page_count,
                x=60 + (index % 2) * 260,
                y=640 - (index // 2) * 60,
                width=200,
                height=44,
                required=True,
                label=f"Signature of {signer.name or f'signer {index + 1}'}",
            )
        )
    return fields


def _from_document(session: Session, actor: Actor, data: EnvelopeCreate) -> _Source:
    assert data.document is not None
    pdf = template_service.decode_document(data.document.data)
    document = template_service.saved_document(
        session, actor=actor, data=pdf, filename=data.document.filename
    )
    frames = template_service.document_frames(document)
    given = data.fields or _default_signature_fields(data.signers, document.page_count)
    if data.fields is None:
        data.signers = [
            s.model_copy(update={"role": (s.role or "").strip() or f"signer_{i + 1}"})
            for i, s in enumerate(data.signers)
        ]
    fields = validate_fields(given, frames)
    roles = list(dict.fromkeys(f["role"] for f in fields))
    return _Source(
        kind="document",
        documents=[_document_entry(document, document.filename.removesuffix(".pdf"), fields)],
        roles=roles,
        title=document.filename.removesuffix(".pdf"),
    )


def _resolve_roles(source: _Source, signers: Sequence[SignerIn]) -> list[str]:
    """Each signer's role: as given (template role, or package role id/name), else the next
    role nobody has taken. Every role with fields gets exactly one signer: two signers on one
    role would fill the same fields, and only one of them could end up in the document."""
    resolved: list[str | None] = []
    for index, signer in enumerate(signers):
        given = (signer.role or "").strip()
        if not given:
            resolved.append(None)
            continue
        role = given if given in source.roles else source.role_aliases.get(given.lower())
        if role is None:
            match = [r for r in source.roles if r.lower() == given.lower()]
            role = match[0] if match else None
        if role is None:
            raise ValidationFailed(
                f"The document has no role {given!r}; its roles are "
                f"{', '.join(source.roles) or 'none'}.",
                field=f"signers[{index}].role",
                value=given,
            )
        if role in resolved:
            raise ValidationFailed(
                f"Role {given!r} already has a signer (signers[{resolved.index(role)}]); "
                "each role signs once.",
                field=f"signers[{index}].role",
                value=given,
            )
        resolved.append(role)
    free = [r for r in source.roles if r not in resolved]
    for index, role in enumerate(resolved):
        if role is None:
            if not free:
                raise ValidationFailed(
                    "Every role already has a signer; give this signer a role.",
                    field=f"signers[{index}].role",
                )
            resolved[index] = free.pop(0)
    for role in source.roles:
        if role not in resolved:
            raise ValidationFailed(
                f"The role {role!r} has no signer. Add a signer with role {role!r}.",
                field="signers",
                value=role,
            )
    return [r or "" for r in resolved]


def _clean_delivery(
    phone: str | None, delivery: str | None, *, path: str = ""
) -> tuple[str | None, str]:
    """The signer's phone (E.164) and the channel a generated password goes by."""
    number = clean_phone(phone, field=f"{path}phone") if phone else None
    channel = (delivery or "email").strip().lower()
    if channel not in PASSWORD_DELIVERY:
        raise ValidationFailed(
            "passwordDelivery must be email, sms or whatsapp.",
            field=f"{path}passwordDelivery",
            value=delivery,
        )
    if channel != "email" and not number:
        raise ValidationFailed(
            f"Add the signer's phone number to send the password by {CHANNEL_LABELS[channel]}.",
            field=f"{path}phone",
        )
    return number, channel


def _protect(signer: EnvelopeSigner, data: SignerIn, *, path: str = "") -> None:
    """Contact phone and identity check: a password (custom, or generated and sent when the
    signer is invited) or an emailed one-time code."""
    signer.phone, signer.password_delivery = _clean_delivery(
        data.phone, data.password_delivery, path=path
    )
    if data.password or data.require_password:
        signer.verification = "password"
        signer.password_hash = hash_password(data.password) if data.password else None
    elif data.require_email_code:
        signer.verification = "email_code"


def signer_name(value: str | None, *, field: str) -> str:
    name = (value or "").strip()
    if not name:
        raise ValidationFailed("Enter the signer's name.", field=field)
    if len(name) > MAX_NAME:
        raise ValidationFailed(
            f"The signer's name is too long (at most {MAX_NAME} characters).",
            field=field,
            maxLength=MAX_NAME,
        )
    return name


def _clean_signers(signers: Sequence[SignerIn]) -> None:
    if not signers:
        raise ValidationFailed("Add at least one signer.", field="signers")
    if len(signers) > MAX_SIGNERS:
        raise ValidationFailed(f"An envelope takes at most {MAX_SIGNERS} signers.", field="signers")
    for index, signer in enumerate(signers):
        path = f"signers[{index}]"
        signer_name(signer.name, field=f"{path}.name")
        clean_email(signer.email, field=f"{path}.email")
        if signer.signing_order is not None and not 1 <= signer.signing_order <= 100:
            raise ValidationFailed(
                "signingOrder must be between 1 and 100.",
                field=f"{path}.signingOrder",
                value=signer.signing_order,
            )
        _clean_url(signer.redirect_url, field=f"{path}.redirectUrl")
        if signer.password is not None and not 4 <= len(signer.password) <= 128:
            raise ValidationFailed(
                "A signer password needs 4 to 128 characters.", field=f"{path}.password"
            )
        _clean_delivery(signer.phone, signer.password_delivery, path=f"{path}.")


def _clean_cc(recipients: Sequence[CcRecipientIn]) -> list[dict[str, str]]:
    if len(recipients) > MAX_CC:
        raise ValidationFailed(f"At most {MAX_CC} CC recipients.", field="ccRecipients")
    cleaned = []
    for index, recipient in enumerate(recipients):
        field = f"ccRecipients[{index}]"
        name = (recipient.name or "").strip()
        if len(name) > MAX_NAME:
            raise ValidationFailed(
                f"CC: the name is too long (at most {MAX_NAME} characters).",
                field=f"{field}.name",
                maxLength=MAX_NAME,
            )
        try:
            email = clean_email(recipient.email, field=f"{field}.email")
        except ValidationFailed as exc:
            raise ValidationFailed(
                f"CC: {(recipient.email or '').strip()!r} is not a valid email address.",
                field=f"{field}.email",
                value=recipient.email,
            ) from exc
        cleaned.append({"name": name, "email": email})
    return cleaned


def _pairs(
    value: dict | list | None, *, field: str, keys: tuple[str, ...], values: tuple[str, ...]
):
    """Accept {"key": value} or [{"<key name>": ..., "value": ...}] (004's list shape)."""
    if value is None:
        return []
    if isinstance(value, dict):
        return list(value.items())
    pairs = []
    for index, item in enumerate(value):
        key = next((item[k] for k in keys if k in item), None)
        if not isinstance(key, str) or not key:
            raise ValidationFailed(
                f"Each item needs {' or '.join(keys)}.", field=f"{field}[{index}]"
            )
        pairs.append((key, next((item[v] for v in values if v in item), None)))
    return pairs


def _placeholders(source: _Source, raw) -> dict[str, str]:
    known = {k for d in source.documents for k in d["placeholderKeys"]}
    result = {}
    for key, value in _pairs(
        raw, field="placeholderValues", keys=("apiKey", "api_key", "key"), values=("value",)
    ):
        if key not in known:
            raise ValidationFailed(
                f"The document has no placeholder {{{{{key}}}}}"
                + (f"; it has {', '.join(sorted(known))}." if known else "."),
                field=f"placeholderValues.{key}",
                value=key,
            )
        if value is None or isinstance(value, dict | list):
            raise ValidationFailed("A placeholder value is text.", field=f"placeholderValues.{key}")
        result[key] = str(value)[:500]
    return result


def _apply_prefill(source: _Source, raw) -> None:
    from workspace.core.services.signing import clean_field_value

    by_id = {f["id"]: f for d in source.documents for f in d["fields"]}
    pairs = _pairs(
        raw,
        field="prefilledFields",
        keys=("fieldId", "signerFieldId", "signer_field_id"),
        values=("value", "defaultValue", "default_value"),
    )
    for key, value in pairs:
        field = by_id.get(key)
        if field is None:
            raise ValidationFailed(
                f"No field {key!r} to prefill.", field=f"prefilledFields.{key}", value=key
            )
        if field["type"] in SIGNATURE_TYPES:
            raise ValidationFailed(
                "Signature fields cannot be prefilled.", field=f"prefilledFields.{key}"
            )
        field["defaultValue"] = clean_field_value(field, value, path=f"prefilledFields.{key}")


def _clean_labels(labels: Sequence[str]) -> list[str]:
    if len(labels) > 20:
        raise ValidationFailed("At most 20 labels.", field="labels")
    cleaned = []
    for index, label in enumerate(labels):
        text = clean_text(label, field=f"labels[{index}]", max_length=50)
        if text not in cleaned:
            cleaned.append(text)
    return cleaned


def _clean_metadata(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if len(json.dumps(value, default=str)) > 4000:
        raise ValidationFailed("metadata must be under 4000 characters of JSON.", field="metadata")
    return {"value": value}


def _truthy(value: bool | str | None) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("yes", "true", "1"))


def _sender_signatures(source: _Source, sender_name: str) -> None:
    """Sender signature fields are signed by the sender when the envelope is created."""
    from workspace.core.pdf.signature import typed_signature_png

    for document in source.documents:
        for field in document["fields"]:
            if field["type"] == "sender_signature":
                sha = storage.put_bytes(typed_signature_png(sender_name))
                field["defaultValue"] = {"sha256": sha, "method": "typed"}
                field["required"] = False


def create_envelope(
    session: Session, *, actor: Actor, data: EnvelopeCreate
) -> tuple[Envelope, list[EnvelopeSigner]]:
    """Create the envelope and send it now, schedule it (`scheduledAt`) or keep it as a draft
    (`saveAsDraft`) to send later with `send_draft`."""
    given = [k for k in ("template_id", "package_id", "document") if getattr(data, k)]
    if len(given) != 1:
        raise ValidationFailed(
            "Provide exactly one of templateId, packageId or document.", field="templateId"
        )
    if data.fields is not None and data.document is None:
        raise ValidationFailed("fields go with an uploaded document.", field="fields")
    _clean_signers(data.signers)
    scheduled_at = parse_scheduled_at(data.scheduled_at)
    hours = data.expires_in_hours if data.expires_in_hours is not None else DEFAULT_EXPIRY_HOURS
    if not (
        isinstance(hours, int | float) and math.isfinite(hours) and 1 <= hours <= MAX_EXPIRY_HOURS
    ):
        raise ValidationFailed(
            f"expiresInHours must be between 1 and {MAX_EXPIRY_HOURS}.",
            field="expiresInHours",
            value=data.expires_in_hours,
        )
    interval = data.reminder_interval_days
    if interval is not None and not 1 <= interval <= 30:
        raise ValidationFailed(
            "reminderIntervalDays must be between 1 and 30.", field="reminderIntervalDays"
        )
    cc = _clean_cc(data.cc_recipients)
    labels = _clean_labels(data.labels)
    meta = _clean_metadata(data.metadata)
    message = clean_text(data.message, field="message", max_length=5000, required=False)
    subject = clean_text(data.email_subject, field="emailSubject", max_length=300, required=False)

    if data.template_id:
        source = _from_template(session, actor, data.template_id)
    elif data.package_id:
        source = _from_package(session, actor, data.package_id)
    else:
        source = _from_document(session, actor, data)
    roles = _resolve_roles(source, data.signers)
    placeholders = _placeholders(source, data.placeholder_values)
    _apply_prefill(source, data.prefilled_fields)
    org = session.get(Organization, actor.org_id)
    sender_name = clean_text(
        data.sender_name or (org.name if org else "Sender"), field="senderName", max_length=80
    )
    _sender_signatures(source, sender_name)
    title = clean_text(data.title or source.title, field="title", max_length=300)

    now = now_ms()
    envelope = Envelope(
        org_id=actor.org_id,
        title=title,
        message=message,
        status="draft" if data.save_as_draft else "scheduled" if scheduled_at else "sent",
        source=source.kind,
        template_id=source.template_id,
        package_id=source.package_id,
        template_name=source.template_name,
        documents=source.documents,
        placeholder_values=placeholders,
        cc_recipients=cc,
        labels=labels,
        meta=meta,
        email_subject=subject or None,
        test_mode=actor.test_mode or _truthy(data.test),
        created_by_email=actor.email,
        reminder_interval_days=interval,
        scheduled_at=scheduled_at,
        expires_at=(scheduled_at or now) + int(hours * HOUR_MS),
        # the same instant as the expiry, so a draft's lifetime (expiry - creation) is exact
        created_at=now,
        updated_at=now,
    )
    # Envelope and signers are written by one flush, after sending has set their state: the
    # unit of work inserts the envelope first (foreign key), so nothing needs flushing here.
    session.add(envelope)
    signers = []
    for index, (signer_in, role) in enumerate(zip(data.signers, roles, strict=True)):
        signer = EnvelopeSigner(
            org_id=actor.org_id,
            envelope_id=envelope.id,
            name=signer_name(signer_in.name, field=f"signers[{index}].name"),
            email=clean_email(signer_in.email, field=f"signers[{index}].email"),
            role=role,
            signing_order=signer_in.signing_order or 1,
            redirect_url=_clean_url(signer_in.redirect_url, field=f"signers[{index}].redirectUrl"),
            token_nonce="",
            token_hash="",
        )
        _issue_token(signer)
        _protect(signer, signer_in, path=f"signers[{index}].")
        session.add(signer)
        signers.append(signer)
    audit(
        session,
        actor=actor,
        envelope=envelope,
        action="envelope_created",
        description="Envelope created",
        data={
            "source": source.kind,
            "signers": len(signers),
            "documents": len(source.documents),
            "draft": envelope.status == "draft",
        },
        new_subject=True,
    )
    emit(session, actor=actor, type="envelope.created", envelope=envelope)
    if envelope.status != "draft":
        _dispatch(session, actor=actor, envelope=envelope, signers=signers)
    return envelope, signers


def _dispatch(
    session: Session, *, actor: Actor, envelope: Envelope, signers: Sequence[EnvelopeSigner]
) -> None:
    """Send now, or at `scheduled_at` when that is still ahead; start the expiry clock."""
    if envelope.scheduled_at:
        envelope.status = "scheduled"
        session.add(envelope)
        audit(
            session,
            actor=actor,
            envelope=envelope,
            action="envelope_scheduled",
            description="Envelope scheduled to be sent",
            data={"scheduledAt": envelope.scheduled_at},
        )
        enqueue(
            session,
            kind=KIND_SEND,
            payload={"envelope_id": envelope.id},
            run_at=envelope.scheduled_at,
            unique_key=f"envelope-send:{envelope.id}",
        )
    else:
        send_now(session, actor=actor, envelope=envelope, signers=signers)
    enqueue(
        session,
        kind=KIND_EXPIRE,
        payload={"envelope_id": envelope.id},
        run_at=envelope.expires_at,
        unique_key=f"envelope-expire:{envelope.id}",
    )


def send_draft(session: Session, *, actor: Actor, envelope_id: str) -> Envelope:
    """Send a draft now, or schedule it when its `scheduledAt` is still ahead (a time that
    has passed meanwhile sends it now). The expiry period starts from the sending."""
    envelope = get_envelope(session, actor=actor, envelope_id=envelope_id)
    if envelope.status != "draft":
        raise Conflict(f"The envelope is {envelope.status}; only a draft can be sent.")
    signers = envelope_signers(session, envelope)
    planned_start = envelope.scheduled_at or envelope.created_at
    lifetime = (envelope.expires_at or planned_start) - planned_start
    if envelope.scheduled_at and envelope.scheduled_at <= now_ms():
        envelope.scheduled_at = None
    envelope.expires_at = (envelope.scheduled_at or now_ms()) + lifetime
    envelope.updated_at = now_ms()
    session.add(envelope)
    _dispatch(session, actor=actor, envelope=envelope, signers=signers)
    return envelope


# --- sending and notifying ----------------------------------------------------------------


def _org(session: Session, envelope: Envelope) -> Organization | None:
    return session.get(Organization, envelope.org_id)


def _mail(
    session: Session,
    envelope: Envelope,
    *,
    to_email: str,
    to_name: str,
    subject: str,
    heading: str,
    paragraphs: list[str],
    button_label: str | None = None,
    button_url: str | None = None,
    category: str = "envelope",
) -> None:
    send_notice(
        session,
        to_email=to_email,
        to_name=to_name,
        subject=subject,
        heading=heading,
        paragraphs=paragraphs,
        button_label=button_label,
        button_url=button_url,
        org=_org(session, envelope),
        org_id=envelope.org_id,
        category=category,
        deliver=not envelope.test_mode,
    )


def _sender_label(session: Session, envelope: Envelope) -> str:
    org = _org(session, envelope)
    return org.name if org else "Workspace"


def send_invitation(
    session: Session,
    envelope: Envelope,
    signer: EnvelopeSigner,
    *,
    reminder: str | None = None,
    password_channel: str | None = None,
) -> None:
    """The signing link by email; `password_channel` names where a password just went."""
    sender = _sender_label(session, envelope)
    paragraphs = [f"Hi {signer.name},"]
    if reminder is not None:
        paragraphs.append(
            reminder or f"This is a reminder that “{envelope.title}” is waiting for your signature."
        )
    elif envelope.message:
        paragraphs.append(envelope.message)
    paragraphs.append(
        "Open the document to review it and sign. The link is personal to you; do not forward it."
    )
    if password_channel == "email":
        paragraphs.append("You need a password to open it; it comes in a separate email.")
    elif password_channel:
        paragraphs.append(
            f"You need a password to open it; it was sent by {CHANNEL_LABELS[password_channel]} "
            f"to {signer.phone}."
        )
    if envelope.expires_at:
        from workspace.core.pdf.certificate import format_time

        paragraphs.append(f"The link works until {format_time(envelope.expires_at)}.")
    subject = envelope.email_subject or f"Please sign: {envelope.title}"
    _mail(
        session,
        envelope,
        to_email=signer.email,
        to_name=signer.name,
        subject=f"Reminder: {subject}" if reminder is not None else subject,
        heading=f"{sender} sent you “{envelope.title}” to sign",
        paragraphs=paragraphs,
        button_label="Review and sign",
        button_url=signing_url(signer),
        category="signing",
    )


def _send_password(
    session: Session, actor: Actor, envelope: Envelope, signer: EnvelopeSigner
) -> str:
    """Generate a new password and send it by the signer's channel; returns the channel."""
    password = _generated_password()
    signer.password_hash = hash_password(password)
    channel = signer.password_delivery if signer.phone else "email"
    if channel == "email":
        _mail(
            session,
            envelope,
            to_email=signer.email,
            to_name=signer.name,
            subject=f"Your password for “{envelope.title}”",
            heading="Your document password",
            paragraphs=[
                f"Hi {signer.name}, the document “{envelope.title}” is password protected.",
                f"Password: {password}",
                "You will be asked for it when you open the signing link from the other email.",
            ],
            category="signing",
        )
        recipient = signer.email
    else:
        assert signer.phone
        send_text(
            session,
            to_phone=signer.phone,
            to_name=signer.name,
            channel=channel,
            body=f"Password for “{envelope.title}” from {_sender_label(session, envelope)}: "
            f"{password}\nEnter it when you open the signing link we emailed you.",
            org_id=envelope.org_id,
            category="signing",
            deliver=not envelope.test_mode,
        )
        recipient = signer.phone
    audit(
        session,
        actor=actor,
        envelope=envelope,
        action="password_sent",
        description=f"Signing password sent by {CHANNEL_LABELS[channel]} to {recipient}",
        data={"signerId": signer.id, "channel": channel},
    )
    return channel


def signs_after(signers: Sequence[EnvelopeSigner], signer: EnvelopeSigner) -> list[EnvelopeSigner]:
    """The signers who still have to sign before `signer`'s turn comes (lower signing order)."""
    return [
        s
        for s in signers
        if s.signing_order < signer.signing_order and s.status not in ("signed", "declined")
    ]


def joined_names(signers: Sequence[EnvelopeSigner]) -> str:
    names = [s.name for s in signers]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def notify_turn(
    session: Session, *, actor: Actor, envelope: Envelope, signers: Sequence[EnvelopeSigner]
) -> list[EnvelopeSigner]:
    """Invite the signers whose turn it is now (lowest unfinished signing order)."""
    waiting = [s for s in signers if s.status != "signed"]
    if not waiting or any(s.status == "declined" for s in signers):
        return []
    order = min(s.signing_order for s in waiting)
    invited = []
    for signer in waiting:
        if signer.signing_order != order or signer.status != "pending":
            continue
        signer.status = "sent"
        signer.sent_at = now_ms()
        channel = None
        if signer.verification == "password" and signer.password_hash is None:
            channel = _send_password(session, actor, envelope, signer)
        send_invitation(session, envelope, signer, password_channel=channel)
        session.add(signer)
        audit(
            session,
            actor=actor,
            envelope=envelope,
            action="invitation_sent",
            description=f"Signing invitation emailed to {signer.email}",
            data={"signerId": signer.id, "signingOrder": signer.signing_order},
        )
        invited.append(signer)
    return invited


def send_now(
    session: Session, *, actor: Actor, envelope: Envelope, signers: Sequence[EnvelopeSigner]
) -> None:
    envelope.status = "sent"
    envelope.sent_at = now_ms()
    envelope.updated_at = envelope.sent_at
    session.add(envelope)
    audit(
        session,
        actor=actor,
        envelope=envelope,
        action="envelope_sent",
        description="Envelope sent to signers",
    )
    notify_turn(session, actor=actor, envelope=envelope, signers=signers)
    for cc in envelope.cc_recipients:
        _mail(
            session,
            envelope,
            to_email=cc["email"],
            to_name=cc["name"],
            subject=f"Sent for signature: {envelope.title}",
            heading=f"“{envelope.title}” was sent for signature",
            paragraphs=[
                f"Hi {cc['name'] or cc['email']}, you are copied on this envelope.",
                "Signers: " + ", ".join(f"{s.name} <{s.email}>" for s in signers),
                "You will get the signed document when everyone has signed.",
            ],
            category="envelope",
        )
    emit(session, actor=actor, type="envelope.sent", envelope=envelope)
    if envelope.reminder_interval_days:
        _schedule_reminder(session, envelope, 1)


def _schedule_reminder(session: Session, envelope: Envelope, number: int) -> None:
    assert envelope.reminder_interval_days and envelope.sent_at
    enqueue(
        session,
        kind=KIND_REMIND,
        payload={"envelope_id": envelope.id, "number": number},
        run_at=envelope.sent_at + number * envelope.reminder_interval_days * DAY_MS,
        unique_key=f"envelope-remind:{envelope.id}:{number}",
    )


def notify_completed(session: Session, envelope: Envelope, signers: Sequence[EnvelopeSigner]):
    """Everyone (signers and CC) gets the signed document; a signer's link is their own."""
    recipients: dict[str, tuple[str, str]] = {}
    for signer in signers:
        link = download_url(
            envelope, "document", signer=signer, ttl_seconds=CC_DOWNLOAD_TTL_SECONDS
        )
        recipients.setdefault(signer.email, (signer.name, link))
    shared = download_url(envelope, "document", ttl_seconds=CC_DOWNLOAD_TTL_SECONDS)
    for cc in envelope.cc_recipients:
        recipients.setdefault(cc["email"], (cc["name"], shared))
    for email, (name, link) in recipients.items():
        _mail(
            session,
            envelope,
            to_email=email,
            to_name=name,
            subject=f"Completed: {envelope.title}",
            heading=f"“{envelope.title}” is signed by everyone",
            paragraphs=[
                f"Hi {name or email}, all signers have signed.",
                "Download the sealed PDF with its certificate of completion below "
                "(the link works for 7 days).",
            ],
            button_label="Download signed PDF",
            button_url=link,
            category="envelope",
        )


# --- owner actions ----------------------------------------------------------------------


def cancel_envelope(session: Session, *, actor: Actor, envelope_id: str) -> Envelope:
    envelope = get_envelope(session, actor=actor, envelope_id=envelope_id)
    if envelope.status in FINISHED:
        raise Conflict(f"The envelope is {envelope.status} and can no longer be cancelled.")
    signers = envelope_signers(session, envelope)
    envelope.status = "cancelled"
    envelope.cancelled_at = envelope.updated_at = now_ms()
    session.add(envelope)
    for signer in signers:
        if signer.sent_at and signer.status not in ("signed", "declined"):
            _mail(
                session,
                envelope,
                to_email=signer.email,
                to_name=signer.name,
                subject=f"Cancelled: {envelope.title}",
                heading=f"“{envelope.title}” was cancelled",
                paragraphs=[
                    f"Hi {signer.name}, the sender cancelled this envelope. "
                    "You no longer need to sign it."
                ],
            )
    audit(
        session,
        actor=actor,
        envelope=envelope,
        action="envelope_cancelled",
        description="Envelope cancelled",
    )
    emit(session, actor=actor, type="envelope.cancelled", envelope=envelope)
    return envelope


def remind_envelope(
    session: Session,
    *,
    actor: Actor,
    envelope_id: str,
    signer_id: str | None = None,
    message: str | None = None,
) -> int:
    """Email the signers whose turn it is (or one of them) again; returns how many."""
    envelope = get_envelope(session, actor=actor, envelope_id=envelope_id)
    if envelope.status not in ACTIVE:
        raise Conflict(f"The envelope is {envelope.status}; there is nobody to remind.")
    text = clean_text(message, field="message", max_length=2000, required=False)
    signers = envelope_signers(session, envelope)
    targets = [s for s in signers if s.status in ("sent", "viewed")]
    if signer_id:
        match = [s for s in signers if s.id == signer_id]
        if not match:
            raise ValidationFailed(
                "No such signer on this envelope.", field="signerId", value=signer_id
            )
        if match[0] not in targets:
            raise Conflict(
                f"This signer is {match[0].status}; only signers whose turn it is can be reminded."
            )
        targets = match
    for signer in targets:
        _remind(session, actor, envelope, signer, text)
    return len(targets)


def _remind(
    session: Session, actor: Actor, envelope: Envelope, signer: EnvelopeSigner, text: str
) -> None:
    send_invitation(session, envelope, signer, reminder=text)
    signer.reminder_sent_at = now_ms()
    session.add(signer)
    audit(
        session,
        actor=actor,
        envelope=envelope,
        action="reminder_sent",
        description=f"Reminder emailed to {signer.email}",
        data={"signerId": signer.id, "automatic": actor.type == "system"},
    )
    emit(session, actor=actor, type="reminder.sent", envelope=envelope, signer=signer)


def expire_envelope(session: Session, envelope: Envelope) -> bool:
    if envelope.status in FINISHED or envelope.status == "draft":
        return False
    actor = envelope_actor(envelope)
    envelope.status = "expired"
    envelope.expired_at = envelope.updated_at = now_ms()
    session.add(envelope)
    audit(
        session,
        actor=actor,
        envelope=envelope,
        action="envelope_expired",
        description="Envelope expired before every signer signed",
    )
    emit(session, actor=actor, type="envelope.expired", envelope=envelope)
    return True


def expire_if_due(session: Session, envelope: Envelope) -> None:
    """Links opened after the expiry time see it expired even before the job ran."""
    if envelope.expires_at and envelope.expires_at <= now_ms():
        expire_envelope(session, envelope)


# --- signer management (004) -------------------------------------------------------------


def _editable(envelope: Envelope) -> None:
    if envelope.status in FINISHED:
        raise Conflict(f"The envelope is {envelope.status}; its signers can no longer change.")


def _document_role(envelope: Envelope, role: str) -> str:
    """A role that has fields in the envelope's documents ("" for none)."""
    role = role.strip()
    if role and role not in {f["role"] for f in all_fields(envelope)}:
        raise ValidationFailed(f"The document has no role {role!r}.", field="role", value=role)
    return role


def get_signer(session: Session, envelope: Envelope, signer_id: str) -> EnvelopeSigner:
    signer = session.get(EnvelopeSigner, signer_id)
    if signer is None or signer.envelope_id != envelope.id:
        raise NotFound("Signer not found.")
    return signer


def add_signer(
    session: Session, *, actor: Actor, envelope_id: str, data: SignerIn
) -> EnvelopeSigner:
    """Add a signer (no email is sent until the invitation is resent, as in 004)."""
    envelope = get_envelope(session, actor=actor, envelope_id=envelope_id)
    _editable(envelope)
    signers = envelope_signers(session, envelope)
    if len(signers) >= MAX_SIGNERS:
        raise ValidationFailed(f"An envelope takes at most {MAX_SIGNERS} signers.", field="signers")
    _clean_signers([data])
    role = _document_role(envelope, data.role or "")
    done = next((s for s in signers if s.role == role and s.status in ("signed", "declined")), None)
    if done is not None:  # a second signer would overwrite the fields they filled
        raise Conflict(
            f"{done.name} has already {done.status} for the role {role!r}; "
            "a role's fields are filled once.",
            details={"field": "role", "signerId": done.id},
        )
    signer = EnvelopeSigner(
        org_id=envelope.org_id,
        envelope_id=envelope.id,
        name=signer_name(data.name, field="name"),
        email=clean_email(data.email),
        role=role,
        signing_order=data.signing_order or max((s.signing_order for s in signers), default=1),
        redirect_url=_clean_url(data.redirect_url, field="redirectUrl"),
        token_nonce="",
        token_hash="",
    )
    _issue_token(signer)
    _protect(signer, data)
    session.add(signer)
    session.flush()
    audit(
        session,
        actor=actor,
        envelope=envelope,
        action="signer_added",
        description=f"Signer {signer.email} added",
        data={"signerId": signer.id},
    )
    return signer


def update_signer(
    session: Session, *, actor: Actor, envelope_id: str, signer_id: str, data: SignerUpdate
) -> EnvelopeSigner:
    envelope = get_envelope(session, actor=actor, envelope_id=envelope_id)
    _editable(envelope)
    signer = get_signer(session, envelope, signer_id)
    if signer.status in ("signed", "declined"):
        raise Conflict(f"This signer has {signer.status}; their details can no longer change.")
    changes = {}
    if data.role is not None or data.signing_order is not None:
        if envelope.status != "draft":
            raise Conflict("A signer's role and signing order change only while it is a draft.")
        if data.role is not None:
            signer.role = changes["role"] = _document_role(envelope, data.role)
        if data.signing_order is not None:
            if not 1 <= data.signing_order <= 100:
                raise ValidationFailed(
                    "signingOrder must be between 1 and 100.",
                    field="signingOrder",
                    value=data.signing_order,
                )
            signer.signing_order = changes["signingOrder"] = data.signing_order
    if data.name is not None:
        signer.name = changes["name"] = signer_name(data.name, field="name")
    if data.email is not None:
        email = clean_email(data.email)
        if email != signer.email:
            signer.email = changes["email"] = email
            _issue_token(signer)  # the old link was sent to the old address
    if data.redirect_url is not None:
        signer.redirect_url = _clean_url(data.redirect_url, field="redirectUrl")
        changes["redirectUrl"] = signer.redirect_url
    if data.phone is not None or data.password_delivery is not None:
        phone = signer.phone if data.phone is None else data.phone
        delivery = data.password_delivery or signer.password_delivery
        signer.phone, signer.password_delivery = _clean_delivery(phone, delivery)
        changes["phone"], changes["passwordDelivery"] = signer.phone, signer.password_delivery
    session.add(signer)
    audit(
        session,
        actor=actor,
        envelope=envelope,
        action="signer_updated",
        description=f"Signer {signer.email} updated",
        data={"signerId": signer.id, **changes},
    )
    return signer


def resend_invitation(
    session: Session, *, actor: Actor, envelope_id: str, signer_id: str
) -> EnvelopeSigner:
    """Email the link again; also unlocks a signer locked out by wrong passwords or codes
    (an auto-generated password is replaced and emailed)."""
    envelope = get_envelope(session, actor=actor, envelope_id=envelope_id)
    if envelope.status not in ("sent", "viewed", "signed"):
        raise Conflict(f"The envelope is {envelope.status}; invitations cannot be sent.")
    signer = get_signer(session, envelope, signer_id)
    if signer.status in ("signed", "declined"):
        raise Conflict(f"This signer has {signer.status}.")
    earlier = signs_after(envelope_signers(session, envelope), signer)
    if earlier:
        raise Conflict(
            f"{signer.name} signs after {joined_names(earlier)} and is invited when it is "
            "their turn.",
            details={"signerId": signer.id},
        )
    signer.failed_attempts = 0
    signer.locked_at = None
    signer.code_hash = None
    signer.access_grant_hash = None
    channel = None
    if signer.verification == "password":
        channel = _send_password(session, actor, envelope, signer)
    if signer.status == "pending":
        signer.status = "sent"
    signer.sent_at = now_ms()
    send_invitation(session, envelope, signer, password_channel=channel)
    session.add(signer)
    audit(
        session,
        actor=actor,
        envelope=envelope,
        action="invitation_resent",
        description=f"Signing invitation emailed again to {signer.email}",
        data={"signerId": signer.id},
    )
    return signer


def remove_signer(session: Session, *, actor: Actor, envelope_id: str, signer_id: str) -> None:
    envelope = get_envelope(session, actor=actor, envelope_id=envelope_id)
    _editable(envelope)
    signer = get_signer(session, envelope, signer_id)
    if signer.status == "signed":
        raise Conflict("This signer has already signed and cannot be removed.")
    signers = envelope_signers(session, envelope)
    others = [s for s in signers if s.id != signer.id]
    if not others:
        raise Conflict("An envelope needs at least one signer; cancel the envelope instead.")
    role_has_fields = any(f["role"] == signer.role for f in all_fields(envelope))
    if role_has_fields and not any(s.role == signer.role for s in others):
        raise Conflict(
            f"Nobody else signs as {signer.role!r}; add another signer with that role first."
        )
    session.delete(signer)
    session.flush()
    audit(
        session,
        actor=actor,
        envelope=envelope,
        action="signer_removed",
        description=f"Signer {signer.email} removed",
        data={"signerId": signer.id},
    )
    if envelope.status in ACTIVE:
        from workspace.core.services.signing import advance

        advance(session, actor=actor, envelope=envelope, signers=others)


# --- downloads --------------------------------------------------------------------------


def download_links(session: Session, *, actor: Actor, envelope_id: str, type: str = "all") -> dict:
    if type not in ("document", "certificate", "all"):
        raise ValidationFailed(
            "type must be document, certificate or all.", field="type", value=type
        )
    envelope = get_envelope(session, actor=actor, envelope_id=envelope_id)
    if envelope.status != "completed":
        raise Conflict(f"The envelope is {envelope.status}; downloads exist once it is completed.")
    result = {
        "id": envelope.id,
        "title": envelope.title,
        "status": envelope.status,
        "completedAt": envelope.completed_at,
        "expiresIn": "1 hour",
    }
    if type in ("document", "all"):
        result["documentUrl"] = download_url(envelope, "document")
    if type in ("certificate", "all"):
        result["certificateUrl"] = download_url(envelope, "certificate")
    return result


def open_download(
    session: Session,
    *,
    envelope_id: str,
    kind: str,
    ip: str | None,
    user_agent: str | None,
    signer_id: str | None = None,
) -> tuple[bytes, str]:
    """The sealed file behind a signed URL; records the download, as the signer's when the
    link was the signer's own."""
    envelope = session.get(Envelope, envelope_id)
    if (
        envelope is None
        or envelope.status != "completed"
        or kind not in ("document", "certificate")
    ):
        raise NotFound("File not found.")
    signer = session.get(EnvelopeSigner, signer_id) if signer_id else None
    if signer_id and (signer is None or signer.envelope_id != envelope.id):
        raise NotFound("File not found.")
    if kind == "certificate" and not envelope.certificate_sealed:
        # sealed on first download, so completing an envelope pays for one seal only
        from workspace.core.pdf.seal import seal_pdf

        sealed = seal_pdf(
            storage.get_bytes(envelope.certificate_sha256 or ""),
            reason=f"Certificate of completion {envelope.id}",
            location=envelope.id,
        )
        envelope.certificate_sha256 = storage.put_bytes(sealed)
        envelope.certificate_sealed = True
        session.add(envelope)
    sha = envelope.final_sha256 if kind == "document" else envelope.certificate_sha256
    data = storage.get_bytes(sha or "")
    if signer is not None:
        actor = Actor(
            org_id=envelope.org_id,
            type="signer",
            email=signer.email,
            test_mode=envelope.test_mode,
            ip=ip,
            user_agent=user_agent,
        )
    else:
        actor = dataclasses.replace(envelope_actor(envelope), ip=ip, user_agent=user_agent)
    audit(
        session,
        actor=actor,
        envelope=envelope,
        action="document_downloaded",
        description=f"Signed {kind} downloaded" + (f" by {signer.email}" if signer else ""),
        data={"kind": kind, **({"signerId": signer.id} if signer else {})},
    )
    emit_event(
        session,
        actor=actor,
        type="document.downloaded",
        data={"envelope": envelope_payload(envelope), "document": kind, "timestamp": now_ms()},
    )
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", envelope.title).strip("-")[:80] or envelope.id
    return data, f"{safe}-{'signed' if kind == 'document' else 'certificate'}.pdf"


# --- jobs -------------------------------------------------------------------------------


@job_handler(KIND_SEND)
def _send_scheduled(payload: dict) -> None:
    from workspace.core.db import session_scope

    with session_scope() as session:
        envelope = session.get(Envelope, payload["envelope_id"])
        if envelope is None or envelope.status != "scheduled":
            return
        send_now(
            session,
            actor=envelope_actor(envelope),
            envelope=envelope,
            signers=envelope_signers(session, envelope),
        )


@job_handler(KIND_EXPIRE)
def _expire(payload: dict) -> None:
    from workspace.core.db import session_scope

    with session_scope() as session:
        envelope = session.get(Envelope, payload["envelope_id"])
        if envelope is None:
            return
        if envelope.expires_at and envelope.expires_at > now_ms():
            return  # the expiry moved later
        expire_envelope(session, envelope)


@job_handler(KIND_REMIND)
def _auto_remind(payload: dict) -> None:
    from workspace.core.db import session_scope

    with session_scope() as session:
        envelope = session.get(Envelope, payload["envelope_id"])
        if envelope is None or envelope.status not in ACTIVE or not envelope.reminder_interval_days:
            return
        actor = envelope_actor(envelope)
        for signer in envelope_signers(session, envelope):
            if signer.status in ("sent", "viewed"):
                _remind(session, actor, envelope, signer, "")
        _schedule_reminder(session, envelope, payload["number"] + 1)
