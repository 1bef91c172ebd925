"""The signer's side: open a link, verify (password or emailed code, locked after 5 misses),
consent, sign or decline; and completion (stamp, certificate of completion, PAdES seal)."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
from datetime import date
from typing import Any

from sqlmodel import Session

from workspace.core import storage
from workspace.core.actor import Actor
from workspace.core.clock import from_ms, now_ms
from workspace.core.conditions import evaluate, is_empty, missing_required
from workspace.core.config import secret_key
from workspace.core.errors import Conflict, NotFound, ValidationFailed
from workspace.core.ids import hash_token, new_token
from workspace.core.models import Organization
from workspace.core.models.envelopes import Envelope, EnvelopeSigner
from workspace.core.passwords import verify_password
from workspace.core.pdf import certificate as cert
from workspace.core.pdf import stamp
from workspace.core.pdf.ca import ca_certificate_url
from workspace.core.pdf.document import frame_from_json, page_image_path
from workspace.core.pdf.placeholders import find_placeholders
from workspace.core.pdf.seal import seal_pdf
from workspace.core.pdf.signature import normalize_signature_image, typed_signature_png
from workspace.core.services import envelopes as env
from workspace.core.services.audit import chain_head, list_audit
from workspace.core.validation import clean_email

CONSENT_VERSION = "esign-consent-v1"
CONSENT_TEXT = (
    "I agree to do business electronically: to receive this document, sign it with an "
    "electronic signature and get the signed copy by email. My electronic signature has the "
    "same effect as a handwritten one. I can ask the sender for a paper copy."
)
MAX_ATTEMPTS = 5
MAX_DECLINE_REASON = 1000
CODE_TTL_MS = 10 * 60_000
CODE_RESEND_MS = 30_000
GRANT_TTL_MS = 12 * 3600_000
SIGNATURE_METHODS = ("drawn", "typed", "uploaded")
PHONE_RE = re.compile(r"^\+?[0-9 ()./-]{5,30}$")


@dataclasses.dataclass
class SigningContext:
    """What a signing link shows. `state` is one of: sign, verify, locked, waiting, signed,
    declined, cancelled, expired, not_sent."""

    envelope: Envelope
    signer: EnvelopeSigner
    signers: list[EnvelopeSigner]
    organization: str
    state: str

    @property
    def fields(self) -> list[dict[str, Any]]:
        return [f for f in env.all_fields(self.envelope) if f["role"] == self.signer.role]


@dataclasses.dataclass
class VerificationResult:
    ok: bool
    message: str = ""
    grant: str | None = None


def _signer_actor(
    envelope: Envelope, signer: EnvelopeSigner, ip: str | None, user_agent: str | None
) -> Actor:
    return Actor(
        org_id=envelope.org_id,
        type="signer",
        email=signer.email,
        test_mode=envelope.test_mode,
        ip=ip,
        user_agent=user_agent,
    )


def _find(session: Session, token: str) -> tuple[Envelope, EnvelopeSigner]:
    if not token or len(token) > 200:
        raise NotFound("This signing link is not valid.")
    from sqlmodel import select

    signer = session.exec(
        select(EnvelopeSigner).where(EnvelopeSigner.token_hash == hash_token(token))
    ).first()
    if signer is None:
        raise NotFound("This signing link is not valid. Ask the sender for a new one.")
    envelope = session.get(Envelope, signer.envelope_id)
    assert envelope is not None
    return envelope, signer


def _grant_valid(signer: EnvelopeSigner, grant: str | None) -> bool:
    return bool(
        grant
        and signer.access_grant_hash
        and signer.access_grant_hash == hash_token(grant)
        and (signer.access_grant_expires_at or 0) > now_ms()
    )


def _is_turn(signer: EnvelopeSigner, signers: list[EnvelopeSigner]) -> bool:
    waiting = [s.signing_order for s in signers if s.status != "signed"]
    return bool(waiting) and signer.signing_order == min(waiting)


def _state(
    envelope: Envelope, signer: EnvelopeSigner, signers: list[EnvelopeSigner], grant: str | None
) -> str:
    if envelope.status == "cancelled":
        return "cancelled"
    if signer.status == "signed":
        return "signed"
    if signer.status == "declined" or envelope.status == "declined":
        return "declined"
    if envelope.status == "expired":
        return "expired"
    if envelope.status in ("draft", "scheduled"):
        return "not_sent"
    if not _is_turn(signer, signers):
        return "waiting"
    if signer.locked_at:
        return "locked"
    if signer.verification != "none" and not _grant_valid(signer, grant):
        return "verify"
    return "sign"


def open_link(
    session: Session,
    *,
    token: str,
    grant: str | None = None,
    ip: str | None = None,
    user_agent: str | None = None,
) -> SigningContext:
    """Resolve a link; the first time the document is shown, record the view."""
    envelope, signer = _find(session, token)
    env.expire_if_due(session, envelope)
    signers = env.envelope_signers(session, envelope)
    state = _state(envelope, signer, signers, grant)
    if state == "sign" and signer.viewed_at is None:
        actor = _signer_actor(envelope, signer, ip, user_agent)
        signer.viewed_at = now_ms()
        signer.status = "viewed"
        signer.ip_address, signer.user_agent = ip, (user_agent or "")[:500] or None
        session.add(signer)
        env.audit(
            session,
            actor=actor,
            envelope=envelope,
            action="document_viewed",
            description="Document viewed by signer",
        )
        env.emit(session, actor=actor, type="signer.viewed", envelope=envelope, signer=signer)
        if envelope.status == "sent":
            envelope.status = "viewed"
            envelope.updated_at = now_ms()
            session.add(envelope)
            env.emit(session, actor=actor, type="envelope.viewed", envelope=envelope, signer=signer)
    org = session.get(Organization, envelope.org_id)
    return SigningContext(envelope, signer, signers, org.name if org else "", state)


def _require_state(session: Session, token: str, grant: str | None, *states: str):
    envelope, signer = _find(session, token)
    env.expire_if_due(session, envelope)
    signers = env.envelope_signers(session, envelope)
    state = _state(envelope, signer, signers, grant)
    if state not in states:
        raise Conflict(_STATE_MESSAGES.get(state, "This document cannot be signed now."))
    return envelope, signer, signers


_STATE_MESSAGES = {
    "cancelled": "The sender cancelled this envelope.",
    "signed": "You have already signed this document.",
    "declined": "This envelope was declined.",
    "expired": "This signing link has expired.",
    "not_sent": "This envelope has not been sent yet.",
    "waiting": "It is not your turn to sign yet. You will get an email when it is.",
    "locked": "Too many wrong attempts. Ask the sender to resend your invitation.",
    "verify": "Verify your identity first.",
}


def _fail_attempt(
    session: Session, envelope: Envelope, signer: EnvelopeSigner, actor: Actor, what: str
) -> VerificationResult:
    signer.failed_attempts += 1
    left = MAX_ATTEMPTS - signer.failed_attempts
    env.audit(
        session,
        actor=actor,
        envelope=envelope,
        action="verification_failed",
        description=f"Wrong {what} entered",
        data={"attempt": signer.failed_attempts},
    )
    if left <= 0:
        signer.locked_at = now_ms()
        env.audit(
            session,
            actor=actor,
            envelope=envelope,
            action="signer_locked",
            description="Signer locked out after 5 failed attempts",
        )
        session.add(signer)
        return VerificationResult(False, _STATE_MESSAGES["locked"])
    session.add(signer)
    return VerificationResult(
        False, f"That {what} is not right. {left} {'try' if left == 1 else 'tries'} left."
    )


def _grant(
    session: Session, envelope: Envelope, signer: EnvelopeSigner, actor: Actor, method: str
) -> VerificationResult:
    grant = new_token()
    signer.access_grant_hash = hash_token(grant)
    signer.access_grant_expires_at = now_ms() + GRANT_TTL_MS
    signer.failed_attempts = 0
    signer.code_hash = None
    session.add(signer)
    env.audit(
        session,
        actor=actor,
        envelope=envelope,
        action="verification_succeeded",
        description=f"Signer verified with {method}",
    )
    return VerificationResult(True, grant=grant)


def check_password(
    session: Session,
    *,
    token: str,
    password: str,
    ip: str | None = None,
    user_agent: str | None = None,
) -> VerificationResult:
    envelope, signer, _ = _require_state(session, token, None, "verify")
    if signer.verification != "password" or not signer.password_hash:
        raise Conflict("This link does not use a password.")
    actor = _signer_actor(envelope, signer, ip, user_agent)
    if password and verify_password(password, signer.password_hash):
        return _grant(session, envelope, signer, actor, "password")
    return _fail_attempt(session, envelope, signer, actor, "password")


def _code_hash(signer: EnvelopeSigner, code: str) -> str:
    return hashlib.sha256(secret_key() + f"code:{signer.id}:{code}".encode()).hexdigest()


def send_code(
    session: Session, *, token: str, ip: str | None = None, user_agent: str | None = None
) -> str:
    """Email a 6-digit code; returns where it went (masked)."""
    envelope, signer, _ = _require_state(session, token, None, "verify")
    if signer.verification != "email_code":
        raise Conflict("This link does not use an emailed code.")
    now = now_ms()
    if signer.code_expires_at and signer.code_expires_at - CODE_TTL_MS + CODE_RESEND_MS > now:
        raise Conflict("A code was sent a moment ago. Check your inbox, or try again in 30 s.")
    import secrets

    code = f"{secrets.randbelow(1_000_000):06d}"
    signer.code_hash = _code_hash(signer, code)
    signer.code_expires_at = now + CODE_TTL_MS
    session.add(signer)
    env._mail(
        session,
        envelope,
        to_email=signer.email,
        to_name=signer.name,
        subject=f"Your code: {code}",
        heading="Your verification code",
        paragraphs=[
            f"Hi {signer.name}, enter this code to open “{envelope.title}”:",
            code,
            "It works for 10 minutes. If you did not ask for it, ignore this email.",
        ],
        category="signing",
    )
    actor = _signer_actor(envelope, signer, ip, user_agent)
    env.audit(
        session,
        actor=actor,
        envelope=envelope,
        action="verification_code_sent",
        description=f"Verification code emailed to {signer.email}",
    )
    name, _, domain = signer.email.partition("@")
    return f"{name[:2]}{'•' * max(len(name) - 2, 1)}@{domain}"


def check_code(
    session: Session, *, token: str, code: str, ip: str | None = None, user_agent: str | None = None
) -> VerificationResult:
    envelope, signer, _ = _require_state(session, token, None, "verify")
    if signer.verification != "email_code":
        raise Conflict("This link does not use an emailed code.")
    actor = _signer_actor(envelope, signer, ip, user_agent)
    if not signer.code_hash or (signer.code_expires_at or 0) < now_ms():
        return VerificationResult(False, "The code has expired or was not sent. Send a new one.")
    if _code_hash(signer, (code or "").strip()) == signer.code_hash:
        return _grant(session, envelope, signer, actor, "emailed code")
    return _fail_attempt(session, envelope, signer, actor, "code")


def give_consent(
    session: Session,
    *,
    token: str,
    grant: str | None,
    ip: str | None = None,
    user_agent: str | None = None,
) -> None:
    envelope, signer, _ = _require_state(session, token, grant, "sign")
    if signer.consented_at:
        return
    signer.consent_version = CONSENT_VERSION
    signer.consented_at = now_ms()
    session.add(signer)
    env.audit(
        session,
        actor=_signer_actor(envelope, signer, ip, user_agent),
        envelope=envelope,
        action="consent_given",
        description="Signer agreed to sign electronically",
        data={"consentVersion": CONSENT_VERSION},
    )


def page_image(
    session: Session,
    *,
    token: str,
    grant: str | None,
    document: int,
    page: int,
    width: int | None = None,
):
    """Path of a rendered page for the signer (the document is shown once verified)."""
    envelope, _signer, _ = _require_state(session, token, grant, "sign")
    if not 0 <= document < len(envelope.documents):
        raise NotFound("Document not found.")
    return page_image_path(envelope.documents[document]["sha256"], page, width)


# --- values -----------------------------------------------------------------------------


def _option_value(field: dict, raw: Any, path: str) -> str:
    options = field.get("options") or []
    text = str(raw).strip()
    for option in options:
        if text in (option["value"], option["label"]):
            return option["value"]
    raise ValidationFailed(
        f"Choose one of: {', '.join(o['label'] for o in options)}.", field=path, value=raw
    )


def clean_field_value(field: dict, raw: Any, *, path: str) -> Any:
    """A value for a non-signature field, checked against its type; None when empty."""
    kind = field["type"]
    if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
        return False if kind == "checkbox" else None
    label = field.get("label") or field["id"]
    if kind == "checkbox":
        if isinstance(raw, bool):
            return raw
        if str(raw).lower() in ("1", "true", "yes", "on"):
            return True
        if str(raw).lower() in ("0", "false", "no", "off"):
            return False
        raise ValidationFailed(f"{label}: use true or false.", field=path, value=raw)
    if kind in ("dropdown", "radio_group"):
        return _option_value(field, raw, path)
    if kind == "multi_select":
        items = raw if isinstance(raw, list) else [p for p in str(raw).split(",") if p.strip()]
        return list(dict.fromkeys(_option_value(field, item, path) for item in items))
    if isinstance(raw, dict | list):
        raise ValidationFailed(f"{label}: expected text.", field=path)
    text = str(raw).strip()
    if kind == "email":
        try:
            return clean_email(text, field=path)
        except ValidationFailed:
            raise ValidationFailed(
                f"{label}: enter a valid email address.", field=path, value=text
            ) from None
    if kind == "phone":
        if not PHONE_RE.match(text) or sum(c.isdigit() for c in text) < 5:
            raise ValidationFailed(
                f"{label}: enter a phone number with its country code.", field=path, value=raw
            )
        return text
    if kind == "number":
        try:
            number = float(text.replace(",", ""))
        except ValueError:
            raise ValidationFailed(f"{label}: enter a number.", field=path, value=raw) from None
        if field.get("min") is not None and number < field["min"]:
            raise ValidationFailed(f"{label}: at least {field['min']:g}.", field=path, value=raw)
        if field.get("max") is not None and number > field["max"]:
            raise ValidationFailed(f"{label}: at most {field['max']:g}.", field=path, value=raw)
        return int(number) if number.is_integer() else number
    if kind in ("date", "date_picker"):
        try:
            return date.fromisoformat(text[:10]).isoformat()
        except ValueError:
            raise ValidationFailed(
                f"{label}: use a date like 2026-01-31.", field=path, value=raw
            ) from None
    if len(text) > 2000:
        raise ValidationFailed(f"{label}: at most 2000 characters.", field=path)
    return text


def signature_value(raw: Any, *, path: str) -> dict[str, str]:
    """{"method": "drawn"|"uploaded", "dataUrl"|"image": PNG/JPEG} or {"method": "typed",
    "text": ...} -> the stored value {"sha256", "method"} (image kept in storage)."""
    if not isinstance(raw, dict) or raw.get("method") not in SIGNATURE_METHODS:
        raise ValidationFailed("Draw, type or upload your signature.", field=path)
    if raw["method"] == "typed":
        png = typed_signature_png(str(raw.get("text") or ""), field=path)
    else:
        data = raw.get("image")
        if data is None:
            url = str(raw.get("dataUrl") or "")
            if not url.startswith("data:image/"):
                raise ValidationFailed("The signature image is missing.", field=path)
            try:
                data = base64.b64decode(url.partition(",")[2], validate=True)
            except ValueError:
                raise ValidationFailed("The signature image is not valid.", field=path) from None
        png = normalize_signature_image(data, field=path)
    return {"sha256": storage.put_bytes(png), "method": raw["method"]}


def current_values(envelope: Envelope, signers: list[EnvelopeSigner]) -> dict[str, Any]:
    """Prefilled defaults overlaid with what signers entered (by field id)."""
    values: dict[str, Any] = {}
    for field in env.all_fields(envelope):
        if "defaultValue" in field:
            values[field["id"]] = field["defaultValue"]
    for signer in signers:
        for field_id, entry in signer.values.items():
            values[field_id] = entry.get("value")
    return values


def field_label(field: dict) -> str:
    return field.get("label") or field["type"].replace("_", " ").capitalize()


def sign(
    session: Session,
    *,
    token: str,
    grant: str | None,
    values: dict[str, Any],
    ip: str | None = None,
    user_agent: str | None = None,
) -> SigningContext:
    """Check the signer's values on the server (types, conditions, required) and sign."""
    envelope, signer, signers = _require_state(session, token, grant, "sign")
    if not signer.consented_at:
        raise Conflict("Agree to sign electronically first.")
    fields = [f for f in env.all_fields(envelope) if f["role"] == signer.role]
    by_id = {f["id"]: f for f in fields}
    for field_id in values:
        if field_id not in by_id:
            raise ValidationFailed("That field is not yours to fill.", field=f"values.{field_id}")
    today = from_ms(now_ms()).date().isoformat()
    cleaned: dict[str, Any] = {}
    for field in fields:
        path = f"values.{field['id']}"
        if field["type"] == "date":
            cleaned[field["id"]] = today  # "auto-filled date field": the day of signing
        elif field["type"] == "sender_signature":
            continue
        elif field["type"] in ("signature", "initials"):
            raw = values.get(field["id"])
            if raw:
                cleaned[field["id"]] = raw  # turned into an image below, once known visible
        else:
            raw = values.get(field["id"], field.get("defaultValue"))
            cleaned[field["id"]] = clean_field_value(field, raw, path=path)
    combined = {**current_values(envelope, signers), **cleaned}
    missing = missing_required(env.all_fields(envelope), combined, role=signer.role)
    if missing:
        labels = [field_label(by_id[m]) for m in missing]
        raise ValidationFailed(
            f"Fill in the required fields: {', '.join(labels)}.",
            field=f"values.{missing[0]}",
            missing=missing,
        )
    states = evaluate(env.all_fields(envelope), combined)
    now = now_ms()
    stored: dict[str, Any] = {}
    methods = []
    for field_id, value in cleaned.items():
        if not states[field_id].visible or is_empty(value):
            continue
        if by_id[field_id]["type"] in ("signature", "initials"):
            value = signature_value(value, path=f"values.{field_id}")
            methods.append(value["method"])
        stored[field_id] = {"value": value, "completedAt": now}
    actor = _signer_actor(envelope, signer, ip, user_agent)
    signer.values = stored
    signer.status = "signed"
    signer.signed_at = now
    signer.ip_address, signer.user_agent = ip, (user_agent or "")[:500] or None
    signer.signature_method = methods[0] if methods else None
    signer.access_grant_hash = None
    session.add(signer)
    env.audit(
        session,
        actor=actor,
        envelope=envelope,
        action="document_signed",
        description="Document signed by signer",
        data={"fields": len(stored), "method": signer.signature_method},
    )
    env.emit(session, actor=actor, type="signer.signed", envelope=envelope, signer=signer)
    advance(session, actor=actor, envelope=envelope, signers=signers)
    return SigningContext(envelope, signer, signers, "", "signed")


