"""Webhooks: endpoints, the event picker, the one-time secret, and each endpoint's delivery log."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import reflex as rx

from workspace.core.db import session_scope
from workspace.core.errors import DomainError
from workspace.core.events_catalog import EVENT_GROUPS
from workspace.core.schemas.webhooks import WebhookCreate, WebhookUpdate
from workspace.core.services import webhooks as service
from workspace.core.services.events import event_payload
from workspace.ui.layout import app_shell, card, empty_state
from workspace.ui.state import AuthState, toast_error

STATUS_COLORS = {"succeeded": "green", "failed": "red", "pending": "amber"}


def _when(ms: int | None) -> str:
    if not ms:
        return "—"
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _webhook_row(endpoint) -> dict:
    data = service.webhook_public(endpoint)
    return {
        "id": data["id"],
        "url": data["url"],
        "description": data["description"],
        "events": ", ".join(data["events"]),
        "event_count": str(len(data["events"])),
        "is_active": data["isActive"],
        "failure_count": str(data["failureCount"]),
        "last_delivered": _when(data["lastDeliveredAt"]),
        "disabled_reason": data["disabledReason"] or "",
        "rotating_until": _when(data["previousSecretExpiresAt"])
        if data["previousSecretExpiresAt"]
        else "",
    }


def _delivery_row(delivery) -> dict:
    data = service.delivery_public(delivery)
    return {
        "id": data["id"],
        "event_type": data["eventType"],
        "status": data["status"],
        "color": STATUS_COLORS.get(data["status"], "gray"),
        "code": str(data["lastStatusCode"] or "—"),
        "duration": f"{data['lastDurationMs']} ms" if data["lastDurationMs"] is not None else "—",
        "attempts": str(data["attemptCount"]),
        "created": _when(data["createdAt"]),
        "next_attempt": _when(data["nextAttemptAt"]) if data["status"] == "pending" else "",
        "error": data["lastError"] or "",
    }


class WebhooksState(AuthState):
    webhooks: list[dict[str, str | bool]] = []
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
    selected_id: str = ""
    selected_url: str = ""
    deliveries: list[dict[str, str]] = []
    delivery_open: bool = False
    delivery_detail: dict[str, str] = {}
    delivery_attempts: list[dict[str, str]] = []

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
        self.form_url = value

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
        self.form_events = chosen

    @rx.event
    def toggle_group(self, group: str):
        types = next([t for t, _ in events] for name, events in EVENT_GROUPS if name == group)
        if all(t in self.form_events for t in types):
            self.form_events = [t for t in self.form_events if t not in types]
        else:
            self.form_events = self.form_events + [t for t in types if t not in self.form_events]

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
            self.selected_id, self.selected_url = endpoint.id, endpoint.url
            self._refresh()
        except DomainError as exc:
            self.form_error = exc.message
        return None

    @rx.event
    def close_secret(self):
        self.revealed_secret = self.revealed_for = ""

    @rx.event
    def copy_secret(self):
        return [rx.set_clipboard(self.revealed_secret), rx.toast.success("Secret copied")]

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
        return toast

    @rx.event
    def send_test(self, webhook_id: str):
        self.selected_id = webhook_id
        self.selected_url = self._url_of(webhook_id)
        toast, _ = self._act(
            lambda session, actor: service.send_test(session, actor=actor, webhook_id=webhook_id),
            "Test event queued",
        )
        return toast

    @rx.event
    def delete_webhook(self, webhook_id: str):
        toast, _ = self._act(
            lambda session, actor: service.delete_webhook(
                session, actor=actor, webhook_id=webhook_id
            ),
            "Webhook deleted",
        )
        return toast

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
                        "outcome": "Delivered" if a.succeeded else (a.error or "Not accepted"),
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
            "Redelivery queued",
        )
        self.delivery_open = False
        return toast


def _event_picker() -> rx.Component:
    groups = []
    for group, events in EVENT_GROUPS:
        groups.append(
            rx.box(
                rx.hstack(
                    rx.text(group, weight="bold", size="2"),
                    rx.button(
                        "All / none",
                        size="1",
                        variant="ghost",
                        on_click=WebhooksState.toggle_group(group),
                        type="button",
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
                ),
                padding="10px 12px",
                border=f"1px solid {rx.color('gray', 5)}",
                border_radius="8px",
                width="100%",
            )
        )
    return rx.scroll_area(
        rx.vstack(*groups, spacing="2", width="100%", padding_right="10px"),
        type="auto",
        scrollbars="vertical",
        style={"max_height": "320px"},
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
                    rx.badge(WebhooksState.form_events.length(), " selected", variant="soft"),
                    align="center",
                ),
                _event_picker(),
                rx.text("Custom auth header (optional)", size="2", weight="medium"),
                rx.hstack(
                    rx.input(
                        placeholder="Authorization",
                        value=WebhooksState.form_header_name,
                        on_change=WebhooksState.set_form_header_name,
                        width="40%",
                    ),
                    rx.input(
                        placeholder="Bearer …",
                        type="password",
                        value=WebhooksState.form_header_value,
                        on_change=WebhooksState.set_form_header_value,
                        width="60%",
                    ),
                    width="100%",
                ),
                rx.cond(
                    WebhooksState.form_error != "",
                    rx.callout(
                        WebhooksState.form_error,
                        icon="triangle-alert",
                        color_scheme="red",
                        size="1",
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
                    rx.text.strong(WebhooksState.revealed_for),
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
                    rx.icon_button(
                        rx.icon("copy", size=16),
                        on_click=WebhooksState.copy_secret,
                        variant="soft",
                        aria_label="Copy secret",
                    ),
                    align="center",
                    width="100%",
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


def _webhook_card(webhook: rx.Var) -> rx.Component:
    webhook_id = webhook["id"].to(str)
    return card(
        rx.hstack(
            rx.vstack(
                rx.hstack(
                    rx.cond(
                        webhook["is_active"],
                        rx.badge("Active", color_scheme="green", variant="soft"),
                        rx.badge("Disabled", color_scheme="gray", variant="soft"),
                    ),
                    rx.text(
                        webhook["url"], weight="bold", size="3", style={"word_break": "break-all"}
                    ),
                    align="center",
                    spacing="2",
                ),
                rx.cond(
                    webhook["description"] != "",
                    rx.text(webhook["description"], size="2", color=rx.color("gray", 11)),
                ),
                rx.text(webhook["events"], size="1", color=rx.color("gray", 10)),
                rx.hstack(
                    rx.text("Failures: ", webhook["failure_count"], size="1"),
                    rx.text("Last delivered: ", webhook["last_delivered"], size="1"),
                    rx.cond(
                        webhook["rotating_until"] != "",
                        rx.text("Old secret valid until ", webhook["rotating_until"], size="1"),
                    ),
                    spacing="4",
                    color=rx.color("gray", 11),
                    wrap="wrap",
                ),
                rx.cond(
                    webhook["disabled_reason"] != "",
                    rx.text(webhook["disabled_reason"], size="1", color=rx.color("red", 11)),
                ),
                spacing="1",
                align="start",
                width="100%",
            ),
            rx.hstack(
                rx.tooltip(
                    rx.switch(
                        checked=webhook["is_active"].to(bool),
                        on_change=lambda value: WebhooksState.set_active(webhook_id, value),
                    ),
                    content="Enable or disable",
                ),
                rx.button(
                    rx.icon("send", size=14),
                    "Send test",
                    size="1",
                    variant="soft",
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
                            "Rotate secret", on_select=WebhooksState.rotate_secret(webhook_id)
                        ),
                        rx.menu.separator(),
                        rx.menu.item(
                            "Delete",
                            color="red",
                            on_select=WebhooksState.delete_webhook(webhook_id),
                        ),
                    ),
                ),
                spacing="2",
                align="center",
            ),
            justify="between",
            align="start",
            width="100%",
            spacing="4",
        ),
        border=rx.cond(
            WebhooksState.selected_id == webhook_id,
            f"1px solid {rx.color('accent', 8)}",
            "",
        ),
    )


def _delivery_log() -> rx.Component:
    header = rx.table.header(
        rx.table.row(
            *[
                rx.table.column_header_cell(label)
                for label in ("Event", "Status", "Code", "Time", "Attempts", "Created", "")
            ]
        )
    )

    def row(delivery: rx.Var) -> rx.Component:
        return rx.table.row(
            rx.table.cell(rx.code(delivery["event_type"])),
            rx.table.cell(
                rx.badge(delivery["status"], color_scheme=delivery["color"].to(str), variant="soft")
            ),
            rx.table.cell(delivery["code"]),
            rx.table.cell(delivery["duration"]),
            rx.table.cell(delivery["attempts"]),
            rx.table.cell(rx.text(delivery["created"], size="1")),
            rx.table.cell(
                rx.button(
                    "View",
                    size="1",
                    variant="ghost",
                    on_click=WebhooksState.open_delivery(delivery["id"].to(str)),
                )
            ),
            align="center",
        )

    return card(
        rx.vstack(
            rx.hstack(
                rx.heading("Delivery log", size="4"),
                rx.text(WebhooksState.selected_url, size="2", color=rx.color("gray", 11)),
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
                spacing="3",
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
        )
    )


def _delivery_dialog() -> rx.Component:
    detail = WebhooksState.delivery_detail

    def attempt(item: rx.Var) -> rx.Component:
        return rx.box(
            rx.hstack(
                rx.badge("#", item["number"], variant="outline"),
                rx.text(item["when"], size="1"),
                rx.badge(item["code"], color_scheme=item["color"].to(str), variant="soft"),
                rx.text(item["duration"], size="1"),
                rx.text(item["retry"], size="1", color=rx.color("gray", 10)),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.text(item["outcome"], size="1", color=rx.color("gray", 11), margin_top="4px"),
            rx.code_block(
                item["response"],
                language="log",
                wrap_long_lines=True,
                font_size="11px",
                margin_top="4px",
            ),
            padding="8px 0",
            border_bottom=f"1px solid {rx.color('gray', 4)}",
        )

    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.hstack(rx.text("Delivery "), rx.code(detail["id"]))),
            rx.vstack(
                rx.hstack(
                    rx.badge(
                        detail["status"], color_scheme=detail["color"].to(str), variant="soft"
                    ),
                    rx.code(detail["event_type"]),
                    rx.text(detail["created"], size="1"),
                    spacing="2",
                    align="center",
                ),
                rx.cond(
                    detail["next_attempt"] != "",
                    rx.text("Next attempt ", detail["next_attempt"], size="1"),
                ),
                rx.text("Payload", weight="bold", size="2"),
                rx.code_block(
                    detail["payload"],
                    language="json",
                    font_size="12px",
                    custom_style={"max_height": "220px", "overflow": "auto"},
                ),
                rx.text("Attempts (newest first)", weight="bold", size="2"),
                rx.box(
                    rx.foreach(WebhooksState.delivery_attempts, attempt),
                    max_height="240px",
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
            " (HMAC-SHA256 of timestamp.body) and Standard Webhooks headers.",
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
        title="Webhooks",
        actions=add_button,
    )
