"""Text messages (SMS and WhatsApp): every message is stored in an outbox the Mailbox page
shows; when `SMS_URL` names a provider, the job runner delivers it and retries failures.

The provider speaks Twilio's Messages API: a form POST of `To`, `From` and `Body` with HTTP
basic auth taken from the URL (`https://ACCOUNT_SID:AUTH_TOKEN@api.twilio.com/2010-04-01/
Accounts/ACCOUNT_SID/Messages.json`). WhatsApp messages go to the same endpoint with both
numbers written `whatsapp:+…`.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit, urlunsplit

import httpx
from sqlmodel import Session, col, select

from workspace.core.actor import Actor
from workspace.core.clock import now_ms
from workspace.core.config import get_settings
from workspace.core.db import fetch_page, read_scope, session_scope, text_search
from workspace.core.errors import NotFound, ValidationFailed
from workspace.core.jobs import enqueue, job_handler
from workspace.core.models import TextMessage
from workspace.core.validation import clean_phone

DELIVER_KIND = "sms.deliver"
CHANNELS = ("sms", "whatsapp")
STATUSES = ("not_sent", "queued", "sent", "failed")
MAX_ATTEMPTS = 8
MAX_BODY = 1600  # Twilio's limit for one message
TIMEOUT_SECONDS = 10
NO_PROVIDER = "Not sent: no text-message provider is configured (set SMS_URL)."
TEST_MODE = "Not sent: test mode keeps text messages here."
RETRYABLE_STATUS = (408, 425, 429)
MAX_PAGE = 100


class ProviderError(Exception):
    """The provider could not take the message: `retry` when trying later may help (an
    outage, a timeout, throttling), not when it refused the message (a bad number or bad
    credentials)."""

    def __init__(self, message: str, *, retry: bool):
        super().__init__(message)
        self.retry = retry


def send_text(
    session: Session,
    *,
    to_phone: str,
    body: str,
    channel: str = "sms",
    org_id: str | None = None,
    to_name: str = "",
    category: str = "general",
    deliver: bool = True,
) -> TextMessage:
    """Store the message and, with a provider configured, schedule its delivery (same
    transaction). `deliver=False` keeps it in the outbox only (test-mode objects)."""
    if channel not in CHANNELS:
        raise ValidationFailed("channel must be sms or whatsapp.", field="channel", value=channel)
    provider = get_settings().sms_url
    message = TextMessage(
        org_id=org_id,
        to_phone=clean_phone(to_phone),
        to_name=to_name[:200],
        channel=channel,
        body=body[:MAX_BODY],
        category=category,
        status="queued" if provider and deliver else "not_sent",
        error=None if provider and deliver else (NO_PROVIDER if deliver else TEST_MODE),
    )
    session.add(message)
    session.flush()
    if message.status == "queued":
        enqueue(
            session,
            kind=DELIVER_KIND,
            payload={"message_id": message.id},
            max_attempts=MAX_ATTEMPTS,
        )
    return message


def _endpoint(sms_url: str) -> tuple[str, tuple[str, str] | None]:
    """The URL without its credentials, and the credentials as basic auth."""
    parts = urlsplit(sms_url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    auth = (unquote(parts.username), unquote(parts.password or "")) if parts.username else None
    return urlunsplit(parts._replace(netloc=netloc)), auth


def _address(channel: str, number: str) -> str:
    if channel == "whatsapp" and not number.startswith("whatsapp:"):
        return f"whatsapp:{number}"
    return number


def _post(message: TextMessage) -> str | None:
    """Hand the message to the provider; returns the provider's id for it."""
    settings = get_settings()
    assert settings.sms_url and settings.sms_from
    url, auth = _endpoint(settings.sms_url)
    form = {
        "To": _address(message.channel, message.to_phone),
        "From": _address(message.channel, settings.sms_from),
        "Body": message.body,
    }
    try:
        response = httpx.post(url, data=form, auth=auth, timeout=TIMEOUT_SECONDS)
    except httpx.HTTPError as exc:
        raise ProviderError(f"{type(exc).__name__}: {exc}", retry=True) from exc
    if response.is_success:
        try:
            answer = response.json()
        except ValueError:
            return None
        sid = (answer.get("sid") or answer.get("id")) if isinstance(answer, dict) else None
        return str(sid)[:100] if sid else None
    raise ProviderError(
        f"HTTP {response.status_code}: {response.text.strip()[:500]}",
        retry=response.status_code >= 500 or response.status_code in RETRYABLE_STATUS,
    )


@job_handler(DELIVER_KIND)
def deliver_text(payload: dict) -> None:
    """Hands one stored text to the provider. The HTTP call runs outside any transaction: a
    slow provider must not hold the database's write lock."""
    with read_scope() as session:
        message = session.get(TextMessage, payload["message_id"])
        if message is None or message.status in ("sent", "failed"):
            return
    if not get_settings().sms_url:
        _record_attempt(message.id, status="not_sent", error=NO_PROVIDER, attempted=False)
        return
    try:
        provider_id = _post(message)
    except ProviderError as exc:
        if not exc.retry:
            _record_attempt(message.id, status="failed", error=str(exc))
            return
        status = "failed" if message.attempts + 1 >= MAX_ATTEMPTS else "queued"
        _record_attempt(message.id, status=status, error=str(exc))
        raise
    _record_attempt(message.id, status="sent", provider_id=provider_id)


def _record_attempt(
    message_id: str,
    *,
    status: str,
    error: str | None = None,
    provider_id: str | None = None,
    attempted: bool = True,
) -> None:
    with session_scope() as session:
        message = session.get(TextMessage, message_id)
        message.attempts += 1 if attempted else 0
        message.status, message.error = status, error[:2000] if error else None
        if status == "sent":
            message.provider_id, message.sent_at = provider_id, now_ms()


def list_text_messages(
    session: Session,
    *,
    actor: Actor,
    search: str = "",
    status: str = "",
    limit: int = 20,
    offset: int = 0,
) -> tuple[list[TextMessage], int]:
    """One page of the organization's text messages, newest first, and the total matching."""
    if status and status not in STATUSES:
        raise ValidationFailed(
            f"Status must be one of {', '.join(STATUSES)}.", field="status", value=status
        )
    query = select(TextMessage).where(TextMessage.org_id == actor.org_id)
    if status:
        query = query.where(TextMessage.status == status)
    match = text_search(
        (search or "")[:200], TextMessage.to_phone, TextMessage.to_name, TextMessage.body
    )
    if match is not None:
        query = query.where(match)
    return fetch_page(
        session,
        query,
        col(TextMessage.created_at).desc(),
        col(TextMessage.id),
        limit=max(1, min(limit, MAX_PAGE)),
        offset=max(0, offset),
    )


def get_text_message(session: Session, *, actor: Actor, message_id: str) -> TextMessage:
    message = session.get(TextMessage, message_id)
    if message is None or message.org_id != actor.org_id:
        raise NotFound("Message not found.")
    return message
