"""Mailbox: every email and text message (SMS, WhatsApp) the organization's workspace wrote,
readable here even without a mail server or an SMS provider."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import reflex as rx

from workspace.core.config import get_settings
from workspace.core.db import session_scope
from workspace.core.errors import DomainError
from workspace.core.services import mailbox, sms
from workspace.ui.components.formatting import format_time
from workspace.ui.layout import WIDE_ONLY, app_shell, card, empty_state, scrolling_table
from workspace.ui.state import AuthState, toast_error

PAGE_SIZE = 20
STATUS_FILTERS = ("all", *mailbox.STATUSES, *sms.STATUSES)
TABS = ("email", "texts")
CHANNEL_NAMES = {"sms": "SMS", "whatsapp": "WhatsApp"}
_URL = re.compile(r"https?://[^\s<>\"']+")
_LABELLED_LINK = re.compile(r"^(?P<label>[^:\n]{1,80}):\s+https?://\S+$")
# Links in a shown email open in a new tab; the frame itself runs no script.
_FRAME_HEAD = '<base target="_blank"><meta name="referrer" content="no-referrer">'


@dataclass
class MessageRow:
    id: str
    recipient: str
    subject: str
    category: str
    status: str
    time: str
    readable: bool


@dataclass
class TextRow:
    id: str
    recipient: str
    body: str
    channel: str
    category: str
    status: str
    time: str


@dataclass
class MessageLink:
    label: str
    url: str


def links_in(text: str) -> list[MessageLink]:
    """The http(s) links of a plain-text email, labelled by the words before them."""
    links = []
    for line in text.splitlines():
        labelled = _LABELLED_LINK.match(line.strip())
        for url in _URL.findall(line):
            links.append(MessageLink(labelled["label"] if labelled else url, url))
    return links


def framed_html(body: str) -> str:
    """A complete document for the sandboxed frame (`srcdoc`)."""
    head = f"<head>{_FRAME_HEAD}</head>"
    return f"<!doctype html><html>{head}<body style='margin:0'>{body}</body></html>"


def _status_label(status: str) -> str:
    return status.replace("_", " ")


def _recipient(name: str, address: str) -> str:
    return f"{name} <{address}>" if name else address


class MailboxState(AuthState):
    tab: str = "email"
    rows: list[MessageRow] = []
    texts: list[TextRow] = []
    sms_configured: bool = False
    total: int = 0
    page: int = 0
    search: str = ""
    status_filter: str = "all"
    open_id: str = ""
    open_subject: str = ""
    open_to: str = ""
    open_time: str = ""
    open_status: str = ""
    open_error: str = ""
    open_html: str = ""
    open_text: str = ""
    open_links: list[MessageLink] = []
    view: str = "html"
    open_text_id: str = ""
    open_text_to: str = ""
    open_text_channel: str = ""
    open_text_provider_id: str = ""
    loaded: bool = False

    @rx.event
    def load(self):
        if self._actor() is None:
            return None
        tab = self.router.page.params.get("tab", "")
        self.tab = tab if tab in TABS else "email"
        self.sms_configured = get_settings().sms_url is not None
        self.loaded = True
        self.page = 0
        self.status_filter = "all"
        self._close()
        return self._refresh()

    @rx.event
    def set_tab(self, value: str):
        self.tab = value if value in TABS else "email"
        self.page = 0
        self.status_filter = "all"
        self._close()
        return self._refresh()

    def _refresh(self):
        if self.tab == "texts":
            return self._refresh_texts()
        try:
            actor = self._require_actor()
            with session_scope() as session:
                messages, self.total = mailbox.list_mailbox(
                    session,
                    actor=actor,
                    search=self.search,
                    status="" if self.status_filter == "all" else self.status_filter,
                    limit=PAGE_SIZE,
                    offset=self.page * PAGE_SIZE,
                )
                self.rows = [
                    MessageRow(
                        m.id,
                        f"{m.to_name} <{m.to_email}>" if m.to_name else m.to_email,
                        m.subject,
                        m.category.replace("_", " "),
                        m.status,
                        format_time(m.created_at),
                        mailbox.can_read_body(actor, m),
                    )
                    for m in messages
                ]
        except DomainError as exc:
            return toast_error(exc)
        return None

    def _refresh_texts(self):
        try:
            actor = self._require_actor()
            with session_scope() as session:
                messages, self.total = sms.list_text_messages(
                    session,
                    actor=actor,
                    search=self.search,
                    status="" if self.status_filter == "all" else self.status_filter,
                    limit=PAGE_SIZE,
                    offset=self.page * PAGE_SIZE,
                )
                self.texts = [
                    TextRow(
                        m.id,
                        _recipient(m.to_name, m.to_phone),
                        m.body,
                        CHANNEL_NAMES.get(m.channel, m.channel),
                        m.category.replace("_", " "),
                        _status_label(m.status),
                        format_time(m.created_at),
                    )
                    for m in messages
                ]
        except DomainError as exc:
            return toast_error(exc)
        return None

    @rx.event
    def set_search(self, value: str):
        self.search = value
        self.page = 0
        return self._refresh()

    @rx.event
    def set_status_filter(self, value: str):
        self.status_filter = value if value in STATUS_FILTERS else "all"
        self.page = 0
        return self._refresh()

    @rx.event
    def next_page(self):
        if (self.page + 1) * PAGE_SIZE < self.total:
            self.page += 1
        return self._refresh()

    @rx.event
    def previous_page(self):
        self.page = max(0, self.page - 1)
        return self._refresh()

    @rx.event
    def open_message(self, message_id: str):
        try:
            actor = self._require_actor()
            with session_scope() as session:
                message = mailbox.read_mailbox_message(session, actor=actor, message_id=message_id)
                self.open_id = message.id
                self.open_subject = message.subject
                self.open_to = (
                    f"{message.to_name} <{message.to_email}>"
                    if message.to_name
                    else message.to_email
                )
                self.open_time = format_time(message.created_at)
                self.open_status = message.status
                self.open_error = message.last_error or ""
                self.open_text = message.text_body
                self.open_html = framed_html(
                    message.html_body or f"<pre>{html.escape(message.text_body)}</pre>"
                )
                self.open_links = links_in(message.text_body)
        except DomainError as exc:
            return toast_error(exc)
        self.view = "html"
        return None

    @rx.event
    def open_text_message(self, message_id: str):
        try:
            actor = self._require_actor()
            with session_scope() as session:
                message = sms.get_text_message(session, actor=actor, message_id=message_id)
                self.open_text_id = message.id
                self.open_text_to = _recipient(message.to_name, message.to_phone)
                self.open_text_channel = CHANNEL_NAMES.get(message.channel, message.channel)
                self.open_text_provider_id = message.provider_id or ""
                self.open_time = format_time(message.created_at)
                self.open_status = _status_label(message.status)
                self.open_error = message.error or ""
                self.open_text = message.body
                self.open_links = links_in(message.body)
        except DomainError as exc:
            return toast_error(exc)
        return None

    def _close(self) -> None:
        self.open_id = self.open_subject = self.open_to = self.open_time = ""
        self.open_status = self.open_error = self.open_html = self.open_text = ""
        self.open_text_id = self.open_text_to = self.open_text_channel = ""
        self.open_text_provider_id = ""
        self.open_links = []

    @rx.event
    def close_message(self, open_: bool = False):
        if not open_:
            self._close()

    @rx.event
    def set_view(self, value: str | list[str]):
        self.view = "text" if value == "text" else "html"

    @rx.var
    def range_label(self) -> str:
        if self.total == 0:
            return "No messages"
        first = self.page * PAGE_SIZE + 1
        last = min(self.total, first + PAGE_SIZE - 1)
        return f"{first}–{last} of {self.total}"

    @rx.var
    def has_next(self) -> bool:
        return (self.page + 1) * PAGE_SIZE < self.total

    @rx.var
    def filtered(self) -> bool:
        return self.search != "" or self.status_filter != "all"


def status_badge(status) -> rx.Component:
    return rx.badge(
        status,
        color_scheme=rx.match(
            status, ("sent", "green"), ("queued", "blue"), ("failed", "red"), "gray"
        ),
        variant="soft",
    )


def _message_row(
    message, headline: rx.Component, narrow_time, kind, on_click, class_name: str
) -> rx.Component:
    """One clickable message: status, headline over recipient, kind badge and time (on narrow
    screens the time goes under the recipient)."""
    return rx.table.row(
        rx.table.cell(status_badge(message.status)),
        rx.table.cell(
            rx.vstack(
                # A button, so the keyboard reaches and opens each message too.
                rx.el.button(
                    headline,
                    type="button",
                    on_click=on_click.stop_propagation,
                    class_name="message-open",
                    style={"all": "unset", "cursor": "pointer"},
                    _focus_visible={
                        "outline": f"2px solid {rx.color('accent', 8)}",
                        "outline_offset": "2px",
                        "border_radius": "4px",
                    },
                ),
                rx.text(message.recipient, size="1", color=rx.color("gray", 11)),
                rx.text(
                    narrow_time,
                    size="1",
                    color=rx.color("gray", 11),
                    display=["block", "block", "none"],
                ),
                spacing="0",
            )
        ),
        rx.table.cell(rx.badge(kind, variant="outline", color_scheme="gray"), display=WIDE_ONLY),
        rx.table.cell(
            rx.text(message.time, size="1", color=rx.color("gray", 11), white_space="nowrap"),
            display=WIDE_ONLY,
        ),
        on_click=on_click,
        cursor="pointer",
        _hover={"background": rx.color("gray", 3)},
        class_name=class_name,
        align="center",
    )


def _row(message: MessageRow) -> rx.Component:
    return _message_row(
        message,
        rx.hstack(
            rx.cond(~message.readable, rx.icon("lock", size=12)),
            rx.text(message.subject, weight="medium", size="2"),
            align="center",
            spacing="1",
        ),
        message.time,
        message.category,
        MailboxState.open_message(message.id),
        "mailbox-row",
    )


def _text_row(message: TextRow) -> rx.Component:
    return _message_row(
        message,
        rx.text(
            message.body,
            size="2",
            weight="medium",
            class_name="text-preview",
            style={
                "display": "-webkit-box",
                "-webkit-line-clamp": "2",
                "-webkit-box-orient": "vertical",
                "overflow": "hidden",
                "overflow-wrap": "anywhere",
            },
        ),
        message.channel + " · " + message.time,
        message.channel,
        MailboxState.open_text_message(message.id),
        "text-row",
    )


def _status_select(statuses: tuple[str, ...]) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label="Status", min_width="150px"),
        rx.select.content(
            rx.select.item("All statuses", value="all"),
            *[
                rx.select.item(_status_label(status).capitalize(), value=status)
                for status in statuses
            ],
        ),
        value=MailboxState.status_filter,
        on_change=MailboxState.set_status_filter,
        size="3",
    )


def _toolbar() -> rx.Component:
    return rx.flex(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            value=MailboxState.search,
            on_change=MailboxState.set_search,
            placeholder=rx.cond(
                MailboxState.tab == "texts",
                "Search by number, name or text",
                "Search by recipient or subject",
            ),
            id="mailbox-search",
            flex="1",
            min_width="220px",
            size="3",
            max_length=200,
        ),
        rx.cond(
            MailboxState.tab == "texts",
            _status_select(sms.STATUSES),
            _status_select(mailbox.STATUSES),
        ),
        spacing="3",
        wrap="wrap",
        width="100%",
    )


def _pager() -> rx.Component:
    return rx.hstack(
        rx.text(MailboxState.range_label, size="2", color=rx.color("gray", 11)),
        rx.hstack(
            rx.icon_button(
                rx.icon("chevron-left", size=16),
                variant="soft",
                disabled=MailboxState.page == 0,
                on_click=MailboxState.previous_page,
                aria_label="Previous page",
            ),
            rx.icon_button(
                rx.icon("chevron-right", size=16),
                variant="soft",
                disabled=~MailboxState.has_next,
                on_click=MailboxState.next_page,
                aria_label="Next page",
            ),
            spacing="2",
        ),
        justify="between",
        align="center",
        width="100%",
    )


def _message_dialog() -> rx.Component:
    meta = rx.grid(
        rx.text("To", size="1", color=rx.color("gray", 11)),
        rx.text(MailboxState.open_to, size="2"),
        rx.text("Written", size="1", color=rx.color("gray", 11)),
        rx.text(MailboxState.open_time, size="2"),
        rx.text("Status", size="1", color=rx.color("gray", 11)),
        rx.box(status_badge(MailboxState.open_status)),
        columns="70px 1fr",
        spacing="2",
        align_items="center",
        width="100%",
    )
    links = rx.cond(
        MailboxState.open_links.length() > 0,
        rx.flex(
            rx.foreach(
                MailboxState.open_links,
                lambda link: rx.link(
                    rx.button(
                        rx.icon("external-link", size=14), link.label, variant="soft", size="2"
                    ),
                    href=link.url,
                    is_external=True,
                    class_name="message-link",
                ),
            ),
            spacing="2",
            wrap="wrap",
        ),
    )
    body = rx.cond(
        MailboxState.view == "html",
        rx.el.iframe(
            src_doc=MailboxState.open_html,
            sandbox="allow-popups allow-popups-to-escape-sandbox",
            title="Email content",
            id="message-frame",
            style={
                "width": "100%",
                "height": "420px",
                "border": f"1px solid {rx.color('gray', 5)}",
                "border_radius": "10px",
                "background": "#f4f4f7",
            },
        ),
        rx.box(
            rx.text(
                MailboxState.open_text,
                size="2",
                white_space="pre-wrap",
                font_family="var(--code-font-family)",
                id="message-text",
            ),
            padding="14px",
            border=f"1px solid {rx.color('gray', 5)}",
            border_radius="10px",
            background=rx.color("gray", 2),
            max_height="420px",
            overflow_y="auto",
        ),
    )
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(MailboxState.open_subject),
            rx.vstack(
                meta,
                rx.cond(
                    MailboxState.open_error != "",
                    rx.callout(
                        MailboxState.open_error, icon="triangle-alert", color_scheme="red", size="1"
                    ),
                ),
                links,
                rx.segmented_control.root(
                    rx.segmented_control.item("Formatted", value="html"),
                    rx.segmented_control.item("Plain text", value="text"),
                    value=MailboxState.view,
                    on_change=MailboxState.set_view,
                    size="1",
                ),
                body,
                rx.flex(
                    rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            max_width="720px",
            width="calc(100vw - 24px)",
        ),
        open=MailboxState.open_id != "",
        on_open_change=MailboxState.close_message,
    )


def _text_dialog() -> rx.Component:
    label = {"size": "1", "color": rx.color("gray", 11)}
    meta = rx.grid(
        rx.text("To", **label),
        rx.text(MailboxState.open_text_to, size="2"),
        rx.text("Channel", **label),
        rx.text(MailboxState.open_text_channel, size="2"),
        rx.text("Written", **label),
        rx.text(MailboxState.open_time, size="2"),
        rx.text("Status", **label),
        rx.box(status_badge(MailboxState.open_status)),
        rx.cond(MailboxState.open_text_provider_id != "", rx.text("Provider id", **label)),
        rx.cond(
            MailboxState.open_text_provider_id != "",
            rx.code(MailboxState.open_text_provider_id, size="1", variant="ghost"),
        ),
        columns="90px 1fr",
        spacing="2",
        align_items="center",
        width="100%",
    )
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Text message"),
            rx.vstack(
                meta,
                rx.cond(
                    MailboxState.open_error != "",
                    rx.callout(
                        MailboxState.open_error,
                        icon=rx.cond(
                            MailboxState.open_status == "failed", "triangle-alert", "info"
                        ),
                        color_scheme=rx.cond(MailboxState.open_status == "failed", "red", "gray"),
                        size="1",
                    ),
                ),
                rx.box(
                    rx.text(
                        MailboxState.open_text,
                        size="3",
                        white_space="pre-wrap",
                        style={"overflow-wrap": "anywhere"},
                        id="text-body",
                    ),
                    padding="14px 16px",
                    border_radius="16px 16px 16px 4px",
                    background=rx.color("accent", 3),
                    max_width="100%",
                ),
                rx.cond(
                    MailboxState.open_links.length() > 0,
                    rx.flex(
                        rx.foreach(
                            MailboxState.open_links,
                            lambda link: rx.link(
                                rx.button(
                                    rx.icon("external-link", size=14),
                                    "Open link",
                                    variant="soft",
                                    size="2",
                                ),
                                href=link.url,
                                is_external=True,
                                class_name="message-link",
                            ),
                        ),
                        spacing="2",
                        wrap="wrap",
                    ),
                ),
                rx.flex(
                    rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            max_width="520px",
            width="calc(100vw - 24px)",
        ),
        open=MailboxState.open_text_id != "",
        on_open_change=MailboxState.close_message,
    )


def _listing(
    rows, row, kind_header: str, table_id: str, empty: tuple[str, str, str]
) -> rx.Component:
    """A page of messages with the pager, or an empty state (a different one when filtered)."""
    return rx.cond(
        MailboxState.total > 0,
        card(
            rx.vstack(
                scrolling_table(
                    [("Status", False), ("Message", False), (kind_header, True), ("Written", True)],
                    rows,
                    row,
                    table_id=table_id,
                ),
                _pager(),
                spacing="3",
                width="100%",
            )
        ),
        rx.cond(
            MailboxState.filtered,
            empty_state("search-x", "No matching messages", "Try another search or status."),
            empty_state(*empty),
        ),
    )


def _provider_notice() -> rx.Component:
    return rx.cond(
        MailboxState.sms_configured,
        rx.fragment(),
        rx.callout(
            "No SMS provider is configured, so text messages are kept here and not sent. "
            "Set SMS_URL and SMS_FROM to deliver them; until then, pass the codes and links "
            "on yourself.",
            icon="info",
            color_scheme="amber",
            size="1",
            id="sms-provider-notice",
        ),
    )


def mailbox_page() -> rx.Component:
    listing = _listing(
        MailboxState.rows,
        _row,
        "Kind",
        "mailbox-table",
        (
            "mail",
            "No emails yet",
            "Invitations, password resets and documents you send appear here, "
            "whether or not a mail server is configured.",
        ),
    )
    loading = rx.skeleton(rx.box(height="160px"), width="100%", border_radius="12px")
    return app_shell(
        rx.text(
            "Every email and text message the workspace writes is kept here. Without a mail "
            "server or an SMS provider, open a message to follow its links.",
            size="2",
            color=rx.color("gray", 11),
        ),
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger(
                    rx.hstack(rx.icon("mail", size=15), rx.text("Email"), spacing="2"),
                    value="email",
                ),
                rx.tabs.trigger(
                    rx.hstack(
                        rx.icon("message-square", size=15), rx.text("Text messages"), spacing="2"
                    ),
                    value="texts",
                    id="texts-tab",
                ),
                size="2",
            ),
            value=MailboxState.tab,
            on_change=MailboxState.set_tab,
            width="100%",
        ),
        rx.cond(MailboxState.tab == "texts", _provider_notice()),
        _toolbar(),
        rx.cond(
            MailboxState.loaded,
            rx.cond(
                MailboxState.tab == "texts",
                _listing(
                    MailboxState.texts,
                    _text_row,
                    "Channel",
                    "texts-table",
                    (
                        "message-square",
                        "No text messages yet",
                        "Signing passwords sent by SMS or WhatsApp and portal links texted to "
                        "recipients appear here.",
                    ),
                ),
                listing,
            ),
            loading,
        ),
        _message_dialog(),
        _text_dialog(),
        title="Mailbox",
    )
