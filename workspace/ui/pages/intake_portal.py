"""Public pages without an account: the intake portal (`/intake/[token]`) where a recipient
uploads checklist documents and fills requested details, and the approver's page
(`/approve/[token]`) opened from the approval email. Both work on a phone."""

from __future__ import annotations

import dataclasses
import json
import re

import reflex as rx

from workspace.core.apps import get_app
from workspace.core.db import session_scope
from workspace.core.errors import DomainError
from workspace.core.services import approvals, branding, portal, records
from workspace.ui.components.forms import field_label
from workspace.ui.pages.records import day_label, humanize, status_badge, status_color


@dataclasses.dataclass
class PortalItem:
    key: str
    label: str
    description: str
    required: bool
    status: str
    status_label: str
    color: str
    accepted: str
    accepted_label: str


@dataclasses.dataclass
class RequestedDetail:
    key: str
    label: str
    preview: str


@dataclasses.dataclass
class UploadedFile:
    name: str
    requirement: str
    status: str
    status_label: str
    color: str
    reason: str


DEFAULT_BRAND = "#4f46e5"
NOTE_MAX = 2000
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def brand_colors(value: str | None) -> tuple[str, str]:
    """The organization's colour (a #rrggbb value, else the default) and the text colour that
    reads best on it (white or near-black, by WCAG contrast)."""
    color = value if value and _HEX.match(value) else DEFAULT_BRAND

    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(color[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    on_white = 1.05 / (luminance + 0.05)
    on_dark = (luminance + 0.05) / (0.0114 + 0.05)  # #111827
    return color, "#ffffff" if on_white >= on_dark else "#111827"


def _brand_header(org_name, subtitle, logo_url="", brand="", brand_text="white") -> rx.Component:
    """The organization's logo (or an icon in its colour) and name; long names wrap."""
    name = rx.text(
        org_name,
        weight="bold",
        size="4",
        overflow_wrap="anywhere",
        word_break="break-word",
        min_width="0",
        text_align="center",
    )
    mark = rx.box(
        rx.icon("building-2", size=18, color=brand_text),
        background=rx.cond(brand != "", brand, rx.color("accent", 9)),
        padding="7px",
        border_radius="9px",
        flex_shrink="0",
    )
    return rx.vstack(
        rx.cond(
            logo_url != "",
            rx.vstack(
                rx.image(
                    src=logo_url,
                    alt=org_name,
                    max_height="44px",
                    max_width="180px",
                    object_fit="contain",
                ),
                name,
                align="center",
                spacing="1",
                max_width="100%",
            ),
            rx.hstack(mark, name, align="center", spacing="2", max_width="100%"),
        ),
        rx.text(subtitle, size="2", color=rx.color("gray", 11)),
        spacing="1",
        align="center",
        width="100%",
        min_width="0",
    )


def _phone_shell(*children) -> rx.Component:
    return rx.box(
        rx.vstack(
            *children,
            spacing="4",
            width="100%",
            max_width="560px",
            min_width="0",
            margin="0 auto",
        ),
        min_height="100vh",
        padding=["14px", "24px"],
        background=rx.color("gray", 2),
        overflow_wrap="anywhere",
    )


def _notice(icon: str, heading: str, text, color: str = "gray") -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.box(
                rx.icon(icon, size=26, color=rx.color(color, 10)),
                background=rx.color(color, 3),
                padding="12px",
                border_radius="999px",
            ),
            rx.heading(heading, size="5", text_align="center", overflow_wrap="anywhere"),
            rx.text(
                text,
                size="2",
                color=rx.color("gray", 11),
                text_align="center",
                overflow_wrap="anywhere",
            ),
            align="center",
            spacing="3",
            padding="12px",
        ),
        width="100%",
    )


