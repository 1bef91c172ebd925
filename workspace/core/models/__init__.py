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
from workspace.core.models.platform import AuditLog, Event, IdempotencyRecord, Job, OutboxMessage

__all__ = [
    "ApiKey",
    "AuditLog",
    "Event",
    "IdempotencyRecord",
    "Invitation",
    "Job",
    "LoginAttempt",
    "LoginSession",
    "Membership",
    "Organization",
    "OutboxMessage",
    "PasswordReset",
    "User",
]
