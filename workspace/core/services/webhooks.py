"""Webhook endpoints: create, list, update, delete, rotate the secret, send a test, redeliver.

Live and test mode are separate worlds: an endpoint created with a test key (or from a
test-mode actor) is a test endpoint and receives only events caused in test mode; live
endpoints receive only live events.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from workspace.core import keyring
from workspace.core.actor import Actor
from workspace.core.clock import now_ms
from workspace.core.config import get_settings
from workspace.core.db import fetch_page
from workspace.core.errors import Conflict, NotFound, ValidationFailed
from workspace.core.events_catalog import PING_EVENT, check_event_types
from workspace.core.ids import new_id
from workspace.core.jobs import enqueue, enqueue_many
from workspace.core.models import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from workspace.core.schemas.webhooks import WebhookCreate, WebhookUpdate
from workspace.core.services.audit import record_audit
from workspace.core.services.events import event_payload
from workspace.core.validation import clean_text
from workspace.core.webhook_signing import check_auth_header, check_url, new_secret

DELIVER_KIND = "webhook.deliver"
DELIVER_JOB_ATTEMPTS = 20  # crashes only: failed posts are retried by the delivery's schedule
SECRET_OVERLAP_MS = 24 * 3600 * 1000
DELIVERY_STATUSES = ("pending", "succeeded", "failed")
_INSERT_DELIVERIES = insert(WebhookDelivery.__table__)  # built once: it runs for every event


def _aad(endpoint_id: str, purpose: str) -> bytes:
    return f"webhook:{endpoint_id}:{purpose}".encode()


def _seal(endpoint_id: str, purpose: str, plain: str) -> tuple[str, bytes]:
    return keyring.wrap(plain.encode(), aad=_aad(endpoint_id, purpose))


@functools.lru_cache(maxsize=4096)
def _open(endpoint_id: str, purpose: str, key_id: str, wrapped: bytes) -> str:
    """Decrypt a stored secret. Cached: every delivery signs with it, and a rotated secret
    or re-wrapped key is stored under a new (key id, ciphertext) pair."""
    return keyring.unwrap(key_id, wrapped, aad=_aad(endpoint_id, purpose)).decode()


def signing_secrets(endpoint: WebhookEndpoint, *, at_ms: int | None = None) -> list[str]:
    """The current secret, then the previous one while its overlap lasts."""
    secrets = [_open(endpoint.id, "secret", endpoint.secret_key_id, endpoint.secret_wrapped)]
    at_ms = now_ms() if at_ms is None else at_ms
    if (
        endpoint.previous_secret_wrapped is not None
        and endpoint.previous_secret_key_id is not None
        and (endpoint.previous_secret_expires_at or 0) > at_ms
    ):
        secrets.append(
            _open(
                endpoint.id,
                "previous",
                endpoint.previous_secret_key_id,
                endpoint.previous_secret_wrapped,
            )
        )
    return secrets


def auth_header(endpoint: WebhookEndpoint) -> tuple[str, str] | None:
    if not endpoint.auth_header_name or endpoint.auth_header_wrapped is None:
        return None
    value = _open(
        endpoint.id, "auth", endpoint.auth_header_key_id or "", endpoint.auth_header_wrapped
    )
    return endpoint.auth_header_name, value


def _set_auth_header(endpoint: WebhookEndpoint, name: str | None, value: str | None) -> None:
    name, value = check_auth_header(name, value)
    if name is None or value is None:
        endpoint.auth_header_name = endpoint.auth_header_key_id = None
        endpoint.auth_header_wrapped = None
        return
    endpoint.auth_header_name = name
    endpoint.auth_header_key_id, endpoint.auth_header_wrapped = _seal(endpoint.id, "auth", value)


def webhook_public(endpoint: WebhookEndpoint, *, secret: str | None = None) -> dict[str, Any]:
    """The seed's webhook object; `secret` only right after creation or rotation."""
    data: dict[str, Any] = {
        "id": endpoint.id,
        "url": endpoint.url,
        "events": list(endpoint.events),
        "description": endpoint.description,
        "isActive": endpoint.is_active,
        "failureCount": endpoint.failure_count,
        "lastDeliveredAt": endpoint.last_delivered_at,
        "createdAt": endpoint.created_at,
        "updatedAt": endpoint.updated_at,
        "authHeaderName": endpoint.auth_header_name,
        "disabledReason": endpoint.disabled_reason,
        "previousSecretExpiresAt": endpoint.previous_secret_expires_at
        if (endpoint.previous_secret_expires_at or 0) > now_ms()
        else None,
        "testMode": endpoint.test_mode,
    }
    if secret is not None:
        data["secret"] = secret
    return data


