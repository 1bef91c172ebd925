"""Webhook endpoints, one delivery per (event, endpoint), and every attempt of a delivery."""

from sqlalchemy import Index, LargeBinary, Text
from sqlmodel import Field, SQLModel

from workspace.core.models.base import id_field, json_field, ms_field, org_field


class WebhookEndpoint(SQLModel, table=True):
    """Secrets are stored encrypted under the master key ring (AES-GCM), never in plain text."""

    id: str = id_field("whk")
    org_id: str = org_field()
    url: str = Field(max_length=2048)
    description: str = Field(default="", max_length=500)
    events: list[str] = json_field(list)
    is_active: bool = True
    test_mode: bool = False
    secret_key_id: str = Field(max_length=40)
    secret_wrapped: bytes = Field(sa_type=LargeBinary)
    previous_secret_key_id: str | None = Field(default=None, max_length=40)
    previous_secret_wrapped: bytes | None = Field(default=None, sa_type=LargeBinary)
    previous_secret_expires_at: int | None = ms_field(nullable=True)
    auth_header_name: str | None = Field(default=None, max_length=100)
    auth_header_key_id: str | None = Field(default=None, max_length=40)
    auth_header_wrapped: bytes | None = Field(default=None, sa_type=LargeBinary)
    failure_count: int = 0
    failing_since: int | None = ms_field(nullable=True)
    last_delivered_at: int | None = ms_field(nullable=True)
    disabled_reason: str | None = Field(default=None, max_length=500)
    created_by: str | None = Field(default=None, max_length=40)
    created_at: int = ms_field()
    updated_at: int = ms_field()


class WebhookDelivery(SQLModel, table=True):
    """status: pending (waiting for its next attempt) | succeeded | failed (gave up)."""

    __table_args__ = (Index("ix_webhookdelivery_endpoint_created", "endpoint_id", "created_at"),)
    id: str = id_field("dlv")
    org_id: str = org_field()
    endpoint_id: str = Field(foreign_key="webhookendpoint.id", max_length=40, ondelete="CASCADE")
    event_id: str = Field(foreign_key="event.id", index=True, max_length=40, ondelete="CASCADE")
    event_type: str = Field(max_length=80)
    status: str = Field(default="pending", max_length=20)
    attempt_count: int = 0
    generation: int = 0  # bumped by a manual redelivery; older scheduled jobs then do nothing
    next_attempt_at: int | None = ms_field(nullable=True)
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, sa_type=Text)
    last_duration_ms: int | None = None
    delivered_at: int | None = ms_field(nullable=True)
    created_at: int = ms_field()


class WebhookAttempt(SQLModel, table=True):
    __table_args__ = (Index("ix_webhookattempt_delivery", "delivery_id", "number"),)
    id: str = id_field("att")
    org_id: str = org_field()
    delivery_id: str = Field(foreign_key="webhookdelivery.id", max_length=40, ondelete="CASCADE")
    number: int
    started_at: int = ms_field()
    duration_ms: int = 0
    status_code: int | None = None
    succeeded: bool = False
    response_excerpt: str = Field(default="", sa_type=Text)
    error: str | None = Field(default=None, sa_type=Text)
    next_attempt_at: int | None = ms_field(nullable=True)
