"""/api/v1/customers: create (409 + existingCustomerId on a duplicate email), list, get, update."""

from __future__ import annotations

from fastapi import Depends, Query

from workspace.api.auth import api_actor
from workspace.api.responses import Page, created, ok
from workspace.api.routing import ApiRouter
from workspace.core.actor import Actor
from workspace.core.db import read_scope, session_scope
from workspace.core.schemas.invoices import (
    CustomerCreate,
    CustomerUpdate,
    PackageSend,
    customer_out,
    invoice_summary_out,
    subscription_out,
)
from workspace.core.services import customers as service
from workspace.core.services.invoices import list_invoices
from workspace.core.services.subscriptions import list_subscriptions, send_package

router = ApiRouter(tags=["Customers"])


@router.get("/customers", summary="List customers (search by name, email or company)")
def list_customers(
    search: str = Query(""),
    page: tuple[int, int] = Depends(Page(default=100, maximum=500)),
    actor: Actor = Depends(api_actor),
):
    limit, offset = page
    with read_scope() as session:
        rows, total = service.list_customers(
            session, actor=actor, search=search, limit=limit, offset=offset
        )
    response = ok([customer_out(c) for c in rows])
    response.headers["X-Total-Count"] = str(total)
    return response


@router.post("/customers", summary="Create a customer", status_code=201)
def create_customer(body: CustomerCreate, actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        return created(customer_out(service.create_customer(session, actor=actor, data=body)))


@router.get("/customers/{customer_id}", summary="A customer with invoices and subscriptions")
def get_customer(customer_id: str, actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        customer = service.get_customer(session, actor=actor, customer_id=customer_id)
        invoices, _ = list_invoices(session, actor=actor, customer_id=customer.id, limit=100)
        subscriptions, _ = list_subscriptions(session, actor=actor, customer_id=customer.id)
        return ok(
            {
                **customer_out(customer),
                "invoices": [invoice_summary_out(i) for i in invoices],
                "subscriptions": [subscription_out(s) for s in subscriptions],
            }
        )


@router.patch("/customers/{customer_id}", summary="Update a customer")
@router.put("/customers/{customer_id}", include_in_schema=False)
def update_customer(customer_id: str, body: CustomerUpdate, actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        customer = service.update_customer(session, actor=actor, customer_id=customer_id, data=body)
        return ok(customer_out(customer))


@router.post(
    "/customers/{customer_id}/send-package",
    summary="Subscription + first invoice + agreement to sign, in one call",
    status_code=201,
)
def send_package_to_customer(
    customer_id: str, body: PackageSend, actor: Actor = Depends(api_actor)
):
    """Starts a pending subscription, issues (and emails) its first invoice, and sends the
    agreement (`packageId` or `templateId`) for the customer to sign."""
    with session_scope() as session:
        return created(send_package(session, actor=actor, customer_id=customer_id, data=body))
