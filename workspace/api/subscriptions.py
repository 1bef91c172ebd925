"""/api/v1/subscriptions: recurring billing for a customer (pending until the first invoice
is paid), list, get, update the amount, cancel."""

from __future__ import annotations

from fastapi import Depends, Query

from workspace.api.auth import api_actor
from workspace.api.responses import Page, created, ok
from workspace.api.routing import ApiRouter
from workspace.core.actor import Actor
from workspace.core.db import read_scope, session_scope
from workspace.core.models import Customer
from workspace.core.schemas.invoices import (
    SubscriptionCreate,
    SubscriptionUpdate,
    subscription_out,
    view_url,
)
from workspace.core.services import subscriptions as service

router = ApiRouter(tags=["Subscriptions"])


@router.get("/subscriptions", summary="List subscriptions")
def list_subscriptions(
    customer_id: str | None = Query(None, alias="customerId"),
    status: str | None = Query(None, description="pending, active or cancelled"),
    page: tuple[int, int] = Depends(Page(default=100, maximum=500)),
    actor: Actor = Depends(api_actor),
):
    limit, offset = page
    with read_scope() as session:
        rows, total = service.list_subscriptions(
            session, actor=actor, customer_id=customer_id, status=status, limit=limit, offset=offset
        )
        response = ok([subscription_out(s, session.get(Customer, s.customer_id)) for s in rows])
    response.headers["X-Total-Count"] = str(total)
    return response


@router.post(
    "/subscriptions", summary="Create a subscription and its first invoice", status_code=201
)
def create_subscription(body: SubscriptionCreate, actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        sub, invoice = service.create_subscription(session, actor=actor, data=body)
        return created(
            {
                **subscription_out(sub, session.get(Customer, sub.customer_id)),
                "invoiceId": invoice.id,
                "invoiceNumber": invoice.invoice_number,
                "invoiceUrl": view_url(invoice),
            }
        )


@router.get("/subscriptions/{subscription_id}", summary="A subscription")
def get_subscription(subscription_id: str, actor: Actor = Depends(api_actor)):
    with read_scope() as session:
        sub = service.get_subscription(session, actor=actor, subscription_id=subscription_id)
        return ok(subscription_out(sub, session.get(Customer, sub.customer_id)))


@router.patch("/subscriptions/{subscription_id}", summary="Rename, change amount or deactivate")
@router.put("/subscriptions/{subscription_id}", include_in_schema=False)
def update_subscription(
    subscription_id: str, body: SubscriptionUpdate, actor: Actor = Depends(api_actor)
):
    with session_scope() as session:
        sub = service.update_subscription(
            session, actor=actor, subscription_id=subscription_id, data=body
        )
        return ok(subscription_out(sub))


@router.delete("/subscriptions/{subscription_id}", summary="Cancel: stops future billing")
def cancel_subscription(subscription_id: str, actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        sub = service.cancel_subscription(session, actor=actor, subscription_id=subscription_id)
        return ok(subscription_out(sub))
