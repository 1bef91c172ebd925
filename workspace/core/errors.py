"""Domain errors. The API maps each to one HTTP status; the UI shows the message."""

from __future__ import annotations

from typing import Any


class ConfigError(Exception):
    """A setting is invalid; the app refuses to start."""


class DomainError(Exception):
    code = "error"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}


class ValidationFailed(DomainError):
    code = "validation_error"

    def __init__(self, message: str, *, field: str | None = None, value: Any = None, **extra: Any):
        details: dict[str, Any] = dict(extra)
        if field is not None:
            details["field"] = field
        if value is not None:
            details["value"] = value
        super().__init__(message, details=details)
        self.field = field


class Unauthorized(DomainError):
    code = "unauthorized"


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    """The object is in a state that does not allow the operation (or a duplicate)."""

    code = "conflict"


class PayloadTooLarge(DomainError):
    code = "payload_too_large"


class RateLimited(DomainError):
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, details: dict[str, Any] | None = None):
        super().__init__(message, details=details)
        self.retry_after = retry_after