class PortalState(rx.State):
    # loading | active | submitted | closed | revoked | expired | invalid
    state: str = "loading"
    org_name: str = ""
    logo_url: str = ""
    brand: str = DEFAULT_BRAND
    brand_text: str = "#ffffff"
    closed_message: str = ""
    title: str = ""
    app_name: str = ""
    recipient: str = ""
    expires: str = ""
    items: list[PortalItem] = []
    details: list[RequestedDetail] = []
    uploads: list[UploadedFile] = []
    upload_key: str = ""
    upload_label: str = ""
    upload_kinds: str = ""
    upload_error: str = ""
    submit_error: str = ""
    done_count: int = 0
    required_count: int = 0
    # The form last submitted successfully: the same form arriving again (a double tap)
    # is not recorded twice. Cleared by a reload, which follows any new upload.
    _last_submitted: str = ""

    def _token(self) -> str:
        return self.router.page.params.get("token", "")

    def _client(self) -> tuple[str | None, str | None]:
        return self.router.session.client_ip, self.router.headers.user_agent

    @rx.event
    def load(self):
        self.reset()  # nothing from a link opened earlier in this tab may show on this one
        try:
            with session_scope() as session:
                view = portal.open_portal(session, token=self._token())
                labels = {i.requirement.key: i.requirement.label for i in view.checklist}
                self.state = view.state
                self.org_name = view.org_name
                self.logo_url = view.logo_url
                self.brand, self.brand_text = brand_colors(view.brand_color)
                self.closed_message = (
                    f"{view.org_name} is no longer collecting documents or details here. "
                    "Contact them if you need to send something."
                )
                self.title = view.record.title
                self.app_name = view.app.name
                self.recipient = view.link.recipient_name
                self.expires = day_label(view.link.expires_at)
                self.items = [
                    PortalItem(
                        i.requirement.key,
                        i.requirement.label,
                        i.requirement.description,
                        i.requirement.required,
                        i.status,
                        "To upload" if i.status == "missing" else humanize(i.status),
                        status_color(i.status),
                        ",".join(i.requirement.accepted_types),
                        records.file_kinds(i.requirement.accepted_types),
                    )
                    for i in view.checklist
                ]
                self.details = [
                    RequestedDetail(
                        f["fieldKey"], f["label"], view.filled_fields.get(f["fieldKey"], "")
                    )
                    for f in view.link.requested_fields
                ]
                self.uploads = [
                    UploadedFile(
                        d.file_name,
                        labels.get(d.requirement_key or "", "Supporting file"),
                        d.status,
                        humanize(d.status),
                        status_color(d.status),
                        d.review_reason if d.status in ("rejected", "needs_revision") else "",
                    )
                    for d in view.documents
                ]
                required = [i for i in view.checklist if i.requirement.required]
                self.required_count = len(required)
                self.done_count = sum(
                    1 for i in required if i.status in ("approved", "pending_review")
                )
        except DomainError:
            self.state = "invalid"

    @rx.event
    def choose(self, key: str, label: str):
        self.upload_key, self.upload_label, self.upload_error = key, label, ""
        self.upload_kinds = next((i.accepted_label for i in self.items if i.key == key), "")

    @rx.event
    def close_upload(self):
        self.upload_key = ""

    @rx.event
    async def upload(self, files: list[rx.UploadFile]):
        ip, agent = self._client()
        try:
            for upload in files:
                data = await upload.read()
                with session_scope() as session:
                    portal.portal_upload(
                        session,
                        token=self._token(),
                        requirement_key=self.upload_key,
                        file_name=upload.name or "document",
                        content_type=upload.content_type or "",
                        data=data,
                        ip=ip,
                        user_agent=agent,
                    )
        except DomainError as exc:
            self.upload_error = exc.message
            return None
        self.upload_key = ""
        self.load()
        return rx.toast.success("Uploaded. Thank you!", position="top-center")

    @rx.event
    def submit(self, form: dict):
        fingerprint = json.dumps(form, sort_keys=True, default=str)
        if self.state == "submitted" and fingerprint == self._last_submitted:
            return None  # the same tap again: already recorded
        ip, agent = self._client()
        keys = {d.key for d in self.details}
        values = {k: v for k, v in form.items() if k in keys and v}
        try:
            with session_scope() as session:
                portal.portal_submit(
                    session,
                    token=self._token(),
                    values=values,
                    note=form.get("note"),
                    ip=ip,
                    user_agent=agent,
                )
        except DomainError as exc:
            self.submit_error = exc.message  # what they typed stays in the form
            return None
        self.submit_error = ""
        self.load()
        self._last_submitted = fingerprint
        return [
            *(rx.set_value(f"detail-{key}", "") for key in sorted(keys)),
            rx.set_value("portal-note", ""),
        ]


