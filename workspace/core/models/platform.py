"""Cross-cutting tables: audit log, events, mail and text-message outboxes, jobs, idempotency."""

from typing import Any

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from workspace.core.models.base import id_field, json_field, ms_field


class AuditLog(SQLModel, table=True):
    """Append-only; each row chains the hash of the previous row of the same subject."""

    __table_args__ = (Index("ix_auditlog_subject", "org_id", "subject_type", "subject_id", "seq"),)
    id: str = id_field("log")
    org_id: str = Field(foreign_key="organization.id", max_length=40, ondelete="CASCADE")
    subject_type: str = Field(max_length=40)
    subject_id: str = Field(max_length=40)
    seq: int = 0
    action: str = Field(max_length=80)
    description: str = Field(default="", sa_type=Text)
    actor_type: str = Field(max_length=20)
    actor_email: str | None = Field(default=None, max_length=320)
    ip_address: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=500)
    data: dict[str, Any] = json_field()
    created_at: int = ms_field()
    prev_hash: str = Field(default="", max_length=64)
    hash: str = Field(max_length=64)


class Event(SQLModel, table=True):
    """An outgoing event, written in the same transaction as the change that caused it."""

    __table_args__ = (Index("ix_event_org_created", "org_id", "created_at"),)
    id: str = id_field("evt")
    org_id: str = Field(foreign_key="organization.id", max_length=40, ondelete="CASCADE")
    type: str = Field(max_length=80)
    data: dict[str, Any] = json_field()
    test_mode: bool = False
    created_at: int = ms_field()


class OutboxMessage(SQLModel, table=True):
    """Every email the app writes. Delivered by SMTP when configured; always readable here."""

    __table_args__ = (Index("ix_outbox_org_created", "org_id", "created_at"),)
    id: str = id_field("msg")
    org_id: str | None = Field(
        default=None, foreign_key="organization.id", max_length=40, ondelete="CASCADE"
    )
    to_email: str = Field(max_length=320, index=True)
    to_name: str = Field(default="", max_length=200)
    subject: str = Field(max_length=500)
    text_body: str = Field(sa_type=Text)
    html_body: str = Field(sa_type=Text)
    category: str = Field(default="general", max_length=40)
    status: str = Field(default="stored", max_length=20)  # stored | queued | sent | failed
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: int = ms_field()
    sent_at: int | None = ms_field(nullable=True)


class TextMessage(SQLModel, table=True):
    """Every SMS or WhatsApp message the app writes. Sent through the provider at `SMS_URL`
    when one is configured; always listed on the Mailbox page."""

    __table_args__ = (Index("ix_textmessage_org_created", "org_id", "created_at"),)
    id: str = id_field("sms")
    org_id: str | None = Field(
        default=None, foreign_key="organization.id", max_length=40, ondelete="CASCADE"
    )
    to_phone: str = Field(max_length=20, index=True)  # E.164
    to_name: str = Field(default="", max_length=200)
    channel: str = Field(default="sms", max_length=20)  # sms | whatsapp
    body: str = Field(sa_type=Text)
    category: str = Field(default="general", max_length=40)
    status: str = Field(default="queued", max_length=20)  # not_sent | queued | sent | failed
    provider_id: str | None = Field(default=None, max_length=100)
    error: str | None = Field(default=None, sa_type=Text)
    attempts: int = 0
    created_at: int = ms_field()
    sent_at: int | None = ms_field(nullable=True)


class Job(SQLModel, table=True):
    __table_args__ = (Index("ix_job_due", "status", "run_at"),)
    id: str = id_field("job")
    kind: str = Field(max_length=80)
    payload: dict[str, Any] = json_field()
    status: str = Field(default="pending", max_length=20)  # pending | running | done | failed
    run_at: int = ms_field()
    attempts: int = 0
    max_attempts: int = 8
    unique_key: str | None = Field(default=None, max_length=200, unique=True)
    locked_by: str | None = Field(default=None, max_length=80)
    locked_until: int | None = ms_field(nullable=True)
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: int = ms_field()
    finished_at: int | None = ms_field(nullable=True)


class IdempotencyRecord(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("api_key_id", "key"),)
    id: str = id_field("idem")
    api_key_id: str = Field(foreign_key="apikey.id", max_length=40, ondelete="CASCADE")
    key: str = Field(max_length=255)
    request_hash: str = Field(max_length=64)
    status_code: int = 0
    response_body: str = Field(default="", sa_type=Text)
    created_at: int = ms_field()
