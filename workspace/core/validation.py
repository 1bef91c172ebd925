"""Small input checks shared by services."""

import re

from workspace.core.errors import ValidationFailed

EMAIL_RE = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
E164_RE = re.compile(r"^\+[1-9][0-9]{6,14}$")


def clean_email(value: str | None, *, field: str = "email") -> str:
    email = (value or "").strip().lower()
    if not email or len(email) > 320 or not EMAIL_RE.match(email):
        raise ValidationFailed("Enter a valid email address.", field=field, value=value)
    return email


def clean_phone(value: str | None, *, field: str = "phone") -> str:
    """A phone number in E.164 form; spaces, dots, dashes and brackets are dropped."""
    phone = re.sub(r"[\s().-]", "", value or "")
    if not E164_RE.match(phone):
        raise ValidationFailed(
            "Enter the phone number in international form with its country code, "
            "e.g. +15551234567.",
            field=field,
            value=value,
        )
    return phone


def clean_text(
    value: str | None,
    *,
    field: str,
    max_length: int = 200,
    required: bool = True,
    label: str | None = None,
) -> str:
    """Trimmed text. Messages name the input by its `field` path, or, given a `label` ("the
    note"), as people read it ("Enter the note.", "The note can be at most 2,000 characters.");
    `details.field` keeps the path for the API either way."""
    text = (value or "").strip()
    if required and not text:
        message = f"Enter {label}." if label else f"{field} is required."
        raise ValidationFailed(message, field=field)
    if len(text) > max_length:
        if label:
            message = f"{label[0].upper()}{label[1:]} can be at most {max_length:,} characters."
            raise ValidationFailed(message, field=field, maxLength=max_length)
        raise ValidationFailed(f"{field} must be at most {max_length} characters.", field=field)
    return text


def check_password(password: str | None, *, field: str = "password") -> str:
    if not password or len(password) < 8:
        raise ValidationFailed("Use at least 8 characters for the password.", field=field)
    if not password.strip():
        raise ValidationFailed("The password can't be only spaces.", field=field)
    if len(password) > 256:
        raise ValidationFailed("The password is too long.", field=field)
    return password


# Dates people enter (due dates, expirations, payments): anything outside these years is a typo
# or a unit mix-up (seconds for milliseconds), and beyond year 9999 dates cannot even be shown.
EARLIEST_DATE_MS = -2_208_988_800_000  # 1900-01-01
LATEST_DATE_MS = 32_503_680_000_000  # 3000-01-01


def check_date_ms(ms: int, *, field: str, value: object = None) -> int:
    if not EARLIEST_DATE_MS <= ms < LATEST_DATE_MS:
        raise ValidationFailed(
            f"{field} must be a date between the years 1900 and 2999.",
            field=field,
            value=value if value is not None else ms,
        )
    return ms
