"""Envelopes in the app: the list (status tabs, search, paging), one envelope (signers in
order, timeline, actions) and the Send flow from a template."""

from __future__ import annotations

import re
from datetime import datetime

import reflex as rx

from workspace.core.clock import from_ms, now_ms, to_ms
from workspace.core.db import read_scope, session_scope
from workspace.core.errors import DomainError
from workspace.core.schemas.envelopes import EnvelopeCreate, SignerIn, SignerUpdate
from workspace.core.services import envelopes as service
from workspace.core.services import templates as template_service
from workspace.ui.components.forms import form_field
from workspace.ui.layout import WIDE_ONLY, app_shell, card, empty_state
from workspace.ui.state import AuthState, toast_error

PAGE_SIZE = 20
# The send form's words for what the service says in the API's terms.
FORM_MESSAGES = {
    "scheduledAt": "Schedule the sending at least 5 minutes and at most 30 days ahead.",
}
TABS = [
    ("all", "All"),
    ("draft", "Drafts"),
    ("sent", "Sent"),
    ("viewed", "Viewed"),
    ("signed", "Partly signed"),
    ("completed", "Completed"),
    ("scheduled", "Scheduled"),
    ("declined", "Declined"),
    ("cancelled", "Cancelled"),
    ("expired", "Expired"),
]
STATUS_COLORS = {
    "draft": "gray",
    "scheduled": "iris",
    "sent": "blue",
    "viewed": "cyan",
    "signed": "amber",  # some signers have signed
    "completed": "grass",
    "declined": "red",
    "cancelled": "gray",
    "expired": "orange",
}
STATUS_LABELS = dict(TABS)
SIGNER_STATUS_COLORS = {
    "pending": "gray",
    "sent": "blue",
    "viewed": "cyan",
    "signed": "grass",
    "declined": "red",
}


def _when(ms: int | None) -> str:
    return from_ms(ms).strftime("%d %b %Y, %H:%M UTC") if ms else ""


def _badge(status, colors: dict[str, str], labels: dict[str, str]) -> rx.Component:
    return rx.match(
        status,
        *[
            (
                name,
                rx.badge(labels.get(name, name.capitalize()), color_scheme=color, variant="soft"),
            )
            for name, color in colors.items()
        ],
        rx.badge(status, variant="soft"),
    )


def status_badge(status) -> rx.Component:
    """An envelope's status ("signed" reads "Partly signed", as on its tab)."""
    return _badge(status, STATUS_COLORS, STATUS_LABELS)


def signer_badge(status) -> rx.Component:
    return _badge(status, SIGNER_STATUS_COLORS, {})


# --- list -----------------------------------------------------------------------------------


class EnvelopesState(AuthState):
    tab: str = "all"
    search: str = ""
    offset: int = 0
    total: int = 0
    rows: list[dict[str, str]] = []

    @rx.event
    def load(self):
        actor = self._actor()
        if actor is None:
            return
        try:
            with read_scope() as session:
                envelopes, self.total = service.list_envelopes(
                    session,
                    actor=actor,
                    status=None if self.tab == "all" else self.tab,
                    search=self.search,
                    limit=PAGE_SIZE,
                    offset=self.offset,
                )
                signers = service.signers_by_envelope(session, envelopes)
                self.rows = [
                    {
                        "id": e.id,
                        "title": e.title,
                        "status": e.status,
                        "source": e.template_name or "Uploaded document",
                        "progress": _progress(e.status, signers[e.id]),
                        "who": ", ".join(s.name for s in signers[e.id][:3])
                        + (" …" if len(signers[e.id]) > 3 else ""),
                        "created": _when(e.created_at),
                    }
                    for e in envelopes
                ]
        except DomainError as exc:
            return toast_error(exc)
        return None

    @rx.event
    def set_tab(self, value: str):
        self.tab, self.offset = value, 0
        return EnvelopesState.load

    @rx.event
    def set_search(self, value: str):
        self.search, self.offset = value, 0
        return EnvelopesState.load

    @rx.event
    def page(self, delta: int):
        self.offset = max(0, self.offset + delta * PAGE_SIZE)
        return EnvelopesState.load

    @rx.var
    def page_label(self) -> str:
        if not self.total:
            return ""
        return f"{self.offset + 1}-{min(self.offset + PAGE_SIZE, self.total)} of {self.total}"


def _progress(status: str, signers) -> str:
    if status == "draft":
        return f"Not sent · {len(signers)} signer{'s' * (len(signers) != 1)}"
    return f"{sum(s.status == 'signed' for s in signers)}/{len(signers)} signed"


def _row(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(rx.text(row["title"], weight="medium"), href="/envelopes/" + row["id"]),
            rx.text(row["source"], size="1", color=rx.color("gray", 11)),
        ),
        rx.table.cell(status_badge(row["status"])),
        rx.table.cell(
            rx.text(row["progress"], size="2"),
            rx.text(row["who"], size="1", color=rx.color("gray", 11)),
        ),
        rx.table.cell(
            rx.text(row["created"], size="2", color=rx.color("gray", 11)),
            display=WIDE_ONLY,
        ),
        custom_attrs={"data-envelope": row["id"]},
    )