def _item(item: PortalItem) -> rx.Component:
    return rx.hstack(
        rx.icon(
            rx.match(
                item.status,
                ("approved", "circle-check"),
                ("pending_review", "clock"),
                ("missing", "circle-dashed"),
                "circle-alert",
            ),
            size=22,
            color=rx.color(item.color, 10),
            flex_shrink="0",
        ),
        rx.vstack(
            rx.text(
                item.label,
                rx.cond(
                    item.required,
                    rx.fragment(),
                    rx.text.span(" · optional", color=rx.color("gray", 11)),
                ),
                weight="medium",
                size="2",
            ),
            rx.text(item.description, size="1", color=rx.color("gray", 11)),
            status_badge(item.status, item.status_label, item.color),
            spacing="1",
            align="start",
            min_width="0",
        ),
        rx.spacer(),
        rx.cond(
            item.status != "approved",
            rx.button(
                rx.icon("upload", size=14),
                "Upload",
                size="2",
                variant=rx.cond(item.status == "missing", "solid", "soft"),
                background=rx.cond(item.status == "missing", PortalState.brand, ""),
                color=rx.cond(item.status == "missing", PortalState.brand_text, ""),
                flex_shrink="0",
                on_click=PortalState.choose(item.key, item.label),
                class_name="portal-upload-button",
                data_key=item.key,
            ),
        ),
        width="100%",
        align="center",
        padding="12px 0",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def _upload_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Upload: ", PortalState.upload_label),
            rx.cond(
                PortalState.upload_error != "",
                rx.callout(PortalState.upload_error, icon="triangle-alert", color_scheme="red"),
            ),
            rx.upload(
                rx.vstack(
                    rx.icon("camera", size=26, color=PortalState.brand),
                    rx.text("Tap to take a photo or choose a file", size="2", weight="medium"),
                    rx.text(
                        PortalState.upload_kinds,
                        " up to 20 MB",
                        size="1",
                        color=rx.color("gray", 11),
                    ),
                    align="center",
                    spacing="1",
                ),
                id="portal-upload",
                multiple=False,
                on_drop=PortalState.upload(rx.upload_files(upload_id="portal-upload")),
                border="2px dashed",
                border_color=PortalState.brand,
                border_radius="12px",
                padding="28px 12px",
                width="100%",
                cursor="pointer",
                margin_top="12px",
            ),
            rx.button(
                "Cancel",
                variant="soft",
                width="100%",
                margin_top="12px",
                on_click=PortalState.close_upload,
            ),
            max_width="440px",
        ),
        open=PortalState.upload_key != "",
        on_open_change=lambda _open: PortalState.close_upload(),
    )


def _detail_input(detail: RequestedDetail) -> rx.Component:
    return rx.vstack(
        field_label(detail.label, f"detail-{detail.key}"),
        rx.cond(
            detail.preview != "",
            rx.text(
                "On file: ",
                rx.code(detail.preview),
                " — enter it again only to change it.",
                size="1",
                color=rx.color("gray", 11),
            ),
        ),
        rx.input(
            name=detail.key,
            id=f"detail-{detail.key}",
            type="password",
            auto_complete="off",
            size="3",
            width="100%",
        ),
        spacing="1",
        width="100%",
    )


def _uploaded(upload: UploadedFile) -> rx.Component:
    """One file the recipient sent: its full name (wrapping, never clipped), its review
    status and, when it was returned, the reviewer's reason."""
    return rx.vstack(
        rx.hstack(
            rx.icon("file-check", size=16, color=rx.color("gray", 11), flex_shrink="0"),
            rx.text(
                upload.name,
                size="2",
                line_height="1.5",
                overflow_wrap="anywhere",
                flex="1",
                min_width="0",
                class_name="portal-upload-name",
            ),
            rx.badge(
                upload.status_label, color_scheme=upload.color, variant="soft", flex_shrink="0"
            ),
            width="100%",
            align="center",
            spacing="2",
        ),
        rx.cond(
            upload.reason != "",
            rx.callout(
                rx.text(rx.text.span("Reason: ", weight="medium"), upload.reason),
                icon="message-square-warning",
                color_scheme=upload.color,
                size="1",
                width="100%",
                class_name="portal-upload-reason",
            ),
        ),
        width="100%",
        spacing="1",
    )


