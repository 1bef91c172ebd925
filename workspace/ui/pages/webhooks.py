"""Webhooks: endpoints, the event picker, the one-time secret, and each endpoint's delivery log."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import reflex as rx

from workspace.core.db import session_scope
from workspace.core.errors import DomainError
from workspace.core.events_catalog import EVENT_GROUPS
from workspace.core.schemas.webhooks import WebhookCreate, WebhookUpdate
from workspace.core.services import webhooks as service
from workspace.core.services.events import event_payload
from workspace.ui.components.dialogs import confirm_dialog
from workspace.ui.components.forms import label_row
from workspace.ui.layout import app_shell, card, empty_state
from workspace.ui.state import AuthState, toast_error

WRAP_ANYWHERE = {"overflow_wrap": "anywhere"}  # long URLs and payload lines wrap on phones
FOLLOW_SECONDS = 30  # how long the page keeps refreshing a delivery log with work in flight
ALL_EVENT_TYPES = [event_type for _, events in EVENT_GROUPS for event_type, _ in events]


def _when(ms: int | None) -> str:
    if not ms:
        return "—"
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _event_labels(events: list[str]) -> list[str]:
    """Chosen events for display: a whole group as one label, else each type."""
    chosen = set(events)
    labels = []
    for group, group_events in EVENT_GROUPS:
        types = [event_type for event_type, _ in group_events]
        if len(types) > 1 and chosen.issuperset(types):
            labels.append(f"{group}: all {len(types)} events")
        else:
            labels += [event_type for event_type in types if event_type in chosen]
    return labels


def _webhook_row(endpoint) -> dict:
    data = service.webhook_public(endpoint)
    return {
        "id": data["id"],
        "url": data["url"],
        "description": data["description"],
        "event_labels": _event_labels(data["events"]),
        "is_active": data["isActive"],
        "failure_count": str(data["failureCount"]),
        "last_delivered": _when(data["lastDeliveredAt"])
        if data["lastDeliveredAt"]
        else "not yet (test events are not counted)",
        "disabled_reason": data["disabledReason"] or "",
        "rotating_until": _when(data["previousSecretExpiresAt"])
        if data["previousSecretExpiresAt"]
        else "",
    }


def _status(status: str, attempts: int) -> tuple[str, str]:
    """What a delivery's status means to a person, and its colour."""
    if status == "succeeded":
        return "Delivered", "green"
    if status == "failed":
        return "Failed", "red"
    return ("Retrying", "amber") if attempts else ("Queued", "blue")


def _delivery_row(delivery) -> dict:
    data = service.delivery_public(delivery)
    label, color = _status(data["status"], data["attemptCount"])
    return {
        "id": data["id"],
        "event_type": data["eventType"],
        "status": label,
        "color": color,
        "in_flight": "yes" if data["status"] == "pending" else "",
        "code": str(data["lastStatusCode"] or "—"),
        "duration": f"{data['lastDurationMs']} ms" if data["lastDurationMs"] is not None else "—",
        "attempts": str(data["attemptCount"]),
        "created": _when(data["createdAt"]),
        "next_attempt": _when(data["nextAttemptAt"]) if data["status"] == "pending" else "",
        "error": data["lastError"] or "",
    }