def envelopes_page() -> rx.Component:
    table = rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell("Envelope"),
                rx.table.column_header_cell("Status"),
                rx.table.column_header_cell("Signers"),
                rx.table.column_header_cell("Created", display=WIDE_ONLY),
            )
        ),
        rx.table.body(rx.foreach(EnvelopesState.rows, _row)),
        width="100%",
        variant="surface",
    )
    return app_shell(
        rx.box(
            rx.tabs.root(
                rx.tabs.list(*[rx.tabs.trigger(label, value=value) for value, label in TABS]),
                value=EnvelopesState.tab,
                on_change=EnvelopesState.set_tab,
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            placeholder="Search by title, signer name or email",
            value=EnvelopesState.search,
            on_change=EnvelopesState.set_search.debounce(300),
            width="100%",
            max_width="420px",
            id="envelope-search",
        ),
        rx.cond(
            EnvelopesState.rows.length() > 0,
            rx.vstack(
                table,
                rx.hstack(
                    rx.text(EnvelopesState.page_label, size="2", color=rx.color("gray", 11)),
                    rx.hstack(
                        rx.button(
                            "Previous",
                            variant="soft",
                            size="1",
                            disabled=EnvelopesState.offset == 0,
                            on_click=EnvelopesState.page(-1),
                        ),
                        rx.button(
                            "Next",
                            variant="soft",
                            size="1",
                            disabled=EnvelopesState.offset + PAGE_SIZE >= EnvelopesState.total,
                            on_click=EnvelopesState.page(1),
                        ),
                    ),
                    justify="between",
                    width="100%",
                ),
                width="100%",
            ),
            empty_state(
                "send",
                "No envelopes here",
                "Send a template, a package or an uploaded PDF for signature; each signer gets "
                "a private link and you follow every step here.",
                new_envelope_menu("Send for signature"),
            ),
        ),
        title="Envelopes",
        actions=new_envelope_menu("New envelope", trigger_id="new-envelope"),
    )


NEW_ENVELOPE_CHOICES = [
    ("file-text", "From a template", "/envelopes/new", "new-from-template"),
    ("package", "From a package", "/envelopes/new?source=package", "new-from-package"),
    ("upload", "Upload a PDF", "/envelopes/upload", "new-from-upload"),
]


def new_envelope_menu(label: str, trigger_id: str | None = None) -> rx.Component:
    """The ways to start an envelope: a template, a package, or a PDF uploaded for this
    envelope only."""
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.icon("send", size=16), label, rx.icon("chevron-down", size=14), id=trigger_id
            )
        ),
        rx.menu.content(
            *[
                rx.menu.item(
                    rx.hstack(rx.icon(icon, size=14), text, align="center", spacing="2"),
                    on_select=rx.redirect(href),
                    id=item_id,
                )
                for icon, text, href, item_id in NEW_ENVELOPE_CHOICES
            ],
            align="end",
        ),
    )


# --- one envelope -------------------------------------------------------------------------