def _active() -> rx.Component:
    return rx.fragment(
        rx.card(
            rx.vstack(
                rx.text("Hello ", PortalState.recipient, size="3", weight="medium"),
                rx.text(
                    PortalState.org_name,
                    " asks for the documents and details below for “",
                    PortalState.title,
                    "”. Your link works until ",
                    PortalState.expires,
                    ".",
                    size="2",
                    color=rx.color("gray", 11),
                ),
                rx.hstack(
                    rx.progress(
                        value=PortalState.done_count,
                        max=PortalState.required_count,
                        size="3",
                        width="100%",
                    ),
                    rx.text(
                        PortalState.done_count,
                        "/",
                        PortalState.required_count,
                        size="2",
                        weight="bold",
                    ),
                    width="100%",
                    align="center",
                ),
                spacing="3",
            ),
            width="100%",
        ),
        rx.cond(
            PortalState.state == "submitted",
            rx.callout(
                "Thank you — your submission was received. You can still add or replace documents.",
                icon="circle-check",
                color_scheme="green",
                id="portal-submitted",
            ),
        ),
        rx.card(
            rx.heading("Checklist", size="4"),
            rx.vstack(rx.foreach(PortalState.items, _item), width="100%", spacing="0"),
            width="100%",
        ),
        rx.cond(
            PortalState.uploads.length() > 0,
            rx.card(
                rx.heading("Your uploads", size="4", margin_bottom="8px"),
                rx.vstack(rx.foreach(PortalState.uploads, _uploaded), width="100%"),
                width="100%",
            ),
        ),
        rx.card(
            rx.form(
                rx.vstack(
                    rx.cond(
                        PortalState.details.length() > 0,
                        rx.vstack(
                            rx.heading("Your details", size="4"),
                            rx.hstack(
                                rx.icon("lock", size=12, color=rx.color("gray", 11)),
                                rx.text(
                                    "Encrypted when you submit. Nobody sees them in full "
                                    "without permission.",
                                    size="1",
                                    color=rx.color("gray", 11),
                                ),
                                align="center",
                                spacing="2",
                            ),
                            rx.foreach(PortalState.details, _detail_input),
                            spacing="3",
                            width="100%",
                        ),
                    ),
                    field_label("Note (optional)", "portal-note"),
                    rx.text_area(
                        name="note",
                        id="portal-note",
                        width="100%",
                        max_length=NOTE_MAX,
                        placeholder="Anything we should know?",
                    ),
                    rx.text(
                        f"Up to {NOTE_MAX:,} characters.", size="1", color=rx.color("gray", 11)
                    ),
                    rx.cond(
                        PortalState.submit_error != "",
                        rx.callout(
                            PortalState.submit_error, icon="triangle-alert", color_scheme="red"
                        ),
                    ),
                    rx.button(
                        "Submit",
                        type="submit",
                        size="3",
                        width="100%",
                        id="portal-submit",
                        background=PortalState.brand,
                        color=PortalState.brand_text,
                    ),
                    spacing="3",
                    width="100%",
                ),
                # A double tap sends one submission; the handler also ignores a repeat.
                on_submit=PortalState.submit,
                reset_on_submit=False,
            ),
            width="100%",
        ),
        _upload_dialog(),
    )


