"""Organization logo: uploaded once, kept in the content-addressed store, served publicly."""

from __future__ import annotations

from sqlmodel import Session

from workspace.core import storage
from workspace.core.actor import Actor
from workspace.core.errors import NotFound, PayloadTooLarge, ValidationFailed
from workspace.core.models import Organization
from workspace.core.services.audit import record_audit

MAX_LOGO_BYTES = 2 * 1024 * 1024

# Raster formats only: an SVG served from our origin could carry script.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def logo_media_type(data: bytes) -> str | None:
    """The image type told by the file's first bytes, or None when it is not a supported image."""
    for magic, media_type in _SIGNATURES:
        if data.startswith(magic):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def set_organization_logo(session: Session, *, actor: Actor, data: bytes) -> Organization:
    """Store a PNG, JPEG, GIF or WebP logo (at most 2 MB) and make it the organization's logo."""
    actor.require_admin()
    if not data:
        raise ValidationFailed("The logo file is empty.", field="logo")
    if len(data) > MAX_LOGO_BYTES:
        raise PayloadTooLarge(
            "The logo must be at most 2 MB.", details={"field": "logo", "size": len(data)}
        )
    if logo_media_type(data) is None:
        raise ValidationFailed("The logo must be a PNG, JPEG, GIF or WebP image.", field="logo")
    return _set_logo(session, actor, storage.put_bytes(data))


def remove_organization_logo(session: Session, *, actor: Actor) -> Organization:
    actor.require_admin()
    return _set_logo(session, actor, None)


def _set_logo(session: Session, actor: Actor, sha256: str | None) -> Organization:
    org = session.get(Organization, actor.org_id)
    if org is None:
        raise NotFound("Organization not found.")
    org.logo_sha256 = sha256
    record_audit(
        session,
        actor=actor,
        subject_type="organization",
        subject_id=org.id,
        action="organization_logo_changed" if sha256 else "organization_logo_removed",
        description="Logo updated" if sha256 else "Logo removed",
        data={"sha256": sha256} if sha256 else {},
    )
    return org


def organization_logo(session: Session, *, org_id: str) -> tuple[bytes, str, str]:
    """Bytes, media type and SHA-256 of an organization's logo (public: logos appear in emails)."""
    org = session.get(Organization, org_id)
    if org is None or not org.logo_sha256:
        raise NotFound("This organization has no logo.")
    data = storage.get_bytes(org.logo_sha256)
    return data, logo_media_type(data) or "application/octet-stream", org.logo_sha256


def logo_url(org: Organization | None, base_url: str = "") -> str:
    """Public address of the logo ("" without one); the query changes with the logo."""
    if org is None or not org.logo_sha256:
        return ""
    return f"{base_url}/files/logo/{org.id}?v={org.logo_sha256[:12]}"