class WebhooksState(AuthState):
    webhooks: list[dict[str, Any]] = []
    create_open: bool = False
    form_url: str = ""
    form_description: str = ""
    form_header_name: str = ""
    form_header_value: str = ""
    form_events: list[str] = []
    form_error: str = ""
    # A secret is put here only right after it was created or rotated, and cleared on close.
    revealed_secret: str = ""
    revealed_for: str = ""
    revealed_note: str = ""
    delete_id: str = ""
    delete_url: str = ""
    selected_id: str = ""
    selected_url: str = ""
    deliveries: list[dict[str, str]] = []
    delivery_open: bool = False
    delivery_detail: dict[str, str] = {}
    delivery_attempts: list[dict[str, str]] = []
    _following: bool = False

    def _refresh(self) -> None:
        actor = self._require_actor()
        with session_scope() as session:
            rows, _ = service.list_webhooks(session, actor=actor, limit=100)
            self.webhooks = [_webhook_row(row) for row in rows]
            if self.selected_id and not any(w["id"] == self.selected_id for w in self.webhooks):
                self.selected_id = self.selected_url = ""
                self.deliveries = []
            if self.selected_id:
                deliveries, _ = service.list_deliveries(
                    session, actor=actor, webhook_id=self.selected_id, limit=50
                )
                self.deliveries = [_delivery_row(d) for d in deliveries]

    @rx.event
    def load(self):
        if self._actor() is None:
            return None
        self.create_open = self.delivery_open = False  # a reload closes dialogs
        try:
            self._refresh()
        except DomainError as exc:
            return toast_error(exc)
        return None

    @rx.event
    def open_create(self):
        self.form_url = self.form_description = self.form_error = ""
        self.form_header_name = self.form_header_value = ""
        self.form_events = []
        self.create_open = True

    @rx.event
    def set_create_open(self, value: bool):
        self.create_open = value

    @rx.event
    def set_form_url(self, value: str):
        self.form_url, self.form_error = value, ""

    @rx.event
    def set_form_description(self, value: str):
        self.form_description = value

    @rx.event
    def set_form_header_name(self, value: str):
        self.form_header_name = value

    @rx.event
    def set_form_header_value(self, value: str):
        self.form_header_value = value

    @rx.event
    def toggle_event(self, event_type: str, checked: bool):
        chosen = [t for t in self.form_events if t != event_type]
        if checked:
            chosen.append(event_type)
        self.form_events, self.form_error = chosen, ""

    @rx.event
    def toggle_group(self, group: str):
        types = next([t for t, _ in events] for name, events in EVENT_GROUPS if name == group)
        if all(t in self.form_events for t in types):
            self.form_events = [t for t in self.form_events if t not in types]
        else:
            self.form_events = self.form_events + [t for t in types if t not in self.form_events]
        self.form_error = ""

    @rx.event
    def select_all_events(self, everything: bool):
        self.form_events = list(ALL_EVENT_TYPES) if everything else []
        self.form_error = ""

    @rx.var
    def selected_per_group(self) -> dict[str, int]:
        chosen = set(self.form_events)
        return {
            group: sum(1 for event_type, _ in events if event_type in chosen)
            for group, events in EVENT_GROUPS
        }

    @rx.event
    def create_webhook(self):
        try:
            actor = self._require_actor()
            with session_scope() as session:
                endpoint, secret = service.create_webhook(
                    session,
                    actor=actor,
                    request=WebhookCreate(
                        url=self.form_url,
                        events=self.form_events,
                        description=self.form_description,
                        auth_header_name=self.form_header_name or None,
                        auth_header_value=self.form_header_value or None,
                    ),
                )
            self.create_open = False
            self.revealed_secret, self.revealed_for = secret, endpoint.url
            self.revealed_note = ""
            self.selected_id, self.selected_url = endpoint.id, endpoint.url
            self._refresh()
        except DomainError as exc:
            self.form_error = exc.message
        return None

    @rx.event
    def close_secret(self):
        self.revealed_secret = self.revealed_for = self.revealed_note = ""

    @rx.event
    def copy_secret(self):
        return [
            rx.set_clipboard(self.revealed_secret),
            rx.toast.success("Secret copied", position="top-center"),
        ]

    def _act(self, action, success: str):
        try:
            actor = self._require_actor()
            with session_scope() as session:
                result = action(session, actor)
            self._refresh()
        except DomainError as exc:
            return toast_error(exc), None
        return rx.toast.success(success, position="top-center"), result

    @rx.event
    def set_active(self, webhook_id: str, active: bool):
        toast, _ = self._act(
            lambda session, actor: service.update_webhook(
                session,
                actor=actor,
                webhook_id=webhook_id,
                request=WebhookUpdate(is_active=active),
            ),
            "Webhook enabled" if active else "Webhook disabled",
        )
        return toast

    @rx.event
    def rotate_secret(self, webhook_id: str):
        toast, result = self._act(
            lambda session, actor: service.rotate_secret(
                session, actor=actor, webhook_id=webhook_id
            ),
            "New secret created; the old one keeps signing for 24 hours",
        )
        if result is not None:
            endpoint, secret = result
            self.revealed_secret, self.revealed_for = secret, endpoint.url
            self.revealed_note = (
                "The previous secret keeps signing deliveries too until "
                f"{_when(endpoint.previous_secret_expires_at)}, so you can switch your receiver "
                "over without missing an event."
            )
        return toast

    @rx.event
    def send_test(self, webhook_id: str):
        self.selected_id = webhook_id
        self.selected_url = self._url_of(webhook_id)
        toast, delivery = self._act(
            lambda session, actor: service.send_test(session, actor=actor, webhook_id=webhook_id),
            "Test event sent: watch it in the delivery log below",
        )
        return toast if delivery is None else [toast, WebhooksState.follow_deliveries]

    @rx.event
    def ask_delete(self, webhook_id: str):
        self.delete_id, self.delete_url = webhook_id, self._url_of(webhook_id)

    @rx.event
    def cancel_delete(self, open_: bool = False):
        if not open_:
            self.delete_id = self.delete_url = ""

    @rx.event
    def confirm_delete(self):
        webhook_id = self.delete_id
        self.delete_id = self.delete_url = ""
        toast, _ = self._act(
            lambda session, actor: service.delete_webhook(
                session, actor=actor, webhook_id=webhook_id
            ),
            "Webhook deleted",
        )
        return toast

    @rx.event(background=True)
    async def follow_deliveries(self):
        """Keep the delivery log current while its deliveries are on their way."""
        async with self:
            if self._following:
                return
            self._following = True
        try:
            for _ in range(FOLLOW_SECONDS * 2):
                await asyncio.sleep(0.5)
                async with self:
                    if not self.selected_id:
                        return
                    self._refresh()
                    if not any(d["in_flight"] for d in self.deliveries):
                        return
        finally:
            async with self:
                self._following = False

    def _url_of(self, webhook_id: str) -> str:
        return next((str(w["url"]) for w in self.webhooks if w["id"] == webhook_id), "")

    @rx.event
    def show_log(self, webhook_id: str):
        self.selected_id = webhook_id
        self.selected_url = self._url_of(webhook_id)
        return WebhooksState.load

    @rx.event
    def open_delivery(self, delivery_id: str):
        try:
            actor = self._require_actor()
            with session_scope() as session:
                delivery, event, attempts = service.get_delivery(
                    session, actor=actor, webhook_id=self.selected_id, delivery_id=delivery_id
                )
                self.delivery_detail = {
                    **_delivery_row(delivery),
                    "payload": json.dumps(event_payload(event), indent=2),
                }
                self.delivery_attempts = [
                    {
                        "number": str(a.number),
                        "when": _when(a.started_at),
                        "code": str(a.status_code or "—"),
                        "duration": f"{a.duration_ms} ms",
                        "outcome": "Delivered"
                        if a.succeeded
                        else (a.error or f"Not accepted (HTTP {a.status_code})"),
                        "color": "green" if a.succeeded else "red",
                        "response": a.response_excerpt or "(empty response)",
                        "retry": f"Next try {_when(a.next_attempt_at)}"
                        if a.next_attempt_at
                        else "",
                    }
                    for a in reversed(attempts)
                ]
            self.delivery_open = True
        except DomainError as exc:
            return toast_error(exc)
        return None

    @rx.event
    def set_delivery_open(self, value: bool):
        self.delivery_open = value

    @rx.event
    def redeliver(self, delivery_id: str):
        toast, _ = self._act(
            lambda session, actor: service.retry_delivery(
                session, actor=actor, webhook_id=self.selected_id, delivery_id=delivery_id
            ),
            "Redelivery sent: watch it in the delivery log",
        )
        self.delivery_open = False
        return [toast, WebhooksState.follow_deliveries]


