"""Importing this package registers every table on SQLModel.metadata."""

from workspace.core.models.accounts import (
    ApiKey,
    Invitation,
    LoginAttempt,
    LoginSession,
    Membership,
    Organization,
    PasswordReset,
    User,
)
from workspace.core.models.envelopes import Envelope, EnvelopeSigner
from workspace.core.models.invoices import (
    Customer,
    Invoice,
    InvoiceCounter,
    InvoiceSettings,
    LineItem,
    Payment,
    Subscription,
)
from workspace.core.models.platform import (
    AuditLog,
    Event,
    IdempotencyRecord,
    Job,
    OutboxMessage,
    TextMessage,
)
from workspace.core.models.records import (
    AppRecord,
    Approval,
    ApprovalStep,
    PortalLink,
    RecordDocument,
    RecordTask,
    TeamAssignment,
    VaultItem,
)
from workspace.core.models.templates import Package, PdfDocument, Template
from workspace.core.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "AppRecord",
    "Approval",
    "ApprovalStep",
    "PortalLink",
    "RecordDocument",
    "RecordTask",
    "TeamAssignment",
    "VaultItem",
    "ApiKey",
    "AuditLog",
    "Customer",
    "Envelope",
    "EnvelopeSigner",
    "Event",
    "IdempotencyRecord",
    "Invitation",
    "Invoice",
    "InvoiceCounter",
    "InvoiceSettings",
    "Job",
    "LineItem",
    "LoginAttempt",
    "LoginSession",
    "Membership",
    "Organization",
    "OutboxMessage",
    "Package",
    "PasswordReset",
    "Payment",
    "PdfDocument",
    "Subscription",
    "Template",
    "TextMessage",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
