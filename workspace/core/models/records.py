"""The generic business-app record engine: records, documents, tasks, approvals, team,
portal links and encrypted vault items."""

from typing import Any

from sqlalchemy import Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from workspace.core.models.base import id_field, json_field, ms_field, org_field


def _record_fk() -> Any:
    return Field(foreign_key="apprecord.id", index=True, max_length=40, ondelete="CASCADE")


class AppRecord(SQLModel, table=True):
    __table_args__ = (
        Index("ix_apprecord_list", "org_id", "app_slug", "test_mode", "created_at"),
        Index("ix_apprecord_due", "app_slug", "status", "next_due_at"),
    )
    id: str = id_field("rec")
    org_id: str = org_field()
    app_slug: str = Field(max_length=40)
    record_type: str = Field(max_length=60)
    title: str = Field(max_length=300)
    status: str = Field(max_length=40)
    # "metadata" is reserved by SQLAlchemy's declarative base, hence the column name.
    details: dict[str, Any] = json_field()
    party_name: str = Field(default="", max_length=200)
    party_email: str = Field(default="", max_length=320)
    party_phone: str = Field(default="", max_length=40)
    party_company: str = Field(default="", max_length=200)
    owner_user_id: str | None = Field(default=None, max_length=40)
    expiration_at: int | None = ms_field(nullable=True)
    renewal_due_at: int | None = ms_field(nullable=True)
    # The earlier of renewal_due_at / expiration_at, for the renewals job and calendar.
    next_due_at: int | None = ms_field(nullable=True)
    test_mode: bool = False
    created_at: int = ms_field()
    updated_at: int = ms_field()


class RecordDocument(SQLModel, table=True):
    id: str = id_field("doc")
    org_id: str = org_field()
    record_id: str = _record_fk()
    requirement_key: str | None = Field(default=None, max_length=60)
    label: str = Field(default="", max_length=200)
    file_name: str = Field(max_length=255)
    content_type: str = Field(max_length=120)
    size_bytes: int = 0
    sha256: str = Field(max_length=64)
    # pending_review | approved | rejected | expired | needs_revision
    status: str = Field(default="pending_review", max_length=20)
    review_reason: str = Field(default="", sa_type=Text)
    reviewed_by: str | None = Field(default=None, max_length=320)
    reviewed_at: int | None = ms_field(nullable=True)
    access_level: str = Field(default="general", max_length=20)
    is_sensitive: bool = False
    expires_at: int | None = ms_field(nullable=True)
    uploaded_by: str = Field(default="", max_length=320)
    source: str = Field(default="api", max_length=20)  # api | ui | portal
    created_at: int = ms_field()


class RecordTask(SQLModel, table=True):
    id: str = id_field("action")
    org_id: str = org_field()
    record_id: str = _record_fk()
    title: str = Field(max_length=300)
    description: str = Field(default="", sa_type=Text)
    kind: str = Field(default="task", max_length=20)  # task | renewal
    status: str = Field(default="open", max_length=20)  # open | completed
    due_at: int | None = ms_field(nullable=True)
    assignee_user_id: str | None = Field(default=None, max_length=40)
    completed_at: int | None = ms_field(nullable=True)
    completed_by: str | None = Field(default=None, max_length=320)
    created_at: int = ms_field()


class Approval(SQLModel, table=True):
    id: str = id_field("appr")
    org_id: str = org_field()
    record_id: str = _record_fk()
    title: str = Field(max_length=300)
    mode: str = Field(default="sequential", max_length=20)  # sequential | parallel
    status: str = Field(default="pending", max_length=20)  # pending | approved | rejected
    requested_by: str = Field(default="", max_length=320)
    created_at: int = ms_field()
    completed_at: int | None = ms_field(nullable=True)


class ApprovalStep(SQLModel, table=True):
    __table_args__ = (Index("ix_approvalstep_approval", "approval_id", "step_number"),)
    id: str = id_field("step")
    org_id: str = org_field()
    approval_id: str = Field(foreign_key="approval.id", max_length=40, ondelete="CASCADE")
    step_number: int = 1
    position: int = 0  # order of the approver in the request
    approver_email: str = Field(max_length=320)
    # waiting (a previous step is open) | pending | approved | rejected | skipped
    status: str = Field(default="waiting", max_length=20)
    comment: str = Field(default="", sa_type=Text)
    decided_at: int | None = ms_field(nullable=True)
    token_hash: str = Field(max_length=64, unique=True)
    notified_at: int | None = ms_field(nullable=True)


class TeamAssignment(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("record_id", "user_id"),)
    id: str = id_field("member")
    org_id: str = org_field()
    record_id: str = Field(foreign_key="apprecord.id", max_length=40, ondelete="CASCADE")
    user_id: str = Field(foreign_key="user.id", max_length=40, ondelete="CASCADE")
    role: str = Field(default="contributor", max_length=20)
    created_at: int = ms_field()


class PortalLink(SQLModel, table=True):
    id: str = id_field("portal")
    org_id: str = org_field()
    record_id: str = _record_fk()
    token_hash: str = Field(max_length=64, unique=True)
    label: str = Field(default="", max_length=200)
    recipient_name: str = Field(default="", max_length=200)
    recipient_email: str = Field(default="", max_length=320)
    recipient_phone: str = Field(default="", max_length=40)
    notification_channels: list[str] = json_field(list)
    # Vault fields the recipient is asked to fill in: [{"fieldKey", "label", "accessLevel"}].
    requested_fields: list[dict[str, Any]] = json_field(list)
    status: str = Field(default="active", max_length=20)  # active | submitted | revoked
    expires_at: int = ms_field()
    revoked_at: int | None = ms_field(nullable=True)
    submitted_at: int | None = ms_field(nullable=True)
    last_viewed_at: int | None = ms_field(nullable=True)
    created_by: str = Field(default="", max_length=320)
    created_at: int = ms_field()


class VaultItem(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("record_id", "field_key"),)
    id: str = id_field("vault")
    org_id: str = org_field()
    record_id: str = _record_fk()
    field_key: str = Field(max_length=60)
    label: str = Field(max_length=200)
    access_level: str = Field(default="admin", max_length=20)
    redacted_preview: str = Field(max_length=40)
    key_id: str = Field(max_length=40)
    wrapped_key: bytes = Field(sa_type=LargeBinary)
    nonce: bytes = Field(sa_type=LargeBinary)
    ciphertext: bytes = Field(sa_type=LargeBinary)
    updated_by: str = Field(default="", max_length=320)
    created_at: int = ms_field()
    updated_at: int = ms_field()


class VaultRevealAttempt(SQLModel, table=True):
    """One password check before revealing a vault value; the recent failures of a person
    limit how many more checks they get (kept in the database, so every worker sees them)."""

    __table_args__ = (Index("ix_vaultrevealattempt_user", "user_id", "created_at"),)
    id: str = id_field("reveal")
    org_id: str = org_field()
    user_id: str = Field(foreign_key="user.id", max_length=40, ondelete="CASCADE")
    vault_item_id: str = Field(default="", max_length=40)
    succeeded: bool = False
    created_at: int = ms_field()