def _event_picker() -> rx.Component:
    groups = []
    for group, events in EVENT_GROUPS:
        chosen = WebhooksState.selected_per_group[group]
        groups.append(
            rx.box(
                rx.hstack(
                    rx.hstack(
                        rx.text(group, weight="bold", size="2"),
                        rx.text(chosen, " of ", len(events), size="1", color=rx.color("gray", 11)),
                        align="baseline",
                        spacing="2",
                    ),
                    rx.button(
                        rx.cond(chosen == len(events), "Clear", "Select all"),
                        size="1",
                        variant="ghost",
                        on_click=WebhooksState.toggle_group(group),
                        type="button",
                        aria_label=f"{group} events: select all or clear",
                    ),
                    justify="between",
                    align="center",
                    width="100%",
                ),
                rx.grid(
                    *[
                        rx.tooltip(
                            rx.box(
                                rx.checkbox(
                                    event_type,
                                    checked=WebhooksState.form_events.contains(event_type),
                                    on_change=lambda checked, t=event_type: (
                                        WebhooksState.toggle_event(t, checked)
                                    ),
                                    size="1",
                                ),
                            ),
                            content=description,
                        )
                        for event_type, description in events
                    ],
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="1",
                    width="100%",
                    margin_top="4px",
                ),
                padding="10px 12px",
                border=f"1px solid {rx.color('gray', 5)}",
                border_radius="8px",
                width="100%",
                class_name="event-group",
            )
        )
    return rx.scroll_area(
        rx.vstack(*groups, spacing="2", width="100%", padding_right="10px"),
        type="auto",
        scrollbars="vertical",
        style={"max_height": "min(300px, 34vh)"},
    )


