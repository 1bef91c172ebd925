"""/api/v1/webhooks: endpoints, their delivery log, test pings, redelivery, secret rotation.

The event catalog is at /api/v1/webhooks/events.
"""

from __future__ import annotations

from fastapi import Depends, Query

from workspace.api.auth import api_actor
from workspace.api.responses import Page, created, ok
from workspace.api.routing import ApiRouter
from workspace.core.actor import Actor
from workspace.core.db import read_scope, session_scope
from workspace.core.events_catalog import EVENT_GROUPS
from workspace.core.schemas.webhooks import WebhookCreate, WebhookUpdate
from workspace.core.services import webhooks as service

router = ApiRouter(tags=["Webhooks"])


@router.get("/webhooks/events", summary="Every event type a webhook can subscribe to")
def list_event_types(actor: Actor = Depends(api_actor)):
    return ok(
        [
            {"group": group, "events": [{"type": t, "description": d} for t, d in events]}
            for group, events in EVENT_GROUPS
        ]
    )


@router.get("/webhooks", summary="List webhooks")
def list_webhooks(
    page: tuple[int, int] = Depends(Page(default=50, maximum=100)),
    actor: Actor = Depends(api_actor),
):
    limit, offset = page
    with read_scope() as session:
        rows, total = service.list_webhooks(session, actor=actor, limit=limit, offset=offset)
        response = ok([service.webhook_public(row) for row in rows])
    response.headers["X-Total-Count"] = str(total)
    return response


@router.post(
    "/webhooks", summary="Create a webhook (the secret is shown only here)", status_code=201
)
def create_webhook(body: WebhookCreate, actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        endpoint, secret = service.create_webhook(session, actor=actor, request=body)
        return created(service.webhook_public(endpoint, secret=secret))


@router.get("/webhooks/{webhook_id}", summary="Get a webhook")
def get_webhook(webhook_id: str, actor: Actor = Depends(api_actor)):
    with read_scope() as session:
        return ok(
            service.webhook_public(service.get_webhook(session, actor=actor, webhook_id=webhook_id))
        )


@router.patch("/webhooks/{webhook_id}", summary="Update a webhook (only the fields sent change)")
@router.put("/webhooks/{webhook_id}", include_in_schema=False)
def update_webhook(webhook_id: str, body: WebhookUpdate, actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        endpoint = service.update_webhook(session, actor=actor, webhook_id=webhook_id, request=body)
        return ok(service.webhook_public(endpoint))


@router.delete("/webhooks/{webhook_id}", summary="Delete a webhook permanently")
def delete_webhook(webhook_id: str, actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        service.delete_webhook(session, actor=actor, webhook_id=webhook_id)
    return ok({"id": webhook_id, "deleted": True})


@router.post("/webhooks/{webhook_id}/rotate-secret", summary="Rotate the signing secret")
def rotate_secret(webhook_id: str, actor: Actor = Depends(api_actor)):
    """The new secret is returned once; the old one keeps signing for 24 hours."""
    with session_scope() as session:
        endpoint, secret = service.rotate_secret(session, actor=actor, webhook_id=webhook_id)
        return ok(service.webhook_public(endpoint, secret=secret))


@router.post("/webhooks/{webhook_id}/test", summary="Send a ping event to this webhook")
def send_test(webhook_id: str, actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        delivery = service.send_test(session, actor=actor, webhook_id=webhook_id)
        return ok(service.delivery_public(delivery))


@router.get("/webhooks/{webhook_id}/deliveries", summary="Delivery log, newest first")
def list_deliveries(
    webhook_id: str,
    status: str | None = Query(None, description="pending, succeeded or failed"),
    page: tuple[int, int] = Depends(Page(default=50, maximum=100)),
    actor: Actor = Depends(api_actor),
):
    limit, offset = page
    with read_scope() as session:
        rows, total = service.list_deliveries(
            session, actor=actor, webhook_id=webhook_id, limit=limit, offset=offset, status=status
        )
        response = ok([service.delivery_public(row) for row in rows])
    response.headers["X-Total-Count"] = str(total)
    return response


@router.get(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}",
    summary="One delivery with its payload and every attempt",
)
def get_delivery(webhook_id: str, delivery_id: str, actor: Actor = Depends(api_actor)):
    with read_scope() as session:
        delivery, event, attempts = service.get_delivery(
            session, actor=actor, webhook_id=webhook_id, delivery_id=delivery_id
        )
        return ok(service.delivery_public(delivery, event=event, attempts=attempts))


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/retry",
    summary="Send a delivery again now",
)
def retry_delivery(webhook_id: str, delivery_id: str, actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        delivery = service.retry_delivery(
            session, actor=actor, webhook_id=webhook_id, delivery_id=delivery_id
        )
        return ok(service.delivery_public(delivery))