def intake_portal_page() -> rx.Component:
    return _phone_shell(
        _brand_header(
            rx.cond(PortalState.org_name != "", PortalState.org_name, "Workspace"),
            PortalState.app_name,
            PortalState.logo_url,
            PortalState.brand,
            PortalState.brand_text,
        ),
        rx.match(
            PortalState.state,
            ("loading", rx.center(rx.spinner(size="3"), padding="40px")),
            ("active", _active()),
            ("submitted", _active()),
            (
                "closed",
                rx.box(
                    _notice(
                        "lock",
                        "This request is closed",
                        PortalState.closed_message,
                        "gray",
                    ),
                    id="portal-closed",
                    width="100%",
                ),
            ),
            (
                "revoked",
                _notice(
                    "link-2-off",
                    "This link was revoked",
                    "The sender turned this link off. Contact them if you still "
                    "need to send something.",
                    "red",
                ),
            ),
            (
                "expired",
                _notice(
                    "clock-alert",
                    "This link has expired",
                    "Ask the sender for a new link to finish your checklist.",
                    "amber",
                ),
            ),
            _notice(
                "search-x", "Link not found", "Check that you opened the full link from your email."
            ),
        ),
        rx.text(
            "Secured by Workspace",
            size="1",
            color=rx.color("gray", 11),
            text_align="center",
            width="100%",
        ),
    )


# ---------------------------------------------------------------- approver page


@dataclasses.dataclass
class ChainStep:
    number: int
    email: str
    is_you: bool
    status_label: str
    color: str
    comment: str
    decided: str


@dataclasses.dataclass
class ChecklistLine:
    label: str
    required: bool
    status_label: str
    color: str


class ApproverState(rx.State):
    found: bool = True
    org_name: str = ""
    logo_url: str = ""
    record_title: str = ""
    record_kind: str = ""
    record_status: str = ""
    record_status_label: str = ""
    record_status_color: str = "gray"
    record_closed: bool = False
    party: str = ""
    approval_title: str = ""
    requested_by: str = ""
    requested_on: str = ""
    mode_hint: str = ""
    approver: str = ""
    step_status: str = ""
    decided_on: str = ""
    approval_status: str = ""
    approval_label: str = ""
    approval_color: str = "gray"
    chain: list[ChainStep] = []
    checklist: list[ChecklistLine] = []
    checklist_progress: str = ""
    comment: str = ""
    error: str = ""

    def _token(self) -> str:
        return self.router.page.params.get("token", "")

    @rx.event
    def load(self):
        self.reset()  # nothing from a link opened earlier in this tab may show on this one
        self._refresh()

    def _refresh(self) -> None:
        try:
            with session_scope() as session:
                view = approvals.approver_view(session, token=self._token())
                app = get_app(view.record.app_slug)
                org = records.organization(session, view.record.org_id)
                checklist = records.record_checklist(session, app, view.record)
                self.logo_url = branding.logo_url(org)
        except DomainError:
            self.found = False
            return
        record, approval, step = view.record, view.approval, view.step
        self.found = True
        self.org_name = view.org_name
        self.record_title = record.title
        self.record_kind = f"{app.name} · {app.type_of(record.record_type).label}"
        self.record_status = record.status
        self.record_status_label = humanize(record.status)
        self.record_status_color = status_color(record.status)
        self.record_closed = app.is_final(record.status)
        self.party = " · ".join(
            p for p in (record.party_name, record.party_company, record.party_email) if p
        )
        self.approval_title, self.requested_by = approval.title, approval.requested_by
        self.requested_on = day_label(approval.created_at)
        self.mode_hint = (
            "Approvers decide one after another."
            if approval.mode == "sequential"
            else "Every approver decides at the same time."
        )
        self.approver = step.approver_email
        self.step_status = step.status
        self.decided_on = day_label(step.decided_at)
        self.approval_status = approval.status
        self.approval_label = humanize(approval.status)
        self.approval_color = status_color(approval.status)
        self.chain = [
            ChainStep(
                s.step_number,
                s.approver_email,
                s.id == step.id,
                humanize(s.status),
                status_color(s.status),
                s.comment,
                day_label(s.decided_at),
            )
            for s in view.steps
        ]
        self.checklist = [
            ChecklistLine(
                item.requirement.label,
                item.requirement.required,
                "Missing" if item.status == "missing" else humanize(item.status),
                status_color(item.status),
            )
            for item in checklist
        ]
        summary = records.checklist_summary(checklist)
        self.checklist_progress = (
            f"{summary['approvedRequired']} of {summary['requiredCount']} required documents "
            "approved"
        )

    @rx.event
    def set_comment(self, value: str):
        self.comment = value

    def _decide(self, decision: str):
        try:
            with session_scope() as session:
                approvals.decide_by_token(
                    session,
                    token=self._token(),
                    decision=decision,
                    comment=self.comment,
                    ip=self.router.session.client_ip,
                    user_agent=self.router.headers.user_agent,
                )
        except DomainError as exc:
            self.error = exc.message
            return
        self.error = ""
        self._refresh()

    @rx.event
    def approve(self):
        self._decide("approved")

    @rx.event
    def reject(self):
        self._decide("rejected")