def _create_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Add a webhook endpoint"),
            rx.dialog.description(
                "We POST a signed JSON body to this URL whenever a chosen event happens.",
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.vstack(
                rx.text("Endpoint URL", size="2", weight="medium"),
                rx.input(
                    placeholder="https://yourapp.com/webhooks/workspace",
                    value=WebhooksState.form_url,
                    on_change=WebhooksState.set_form_url,
                    id="webhook-url",
                    width="100%",
                ),
                rx.text("Description", size="2", weight="medium"),
                rx.input(
                    placeholder="Main production webhook",
                    value=WebhooksState.form_description,
                    on_change=WebhooksState.set_form_description,
                    id="webhook-description",
                    width="100%",
                ),
                rx.hstack(
                    rx.text("Events", size="2", weight="medium"),
                    rx.badge(
                        WebhooksState.form_events.length(),
                        " selected",
                        variant="soft",
                        id="events-selected",
                    ),
                    rx.spacer(),
                    rx.button(
                        "Select all",
                        size="1",
                        variant="ghost",
                        type="button",
                        aria_label="Select all events",
                        on_click=WebhooksState.select_all_events(True),
                    ),
                    rx.button(
                        "Clear",
                        size="1",
                        variant="ghost",
                        color_scheme="gray",
                        type="button",
                        aria_label="Clear all events",
                        on_click=WebhooksState.select_all_events(False),
                    ),
                    align="center",
                    width="100%",
                ),
                _event_picker(),
                rx.text(
                    "Custom auth header ",
                    rx.text.span("(optional, sent with every delivery)", weight="regular"),
                    size="2",
                    weight="medium",
                ),
                rx.flex(
                    rx.input(
                        placeholder="Name, e.g. Authorization",
                        value=WebhooksState.form_header_name,
                        on_change=WebhooksState.set_form_header_name,
                        aria_label="Header name",
                        width=rx.breakpoints(initial="100%", sm="40%"),
                    ),
                    rx.input(
                        placeholder="Value, e.g. Bearer …",
                        type="password",
                        value=WebhooksState.form_header_value,
                        on_change=WebhooksState.set_form_header_value,
                        aria_label="Header value",
                        width=rx.breakpoints(initial="100%", sm="60%"),
                    ),
                    direction=rx.breakpoints(initial="column", sm="row"),
                    gap="8px",
                    width="100%",
                ),
                rx.cond(
                    WebhooksState.form_error != "",
                    rx.callout(
                        WebhooksState.form_error,
                        icon="triangle-alert",
                        color_scheme="red",
                        size="1",
                        role="alert",
                    ),
                ),
                rx.hstack(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.button(
                        "Create webhook", on_click=WebhooksState.create_webhook, id="create-webhook"
                    ),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                margin_top="12px",
                width="100%",
            ),
            max_width="640px",
        ),
        open=WebhooksState.create_open,
        on_open_change=WebhooksState.set_create_open,
    )