def decline(
    session: Session,
    *,
    token: str,
    grant: str | None,
    reason: str,
    ip: str | None = None,
    user_agent: str | None = None,
) -> None:
    envelope, signer, _ = _require_state(session, token, grant, "sign")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Give a reason for declining.", field="reason")
    if len(reason) > MAX_DECLINE_REASON:
        raise ValidationFailed(
            f"The reason can be at most {MAX_DECLINE_REASON} characters.",
            field="reason",
            maxLength=MAX_DECLINE_REASON,
        )
    actor = _signer_actor(envelope, signer, ip, user_agent)
    now = now_ms()
    signer.status = "declined"
    signer.declined_at = now
    signer.decline_reason = reason
    signer.ip_address, signer.user_agent = ip, (user_agent or "")[:500] or None
    envelope.status = "declined"
    envelope.declined_at = envelope.updated_at = now
    session.add(signer)
    session.add(envelope)
    env.audit(
        session,
        actor=actor,
        envelope=envelope,
        action="signer_declined",
        description="Signer declined to sign",
        data={"reason": reason},
    )
    env.emit(session, actor=actor, type="signer.declined", envelope=envelope, signer=signer)
    env.emit(session, actor=actor, type="envelope.declined", envelope=envelope, signer=signer)
    if envelope.created_by_email:
        env._mail(
            session,
            envelope,
            to_email=envelope.created_by_email,
            to_name="",
            subject=f"Declined: {envelope.title}",
            heading=f"{signer.name} declined to sign “{envelope.title}”",
            paragraphs=[f"Reason: {reason}", "The envelope is closed. Send a new one if needed."],
        )