class EnvelopeState(AuthState):
    envelope: dict[str, str] = {}
    signers: list[dict[str, str]] = []
    timeline: list[dict[str, str]] = []
    can_cancel: bool = False
    can_remind: bool = False
    completed: bool = False
    document_link: str = ""
    certificate_link: str = ""
    cancel_open: bool = False
    # a draft: nobody has been sent anything; its signers can still change
    is_draft: bool = False
    draft_note: str = ""
    send_label: str = ""
    roles: list[str] = []
    role_names: dict[str, str] = {}  # role -> how it reads (a package's role names, …)
    signer_dialog_open: bool = False
    signer_form: dict[str, str] = {}
    signer_error: str = ""

    def _envelope_id(self) -> str:
        return self.router.page.params.get("envelope_id", "")

    @rx.event
    def load(self):
        self.cancel_open = self.signer_dialog_open = False  # a reload closes dialogs
        return self._load()

    def _load(self):
        actor = self._actor()
        if actor is None:
            return None
        try:
            with read_scope() as session:
                envelope = service.get_envelope(
                    session, actor=actor, envelope_id=self._envelope_id()
                )
                signers = service.envelope_signers(session, envelope)
                self.role_names = service.role_labels(session, envelope, signers)
                log = service.audit_entries(session, actor=actor, envelope_id=envelope.id)
                links = (
                    service.download_links(session, actor=actor, envelope_id=envelope.id)
                    if envelope.status == "completed"
                    else {}
                )
        except DomainError as exc:
            self.envelope = {}
            return toast_error(exc)
        self._show_draft(envelope)
        self.envelope = {
            "id": envelope.id,
            "title": envelope.title,
            "status": envelope.status,
            "source": envelope.template_name or "Uploaded document",
            "created": _when(envelope.created_at),
            "sent": _when(envelope.sent_at) or "-",
            "expires": (
                f"{_draft_lifetime(envelope)} after sending"
                if envelope.status == "draft"
                else _when(envelope.expires_at) or "-"
            ),
            "scheduled": _when(envelope.scheduled_at),
            "completed": _when(envelope.completed_at) or "-",
            "message": envelope.message,
            "test": "1" if envelope.test_mode else "",
            "cc": ", ".join(c["email"] for c in envelope.cc_recipients),
        }
        self.signers = [
            {
                "id": s.id,
                "name": s.name,
                "email": s.email,
                "role": s.role,
                "role_label": self.role_names.get(s.role, s.role),
                "order": str(s.signing_order),
                "status": s.status,
                "detail": _signer_detail(
                    s, draft=self.is_draft, waits_for=service.signs_after(signers, s)
                ),
                "link": service.signing_url(s),
                # a signer still waiting for earlier signers is invited when their turn comes
                "resendable": "1"
                if envelope.status in service.ACTIVE
                and s.status in ("sent", "viewed", "pending")
                and not service.signs_after(signers, s)
                else "",
            }
            for s in signers
        ]
        self.timeline = [
            {
                "time": _when(e["timestamp"]),
                "text": e["actionDescription"],
                "who": e["actorEmail"] or e["actorType"],
                "ip": e["ipAddress"] or "",
            }
            for e in reversed(log)
        ]
        self.can_cancel = envelope.status not in service.FINISHED
        self.can_remind = envelope.status in service.ACTIVE
        self.completed = envelope.status == "completed"
        self.document_link = links.get("documentUrl", "")
        self.certificate_link = links.get("certificateUrl", "")
        return None

    @rx.event
    def remind(self):
        try:
            with session_scope() as session:
                count = service.remind_envelope(
                    session, actor=self._require_actor(), envelope_id=self._envelope_id()
                )
        except DomainError as exc:
            return toast_error(exc)
        self._load()
        return rx.toast.success(f"Reminder sent to {count} signer{'s' * (count != 1)}.")

    @rx.event
    def resend(self, signer_id: str):
        try:
            with session_scope() as session:
                signer = service.resend_invitation(
                    session,
                    actor=self._require_actor(),
                    envelope_id=self._envelope_id(),
                    signer_id=signer_id,
                )
                email = signer.email
        except DomainError as exc:
            return toast_error(exc)
        self._load()
        return rx.toast.success(f"Invitation sent again to {email}.")

    @rx.event
    def set_cancel_open(self, value: bool):
        self.cancel_open = value

    @rx.event
    def cancel(self):
        if not self.can_cancel:  # cancelled by an earlier click
            return None
        try:
            with session_scope() as session:
                service.cancel_envelope(
                    session, actor=self._require_actor(), envelope_id=self._envelope_id()
                )
        except DomainError as exc:
            return toast_error(exc)
        self.cancel_open, self.can_cancel = False, False
        if self.is_draft:
            return [rx.toast.success("Draft discarded."), rx.redirect("/envelopes")]
        self._load()
        return rx.toast.success("Envelope cancelled.")

    def _show_draft(self, envelope) -> None:
        """What the page says and offers while the envelope is a draft."""
        self.is_draft = envelope.status == "draft"
        if not self.is_draft:
            self.draft_note = self.send_label = ""
            self.roles = []
            return
        self.roles = list(dict.fromkeys(f["role"] for f in service.all_fields(envelope)))
        expiry = f"Signing links work for {_draft_lifetime(envelope)} after it goes out."
        if envelope.scheduled_at and envelope.scheduled_at > now_ms():
            self.send_label = "Schedule"
            self.draft_note = (
                "Nobody has been emailed. When you schedule it, the invitations go out on "
                f"{_when(envelope.scheduled_at)}. {expiry}"
            )
        else:
            self.send_label = "Send now"
            self.draft_note = (
                "Nobody has been emailed. Check the signers below, then send it; each signer "
                f"gets their invitation in signing order. {expiry}"
            )

    @rx.event
    def send_draft(self):
        if not self.is_draft:  # sent by an earlier click
            return None
        try:
            with session_scope() as session:
                envelope = service.send_draft(
                    session, actor=self._require_actor(), envelope_id=self._envelope_id()
                )
                scheduled = envelope.status == "scheduled" and _when(envelope.scheduled_at)
        except DomainError as exc:
            return toast_error(exc)
        self._load()
        return rx.toast.success(
            f"Envelope scheduled for {scheduled}." if scheduled else "Envelope sent."
        )

    @rx.event
    def open_add_signer(self):
        orders = [int(s["order"]) for s in self.signers] or [1]
        self.signer_form = {
            "id": "",
            "name": "",
            "email": "",
            "role": self.roles[0] if self.roles else "",
            "order": str(max(orders)),
        }
        self.signer_error = ""
        self.signer_dialog_open = True

    @rx.event
    def open_edit_signer(self, signer_id: str):
        signer = next((s for s in self.signers if s["id"] == signer_id), None)
        if signer is None:
            return
        self.signer_form = {k: signer[k] for k in ("id", "name", "email", "role", "order")}
        self.signer_error = ""
        self.signer_dialog_open = True

    @rx.event
    def set_signer_dialog_open(self, value: bool):
        self.signer_dialog_open = value

    @rx.event
    def set_signer_field(self, key: str, value: str):
        self.signer_form = {**self.signer_form, key: value}

    @rx.event
    def save_signer(self):
        if not self.signer_dialog_open:  # saved by an earlier click, which closed the dialog
            return None
        form = self.signer_form
        self.signer_error = ""
        try:
            order = signing_order(form.get("order", "").strip())
        except ValueError:
            self.signer_error = "Signing order must be a whole number."
            return None
        try:
            with session_scope() as session:
                actor, envelope_id = self._require_actor(), self._envelope_id()
                if form.get("id"):
                    service.update_signer(
                        session,
                        actor=actor,
                        envelope_id=envelope_id,
                        signer_id=form["id"],
                        data=SignerUpdate(
                            name=form["name"],
                            email=form["email"],
                            role=form["role"],
                            signing_order=order,
                        ),
                    )
                else:
                    service.add_signer(
                        session,
                        actor=actor,
                        envelope_id=envelope_id,
                        data=SignerIn(
                            name=form["name"],
                            email=form["email"],
                            role=form["role"],
                            signing_order=order,
                        ),
                    )
        except DomainError as exc:
            self.signer_error = exc.message
            return None
        self.signer_dialog_open = False
        self._load()
        return rx.toast.success("Signer saved." if form.get("id") else "Signer added.")

    @rx.event
    def remove_signer(self, signer_id: str):
        try:
            with session_scope() as session:
                service.remove_signer(
                    session,
                    actor=self._require_actor(),
                    envelope_id=self._envelope_id(),
                    signer_id=signer_id,
                )
        except DomainError as exc:
            return toast_error(exc)
        self._load()
        return rx.toast.success("Signer removed.")

    @rx.event
    def copy_link(self, link: str):
        return [rx.set_clipboard(link), rx.toast.success("Signing link copied.")]