def _secret_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Your signing secret"),
            rx.vstack(
                rx.text(
                    "Store this secret now: it is shown only once. Use it to verify the ",
                    rx.code("X-Webhook-Signature"),
                    " header of every delivery to ",
                    rx.text.strong(WebhooksState.revealed_for, style=WRAP_ANYWHERE),
                    ".",
                    size="2",
                ),
                rx.hstack(
                    rx.code(
                        WebhooksState.revealed_secret,
                        id="webhook-secret",
                        size="3",
                        style={"word_break": "break-all"},
                    ),
                    rx.button(
                        rx.icon("copy", size=14),
                        "Copy",
                        on_click=WebhooksState.copy_secret,
                        variant="soft",
                        id="copy-secret",
                        flex_shrink="0",
                    ),
                    align="center",
                    justify="between",
                    width="100%",
                ),
                rx.cond(
                    WebhooksState.revealed_note != "",
                    rx.callout(WebhooksState.revealed_note, icon="info", size="1", width="100%"),
                ),
                rx.hstack(
                    rx.button("I have stored it", on_click=WebhooksState.close_secret),
                    justify="end",
                    width="100%",
                ),
                spacing="4",
                margin_top="8px",
            ),
            max_width="560px",
        ),
        open=WebhooksState.revealed_secret != "",
    )


def _meta(label: str, value: rx.Var) -> rx.Component:
    return rx.text(rx.text.span(label, color=rx.color("gray", 11)), " ", value, size="1")


def _webhook_card(webhook: rx.Var) -> rx.Component:
    webhook_id = webhook["id"].to(str)
    is_active = webhook["is_active"].to(bool)
    details = rx.vstack(
        rx.hstack(
            rx.cond(
                is_active,
                rx.badge("Active", color_scheme="green", variant="soft"),
                rx.badge("Disabled", color_scheme="gray", variant="soft"),
            ),
            rx.text(webhook["url"], weight="bold", size="3", style=WRAP_ANYWHERE),
            align="center",
            spacing="2",
        ),
        rx.cond(
            webhook["description"] != "",
            rx.text(webhook["description"], size="2", color=rx.color("gray", 11)),
        ),
        rx.flex(
            rx.foreach(
                webhook["event_labels"].to(list[str]),
                lambda label: rx.badge(label, variant="outline", color_scheme="gray", size="1"),
            ),
            wrap="wrap",
            gap="4px",
        ),
        rx.flex(
            _meta("Failed attempts since the last success:", webhook["failure_count"]),
            _meta("Last delivered:", webhook["last_delivered"]),
            rx.cond(
                webhook["rotating_until"] != "",
                _meta("Previous secret also signs until", webhook["rotating_until"]),
            ),
            wrap="wrap",
            column_gap="16px",
            row_gap="2px",
        ),
        rx.cond(
            webhook["disabled_reason"] != "",
            rx.hstack(
                rx.icon("circle-pause", size=14, color=rx.color("red", 11)),
                rx.text(webhook["disabled_reason"], size="1", color=rx.color("red", 11)),
                spacing="1",
                align="center",
            ),
        ),
        spacing="2",
        align="start",
        width="100%",
        min_width="0",
    )
    actions = rx.flex(
        label_row(
            rx.switch(
                checked=is_active,
                on_change=lambda value: WebhooksState.set_active(webhook_id, value),
                aria_label="Webhook enabled",
            ),
            rx.text(rx.cond(is_active, "On", "Off"), size="1"),
            gap="6px",
        ),
        rx.button(
            rx.icon("send", size=14),
            "Send test",
            size="1",
            variant="soft",
            disabled=~is_active,
            on_click=WebhooksState.send_test(webhook_id),
        ),
        rx.button(
            rx.icon("list", size=14),
            "Deliveries",
            size="1",
            variant="soft",
            on_click=WebhooksState.show_log(webhook_id),
        ),
        rx.menu.root(
            rx.menu.trigger(
                rx.icon_button(
                    rx.icon("ellipsis", size=16),
                    size="1",
                    variant="ghost",
                    aria_label="More actions",
                ),
            ),
            rx.menu.content(
                rx.menu.item(
                    rx.icon("key-round", size=14),
                    "Rotate secret",
                    on_select=WebhooksState.rotate_secret(webhook_id),
                ),
                rx.menu.separator(),
                rx.menu.item(
                    rx.icon("trash-2", size=14),
                    "Delete",
                    color="red",
                    on_select=WebhooksState.ask_delete(webhook_id),
                ),
            ),
        ),
        gap="8px",
        align="center",
        wrap="wrap",
        flex_shrink="0",
    )
    return card(
        rx.flex(
            details,
            actions,
            direction=rx.breakpoints(initial="column", md="row"),
            justify="between",
            align="start",
            gap="12px",
            width="100%",
        ),
        class_name="webhook-card",
        border=rx.cond(
            WebhooksState.selected_id == webhook_id,
            f"1px solid {rx.color('accent', 8)}",
            "",
        ),
    )


