"""Request bodies of the business apps (generic records, intake, hiring, compliance)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from workspace.core.schemas.base import ApiModel


class RelatedParty(ApiModel):
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    company: str | None = None


class RecordCreate(ApiModel):
    """Generic app record (`/apps/:appSlug/records`)."""

    title: str
    record_type: str | None = None
    status: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    related_party: RelatedParty | None = None


class RecordUpdate(ApiModel):
    title: str | None = None
    status: str | None = None
    metadata: dict[str, Any] | None = None
    related_party: RelatedParty | None = None
    expiration_date: str | int | None = None
    renewal_due_date: str | int | None = None


class IntakeCreate(ApiModel):
    title: str | None = None
    intake_type: str = "other"
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    company_name: str | None = None
    service_category: str | None = None
    tax_classification: str | None = None
    payment_terms: str | None = None
    risk_level: str | None = None
    target_start_date: str | None = None
    status: str | None = None
    notes: str | None = None


class HiringCreate(ApiModel):
    title: str | None = None
    candidate_name: str
    candidate_email: str | None = None
    candidate_phone: str | None = None
    sms_alerts: bool = False
    role_title: str | None = None
    department: str | None = None
    worker_type: str = "employee"
    start_date: str | None = None
    manager_name: str | None = None
    manager_email: str | None = None
    compensation: str | None = None
    status: str | None = None


class ComplianceCreate(ApiModel):
    title: str
    tracking_type: str = "custom"
    related_party_name: str | None = None
    related_party_email: str | None = None
    issuing_authority: str | None = None
    expiration_date: str | int | None = None
    renewal_due_date: str | int | None = None
    policy_number: str | None = None
    renewal_window_days: int | None = None
    status: str | None = None


class DocumentFile(ApiModel):
    filename: str
    content_type: str
    data: str  # base64


class DocumentAttach(ApiModel):
    requirement_key: str | None = None
    label: str | None = None
    status: str | None = None
    access_level: str | None = None
    is_sensitive: bool = False
    document: DocumentFile


class DocumentReview(ApiModel):
    status: str  # approved | rejected | expired | needs_revision
    reason: str | None = None


class TaskCreate(ApiModel):
    title: str
    description: str | None = None
    due_date: int | str | None = None
    assignee_user_id: str | None = None


class TaskUpdate(ApiModel):
    title: str | None = None
    description: str | None = None
    due_date: int | str | None = None
    assignee_user_id: str | None = None
    status: str | None = None  # open | completed


class Approver(ApiModel):
    approver_email: str
    step_number: int | None = None


class ApprovalCreate(ApiModel):
    title: str
    mode: str = "sequential"
    approvers: list[Approver]


class ApprovalDecision(ApiModel):
    decision: str  # approved | rejected
    comment: str | None = None
    approver_email: str | None = None


class TeamAssign(ApiModel):
    user_id: str
    role: str = "contributor"


class RequestedField(ApiModel):
    field_key: str
    label: str
    access_level: str = "admin"


class PortalLinkCreate(ApiModel):
    recipient_name: str | None = None
    recipient_email: str | None = None
    recipient_phone: str | None = None
    notification_channels: list[str] = Field(default_factory=list)
    label: str | None = None
    expires_in_days: int | None = None
    requested_fields: list[RequestedField] = Field(default_factory=list)


class VaultSet(ApiModel):
    field_key: str
    label: str | None = None
    value: str
    access_level: str = "admin"
    # A field that already holds a value is only overwritten when this is true.
    replace: bool = False