def _draft_lifetime(envelope) -> str:
    """How long a draft's signing links will work once sent (its expiry counts from then)."""
    lifetime = envelope.expires_at - (envelope.scheduled_at or envelope.created_at)
    days = max(round(lifetime / service.DAY_MS), 1)
    return f"{days} day{'s' * (days != 1)}"


def _signer_detail(signer, *, draft: bool = False, waits_for=()) -> str:
    if draft:
        return "Gets the invitation when you send the draft"
    if signer.status == "signed":
        return f"Signed {_when(signer.signed_at)}"
    if signer.status == "declined":
        return f"Declined {_when(signer.declined_at)}: {signer.decline_reason}"
    if signer.status == "viewed":
        return f"Viewed {_when(signer.viewed_at)}"
    if signer.status == "sent":
        return f"Invited {_when(signer.sent_at)}"
    if waits_for:
        verb = "has" if len(waits_for) == 1 else "have"
        return f"Invited once {service.joined_names(waits_for)} {verb} signed"
    return "Not invited yet"


def _signer_card(signer) -> rx.Component:
    return rx.hstack(
        rx.center(
            rx.text(signer["order"], weight="bold", size="2"),
            width="30px",
            height="30px",
            border_radius="999px",
            background=rx.color("accent", 3),
            color=rx.color("accent", 11),
            flex_shrink="0",
        ),
        rx.vstack(
            rx.hstack(
                rx.text(signer["name"], weight="medium"),
                signer_badge(signer["status"]),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.text(
                signer["email"], " · ", signer["role_label"], size="1", color=rx.color("gray", 11)
            ),
            rx.text(signer["detail"], size="1", color=rx.color("gray", 11)),
            spacing="1",
            flex="1",
            min_width="0",
        ),
        rx.cond(EnvelopeState.is_draft, _draft_signer_buttons(signer), _signer_buttons(signer)),
        width="100%",
        align="start",
        spacing="3",
        padding_y="10px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def _signer_buttons(signer) -> rx.Component:
    return rx.hstack(
        rx.tooltip(
            rx.icon_button(
                rx.icon("link", size=16),
                variant="soft",
                size="2",
                on_click=EnvelopeState.copy_link(signer["link"]),
                aria_label="Copy signing link",
            ),
            content="Copy signing link",
        ),
        rx.cond(
            signer["resendable"] != "",
            rx.tooltip(
                rx.icon_button(
                    rx.icon("mail", size=16),
                    variant="soft",
                    size="2",
                    on_click=EnvelopeState.resend(signer["id"]),
                    aria_label="Resend invitation",
                ),
                content="Resend invitation",
            ),
        ),
        spacing="2",
    )


def _draft_signer_buttons(signer) -> rx.Component:
    return rx.hstack(
        rx.tooltip(
            rx.icon_button(
                rx.icon("pencil", size=16),
                variant="soft",
                size="2",
                on_click=EnvelopeState.open_edit_signer(signer["id"]),
                aria_label="Change " + signer["name"],
                class_name="edit-signer",
            ),
            content="Change signer",
        ),
        rx.tooltip(
            rx.icon_button(
                rx.icon("trash-2", size=16),
                variant="soft",
                color_scheme="red",
                size="2",
                on_click=EnvelopeState.remove_signer(signer["id"]),
                aria_label="Remove " + signer["name"],
                class_name="remove-signer",
            ),
            content="Remove signer",
        ),
        spacing="2",
    )


def _signer_dialog() -> rx.Component:
    """Add a signer to a draft, or change one's name, email, role or signing order."""
    form = EnvelopeState.signer_form
    adding = form["id"] == ""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(adding, "Add a signer", "Change signer")),
            rx.dialog.description(
                rx.cond(
                    adding,
                    "They sign the fields of the role you choose.",
                    "The invitation goes to this address when you send the draft.",
                ),
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.vstack(
                form_field(
                    "Full name",
                    rx.input(
                        value=form["name"],
                        on_change=lambda v: EnvelopeState.set_signer_field("name", v),
                        width="100%",
                        id="signer-form-name",
                    ),
                ),
                form_field(
                    "Email",
                    rx.input(
                        type="email",
                        value=form["email"],
                        on_change=lambda v: EnvelopeState.set_signer_field("email", v),
                        width="100%",
                        id="signer-form-email",
                    ),
                ),
                rx.grid(
                    rx.cond(
                        EnvelopeState.roles.length() > 0,
                        form_field(
                            "Role",
                            rx.select.root(
                                rx.select.trigger(width="100%", id="signer-form-role"),
                                rx.select.content(
                                    rx.foreach(
                                        EnvelopeState.roles,
                                        lambda role: rx.select.item(
                                            EnvelopeState.role_names[role], value=role
                                        ),
                                    )
                                ),
                                value=form["role"],
                                on_change=lambda v: EnvelopeState.set_signer_field("role", v),
                            ),
                        ),
                    ),
                    form_field(
                        "Signing order",
                        rx.input(
                            type="number",
                            min="1",
                            value=form["order"],
                            on_change=lambda v: EnvelopeState.set_signer_field("order", v),
                            width="100%",
                            id="signer-form-order",
                        ),
                    ),
                    columns="2",
                    spacing="3",
                    width="100%",
                ),
                rx.cond(
                    EnvelopeState.signer_error != "",
                    rx.callout(
                        EnvelopeState.signer_error,
                        icon="triangle-alert",
                        color_scheme="red",
                        width="100%",
                        id="signer-form-error",
                    ),
                ),
                rx.hstack(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.button(
                        rx.cond(adding, "Add signer", "Save"),
                        on_click=EnvelopeState.save_signer,
                        id="signer-form-save",
                    ),
                    justify="end",
                    width="100%",
                    padding_top="6px",
                ),
                spacing="3",
                padding_top="12px",
                width="100%",
            ),
            max_width="460px",
        ),
        open=EnvelopeState.signer_dialog_open,
        on_open_change=EnvelopeState.set_signer_dialog_open,
    )