def advance(
    session: Session, *, actor: Actor, envelope: Envelope, signers: list[EnvelopeSigner]
) -> None:
    """After a signature (or a removed signer): complete, or invite the next in order."""
    if signers and all(s.status == "signed" for s in signers):
        complete_envelope(session, envelope=envelope, signers=signers)
        return
    if any(s.status == "signed" for s in signers) and envelope.status in ("sent", "viewed"):
        envelope.status = "signed"
        envelope.updated_at = now_ms()
        session.add(envelope)
        env.emit(session, actor=actor, type="envelope.signed", envelope=envelope)
    # The next invitations go out on their own: Workspace sends them, not the signer who
    # just signed nor the sender who removed a signer.
    env.notify_turn(session, actor=env.envelope_actor(envelope), envelope=envelope, signers=signers)


# --- completion -------------------------------------------------------------------------


def _display(field: dict, value: Any) -> str:
    if field["type"] in ("dropdown", "radio_group"):
        labels = {o["value"]: o["label"] for o in field.get("options") or []}
        return labels.get(value, str(value))
    if field["type"] == "multi_select":
        labels = {o["value"]: o["label"] for o in field.get("options") or []}
        return ", ".join(labels.get(v, str(v)) for v in value)
    return str(value)


def stamp_items(
    envelope: Envelope, signers: list[EnvelopeSigner], pdfs: list[bytes]
) -> list[stamp.SourceDocument]:
    values = current_values(envelope, signers)
    states = evaluate(env.all_fields(envelope), values)
    sources = []
    for document, pdf in zip(envelope.documents, pdfs, strict=True):
        items: list[stamp.StampItem] = []
        for field in document["fields"]:
            value = values.get(field["id"])
            if not states[field["id"]].visible or is_empty(value):
                continue
            box = stamp.Box(field["page"], field["x"], field["y"], field["width"], field["height"])
            if field["type"] in env.SIGNATURE_TYPES:
                items.append(
                    stamp.StampItem(box, "image", image=storage.get_bytes(value["sha256"]))
                )
            elif field["type"] == "checkbox":
                items.append(stamp.StampItem(box, "check"))
            else:
                items.append(stamp.StampItem(box, "text", text=_display(field, value)))
        wanted = [k for k in document["placeholderKeys"] if k in envelope.placeholder_values]
        if wanted:
            frames = [frame_from_json(p) for p in document["pages"]]
            for key, boxes in find_placeholders(pdf, frames, wanted).items():
                items += [
                    stamp.StampItem(b, "text", text=envelope.placeholder_values[key], cover=True)
                    for b in boxes
                ]
        sources.append(stamp.SourceDocument(pdf, items))
    return sources