def delivery_public(
    delivery: WebhookDelivery,
    *,
    event: Event | None = None,
    attempts: list[WebhookAttempt] | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": delivery.id,
        "webhookId": delivery.endpoint_id,
        "eventId": delivery.event_id,
        "eventType": delivery.event_type,
        "status": delivery.status,
        "attemptCount": delivery.attempt_count,
        "nextAttemptAt": delivery.next_attempt_at,
        "lastStatusCode": delivery.last_status_code,
        "lastError": delivery.last_error,
        "lastDurationMs": delivery.last_duration_ms,
        "deliveredAt": delivery.delivered_at,
        "createdAt": delivery.created_at,
    }
    if event is not None:
        data["payload"] = event_payload(event)
    if attempts is not None:
        data["attempts"] = [
            {
                "id": a.id,
                "number": a.number,
                "startedAt": a.started_at,
                "durationMs": a.duration_ms,
                "statusCode": a.status_code,
                "succeeded": a.succeeded,
                "responseExcerpt": a.response_excerpt,
                "error": a.error,
                "nextAttemptAt": a.next_attempt_at,
            }
            for a in attempts
        ]
    return data


def _audit(session: Session, actor: Actor, endpoint: WebhookEndpoint, action: str, text: str):
    record_audit(
        session,
        actor=actor,
        subject_type="webhook",
        subject_id=endpoint.id,
        action=action,
        description=text,
        data={"url": endpoint.url},
    )


def create_webhook(
    session: Session, *, actor: Actor, request: WebhookCreate
) -> tuple[WebhookEndpoint, str]:
    """Returns the endpoint and its secret (shown once, stored only encrypted)."""
    actor.require_admin()
    url = check_url(request.url, allow_private=get_settings().allow_private_webhook_targets)
    events = check_event_types(request.events)
    description = clean_text(
        request.description, field="description", max_length=500, required=False
    )
    secret = new_secret()
    endpoint = WebhookEndpoint(
        org_id=actor.org_id,
        url=url,
        description=description,
        events=events,
        is_active=request.is_active,
        test_mode=actor.test_mode,
        secret_key_id="",
        secret_wrapped=b"",
        created_by=actor.user_id or actor.api_key_id,
    )
    endpoint.secret_key_id, endpoint.secret_wrapped = _seal(endpoint.id, "secret", secret)
    _set_auth_header(endpoint, request.auth_header_name, request.auth_header_value)
    session.add(endpoint)
    session.flush()
    _audit(session, actor, endpoint, "webhook_created", f"Webhook to {url} created")
    return endpoint, secret


def _scoped(actor: Actor):
    return select(WebhookEndpoint).where(
        WebhookEndpoint.org_id == actor.org_id, WebhookEndpoint.test_mode == actor.test_mode
    )


def list_webhooks(
    session: Session, *, actor: Actor, limit: int = 50, offset: int = 0
) -> tuple[list[WebhookEndpoint], int]:
    query = _scoped(actor)
    return fetch_page(
        session,
        query,
        col(WebhookEndpoint.created_at).desc(),
        col(WebhookEndpoint.id),
        limit=limit,
        offset=offset,
    )


def get_webhook(session: Session, *, actor: Actor, webhook_id: str) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, webhook_id)
    if endpoint is None or endpoint.org_id != actor.org_id or endpoint.test_mode != actor.test_mode:
        raise NotFound("Webhook not found.", details={"field": "id", "value": webhook_id})
    return endpoint


def reactivate(endpoint: WebhookEndpoint) -> None:
    endpoint.is_active = True
    endpoint.failure_count = 0
    endpoint.failing_since = None
    endpoint.disabled_reason = None