def _fact(label: str, value) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color=rx.color("gray", 11)),
        rx.text(value, size="2", weight="medium"),
        spacing="0",
    )


def envelope_page() -> rx.Component:
    env = EnvelopeState.envelope
    actions = rx.hstack(
        rx.cond(
            EnvelopeState.completed,
            rx.fragment(
                rx.link(
                    rx.button(rx.icon("download", size=16), "Document", id="download-document"),
                    href=EnvelopeState.document_link,
                    is_external=True,
                ),
                rx.link(
                    rx.button(rx.icon("award", size=16), "Certificate", variant="soft"),
                    href=EnvelopeState.certificate_link,
                    is_external=True,
                ),
            ),
        ),
        rx.cond(
            EnvelopeState.can_remind,
            rx.button(
                rx.icon("bell", size=16),
                "Remind",
                variant="soft",
                on_click=EnvelopeState.remind,
                id="remind",
            ),
        ),
        rx.cond(
            EnvelopeState.is_draft,
            rx.fragment(
                rx.button(
                    rx.icon("trash-2", size=16),
                    "Discard",
                    variant="soft",
                    color_scheme="red",
                    on_click=EnvelopeState.set_cancel_open(True),
                    id="discard-draft",
                ),
                rx.button(
                    rx.icon("send", size=16),
                    EnvelopeState.send_label,
                    on_click=EnvelopeState.send_draft,
                    id="send-draft",
                ),
            ),
            rx.cond(
                EnvelopeState.can_cancel,
                rx.button(
                    "Cancel",
                    variant="soft",
                    color_scheme="red",
                    on_click=EnvelopeState.set_cancel_open(True),
                    id="cancel-envelope",
                ),
            ),
        ),
        spacing="2",
        wrap="wrap",
    )
    timeline = rx.vstack(
        rx.foreach(
            EnvelopeState.timeline,
            lambda e: rx.hstack(
                rx.box(
                    width="8px",
                    height="8px",
                    border_radius="999px",
                    background=rx.color("accent", 9),
                    margin_top="6px",
                    flex_shrink="0",
                ),
                rx.vstack(
                    rx.text(e["text"], size="2"),
                    rx.text(
                        e["time"],
                        " · ",
                        e["who"],
                        rx.cond(e["ip"] != "", " · " + e["ip"], ""),
                        size="1",
                        color=rx.color("gray", 11),
                    ),
                    spacing="0",
                ),
                spacing="3",
                align="start",
            ),
        ),
        spacing="3",
        width="100%",
    )
    body = rx.vstack(
        rx.hstack(
            rx.vstack(
                rx.hstack(
                    rx.heading(env["title"], size="5"),
                    status_badge(env["status"]),
                    rx.cond(env["test"] != "", rx.badge("Test", color_scheme="orange")),
                    align="center",
                    spacing="2",
                    wrap="wrap",
                ),
                rx.text(env["source"], " · ", env["id"], size="1", color=rx.color("gray", 11)),
                spacing="1",
            ),
            actions,
            justify="between",
            width="100%",
            wrap="wrap",
            spacing="3",
        ),
        rx.cond(
            EnvelopeState.is_draft,
            rx.callout.root(
                rx.callout.icon(rx.icon("file-pen-line", size=18)),
                rx.vstack(
                    rx.text("Draft — not sent yet", weight="bold", size="2"),
                    rx.text(EnvelopeState.draft_note, size="2"),
                    spacing="1",
                ),
                color_scheme="amber",
                width="100%",
                id="draft-notice",
            ),
        ),
        rx.grid(
            _fact("Created", env["created"]),
            _fact(
                "Sent",
                rx.cond(
                    EnvelopeState.is_draft,
                    rx.cond(
                        env["scheduled"] != "", "Planned for " + env["scheduled"], "Not sent yet"
                    ),
                    rx.cond(env["scheduled"] != "", "Scheduled " + env["scheduled"], env["sent"]),
                ),
            ),
            _fact("Expires", env["expires"]),
            _fact("Completed", env["completed"]),
            columns=rx.breakpoints(initial="2", md="4"),
            spacing="4",
            width="100%",
        ),
        rx.grid(
            card(
                rx.hstack(
                    rx.heading("Signers", size="3"),
                    rx.cond(
                        EnvelopeState.is_draft,
                        rx.button(
                            rx.icon("user-plus", size=14),
                            "Add signer",
                            size="1",
                            variant="soft",
                            on_click=EnvelopeState.open_add_signer,
                            id="add-signer",
                        ),
                    ),
                    justify="between",
                    align="center",
                    width="100%",
                ),
                rx.text(
                    "In signing order; equal numbers sign in parallel.",
                    size="1",
                    color=rx.color("gray", 11),
                ),
                rx.vstack(
                    rx.foreach(EnvelopeState.signers, _signer_card), spacing="0", width="100%"
                ),
                rx.cond(
                    env["cc"] != "",
                    rx.text(
                        "CC: ", env["cc"], size="1", color=rx.color("gray", 11), padding_top="8px"
                    ),
                ),
            ),
            card(rx.heading("Timeline", size="3", margin_bottom="10px"), timeline),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            width="100%",
        ),
        spacing="4",
        width="100%",
    )
    confirm = rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(
                rx.cond(EnvelopeState.is_draft, "Discard this draft?", "Cancel this envelope?")
            ),
            rx.alert_dialog.description(
                rx.cond(
                    EnvelopeState.is_draft,
                    "Nobody was sent anything. The draft is kept under Cancelled for the record.",
                    "Signing links stop working and signers who were invited are told.",
                )
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray")),
                rx.button(
                    rx.cond(EnvelopeState.is_draft, "Discard draft", "Cancel envelope"),
                    color_scheme="red",
                    on_click=EnvelopeState.cancel,
                    id="confirm-cancel",
                ),
                justify="end",
                spacing="2",
                margin_top="14px",
            ),
        ),
        open=EnvelopeState.cancel_open,
        on_open_change=EnvelopeState.set_cancel_open,
    )
    return app_shell(
        rx.link(
            rx.hstack(
                rx.icon("arrow-left", size=14),
                rx.text("All envelopes", size="2"),
                align="center",
                spacing="1",
            ),
            href="/envelopes",
        ),
        rx.cond(
            env.contains("id"),
            body,
            empty_state("send", "Envelope not found", "It may belong to another organization."),
        ),
        confirm,
        _signer_dialog(),
        title="Envelope",
    )


