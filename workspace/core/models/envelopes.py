"""Envelopes (documents sent for signature) and their signers."""

from typing import Any

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from workspace.core.models.base import id_field, json_field, ms_field, org_field


class Envelope(SQLModel, table=True):
    """One sending of a template, a package or an uploaded document.

    `documents` is a snapshot taken at creation - the PDFs (by SHA-256) and the fields with
    their page-fraction boxes - so later template edits never change what a signer sees.
    """

    __table_args__ = (Index("ix_envelope_org_status_created", "org_id", "status", "created_at"),)
    id: str = id_field("env")
    org_id: str = org_field()
    title: str = Field(max_length=300)
    message: str = Field(default="", sa_type=Text)
    status: str = Field(default="sent", max_length=20)
    source: str = Field(default="template", max_length=20)  # template | package | document
    template_id: str | None = Field(default=None, max_length=40, index=True)
    package_id: str | None = Field(default=None, max_length=40, index=True)
    template_name: str | None = Field(default=None, max_length=300)
    documents: list[dict[str, Any]] = json_field(list)
    placeholder_values: dict[str, str] = json_field()
    cc_recipients: list[dict[str, str]] = json_field(list)
    labels: list[str] = json_field(list)
    meta: dict[str, Any] = json_field()  # {"value": <the caller's metadata>} to allow any JSON
    email_subject: str | None = Field(default=None, max_length=300)
    test_mode: bool = False
    created_by_email: str | None = Field(default=None, max_length=320)
    reminder_interval_days: int | None = None
    expires_at: int | None = ms_field(nullable=True)
    scheduled_at: int | None = ms_field(nullable=True)
    sent_at: int | None = ms_field(nullable=True)
    completed_at: int | None = ms_field(nullable=True)
    cancelled_at: int | None = ms_field(nullable=True)
    declined_at: int | None = ms_field(nullable=True)
    expired_at: int | None = ms_field(nullable=True)
    signed_document_sha256: str | None = Field(default=None, max_length=64)
    final_sha256: str | None = Field(default=None, max_length=64)
    certificate_sha256: str | None = Field(default=None, max_length=64)
    certificate_sealed: bool = False  # the standalone certificate is sealed on first download
    created_at: int = ms_field()
    updated_at: int = ms_field()


class EnvelopeSigner(SQLModel, table=True):
    __table_args__ = (Index("ix_envelopesigner_envelope_order", "envelope_id", "signing_order"),)
    id: str = id_field("sgn")
    org_id: str = org_field()
    envelope_id: str = Field(foreign_key="envelope.id", max_length=40, ondelete="CASCADE")
    name: str = Field(max_length=200)
    email: str = Field(max_length=320)
    phone: str | None = Field(default=None, max_length=20)  # E.164
    role: str = Field(default="", max_length=100)
    signing_order: int = 1
    status: str = Field(default="pending", max_length=20)
    redirect_url: str | None = Field(default=None, max_length=2000)
    # The link token is derived from the install secret and `token_nonce`; only its hash is
    # stored, so a copy of the database does not reveal working links.
    token_nonce: str = Field(max_length=40)
    token_hash: str = Field(max_length=64, unique=True)
    verification: str = Field(default="none", max_length=20)  # none | password | email_code
    password_hash: str | None = Field(default=None, max_length=200)
    password_delivery: str = Field(default="email", max_length=20)  # email | sms | whatsapp
    code_hash: str | None = Field(default=None, max_length=64)
    code_expires_at: int | None = ms_field(nullable=True)
    failed_attempts: int = 0
    locked_at: int | None = ms_field(nullable=True)
    access_grant_hash: str | None = Field(default=None, max_length=64)
    access_grant_expires_at: int | None = ms_field(nullable=True)
    consent_version: str | None = Field(default=None, max_length=40)
    consented_at: int | None = ms_field(nullable=True)
    values: dict[str, Any] = json_field()  # field id -> {"value": ..., "completedAt": ms}
    signature_method: str | None = Field(default=None, max_length=20)
    ip_address: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=500)
    sent_at: int | None = ms_field(nullable=True)
    viewed_at: int | None = ms_field(nullable=True)
    signed_at: int | None = ms_field(nullable=True)
    declined_at: int | None = ms_field(nullable=True)
    decline_reason: str | None = Field(default=None, sa_type=Text)
    reminder_sent_at: int | None = ms_field(nullable=True)
    created_at: int = ms_field()