def _switched_off_by(actor: Actor) -> str:
    if actor.email:
        return f"Switched off by {actor.email}."
    return "Switched off through the API." if actor.type == "api" else "Switched off."


def update_webhook(
    session: Session, *, actor: Actor, webhook_id: str, request: WebhookUpdate
) -> WebhookEndpoint:
    actor.require_admin()
    endpoint = get_webhook(session, actor=actor, webhook_id=webhook_id)
    changed = request.model_fields_set
    if "url" in changed:
        endpoint.url = check_url(
            request.url, allow_private=get_settings().allow_private_webhook_targets
        )
    if "events" in changed:
        endpoint.events = check_event_types(request.events or [])
    if "description" in changed:
        endpoint.description = clean_text(
            request.description, field="description", max_length=500, required=False
        )
    if "auth_header_name" in changed or "auth_header_value" in changed:
        name = (
            request.auth_header_name if "auth_header_name" in changed else endpoint.auth_header_name
        )
        value = request.auth_header_value
        if "auth_header_value" not in changed and name:
            current = auth_header(endpoint)
            value = current[1] if current else None
        _set_auth_header(endpoint, name, value)
    if "is_active" in changed and request.is_active is not None:
        if request.is_active and not endpoint.is_active:
            reactivate(endpoint)
        elif not request.is_active:
            endpoint.is_active = False
            endpoint.disabled_reason = _switched_off_by(actor)
    endpoint.updated_at = now_ms()
    session.add(endpoint)
    session.flush()
    fields = ", ".join(sorted(changed)) or "nothing"
    _audit(session, actor, endpoint, "webhook_updated", f"Webhook updated ({fields})")
    return endpoint


def delete_webhook(session: Session, *, actor: Actor, webhook_id: str) -> None:
    actor.require_admin()
    endpoint = get_webhook(session, actor=actor, webhook_id=webhook_id)
    _audit(session, actor, endpoint, "webhook_deleted", f"Webhook to {endpoint.url} deleted")
    session.delete(endpoint)
    session.flush()


def rotate_secret(
    session: Session, *, actor: Actor, webhook_id: str
) -> tuple[WebhookEndpoint, str]:
    """A new secret signs from now on; the old one keeps signing too for 24 hours."""
    actor.require_admin()
    endpoint = get_webhook(session, actor=actor, webhook_id=webhook_id)
    current = signing_secrets(endpoint)[0]
    secret = new_secret()
    endpoint.previous_secret_key_id, endpoint.previous_secret_wrapped = _seal(
        endpoint.id, "previous", current
    )
    endpoint.previous_secret_expires_at = now_ms() + SECRET_OVERLAP_MS
    endpoint.secret_key_id, endpoint.secret_wrapped = _seal(endpoint.id, "secret", secret)
    endpoint.updated_at = now_ms()
    session.add(endpoint)
    session.flush()
    _audit(session, actor, endpoint, "webhook_secret_rotated", "Webhook signing secret rotated")
    return endpoint, secret


def schedule_deliveries(session: Session, *, event: Event, endpoint_ids: list[str]) -> list[str]:
    """One delivery row and one delivery job per endpoint, in the caller's transaction (plain
    inserts: this runs for every event). Returns the delivery ids."""
    now = now_ms()
    rows = [
        {
            "id": new_id("dlv"),
            "org_id": event.org_id,
            "endpoint_id": endpoint_id,
            "event_id": event.id,
            "event_type": event.type,
            "next_attempt_at": now,
        }
        for endpoint_id in endpoint_ids
    ]
    session.connection().execute(_INSERT_DELIVERIES, rows)
    enqueue_many(
        session,
        kind=DELIVER_KIND,
        payloads=[{"delivery_id": row["id"], "generation": 0} for row in rows],
        max_attempts=DELIVER_JOB_ATTEMPTS,
    )
    return [row["id"] for row in rows]