# --- send -----------------------------------------------------------------------------------


class EnvelopeFormState(AuthState):
    """What every way of sending shares: title, message, expiry, schedule and CC, and the
    call that creates the envelope. The Send pages are its substates."""

    title: str = ""
    message: str = ""
    expiry_days: str = "30"
    schedule: str = ""
    cc: str = ""
    error: str = ""
    error_field: str = ""
    # the envelope this form made: a repeated click on Send (or Save as draft) makes no other
    _created_id: str = ""

    def _reset_form(self) -> None:
        self.title = self.message = self.schedule = self.cc = ""
        self.expiry_days = "30"
        self.error = self.error_field = ""
        self._created_id = ""

    @rx.event
    def set_title(self, value: str):
        self.title = value

    @rx.event
    def set_message(self, value: str):
        self.message = value

    @rx.event
    def set_expiry_days(self, value: str):
        self.expiry_days = value

    @rx.event
    def set_schedule(self, value: str):
        self.schedule = value

    @rx.event
    def set_cc(self, value: str):
        self.cc = value

    def _signer_label(self, index: int) -> str:
        """How the form names signer `index` in messages."""
        return f"signer {index + 1}"

    def _signer_problem(self, field: str, error: DomainError) -> str:
        """A signer's missing or too long name or bad email, said the way the form shows the
        signer."""
        match = re.fullmatch(r"signers\[(\d+)\]\.(name|email)", field)
        if not match:
            return ""
        who = self._signer_label(int(match[1]))
        if match[2] == "email":
            return f"Enter a valid email address for {who}."
        if "maxLength" in error.details:
            return (
                f"The name of {who} is too long (at most {error.details['maxLength']} characters)."
            )
        return f"Enter the name of {who}."

    def _create(self, signers: list[dict], *, draft: bool = False, **source):
        """Create and send (or schedule) the envelope from `source` (templateId, packageId or
        document with fields), or keep it as a draft that nobody is sent yet; errors stay on
        the form, success opens the envelope."""
        if self._created_id:  # made by an earlier click, which is opening it
            return None
        self.error = self.error_field = ""
        try:
            days = float(self.expiry_days or "30")
        except ValueError:
            days = 0
        if not 1 <= days <= service.MAX_EXPIRY_HOURS / 24:
            self.error = f"Expires after must be 1 to {service.MAX_EXPIRY_HOURS // 24} days."
            self.error_field = "expiresInHours"
            return None
        try:
            scheduled = to_ms(datetime.fromisoformat(self.schedule)) if self.schedule else None
        except ValueError:
            self.error, self.error_field = "Choose a valid date and time.", "scheduledAt"
            return None
        cc = [{"email": e.strip()} for e in self.cc.replace(";", ",").split(",") if e.strip()]
        try:
            data = EnvelopeCreate(
                **source,
                title=self.title,
                message=self.message,
                expires_in_hours=days * 24,
                scheduled_at=scheduled,
                signers=signers,
                cc_recipients=cc,
                save_as_draft=draft,
            )
            with session_scope() as session:
                envelope, _ = service.create_envelope(
                    session, actor=self._require_actor(), data=data
                )
                envelope_id, status = envelope.id, envelope.status
        except DomainError as exc:
            self.error_field = exc.details.get("field", "")
            self.error = (
                self._signer_problem(self.error_field, exc)
                or FORM_MESSAGES.get(self.error_field)
                or exc.message
            )
            return None
        self._created_id = envelope_id
        done = {"draft": "Draft saved.", "scheduled": "Envelope scheduled."}.get(
            status, "Envelope sent."
        )
        return [rx.toast.success(done), rx.redirect(f"/envelopes/{envelope_id}")]


def signing_order(text: str) -> int:
    """A signer row's order as typed (empty means 1); raises ValueError when not whole."""
    return int(text or 1)