def _approver_header() -> rx.Component:
    return rx.cond(
        ApproverState.logo_url != "",
        rx.vstack(
            rx.image(
                src=ApproverState.logo_url,
                alt=ApproverState.org_name,
                max_height="44px",
                max_width="180px",
                object_fit="contain",
            ),
            rx.text("Approval request", size="2", color=rx.color("gray", 11)),
            align="center",
            spacing="2",
            width="100%",
        ),
        _brand_header(ApproverState.org_name, "Approval request"),
    )


def _fact(label: str, value) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color=rx.color("gray", 11), weight="medium"),
        rx.text(value, size="2"),
        spacing="0",
        min_width="0",
    )


def _chain_step(step: ChainStep) -> rx.Component:
    return rx.hstack(
        rx.center(
            rx.text(step.number, size="1", weight="bold"),
            width="24px",
            height="24px",
            border_radius="999px",
            background=rx.cond(step.is_you, rx.color("accent", 9), rx.color("gray", 4)),
            color=rx.cond(step.is_you, "white", rx.color("gray", 11)),
            flex_shrink="0",
        ),
        rx.vstack(
            rx.text(
                step.email,
                rx.cond(step.is_you, rx.text.span(" (you)", color=rx.color("gray", 11)), ""),
                size="2",
                weight="medium",
                word_break="break-all",
            ),
            rx.cond(
                step.comment != "",
                rx.text("“", step.comment, "”", size="1", color=rx.color("gray", 11)),
            ),
            rx.cond(
                step.decided != "", rx.text(step.decided, size="1", color=rx.color("gray", 11))
            ),
            spacing="0",
            flex="1",
            min_width="0",
        ),
        status_badge("", step.status_label, step.color),
        width="100%",
        align="start",
        spacing="3",
        class_name="approval-step",
    )


def _checklist_line(line: ChecklistLine) -> rx.Component:
    return rx.hstack(
        rx.text(
            line.label,
            rx.cond(line.required, "", rx.text.span(" · optional", color=rx.color("gray", 11))),
            size="2",
            flex="1",
            min_width="0",
        ),
        rx.badge(line.status_label, color_scheme=line.color, variant="soft", flex_shrink="0"),
        width="100%",
        align="center",
        spacing="2",
    )


