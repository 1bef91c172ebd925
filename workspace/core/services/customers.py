"""Customers: the people and companies an organization invoices."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, bindparam, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from workspace.core.actor import Actor
from workspace.core.clock import now_ms
from workspace.core.db import LIKE_ESCAPE, contains_pattern, fetch_prepared_page
from workspace.core.errors import Conflict, NotFound
from workspace.core.models import Customer
from workspace.core.schemas.invoices import CustomerCreate, CustomerUpdate
from workspace.core.services.audit import record_audit
from workspace.core.validation import clean_email, clean_text


def get_customer(session: Session, *, actor: Actor, customer_id: str) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None or customer.org_id != actor.org_id or customer.test_mode != actor.test_mode:
        raise NotFound("Customer not found.", details={"field": "id", "value": customer_id})
    return customer


def _by_email(session: Session, actor: Actor, email: str) -> Customer | None:
    return session.exec(
        select(Customer).where(
            Customer.org_id == actor.org_id,
            Customer.test_mode == actor.test_mode,
            Customer.email == email,
        )
    ).first()


def _duplicate(existing: Customer) -> Conflict:
    return Conflict(
        f"A customer with the email {existing.email} already exists.",
        details={"field": "email", "existingCustomerId": existing.id},
    )


def _save(session: Session, actor: Actor, customer: Customer) -> None:
    """Flush, turning a concurrent duplicate email into the same 409."""
    try:
        with session.begin_nested():
            session.add(customer)
            session.flush()
    except IntegrityError:
        existing = _by_email(session, actor, customer.email)
        if existing is None:
            raise
        raise _duplicate(existing) from None


def create_customer(session: Session, *, actor: Actor, data: CustomerCreate) -> Customer:
    """409 with `existingCustomerId` when the email is already a customer."""
    email = clean_email(data.email)
    existing = _by_email(session, actor, email)
    if existing is not None:
        raise _duplicate(existing)
    customer = Customer(
        org_id=actor.org_id,
        name=clean_text(data.name, field="name"),
        email=email,
        phone_number=clean_text(
            data.phone_number, field="phoneNumber", max_length=40, required=False
        ),
        company=clean_text(data.company, field="company", required=False),
        test_mode=actor.test_mode,
    )
    _save(session, actor, customer)
    record_audit(
        session,
        actor=actor,
        subject_type="customer",
        subject_id=customer.id,
        action="customer.created",
        description=f"Customer {customer.name} <{customer.email}> created",
    )
    return customer


def update_customer(
    session: Session, *, actor: Actor, customer_id: str, data: CustomerUpdate
) -> Customer:
    customer = get_customer(session, actor=actor, customer_id=customer_id)
    changed: dict[str, str] = {}
    if data.name is not None:
        changed["name"] = customer.name = clean_text(data.name, field="name")
    if data.email is not None:
        email = clean_email(data.email)
        existing = _by_email(session, actor, email)
        if existing is not None and existing.id != customer.id:
            raise _duplicate(existing)
        changed["email"] = customer.email = email
    if data.phone_number is not None:
        changed["phoneNumber"] = customer.phone_number = clean_text(
            data.phone_number, field="phoneNumber", max_length=40, required=False
        )
    if data.company is not None:
        changed["company"] = customer.company = clean_text(
            data.company, field="company", required=False
        )
    customer.updated_at = now_ms()
    _save(session, actor, customer)
    record_audit(
        session,
        actor=actor,
        subject_type="customer",
        subject_id=customer.id,
        action="customer.updated",
        description=f"Customer {customer.name} updated",
        data={"changed": sorted(changed)},
    )
    return customer


_customer_table = Customer.__table__
_customers = _customer_table.c
_IN_SCOPE = (_customers.org_id == bindparam("org_id")) & (
    _customers.test_mode == bindparam("test_mode")
)


def _listing(where: Any) -> tuple[Any, Any]:
    count = select(func.count()).select_from(_customer_table).where(where)
    page = (
        select(_customer_table)
        .where(where)
        .order_by(func.lower(_customers.name), _customers.created_at)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    return count, page


# Built once: listing customers is a hot path of the API and the UI, and building the
# statements costs more than running them.
_LIST_ALL = _listing(_IN_SCOPE)
_LIST_MATCHING = _listing(
    _IN_SCOPE
    & or_(
        *(
            func.lower(column).like(bindparam("pattern"), escape=LIKE_ESCAPE)
            for column in (_customers.name, _customers.email, _customers.company)
        )
    )
)


def list_customers(
    session: Session, *, actor: Actor, search: str = "", limit: int = 100, offset: int = 0
) -> tuple[list[Row], int]:
    """A page of customers ordered by name, as read-only rows with the customer's columns,
    and how many match."""
    params: dict[str, Any] = {"org_id": actor.org_id, "test_mode": actor.test_mode}
    search = search.strip().lower()
    if search:
        params["pattern"] = contains_pattern(search)
    return fetch_prepared_page(
        session, _LIST_MATCHING if search else _LIST_ALL, params, limit=limit, offset=offset
    )