WIDE_ONLY = {"display": rx.breakpoints(initial="none", sm="table-cell")}


def _delivery_log() -> rx.Component:
    header = rx.table.header(
        rx.table.row(
            rx.table.column_header_cell("Event"),
            rx.table.column_header_cell("Status"),
            rx.table.column_header_cell("Response"),
            rx.table.column_header_cell("Time", **WIDE_ONLY),
            rx.table.column_header_cell("Attempts", **WIDE_ONLY),
            rx.table.column_header_cell("Created", **WIDE_ONLY),
            rx.table.column_header_cell(""),
        )
    )

    def row(delivery: rx.Var) -> rx.Component:
        return rx.table.row(
            rx.table.cell(rx.code(delivery["event_type"])),
            rx.table.cell(
                rx.vstack(
                    rx.badge(
                        delivery["status"], color_scheme=delivery["color"].to(str), variant="soft"
                    ),
                    rx.cond(
                        delivery["next_attempt"] != "",
                        rx.text("next ", delivery["next_attempt"], size="1", white_space="nowrap"),
                    ),
                    spacing="1",
                ),
            ),
            rx.table.cell(
                rx.vstack(
                    rx.text(delivery["code"]),
                    rx.cond(
                        delivery["error"] != "",
                        rx.text(
                            delivery["error"],
                            size="1",
                            color=rx.color("red", 11),
                            max_width="220px",
                            overflow="hidden",
                            text_overflow="ellipsis",
                            white_space="nowrap",
                        ),
                    ),
                    spacing="1",
                ),
            ),
            rx.table.cell(delivery["duration"], white_space="nowrap", **WIDE_ONLY),
            rx.table.cell(delivery["attempts"], **WIDE_ONLY),
            rx.table.cell(rx.text(delivery["created"], size="1"), **WIDE_ONLY),
            rx.table.cell(
                rx.button(
                    "View",
                    size="1",
                    variant="soft",
                    on_click=WebhooksState.open_delivery(delivery["id"].to(str)),
                )
            ),
            align="center",
            class_name="delivery-row",
        )

    return card(
        rx.vstack(
            rx.flex(
                rx.heading("Delivery log", size="4"),
                rx.text(
                    WebhooksState.selected_url,
                    size="2",
                    color=rx.color("gray", 11),
                    style=WRAP_ANYWHERE,
                ),
                rx.spacer(),
                rx.button(
                    rx.icon("refresh-cw", size=14),
                    "Refresh",
                    size="1",
                    variant="soft",
                    on_click=WebhooksState.load,
                ),
                align="center",
                width="100%",
                gap="8px 12px",
                wrap="wrap",
            ),
            rx.cond(
                WebhooksState.deliveries.length() > 0,
                rx.table.root(
                    header,
                    rx.table.body(rx.foreach(WebhooksState.deliveries, row)),
                    width="100%",
                    size="1",
                ),
                rx.text(
                    "No deliveries yet. Send a test event to see one here.",
                    size="2",
                    color=rx.color("gray", 11),
                ),
            ),
            spacing="3",
            width="100%",
        ),
        id="delivery-log",
    )