def send_test(session: Session, *, actor: Actor, webhook_id: str) -> WebhookDelivery:
    """Queue a `ping` event to this endpoint only (one attempt, not counted as a failure)."""
    actor.require_admin()
    endpoint = get_webhook(session, actor=actor, webhook_id=webhook_id)
    if not endpoint.is_active:
        raise Conflict("Enable the webhook before sending a test event.")
    event = Event(
        org_id=actor.org_id,
        type=PING_EVENT,
        test_mode=endpoint.test_mode,
        data={
            "webhook": {"id": endpoint.id, "url": endpoint.url},
            "message": "This is a test event sent from Workspace.",
        },
    )
    session.add(event)
    session.flush()
    [delivery_id] = schedule_deliveries(session, event=event, endpoint_ids=[endpoint.id])
    return session.get(WebhookDelivery, delivery_id)


def _get_delivery(
    session: Session, *, actor: Actor, webhook_id: str, delivery_id: str
) -> tuple[WebhookEndpoint, WebhookDelivery]:
    endpoint = get_webhook(session, actor=actor, webhook_id=webhook_id)
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.endpoint_id != endpoint.id:
        raise NotFound("Delivery not found.", details={"field": "deliveryId", "value": delivery_id})
    return endpoint, delivery


def retry_delivery(
    session: Session, *, actor: Actor, webhook_id: str, delivery_id: str
) -> WebhookDelivery:
    """Send the same event again now (any status); a scheduled retry is superseded."""
    actor.require_admin()
    endpoint, delivery = _get_delivery(
        session, actor=actor, webhook_id=webhook_id, delivery_id=delivery_id
    )
    if not endpoint.is_active:
        raise Conflict("Enable the webhook before redelivering.")
    delivery.status = "pending"
    delivery.generation += 1
    delivery.next_attempt_at = now_ms()
    session.add(delivery)
    session.flush()
    enqueue(
        session,
        kind=DELIVER_KIND,
        payload={"delivery_id": delivery.id, "generation": delivery.generation},
        max_attempts=DELIVER_JOB_ATTEMPTS,
    )
    return delivery


def list_deliveries(
    session: Session,
    *,
    actor: Actor,
    webhook_id: str,
    limit: int = 50,
    offset: int = 0,
    status: str | None = None,
) -> tuple[list[WebhookDelivery], int]:
    endpoint = get_webhook(session, actor=actor, webhook_id=webhook_id)
    query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
    if status:
        if status not in DELIVERY_STATUSES:
            raise ValidationFailed(
                f"status must be one of {', '.join(DELIVERY_STATUSES)}.", field="status"
            )
        query = query.where(WebhookDelivery.status == status)
    return fetch_page(
        session,
        query,
        col(WebhookDelivery.created_at).desc(),
        col(WebhookDelivery.id).desc(),
        limit=limit,
        offset=offset,
    )


def get_delivery(
    session: Session, *, actor: Actor, webhook_id: str, delivery_id: str
) -> tuple[WebhookDelivery, Event, list[WebhookAttempt]]:
    """The delivery with its payload and every attempt, oldest first."""
    _, delivery = _get_delivery(
        session, actor=actor, webhook_id=webhook_id, delivery_id=delivery_id
    )
    event = session.get(Event, delivery.event_id)
    attempts = list(
        session.exec(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery.id)
            .order_by(col(WebhookAttempt.number))
        )
    )
    return delivery, event, attempts


@keyring.rewrap_hook("webhook_secrets")
def rewrap_secrets() -> int:
    """Re-encrypt every webhook secret and auth header under the active master key."""
    from workspace.core.db import session_scope

    count = 0
    with session_scope() as session:
        for endpoint in session.exec(select(WebhookEndpoint)):
            current = signing_secrets(endpoint, at_ms=0)
            endpoint.secret_key_id, endpoint.secret_wrapped = _seal(
                endpoint.id, "secret", current[0]
            )
            if endpoint.previous_secret_wrapped is not None and endpoint.previous_secret_key_id:
                previous = _open(
                    endpoint.id,
                    "previous",
                    endpoint.previous_secret_key_id,
                    endpoint.previous_secret_wrapped,
                )
                endpoint.previous_secret_key_id, endpoint.previous_secret_wrapped = _seal(
                    endpoint.id, "previous", previous
                )
            header = auth_header(endpoint)
            if header is not None:
                endpoint.auth_header_key_id, endpoint.auth_header_wrapped = _seal(
                    endpoint.id, "auth", header[1]
                )
            session.add(endpoint)
            count += 1
    return count
