"""Upload and send: a PDF for this envelope only (not kept as a template), its signers, and
the fields each signer fills, placed on the page images with the template editor's pieces
(choose a signer and a field type, then click the page or drag the type onto it)."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path
from typing import Any

import reflex as rx

from workspace.core import storage
from workspace.core.db import session_scope
from workspace.core.errors import DomainError
from workspace.core.pdf.document import page_image_path
from workspace.core.schemas.templates import DocumentUpload
from workspace.core.services import templates as template_service
from workspace.core.services.envelopes import MAX_NAME, SIGNATURE_TYPES
from workspace.ui.components.field_placement import (
    NUDGE_PX,
    PAGES_SCROLLER_ID,
    SCROLLER_PADDING_PX,
    PageInfo,
    PageView,
    PageZoom,
    api_field,
    document_pages,
    fit_pages_on_mount,
    moved,
    new_field,
    nudged,
    page_canvas,
    page_pixels,
    page_views,
    palette,
    resized,
    zoom_controls,
)
from workspace.ui.components.pdf_upload import pdf_drop_zone
from workspace.ui.layout import app_shell, card
from workspace.ui.pages.envelopes import (
    EnvelopeFormState,
    delivery_card,
    send_footer,
    signing_order,
    title_input,
)
from workspace.ui.state import toast_error

UPLOAD_ID = "envelope_pdf"
LARGEST_ZOOM = 0.9  # pages open fitted to the panel's width, never larger than this
PLACEABLE = ("signature", "initials", "date", "text", "checkbox")
SIGNER_COLORS = template_service.ROLE_COLORS


def _new_signer(number: int) -> dict[str, str]:
    return {"key": f"signer_{number}", "name": "", "email": "", "order": "1"}


def _signer_label(signer: dict[str, str], index: int) -> str:
    return signer["name"].strip() or f"Signer {index + 1}"


class UploadSendState(PageZoom, EnvelopeFormState):
    filename: str = ""
    pages: list[PageInfo] = []
    uploading: bool = False
    signers: list[dict[str, str]] = []
    current_signer: str = ""
    tool: str = "signature"
    fields: list[dict[str, Any]] = []
    selected_id: str = ""
    _document_id: str = ""
    _signers_added: int = 0

    @rx.event
    def load(self):
        self._reset_form()
        self.filename, self.pages, self._document_id = "", [], ""
        self.uploading = False
        self.fields, self.selected_id, self.tool = [], "", "signature"
        self.zoom = LARGEST_ZOOM
        self._signers_added = 0
        self.signers = []
        self._add_signer()

    # --- the document ---------------------------------------------------------------

    @rx.event
    async def upload_pdf(self, files: list[rx.UploadFile]):
        if not files:
            return
        upload = files[0]
        filename = upload.name or "document.pdf"
        data = await upload.read()
        self.uploading = True
        yield
        try:
            with session_scope() as session:
                document, _info = template_service.save_document(
                    session, actor=self._require_actor(), data=data, filename=filename
                )
                pages = document_pages(document)
                document_id, sha256 = document.id, document.sha256
            # Render the first page now so it shows at once.
            await asyncio.to_thread(page_image_path, sha256, 1, 1200)
        except DomainError as exc:
            self.uploading = False
            yield toast_error(exc)
            return
        self.uploading = False
        self._document_id, self.pages = document_id, pages
        self.filename = Path(filename).name
        self.fields, self.selected_id = [], ""
        if not self.title:
            self.title = Path(filename).stem.replace("_", " ").strip()[:300]

    def _largest_zoom(self) -> float:
        return LARGEST_ZOOM

    @rx.event
    def replace_document(self):
        self._document_id, self.pages, self.filename = "", [], ""
        self.fields, self.selected_id = [], ""

    @rx.var
    def has_document(self) -> bool:
        return bool(self.pages)

    @rx.var
    def page_summary(self) -> str:
        count = len(self.pages)
        return f"{count} page{'s' if count != 1 else ''}"

    # --- signers --------------------------------------------------------------------

    def _add_signer(self) -> None:
        self._signers_added += 1
        signer = _new_signer(self._signers_added)
        self.signers = [*self.signers, signer]
        self.current_signer = signer["key"]

    @rx.event
    def add_signer(self):
        self._add_signer()

    @rx.event
    def remove_signer(self, key: str):
        if len(self.signers) <= 1:
            return
        self.signers = [s for s in self.signers if s["key"] != key]
        self.fields = [f for f in self.fields if f["role"] != key]
        if self.current_signer == key:
            self.current_signer = self.signers[0]["key"]

    @rx.event
    def set_signer(self, index: int, key: str, value: str):
        signers = [dict(s) for s in self.signers]
        signers[index][key] = value
        self.signers = signers

    def _signer_label(self, index: int) -> str:
        label = _signer_label(self.signers[index], index)
        # a name too long to keep is not repeated back: the message says which signer it is
        return label if len(label) <= MAX_NAME else f"signer {index + 1}"

    @rx.event
    def set_current_signer(self, key: str):
        self.current_signer = key

    def _colors(self) -> dict[str, str]:
        return {s["key"]: SIGNER_COLORS[i % len(SIGNER_COLORS)] for i, s in enumerate(self.signers)}

    @rx.var
    def signer_views(self) -> list[dict[str, str]]:
        colors = self._colors()
        counts: dict[str, int] = {}
        for field in self.fields:
            counts[field["role"]] = counts.get(field["role"], 0) + 1
        return [
            {
                **s,
                "index": str(i),
                "label": _signer_label(s, i),
                "color": colors[s["key"]],
                "fields": str(counts.get(s["key"], 0)),
                "current": "1" if s["key"] == self.current_signer else "",
            }
            for i, s in enumerate(self.signers)
        ]

    # --- fields ---------------------------------------------------------------------

    @rx.var
    def page_views(self) -> list[PageView]:
        return page_views(
            self.pages,
            self.fields,
            colors=self._colors(),
            zoom=self.zoom,
            selected_id=self.selected_id,
            default_color=SIGNER_COLORS[0],
        )

    @rx.var
    def has_selection(self) -> bool:
        return any(f["id"] == self.selected_id for f in self.fields)

    @rx.event
    def set_tool(self, field_type: str):
        if field_type in PLACEABLE:
            self.tool = field_type

    def _place(self, field_type: str, page: int, x: float, y: float) -> None:
        if field_type not in PLACEABLE or not 1 <= page <= len(self.pages):
            return
        if self.current_signer not in {s["key"] for s in self.signers}:
            return
        field = new_field(
            field_type,
            role=self.current_signer,
            page=self.pages[page - 1],
            center_x=float(x),
            center_y=float(y),
        )
        self.fields = [*self.fields, field]
        self.selected_id = field["id"]
        self.error = ""

    @rx.event
    def place_at(self, page: int, x: float, y: float):
        """A click on a page: the chosen field type for the chosen signer, centred there."""
        self._place(self.tool, int(page), x, y)

    @rx.event
    def drop_field(self, page: int, field_type: str, x: float, y: float):
        self._place(field_type, int(page), x, y)

    def _index(self, field_id: str) -> int:
        return next((i for i, f in enumerate(self.fields) if f["id"] == field_id), -1)

    def _page_px(self, page: int) -> tuple[float, float]:
        return page_pixels(self.pages[page - 1], self.zoom)

    @rx.event
    def select(self, field_id: str):
        self.selected_id = field_id
        index = self._index(field_id)
        if index >= 0:
            self.current_signer = self.fields[index]["role"]

    @rx.event
    def move_field(self, field_id: str, left: float, top: float):
        index = self._index(field_id)
        if index >= 0:
            field = self.fields[index]
            self.fields[index] = moved(field, left, top, self._page_px(field["page"]))

    @rx.event
    def resize_field(self, field_id: str, left: float, top: float, width: float, height: float):
        index = self._index(field_id)
        if index >= 0:
            field = self.fields[index]
            self.fields[index] = resized(
                field, left, top, width, height, self._page_px(field["page"])
            )

    @rx.event
    def field_key(self, field_id: str, key: str):
        """Arrow keys nudge the focused field by one pixel; Delete/Backspace remove it."""
        if key in ("Delete", "Backspace"):
            self.selected_id = field_id
            self.delete_selected()
            return
        index = self._index(field_id)
        if index >= 0 and key in NUDGE_PX:
            field = self.fields[index]
            self.fields[index] = nudged(field, key, self._page_px(field["page"]))

    @rx.event
    def delete_selected(self):
        self.fields = [f for f in self.fields if f["id"] != self.selected_id]
        self.selected_id = ""

    # --- sending --------------------------------------------------------------------

    def _missing_signature(self) -> str:
        """The first signer without a signature or initials field, when fields were placed."""
        if not self.fields:
            return ""
        signed = {f["role"] for f in self.fields if f["type"] in SIGNATURE_TYPES}
        for index, signer in enumerate(self.signers):
            if signer["key"] not in signed:
                return _signer_label(signer, index)
        return ""

    @rx.event
    def send(self):
        return self._submit(draft=False)

    @rx.event
    def save_draft(self):
        return self._submit(draft=True)

    def _submit(self, *, draft: bool):
        self.error = self.error_field = ""
        if not self._document_id:
            self.error = "Upload the PDF to send first."
            return None
        missing = self._missing_signature()
        if missing:
            self.error = f"Place a signature field for {missing}, or remove their other fields."
            return None
        try:
            signers = [
                {
                    "name": s["name"],
                    "email": s["email"],
                    "role": s["key"],
                    "signingOrder": signing_order(s["order"]),
                }
                for s in self.signers
            ]
        except ValueError:
            self.error = "Signing order must be a whole number."
            return None
        try:
            with session_scope() as session:
                document = template_service.get_document(
                    session, actor=self._require_actor(), document_id=self._document_id
                )
                pdf = storage.get_bytes(document.sha256)
        except DomainError as exc:
            return toast_error(exc)
        return self._create(
            signers,
            draft=draft,
            document=DocumentUpload(
                data=base64.b64encode(pdf).decode(), filename=self.filename or "document.pdf"
            ),
            fields=[api_field(f, self.pages) for f in self.fields] if self.fields else None,
        )


# --- view ---------------------------------------------------------------------------------


def _upload_zone() -> rx.Component:
    return pdf_drop_zone(
        upload_id=UPLOAD_ID,
        on_drop=UploadSendState.upload_pdf(rx.upload_files(upload_id=UPLOAD_ID)),
        busy=UploadSendState.uploading,
        busy_view=rx.hstack(
            rx.spinner(size="2"),
            rx.text("Uploading and checking your PDF…", size="2"),
            align="center",
        ),
        title="Drop the PDF to send here",
        hint="or click to choose a file · up to 50 MB and 500 pages · sent once, "
        "not saved as a template",
        padding="40px 16px",
    )


def _document_card() -> rx.Component:
    return card(
        rx.vstack(
            rx.hstack(
                rx.box(
                    rx.icon("file-text", size=20, color=rx.color("accent", 11)),
                    background=rx.color("accent", 3),
                    padding="10px",
                    border_radius="10px",
                ),
                rx.vstack(
                    rx.text(UploadSendState.filename, weight="bold", id="uploaded-filename"),
                    rx.text(UploadSendState.page_summary, size="1", color=rx.color("gray", 11)),
                    spacing="0",
                    flex="1",
                    min_width="0",
                ),
                rx.button(
                    rx.icon("replace", size=14),
                    "Replace",
                    variant="soft",
                    color_scheme="gray",
                    on_click=UploadSendState.replace_document,
                ),
                align="center",
                spacing="3",
                width="100%",
            ),
            title_input(),
            spacing="3",
        )
    )


def _dot(color) -> rx.Component:
    return rx.box(
        width="10px", height="10px", border_radius="999px", background=color, flex_shrink="0"
    )


def _signer_row(signer: dict) -> rx.Component:
    index = signer["index"].to(int)
    return rx.grid(
        rx.hstack(
            _dot(signer["color"]),
            rx.input(
                placeholder="Full name",
                value=signer["name"],
                on_change=lambda v: UploadSendState.set_signer(index, "name", v),
                id="upload-signer-name-" + signer["index"],
                width="100%",
            ),
            align="center",
            spacing="2",
            grid_column=rx.breakpoints(initial="1 / -1", md="auto"),
        ),
        rx.input(
            placeholder="email@example.com",
            aria_label="Email",
            type="email",
            value=signer["email"],
            on_change=lambda v: UploadSendState.set_signer(index, "email", v),
            id="upload-signer-email-" + signer["index"],
        ),
        rx.input(
            type="number",
            min="1",
            value=signer["order"],
            title="Signing order",
            aria_label="Signing order",
            on_change=lambda v: UploadSendState.set_signer(index, "order", v),
        ),
        rx.icon_button(
            rx.icon("x", size=14),
            variant="ghost",
            color_scheme="gray",
            on_click=UploadSendState.remove_signer(signer["key"]),
            disabled=UploadSendState.signers.length() <= 1,
            aria_label="Remove signer",
        ),
        grid_template_columns=rx.breakpoints(
            initial="minmax(0, 1fr) 64px 32px", md="minmax(0, 1fr) minmax(0, 1fr) 80px 32px"
        ),
        spacing="2",
        align="center",
        width="100%",
        padding_y="6px",
    )


def _signers_card() -> rx.Component:
    return card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.heading("Signers", size="3"),
                    rx.text(
                        "Lower numbers sign first; equal numbers sign in parallel.",
                        size="1",
                        color=rx.color("gray", 11),
                    ),
                    spacing="1",
                ),
                rx.button(
                    rx.icon("user-plus", size=14),
                    "Add signer",
                    variant="soft",
                    on_click=UploadSendState.add_signer,
                    id="add-signer",
                ),
                justify="between",
                align="center",
                width="100%",
            ),
            rx.vstack(
                rx.foreach(UploadSendState.signer_views, _signer_row),
                spacing="0",
                width="100%",
            ),
            spacing="2",
            width="100%",
        )
    )


def _signer_chip(signer: dict) -> rx.Component:
    current = signer["current"] != ""
    return rx.button(
        _dot(signer["color"]),
        signer["label"],
        rx.badge(signer["fields"], variant="soft", color_scheme="gray", radius="full"),
        variant=rx.cond(current, "surface", "outline"),
        color_scheme=rx.cond(current, "indigo", "gray"),
        on_click=UploadSendState.set_current_signer(signer["key"]),
        class_name="placing-for",
        custom_attrs={"data-signer": signer["key"]},
        size="2",
    )


def _fields_card() -> rx.Component:
    toolbar = rx.vstack(
        rx.hstack(
            rx.text("Placing for", size="2", color=rx.color("gray", 11)),
            rx.foreach(UploadSendState.signer_views, _signer_chip),
            rx.spacer(),
            zoom_controls(UploadSendState),
            rx.cond(
                UploadSendState.has_selection,
                rx.button(
                    rx.icon("trash-2", size=14),
                    "Remove field",
                    variant="soft",
                    color_scheme="red",
                    size="2",
                    on_click=UploadSendState.delete_selected,
                    id="remove-field",
                ),
            ),
            align="center",
            spacing="2",
            wrap="wrap",
            width="100%",
        ),
        rx.text(
            "Choose a signer and a field type, then click on the page where it goes (or drag "
            "the type onto the page). Drag a field to move it, drag its corner to resize; "
            "Delete removes the selected field. With no fields placed, each signer signs at "
            "the bottom of the last page.",
            size="1",
            color=rx.color("gray", 11),
        ),
        spacing="2",
        width="100%",
    )
    pages = rx.box(
        rx.vstack(
            rx.foreach(
                UploadSendState.page_views,
                lambda page: page_canvas(
                    page,
                    UploadSendState,
                    on_page_click=lambda x, y: UploadSendState.place_at(page.number, x, y),
                    cursor="crosshair",
                ),
            ),
            spacing="4",
            align="center",
            padding=f"{SCROLLER_PADDING_PX // 2}px",
            min_width="fit-content",
        ),
        flex="1",
        min_width="0",
        width="100%",
        max_height="78vh",
        overflow="auto",
        background=rx.color("gray", 3),
        border_radius="8px",
        id=PAGES_SCROLLER_ID,
        on_mount=fit_pages_on_mount(UploadSendState),
    )
    return card(
        rx.vstack(
            rx.heading("Where each signer fills in", size="3"),
            toolbar,
            rx.flex(
                rx.box(
                    palette(
                        PLACEABLE,
                        on_pick=UploadSendState.set_tool,
                        hint="Choose, then click a page",
                        active_type=UploadSendState.tool,
                    ),
                    width=rx.breakpoints(initial="100%", md="150px"),
                    flex_shrink="0",
                ),
                pages,
                direction=rx.breakpoints(initial="column", md="row"),
                align="start",
                gap="12px",
                width="100%",
            ),
            spacing="3",
            width="100%",
        )
    )


def _step(number: int, icon: str, text: str) -> rx.Component:
    return rx.hstack(
        rx.center(
            rx.text(number, size="1", weight="bold"),
            width="24px",
            height="24px",
            border_radius="999px",
            background=rx.color("accent", 3),
            color=rx.color("accent", 11),
            flex_shrink="0",
        ),
        rx.icon(icon, size=16, color=rx.color("gray", 11), flex_shrink="0"),
        rx.text(text, size="2"),
        align="center",
        spacing="2",
        padding="10px 12px",
        border=f"1px solid {rx.color('gray', 4)}",
        border_radius="10px",
        background=rx.color("gray", 1),
    )


def upload_send_page() -> rx.Component:
    return app_shell(
        rx.cond(
            UploadSendState.has_document,
            rx.vstack(
                _document_card(),
                _signers_card(),
                _fields_card(),
                delivery_card(),
                send_footer(UploadSendState.send, UploadSendState.save_draft),
                spacing="4",
                width="100%",
            ),
            rx.vstack(
                _upload_zone(),
                rx.grid(
                    *[
                        _step(number, icon, text)
                        for number, (icon, text) in enumerate(
                            [
                                ("file-up", "Upload the PDF"),
                                ("users", "Add the signers and their order"),
                                ("mouse-pointer-click", "Click where each signer signs"),
                                ("send", "Send: each signer gets a private link"),
                            ],
                            start=1,
                        )
                    ],
                    columns=rx.breakpoints(initial="1", sm="2", lg="4"),
                    spacing="3",
                    width="100%",
                ),
                rx.text(
                    "To send the same document again and again, ",
                    rx.link("make it a template", href="/templates"),
                    " instead.",
                    size="2",
                    color=rx.color("gray", 11),
                ),
                rx.link(
                    rx.hstack(
                        rx.icon("arrow-left", size=14),
                        rx.text("Send a template or a package instead", size="2"),
                        align="center",
                        spacing="1",
                    ),
                    href="/envelopes/new",
                ),
                spacing="3",
                width="100%",
            ),
        ),
        title="Upload and send",
    )