class SendState(EnvelopeFormState):
    """Send a template, or a package of templates, to one signer per role."""

    source: str = "template"  # template | package
    templates: list[dict[str, str]] = []
    packages: list[dict[str, str]] = []
    template_id: str = ""
    package_id: str = ""
    rows: list[dict[str, str]] = []
    _template_roles: dict[str, list[str]] = {}
    _package_roles: dict[str, list[tuple[str, str]]] = {}

    @rx.event
    def load(self):
        actor = self._actor()
        if actor is None:
            return
        self._reset_form()
        with read_scope() as session:
            templates = template_service.list_templates(session, actor=actor, limit=100)
            self.templates = [{"id": t.id, "name": t.name} for t in templates if t.roles]
            self._template_roles = {t.id: list(t.roles) for t in templates}
            packages = template_service.list_packages(session, actor=actor, limit=100)
            self.packages, self._package_roles = [], {}
            for package in packages:
                roles = template_service.package_signing_roles(session, package)
                if not roles:
                    continue
                names = [t.name for t in template_service.package_templates(session, package)]
                self.packages.append(
                    {"id": package.id, "name": package.name, "detail": ", ".join(names)}
                )
                self._package_roles[package.id] = [
                    (r["packageRoleId"], r["packageRoleName"]) for r in roles
                ]
        params = self.router.url.query_parameters
        wanted_package = params.get("package", "")
        if wanted_package in self._package_roles or (
            params.get("source") == "package" and self.packages
        ):
            self.source = "package"
            self._apply_package(
                wanted_package if wanted_package in self._package_roles else self.packages[0]["id"]
            )
            return
        self.source = "template"
        wanted = params.get("template", "")
        ids = [t["id"] for t in self.templates]
        self._apply_template(wanted if wanted in ids else (ids[0] if ids else ""))

    @rx.event
    def set_source(self, value: str | list[str]):
        source = value if isinstance(value, str) else value[0]
        if source == "package":
            self.source = "package"
            self._apply_package(self.packages[0]["id"] if self.packages else "")
        else:
            self.source = "template"
            self._apply_template(self.templates[0]["id"] if self.templates else "")

    @rx.event
    def set_template(self, template_id: str):
        self._apply_template(template_id)

    @rx.event
    def set_package(self, package_id: str):
        self._apply_package(package_id)

    def _apply_template(self, template_id: str) -> None:
        self.template_id = template_id
        self.title = next((t["name"] for t in self.templates if t["id"] == template_id), "")
        self.error = self.error_field = ""
        self.rows = [
            {"role": role, "role_label": role, "name": "", "email": "", "order": str(index + 1)}
            for index, role in enumerate(self._template_roles.get(template_id, []))
        ]

    def _apply_package(self, package_id: str) -> None:
        self.package_id = package_id
        self.title = next((p["name"] for p in self.packages if p["id"] == package_id), "")
        self.error = self.error_field = ""
        self.rows = [
            {"role": role, "role_label": name, "name": "", "email": "", "order": str(index + 1)}
            for index, (role, name) in enumerate(self._package_roles.get(package_id, []))
        ]

    def _signer_label(self, index: int) -> str:
        role = self.rows[index]["role_label"]
        return f"the {role}" if "signer" in role.lower() else f"the {role} signer"

    @rx.var
    def has_choices(self) -> bool:
        return bool(self.templates or self.packages)

    @rx.event
    def set_row(self, index: int, key: str, value: str):
        rows = [dict(r) for r in self.rows]
        rows[index][key] = value
        self.rows = rows

    @rx.event
    def send(self):
        return self._submit(draft=False)

    @rx.event
    def save_draft(self):
        return self._submit(draft=True)

    def _submit(self, *, draft: bool):
        try:
            signers = [
                {
                    "name": r["name"],
                    "email": r["email"],
                    "role": r["role"],
                    "signingOrder": signing_order(r["order"]),
                }
                for r in self.rows
            ]
        except ValueError:
            self.error = "Signing order must be a whole number."
            return None
        if self.source == "package":
            return self._create(signers, draft=draft, package_id=self.package_id or None)
        return self._create(signers, draft=draft, template_id=self.template_id or None)


