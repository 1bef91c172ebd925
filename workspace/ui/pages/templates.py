"""Templates list: search, archived toggle, counts and roles; upload a PDF by drag and drop
or file picker (with progress) to start a template."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import reflex as rx

from workspace.core.clock import from_ms
from workspace.core.db import session_scope
from workspace.core.errors import DomainError
from workspace.core.pdf.document import page_image_path
from workspace.core.services import templates as service
from workspace.ui.components.forms import field_label
from workspace.ui.components.pdf_upload import pdf_drop_zone
from workspace.ui.layout import app_shell, empty_state
from workspace.ui.state import AuthState, toast_error

UPLOAD_ID = "template_pdf"
ROLE_COLORS = service.ROLE_COLORS


@dataclasses.dataclass
class RoleChip:
    name: str
    color: str


@dataclasses.dataclass
class TemplateRow:
    id: str
    name: str
    description: str
    document_name: str
    page_count: int
    field_count: int
    roles: list[RoleChip]
    is_archived: bool
    updated: str


def role_chips(roles: list[str]) -> list[RoleChip]:
    return [RoleChip(r, ROLE_COLORS[i % len(ROLE_COLORS)]) for i, r in enumerate(roles)]


class TemplatesState(AuthState):
    rows: list[TemplateRow] = []
    search: str = ""
    show_archived: bool = False
    uploading: bool = False
    upload_percent: int = 0
    loaded: bool = False

    @rx.event
    def load(self):
        self.uploading, self.upload_percent = False, 0
        actor = self._actor()
        if actor is None:
            return
        with session_scope() as session:
            templates = service.list_templates(
                session,
                actor=actor,
                include_archived=self.show_archived,
                search=self.search,
                limit=100,
            )
            self.rows = [
                TemplateRow(
                    id=s["id"],
                    name=s["name"],
                    description=s["description"],
                    document_name=s["documentName"],
                    page_count=s["pageCount"],
                    field_count=s["fieldCount"],
                    roles=role_chips(s["roles"]),
                    is_archived=s["isArchived"],
                    updated=from_ms(s["updatedAt"]).strftime("%b %d, %Y"),
                )
                for s in (service.template_summary(session, t) for t in templates)
            ]
        self.loaded = True

    @rx.event
    def set_search(self, value: str):
        self.search = value
        return TemplatesState.load

    @rx.event
    def set_show_archived(self, value: bool):
        self.show_archived = value
        return TemplatesState.load

    @rx.var
    def upload_busy(self) -> bool:
        """The drop zone shows progress while the file travels and while it is checked.
        Progress reports can arrive after the upload was handled (they travel on their own):
        only one that is still under 100% shows the zone busy, and the last is always 100%."""
        return self.uploading or 0 < self.upload_percent < 100

    @rx.event
    def upload_progress(self, progress: dict):
        self.upload_percent = int(float(progress.get("progress", 0)) * 100)

    @rx.event
    async def handle_upload(self, files: list[rx.UploadFile]):
        if not files:
            return
        upload = files[0]
        filename = upload.name or "document.pdf"
        data = await upload.read()
        self.uploading = True
        self.upload_percent = 100
        yield
        try:
            actor = self._require_actor()
            with session_scope() as session:
                template = service.create_template(
                    session,
                    actor=actor,
                    name=Path(filename).stem.replace("_", " ").strip()[:200] or "Untitled",
                    pdf_data=data,
                    filename=filename,
                )
                template_id = template.id
                sha256 = service.template_document(session, template).sha256
            # Render the first page now so the editor opens with it ready.
            await asyncio.to_thread(page_image_path, sha256, 1, 1200)
        except DomainError as exc:
            self.uploading, self.upload_percent = False, 0
            yield toast_error(exc)
            return
        self.uploading, self.upload_percent = False, 0
        yield rx.redirect(f"/templates/{template_id}")

    @rx.event
    def archive(self, template_id: str):
        try:
            with session_scope() as session:
                service.archive_template(
                    session, actor=self._require_actor(), template_id=template_id
                )
        except DomainError as exc:
            return toast_error(exc)
        return [TemplatesState.load, rx.toast.success("Template archived.")]

    @rx.event
    def restore(self, template_id: str):
        try:
            with session_scope() as session:
                service.update_template(
                    session, actor=self._require_actor(), template_id=template_id, is_archived=False
                )
        except DomainError as exc:
            return toast_error(exc)
        return [TemplatesState.load, rx.toast.success("Template restored.")]


def role_badges(roles) -> rx.Component:
    return rx.hstack(
        rx.foreach(
            roles,
            lambda role: rx.badge(
                rx.box(width="8px", height="8px", border_radius="999px", background=role.color),
                role.name,
                variant="soft",
                color_scheme="gray",
                radius="full",
            ),
        ),
        spacing="1",
        wrap="wrap",
    )


def _upload_zone() -> rx.Component:
    return pdf_drop_zone(
        upload_id=UPLOAD_ID,
        on_drop=TemplatesState.handle_upload(
            rx.upload_files(upload_id=UPLOAD_ID, on_upload_progress=TemplatesState.upload_progress)
        ),
        busy=TemplatesState.upload_busy,
        busy_view=rx.vstack(
            rx.hstack(
                rx.spinner(size="2"),
                rx.text(
                    "Uploading and checking your PDF… ",
                    TemplatesState.upload_percent,
                    "%",
                    size="2",
                ),
                align="center",
            ),
            rx.progress(value=TemplatesState.upload_percent, width="260px"),
            align="center",
        ),
        title="Drop a PDF here to create a template",
        hint="or click to choose a file · up to 50 MB and 500 pages · fillable form fields "
        "are imported",
        padding="28px",
    )


def _template_card(row: TemplateRow) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.hstack(
                rx.box(
                    rx.icon("file-text", size=20, color=rx.color("accent", 11)),
                    background=rx.color("accent", 3),
                    padding="10px",
                    border_radius="10px",
                ),
                rx.vstack(
                    rx.hstack(
                        rx.link(
                            rx.text(row.name, weight="bold", size="3"),
                            href=f"/templates/{row.id}",
                            underline="hover",
                            color=rx.color("gray", 12),
                        ),
                        rx.cond(row.is_archived, rx.badge("Archived", color_scheme="gray")),
                        align="center",
                    ),
                    rx.cond(
                        row.description != "",
                        rx.text(row.description, size="2", color=rx.color("gray", 11)),
                    ),
                    rx.text(
                        row.document_name,
                        " · ",
                        row.page_count,
                        rx.cond(row.page_count == 1, " page", " pages"),
                        " · ",
                        row.field_count,
                        rx.cond(row.field_count == 1, " field", " fields"),
                        " · updated ",
                        row.updated,
                        size="1",
                        color=rx.color("gray", 11),
                    ),
                    role_badges(row.roles),
                    spacing="1",
                    align="start",
                ),
                spacing="3",
                align="start",
            ),
            rx.hstack(
                rx.link(
                    rx.button(rx.icon("pencil", size=14), "Edit fields", variant="soft"),
                    href=f"/templates/{row.id}",
                ),
                rx.cond(
                    row.is_archived,
                    rx.button(
                        rx.icon("archive-restore", size=14),
                        "Restore",
                        variant="ghost",
                        on_click=TemplatesState.restore(row.id),
                    ),
                    rx.button(
                        rx.icon("archive", size=14),
                        "Archive",
                        variant="ghost",
                        color_scheme="gray",
                        on_click=TemplatesState.archive(row.id),
                    ),
                ),
                spacing="2",
                align="center",
            ),
            justify="between",
            align="center",
            width="100%",
            wrap="wrap",
            spacing="3",
        ),
        width="100%",
        class_name="template-row",
    )


def templates_page() -> rx.Component:
    return app_shell(
        _upload_zone(),
        rx.hstack(
            rx.input(
                rx.input.slot(rx.icon("search", size=16)),
                placeholder="Search templates",
                value=TemplatesState.search,
                on_change=TemplatesState.set_search.debounce(250),
                width="320px",
                max_width="100%",
            ),
            rx.hstack(
                rx.switch(
                    checked=TemplatesState.show_archived,
                    on_change=TemplatesState.set_show_archived,
                    id="show-archived",
                ),
                field_label("Show archived", "show-archived", weight="regular"),
                align="center",
                spacing="2",
            ),
            justify="between",
            align="center",
            width="100%",
            wrap="wrap",
        ),
        rx.cond(
            TemplatesState.rows.length() > 0,
            rx.vstack(rx.foreach(TemplatesState.rows, _template_card), spacing="3", width="100%"),
            rx.cond(
                TemplatesState.loaded,
                empty_state(
                    "file-text",
                    rx.cond(TemplatesState.search != "", "No templates match", "No templates yet"),
                    "Upload a PDF above. You then place signature, date, text and choice "
                    "fields for each signer role, and reuse the template for every envelope.",
                ),
            ),
        ),
        title="Templates",
        actions=rx.link(
            rx.button(rx.icon("layers", size=16), "Packages", variant="soft"),
            href="/templates/packages",
        ),
    )