def _delivery_dialog() -> rx.Component:
    detail = WebhooksState.delivery_detail

    def attempt(item: rx.Var) -> rx.Component:
        return rx.box(
            rx.hstack(
                rx.badge("#", item["number"], variant="outline"),
                rx.badge(item["code"], color_scheme=item["color"].to(str), variant="soft"),
                rx.text(item["duration"], size="1"),
                rx.text(item["when"], size="1", color=rx.color("gray", 11)),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.text(
                item["outcome"], size="1", margin_top="4px", style={"word_break": "break-word"}
            ),
            rx.cond(
                item["retry"] != "",
                rx.text(item["retry"], size="1", color=rx.color("gray", 11)),
            ),
            rx.text("Response body", size="1", color=rx.color("gray", 11), margin_top="6px"),
            rx.code_block(
                item["response"],
                language="log",
                wrap_long_lines=True,
                font_size="11px",
                margin="2px 0 0",
                width="100%",
                custom_style={"max_height": "120px", "overflow": "auto", **WRAP_ANYWHERE},
            ),
            padding="10px 0",
            border_bottom=f"1px solid {rx.color('gray', 4)}",
            width="100%",
            class_name="delivery-attempt",
        )

    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.flex(
                    rx.text("Delivery"),
                    rx.code(detail["id"], size="3"),
                    gap="8px",
                    align="center",
                    wrap="wrap",
                )
            ),
            rx.vstack(
                rx.flex(
                    rx.badge(
                        detail["status"], color_scheme=detail["color"].to(str), variant="soft"
                    ),
                    rx.code(detail["event_type"]),
                    rx.text("created ", detail["created"], size="1", color=rx.color("gray", 11)),
                    gap="8px",
                    align="center",
                    wrap="wrap",
                ),
                rx.cond(
                    detail["next_attempt"] != "",
                    rx.text("Next attempt ", detail["next_attempt"], size="1"),
                ),
                rx.text("Payload", weight="bold", size="2"),
                rx.code_block(
                    detail["payload"],
                    language="json",
                    wrap_long_lines=True,
                    font_size="12px",
                    width="100%",
                    margin="0",
                    custom_style={"max_height": "240px", "overflow": "auto", **WRAP_ANYWHERE},
                    id="delivery-payload",
                ),
                rx.text(
                    "Attempts ",
                    rx.text.span("(newest first)", weight="regular", color=rx.color("gray", 11)),
                    weight="bold",
                    size="2",
                ),
                rx.box(
                    rx.foreach(WebhooksState.delivery_attempts, attempt),
                    max_height="260px",
                    overflow_y="auto",
                    width="100%",
                ),
                rx.hstack(
                    rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                    rx.button(
                        rx.icon("rotate-ccw", size=14),
                        "Redeliver",
                        on_click=WebhooksState.redeliver(detail["id"].to(str)),
                    ),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                width="100%",
                margin_top="8px",
            ),
            max_width="720px",
        ),
        open=WebhooksState.delivery_open,
        on_open_change=WebhooksState.set_delivery_open,
    )


def _delete_dialog() -> rx.Component:
    return confirm_dialog(
        "Delete this webhook?",
        [
            "Events stop going to ",
            rx.text.strong(WebhooksState.delete_url, style=WRAP_ANYWHERE),
            " at once, and its delivery log is deleted with it. To pause deliveries "
            "instead, switch the webhook off.",
        ],
        keep="Cancel",
        confirm="Delete webhook",
        on_confirm=WebhooksState.confirm_delete,
        confirm_id="confirm-delete",
        open=WebhooksState.delete_id != "",
        on_open_change=WebhooksState.cancel_delete,
    )


def webhooks_page() -> rx.Component:
    add_button = rx.button(
        rx.icon("plus", size=16),
        "Add endpoint",
        on_click=WebhooksState.open_create,
        id="add-webhook",
    )
    return app_shell(
        rx.text(
            "Signed event notifications to your own systems. Every delivery carries ",
            rx.code("X-Webhook-Signature"),
            " (HMAC-SHA256 of timestamp.body) and Standard Webhooks headers; failed deliveries "
            "are retried for about two days.",
            size="2",
            color=rx.color("gray", 11),
        ),
        rx.cond(
            WebhooksState.webhooks.length() > 0,
            rx.vstack(rx.foreach(WebhooksState.webhooks, _webhook_card), spacing="3", width="100%"),
            empty_state(
                "webhook",
                "No webhook endpoints yet",
                "Add an endpoint to receive envelope, invoice and business app events "
                "as they happen.",
                add_button,
            ),
        ),
        rx.cond(WebhooksState.selected_id != "", _delivery_log()),
        _create_dialog(),
        _secret_dialog(),
        _delivery_dialog(),
        _delete_dialog(),
        title="Webhooks",
        actions=add_button,
    )