def _verification_label(signer: EnvelopeSigner) -> str:
    return {
        "password": "Email link + password",
        "email_code": "Email link + emailed one-time code",
    }.get(signer.verification, "Email link")


def certificate_data(
    session: Session, envelope: Envelope, signers: list[EnvelopeSigner], signed_sha256: str
) -> cert.CertificateData:
    org = session.get(Organization, envelope.org_id)
    timeline = [
        cert.TimelineEntry(
            row.created_at, row.description, row.actor_email or row.actor_type, row.ip_address
        )
        for row in list_audit(
            session,
            org_id=envelope.org_id,
            subject_type="envelope",
            subject_id=envelope.id,
            limit=5000,
        )
    ]
    people = []
    for signer in signers:
        image = None
        for entry in signer.values.values():
            value = entry.get("value")
            if isinstance(value, dict) and "sha256" in value:
                image = storage.get_bytes(value["sha256"])
                break
        people.append(
            cert.CertificateSigner(
                name=signer.name,
                email=signer.email,
                role=signer.role,
                status=signer.status,
                signing_order=signer.signing_order,
                ip_address=signer.ip_address,
                user_agent=signer.user_agent,
                verification_method=_verification_label(signer),
                consent_version=signer.consent_version,
                consented_at=signer.consented_at,
                sent_at=signer.sent_at,
                viewed_at=signer.viewed_at,
                signed_at=signer.signed_at,
                signature_method=signer.signature_method,
                signature_png=image,
            )
        )
    return cert.CertificateData(
        envelope_id=envelope.id,
        title=envelope.title,
        organization=org.name if org else "",
        created_at=envelope.created_at,
        completed_at=envelope.completed_at or now_ms(),
        documents=[(d["filename"], d["sha256"]) for d in envelope.documents],
        final_sha256=signed_sha256,
        audit_chain_head=chain_head(
            session, org_id=envelope.org_id, subject_type="envelope", subject_id=envelope.id
        ),
        signers=people,
        timeline=timeline,
        cc_recipients=[c["email"] for c in envelope.cc_recipients],
        test_mode=envelope.test_mode,
        ca_certificate_url=ca_certificate_url(),
    )