def _decision() -> rx.Component:
    return rx.vstack(
        rx.text("Your decision", size="3", weight="bold"),
        rx.text_area(
            value=ApproverState.comment,
            on_change=ApproverState.set_comment,
            placeholder="Comment (optional to approve, required to reject)",
            width="100%",
            rows="3",
            id="approver-comment",
        ),
        rx.cond(
            ApproverState.error != "",
            rx.callout(
                ApproverState.error,
                icon="triangle-alert",
                color_scheme="red",
                width="100%",
                id="approver-error",
            ),
        ),
        rx.grid(
            rx.button(
                rx.icon("x", size=16),
                "Reject",
                color_scheme="red",
                variant="soft",
                size="3",
                width="100%",
                on_click=ApproverState.reject,
                id="reject",
            ),
            rx.button(
                rx.icon("check", size=16),
                "Approve",
                color_scheme="green",
                size="3",
                width="100%",
                on_click=ApproverState.approve,
                id="approve",
            ),
            columns="2",
            spacing="3",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def _outcome() -> rx.Component:
    return rx.match(
        ApproverState.step_status,
        (
            "waiting",
            rx.callout(
                "An earlier approver decides first; we will email you when it is your turn.",
                icon="clock",
                color_scheme="gray",
                width="100%",
            ),
        ),
        (
            "approved",
            rx.callout(
                rx.text("You approved this on ", ApproverState.decided_on, ". Thank you."),
                icon="circle-check",
                color_scheme="green",
                width="100%",
                id="approver-outcome",
            ),
        ),
        (
            "rejected",
            rx.callout(
                rx.text("You rejected this on ", ApproverState.decided_on, ". Thank you."),
                icon="circle-x",
                color_scheme="red",
                width="100%",
                id="approver-outcome",
            ),
        ),
        rx.callout(
            rx.text("This request is ", ApproverState.approval_label.lower(), "; nothing to do."),
            icon="info",
            color_scheme="gray",
            width="100%",
            id="approver-outcome",
        ),
    )


def _request() -> rx.Component:
    return rx.fragment(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading(ApproverState.approval_title, size="6", flex="1", min_width="0"),
                    status_badge("", ApproverState.approval_label, ApproverState.approval_color),
                    align="start",
                    spacing="3",
                    width="100%",
                ),
                rx.text(
                    ApproverState.org_name,
                    " asks you to review and approve “",
                    ApproverState.record_title,
                    "”.",
                    size="2",
                    color=rx.color("gray", 11),
                ),
                rx.grid(
                    _fact("Kind", ApproverState.record_kind),
                    rx.vstack(
                        rx.text(
                            "Record status", size="1", color=rx.color("gray", 11), weight="medium"
                        ),
                        status_badge(
                            ApproverState.record_status,
                            ApproverState.record_status_label,
                            ApproverState.record_status_color,
                        ),
                        spacing="1",
                        min_width="0",
                        id="approver-record-status",
                    ),
                    rx.cond(ApproverState.party != "", _fact("Contact", ApproverState.party)),
                    _fact(
                        "Requested",
                        ApproverState.requested_on
                        + rx.cond(
                            ApproverState.requested_by.contains("@"),
                            " by " + ApproverState.requested_by,
                            "",
                        ),
                    ),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="3",
                    width="100%",
                    padding="12px",
                    background=rx.color("gray", 2),
                    border_radius="10px",
                ),
                rx.divider(),
                rx.cond(
                    ApproverState.record_closed & (ApproverState.approval_status == "pending"),
                    rx.callout(
                        rx.text(
                            "“",
                            ApproverState.record_title,
                            "” is ",
                            ApproverState.record_status_label.lower(),
                            ", so this approval is closed; nothing to do.",
                        ),
                        icon="info",
                        color_scheme="gray",
                        width="100%",
                        id="approver-outcome",
                    ),
                    rx.cond(
                        ApproverState.step_status == "pending",
                        _decision(),
                        _outcome(),
                    ),
                ),
                spacing="4",
                width="100%",
            ),
            width="100%",
        ),
        rx.card(
            rx.vstack(
                rx.text("Approvers", size="3", weight="bold"),
                rx.text(ApproverState.mode_hint, size="1", color=rx.color("gray", 11)),
                rx.vstack(rx.foreach(ApproverState.chain, _chain_step), spacing="3", width="100%"),
                spacing="2",
                width="100%",
            ),
            width="100%",
        ),
        rx.cond(
            ApproverState.checklist.length() > 0,
            rx.card(
                rx.vstack(
                    rx.text("Documents checklist", size="3", weight="bold"),
                    rx.text(ApproverState.checklist_progress, size="1", color=rx.color("gray", 11)),
                    rx.vstack(
                        rx.foreach(ApproverState.checklist, _checklist_line),
                        spacing="2",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
                width="100%",
            ),
        ),
    )


def approver_page() -> rx.Component:
    return _phone_shell(
        _approver_header(),
        rx.cond(
            ApproverState.found,
            _request(),
            _notice("search-x", "Link not found", "This approval link is not valid."),
        ),
        rx.text(
            rx.cond(ApproverState.approver != "", "Sent to " + ApproverState.approver + " · ", ""),
            "Secured by Workspace",
            size="1",
            color=rx.color("gray", 11),
            text_align="center",
            width="100%",
        ),
    )
