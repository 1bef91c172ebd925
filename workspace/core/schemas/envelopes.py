"""Envelopes and signers on the wire (the seed's field names, camelCase)."""

from __future__ import annotations

from typing import Any

from pydantic import Field as PydanticField

from workspace.core.schemas.base import ApiModel
from workspace.core.schemas.templates import DocumentUpload, TemplateField


class SignerIn(ApiModel):
    name: str = ""
    email: str = ""
    phone: str | None = PydanticField(
        default=None, description="Mobile number in E.164 form (+15551234567)."
    )
    role: str | None = None
    signing_order: int | None = PydanticField(
        default=None, description="Same number = parallel; 1 signs before 2, and so on."
    )
    redirect_url: str | None = None
    password: str | None = PydanticField(
        default=None, description="A password the signer must enter before viewing."
    )
    require_password: bool = PydanticField(
        default=False,
        description="Generate an 8-character password and send it to the signer separately "
        "(see passwordDelivery).",
    )
    password_delivery: str | None = PydanticField(
        default=None,
        description="How a generated password reaches the signer: email (default), sms or "
        "whatsapp (both need phone).",
    )
    require_email_code: bool = PydanticField(
        default=False, description="Ask for a 6-digit code emailed when the signer opens the link."
    )


class SignerUpdate(ApiModel):
    name: str | None = None
    email: str | None = None
    role: str | None = PydanticField(default=None, description="Only while a draft.")
    signing_order: int | None = PydanticField(default=None, description="Only while a draft.")
    phone: str | None = PydanticField(default=None, description='E.164; "" removes it.')
    password_delivery: str | None = None
    redirect_url: str | None = None


class CcRecipientIn(ApiModel):
    name: str = ""
    email: str = ""


class EnvelopeCreate(ApiModel):
    template_id: str | None = None
    package_id: str | None = None
    document: DocumentUpload | None = PydanticField(
        default=None, description="A one-off PDF (not saved as a template), with `fields`."
    )
    fields: list[TemplateField] | None = PydanticField(
        default=None, description="Fields for an uploaded `document`, in PDF points."
    )
    title: str | None = None
    message: str = ""
    email_subject: str | None = None
    expires_in_hours: float | None = None
    scheduled_at: str | int | float | None = PydanticField(
        default=None, description="ISO 8601 or epoch ms; 5 minutes to 30 days ahead."
    )
    signers: list[SignerIn] = PydanticField(default_factory=list)
    cc_recipients: list[CcRecipientIn] = PydanticField(default_factory=list)
    placeholder_values: dict[str, Any] | list[dict[str, Any]] | None = None
    prefilled_fields: dict[str, Any] | list[dict[str, Any]] | None = None
    labels: list[str] = PydanticField(default_factory=list)
    metadata: Any = None
    reminder_interval_days: int | None = PydanticField(
        default=None, description="Remind pending signers every N days (1-30)."
    )
    test: bool | str | None = PydanticField(
        default=None, description="Mark as a test envelope (always with a wgs_test_ key)."
    )
    sender_name: str | None = None
    save_as_draft: bool = PydanticField(
        default=False,
        description="Store the envelope as a draft: nothing is sent until POST "
        "/envelopes/{id}/send.",
    )


class ReminderRequest(ApiModel):
    signer_id: str | None = None
    message: str | None = None