def _signer_row(row, index) -> rx.Component:
    return rx.grid(
        rx.vstack(
            rx.text("Role", size="1", color=rx.color("gray", 11)),
            rx.badge(row["role_label"], size="2", variant="soft"),
            spacing="1",
        ),
        rx.input(
            placeholder="Full name",
            value=row["name"],
            on_change=lambda v: SendState.set_row(index, "name", v),
            id="signer-name-" + index.to_string(),
        ),
        rx.input(
            placeholder="email@example.com",
            type="email",
            value=row["email"],
            on_change=lambda v: SendState.set_row(index, "email", v),
            id="signer-email-" + index.to_string(),
        ),
        rx.input(
            type="number",
            min="1",
            value=row["order"],
            title="Signing order",
            on_change=lambda v: SendState.set_row(index, "order", v),
        ),
        columns=rx.breakpoints(initial="1", md="4"),
        grid_template_columns=rx.breakpoints(initial="1fr", md="140px 1fr 1fr 90px"),
        spacing="2",
        align="end",
        width="100%",
        padding_y="8px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def title_input() -> rx.Component:
    return form_field(
        "Title",
        rx.input(
            value=EnvelopeFormState.title,
            on_change=EnvelopeFormState.set_title,
            width="100%",
            id="envelope-title",
        ),
    )


def delivery_card() -> rx.Component:
    """Message, expiry, schedule and CC: the same on every Send page."""
    return card(
        rx.vstack(
            form_field(
                "Message",
                rx.text_area(
                    value=EnvelopeFormState.message,
                    on_change=EnvelopeFormState.set_message,
                    placeholder="Please review and sign.",
                    width="100%",
                    id="envelope-message",
                ),
            ),
            rx.grid(
                form_field(
                    "Expires after (days)",
                    rx.input(
                        type="number",
                        min="1",
                        value=EnvelopeFormState.expiry_days,
                        on_change=EnvelopeFormState.set_expiry_days,
                        width="100%",
                        id="expiry-days",
                    ),
                ),
                form_field(
                    "Send later (UTC)",
                    rx.input(
                        type="datetime-local",
                        value=EnvelopeFormState.schedule,
                        on_change=EnvelopeFormState.set_schedule,
                        width="100%",
                        id="schedule",
                    ),
                    hint="5 minutes to 30 days ahead; leave empty to send now.",
                ),
                form_field(
                    "CC (emails, comma separated)",
                    rx.input(
                        value=EnvelopeFormState.cc,
                        on_change=EnvelopeFormState.set_cc,
                        width="100%",
                        placeholder="legal@company.com",
                        id="envelope-cc",
                    ),
                ),
                columns=rx.breakpoints(initial="1", md="3"),
                spacing="3",
                width="100%",
            ),
            spacing="3",
        ),
    )


def send_footer(on_send, on_save_draft, cancel_href: str = "/envelopes") -> rx.Component:
    """The form's error, if any, and Cancel / Save as draft / Send now (Schedule when a time
    is set)."""
    return rx.fragment(
        rx.cond(
            EnvelopeFormState.error != "",
            rx.callout(
                EnvelopeFormState.error,
                icon="triangle-alert",
                color_scheme="red",
                width="100%",
                id="send-error",
            ),
        ),
        rx.hstack(
            rx.link(rx.button("Cancel", variant="soft", color_scheme="gray"), href=cancel_href),
            rx.button(
                rx.icon("file-pen-line", size=16),
                "Save as draft",
                variant="soft",
                on_click=on_save_draft,
                id="save-draft",
            ),
            rx.button(
                rx.icon("send", size=16),
                rx.cond(EnvelopeFormState.schedule != "", "Schedule", "Send now"),
                on_click=on_send,
                id="send-envelope",
            ),
            justify="end",
            width="100%",
            wrap="wrap",
        ),
    )


def _source_picker() -> rx.Component:
    template_select = form_field(
        "Template",
        rx.select.root(
            rx.select.trigger(placeholder="Choose a template", width="100%", id="template-select"),
            rx.select.content(
                rx.foreach(SendState.templates, lambda t: rx.select.item(t["name"], value=t["id"]))
            ),
            value=SendState.template_id,
            on_change=SendState.set_template,
        ),
    )
    package_select = form_field(
        "Package",
        rx.select.root(
            rx.select.trigger(placeholder="Choose a package", width="100%", id="package-select"),
            rx.select.content(
                rx.foreach(
                    SendState.packages,
                    lambda p: rx.select.item(p["name"], value=p["id"]),
                )
            ),
            value=SendState.package_id,
            on_change=SendState.set_package,
        ),
        hint="Every document of the package goes into one envelope; each signer signs all of "
        "their fields in one go.",
    )
    no_packages = rx.callout(
        rx.text(
            "No packages yet. ",
            rx.link("Bundle templates into a package", href="/templates/packages"),
            " to send several documents together.",
        ),
        icon="package",
        color_scheme="gray",
        width="100%",
    )
    no_templates = rx.callout(
        rx.text(
            "No templates with fields yet. ",
            rx.link("Create a template", href="/templates"),
            " or ",
            rx.link("upload a PDF and send it", href="/envelopes/upload"),
            ".",
        ),
        icon="file-text",
        color_scheme="gray",
        width="100%",
    )
    return rx.vstack(
        rx.segmented_control.root(
            rx.segmented_control.item("Template", value="template"),
            rx.segmented_control.item("Package", value="package"),
            value=SendState.source,
            on_change=SendState.set_source,
            id="send-source",
        ),
        rx.cond(
            SendState.source == "package",
            rx.cond(SendState.packages.length() > 0, package_select, no_packages),
            rx.cond(SendState.templates.length() > 0, template_select, no_templates),
        ),
        spacing="3",
        width="100%",
    )


def send_page() -> rx.Component:
    form = rx.vstack(
        card(rx.vstack(_source_picker(), title_input(), spacing="3")),
        card(
            rx.heading("Signers", size="3"),
            rx.text(
                "One signer per role. Lower numbers sign first; equal numbers sign in parallel.",
                size="1",
                color=rx.color("gray", 11),
            ),
            rx.vstack(rx.foreach(SendState.rows, _signer_row), width="100%", spacing="0"),
        ),
        delivery_card(),
        send_footer(SendState.send, SendState.save_draft),
        spacing="4",
        width="100%",
    )
    return app_shell(
        rx.cond(
            SendState.has_choices,
            form,
            empty_state(
                "file-text",
                "Nothing to send yet",
                "Create a template and place signer fields on it, or upload a PDF and place "
                "the signature fields right away.",
                rx.hstack(
                    rx.link(rx.button("Templates", variant="soft"), href="/templates"),
                    rx.link(
                        rx.button(rx.icon("upload", size=16), "Upload a PDF"),
                        href="/envelopes/upload",
                    ),
                    spacing="2",
                ),
            ),
        ),
        title="Send for signature",
    )
