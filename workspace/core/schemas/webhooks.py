"""Webhook requests (camelCase on the wire)."""

from __future__ import annotations

from workspace.core.schemas.base import ApiModel


class WebhookCreate(ApiModel):
    url: str
    events: list[str]
    description: str = ""
    is_active: bool = True
    auth_header_name: str | None = None
    auth_header_value: str | None = None


class WebhookUpdate(ApiModel):
    """Only the fields present in the request change (`model_fields_set`).
    An empty `authHeaderName` removes the custom header."""

    url: str | None = None
    events: list[str] | None = None
    description: str | None = None
    is_active: bool | None = None
    auth_header_name: str | None = None
    auth_header_value: str | None = None
