"""Outgoing events. Written in the caller's transaction, so a rollback drops the event too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from workspace.core.actor import Actor
from workspace.core.clock import now_ms
from workspace.core.events_catalog import check_event_type
from workspace.core.ids import new_id
from workspace.core.models import Event

_INSERT_EVENT = insert(Event.__table__)  # built once: it runs for every change

# Called with (session, event) inside the same transaction; the webhook module
# registers one to schedule deliveries.
_listeners: list[Callable[[Session, Event], None]] = []


def on_event(listener: Callable[[Session, Event], None]) -> Callable[[Session, Event], None]:
    _listeners.append(listener)
    return listener


def emit_event(session: Session, *, actor: Actor, type: str, data: dict[str, Any]) -> Event:
    """Record an event of a type from `core.events_catalog` (anything else is refused)."""
    check_event_type(type)
    row = {
        "id": new_id("evt"),
        "org_id": actor.org_id,
        "type": type,
        "data": data,
        "test_mode": actor.test_mode,
        "created_at": now_ms(),
    }
    session.connection().execute(_INSERT_EVENT, row)
    event = Event(**row)
    for listener in _listeners:
        listener(session, event)
    return event


def event_payload(event: Event) -> dict[str, Any]:
    """The body delivered to webhooks: {id, type, created, data}."""
    return {"id": event.id, "type": event.type, "created": event.created_at, "data": event.data}