def complete_envelope(
    session: Session, *, envelope: Envelope, signers: list[EnvelopeSigner]
) -> None:
    """Draw every value, flatten, append the certificate of completion, seal."""
    actor = env.envelope_actor(envelope)
    envelope.completed_at = now_ms()
    pdfs = [storage.get_bytes(d["sha256"]) for d in envelope.documents]
    signed = stamp.stamp_documents(
        stamp_items(envelope, signers, pdfs), watermark="TEST" if envelope.test_mode else None
    )
    signed_sha = hashlib.sha256(signed).hexdigest()
    certificate_pdf = cert.render_certificate(
        certificate_data(session, envelope, signers, signed_sha)
    )
    reason = f"Signed by {', '.join(s.name for s in signers)}"
    # The stamped document stays the sealed file's first revision, byte for byte: the
    # certificate pages and the seal are one incremental update after it.
    final = seal_pdf(signed, reason=reason, location=envelope.id, appendix=certificate_pdf)
    envelope.signed_document_sha256 = signed_sha
    envelope.final_sha256 = storage.put_bytes(final)
    envelope.certificate_sha256 = storage.put_bytes(certificate_pdf)  # sealed on first download
    envelope.certificate_sealed = False
    envelope.status = "completed"
    envelope.updated_at = envelope.completed_at
    session.add(envelope)
    env.audit(
        session,
        actor=actor,
        envelope=envelope,
        action="envelope_completed",
        description="All signers signed; document sealed",
        data={"finalSha256": envelope.final_sha256, "signedSha256": signed_sha},
    )
    env.emit(session, actor=actor, type="envelope.completed", envelope=envelope)
    env.notify_completed(session, envelope, signers)
