"""The public signing portal at /sign/<token>: verify, consent, fill and sign, or decline.

Works on a phone (390 px) and on desktop; `?embedded=yes` drops the page chrome for iframes.
Every check happens in `core.services.signing`; this page only shows and collects.
"""

from __future__ import annotations

import base64
import json

import reflex as rx

from workspace.core.conditions import evaluate, is_empty
from workspace.core.db import session_scope
from workspace.core.errors import DomainError
from workspace.core.pdf.signature import normalize_signature_image, typed_signature_png
from workspace.core.services import signing
from workspace.core.services.envelopes import download_url
from workspace.core.services.signing import CONSENT_TEXT

SIGNATURE_KINDS = ("signature", "initials")
TYPE_LABELS = {
    "signature": "Signature",
    "initials": "Initials",
    "date": "Date",
    "text": "Text",
    "checkbox": "Checkbox",
    "email": "Email",
    "phone": "Phone",
    "number": "Number",
    "dropdown": "Choice",
    "radio_group": "Choice",
    "multi_select": "Choices",
    "date_picker": "Date",
}
HANDWRITING_CSS = (
    "@font-face{font-family:'WsHandwriting';src:url('/files/fonts/handwriting.ttf') "
    "format('truetype');font-display:swap}"
)


def _lower_first(message: str) -> str:
    """The message with its first letter in lower case, to follow a field's name and a colon;
    a leading abbreviation (PNG, PDF) keeps its capitals."""
    if len(message) > 1 and message[0].isupper() and not message[1].isupper():
        return message[0].lower() + message[1:]
    return message


def _pct(value: float) -> str:
    return f"{value * 100:.4f}%"


def _data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def scroll_to_field(field_id: str) -> rx.event.EventSpec:
    """Bring a field's box to the middle of the screen, clear of the sticky header and guide
    (run after the next paint, so a guide that just changed height is measured)."""
    element_id = json.dumps(f"field-{field_id}")
    return rx.call_script(
        "requestAnimationFrame(() => document.getElementById("
        + element_id
        + ")?.scrollIntoView({block: 'center', inline: 'nearest', behavior: 'smooth'}))"
    )


class SigningState(rx.State):
    view: str = "loading"
    message: str = ""
    title: str = ""
    organization: str = ""
    sender_message: str = ""
    signer_name: str = ""
    verification: str = "none"
    code_sent_to: str = ""
    verify_message: str = ""
    consented: bool = False
    embedded: bool = False
    pages: list[dict[str, str]] = []
    fields: list[dict[str, str]] = []
    current_id: str = ""
    current_options: list[dict[str, str]] = []
    current_selected: list[str] = []
    finish_error: str = ""
    download_link: str = ""
    signature_open: bool = False
    signature_tab: str = "draw"
    typed_name: str = ""
    signature_error: str = ""
    decline_open: bool = False
    decline_reason: str = ""
    decline_error: str = ""
    busy: bool = False

    _grant: str | None = None
    _grant_token: str = ""
    _values: dict = {}
    _field_defs: list[dict] = []
    _all_fields: list[dict] = []
    _other_values: dict = {}
    _previews: dict = {}
    _page_key: dict = {}

    def _token(self) -> str:
        return self.router.page.params.get("signing_token", "") or ""

    def _request(self) -> dict:
        return {"ip": self.router.session.client_ip, "user_agent": self.router.headers.user_agent}

    # --- loading ------------------------------------------------------------------------

    @rx.event
    def load(self):
        """Every opening of a link starts afresh: nothing typed, adopted or shown for another
        link (or an earlier visit) survives. Only a verification passed in this tab for this
        same link is kept, so a reload does not ask for the password or code again."""
        token = self._token()
        grant = self._grant if self._grant_token == token else None
        self.reset()
        self._grant, self._grant_token = grant, token if grant else ""
        yield
        self._load()

    def _load(self) -> None:
        self.embedded = self.router.page.params.get("embedded", "") in ("yes", "true", "1")
        self.finish_error = self.verify_message = ""
        try:
            with session_scope() as session:
                context = signing.open_link(
                    session, token=self._token(), grant=self._grant, **self._request()
                )
                self._show(context)
        except DomainError as exc:
            self.view = "invalid"
            self.message = exc.message

    def _show(self, context: signing.SigningContext) -> None:
        envelope, signer = context.envelope, context.signer
        self.title = envelope.title
        self.organization = context.organization
        self.sender_message = envelope.message
        self.signer_name = signer.name
        self.verification = signer.verification
        self.view = (
            "draft" if context.state == "not_sent" and envelope.status == "draft" else context.state
        )
        self.message = ""
        if context.state == "signed":
            self._after_signing(envelope, signer)
            return
        if context.state != "sign":
            return
        self.consented = bool(signer.consented_at)
        self._all_fields = [dict(f) for f in signing.env.all_fields(envelope)]
        self._field_defs = [dict(f) for f in context.fields]
        self._other_values = signing.current_values(envelope, context.signers)
        if not self._values:
            self._values = {
                f["id"]: f["defaultValue"]
                for f in self._field_defs
                if "defaultValue" in f and f["type"] not in SIGNATURE_KINDS
            }
        grant = f"?grant={self._grant}" if self._grant else ""
        self.pages = [
            {
                "key": f"{d_index}-{p_index + 1}",
                "url": f"/files/sign/{self._token()}/pages/{d_index}/{p_index + 1}.png{grant}",
                "ratio": f"{page['height'] / page['width'] * 100:.4f}%",
                "label": f"{document['name']} · page {p_index + 1} of {document['pageCount']}",
            }
            for d_index, document in enumerate(envelope.documents)
            for p_index, page in enumerate(document["pages"])
        ]
        self._page_key = {
            f["id"]: f"{d_index}-{f['page']}"
            for d_index, document in enumerate(envelope.documents)
            for f in document["fields"]
        }
        self._refresh()
        if not self.current_id and self.fields:
            self.current_id = self.fields[0]["id"]
            self._current_changed()

    def _after_signing(self, envelope, signer) -> None:
        """The signed PDF's link, once complete: the signer's own, so the download is theirs
        in the audit trail."""
        self.download_link = (
            download_url(envelope, "document", signer=signer)
            if envelope.status == "completed"
            else ""
        )

    # --- fields -------------------------------------------------------------------------

    def _combined(self) -> dict:
        return {**self._other_values, **self._values, **{k: True for k in self._previews}}

    def _display(self, field: dict) -> str:
        value = self._values.get(field["id"])
        if field["type"] == "date":
            return "Filled in when you sign"
        if is_empty(value):
            return ""
        if field["type"] in ("dropdown", "radio_group", "multi_select"):
            labels = {o["value"]: o["label"] for o in field.get("options") or []}
            items = value if isinstance(value, list) else [value]
            return ", ".join(labels.get(v, str(v)) for v in items)
        if field["type"] == "checkbox":
            return "✓"
        return str(value)

    def _refresh(self) -> None:
        states = evaluate(self._all_fields, self._combined())
        page_key = self._page_key
        rows = []
        for field in self._field_defs:
            state = states[field["id"]]
            if not state.visible:
                continue
            filled = field["type"] == "date" or (
                field["id"] in self._previews
                if field["type"] in SIGNATURE_KINDS
                else not is_empty(self._values.get(field["id"]))
            )
            rows.append(
                {
                    "id": field["id"],
                    "type": field["type"],
                    "label": field.get("label") or TYPE_LABELS.get(field["type"], "Field"),
                    "kind": "" if field["type"] == "checkbox" else TYPE_LABELS[field["type"]],
                    "page": page_key.get(field["id"], ""),
                    "left": _pct(field["x"]),
                    "top": _pct(field["y"]),
                    "width": _pct(field["width"]),
                    "height": _pct(field["height"]),
                    "required": "1" if state.required else "",
                    "filled": "1" if filled else "",
                    "display": self._display(field),
                    "image": self._previews.get(field["id"], ""),
                    "placeholder": field.get("placeholder") or "",
                    "value": ""
                    if isinstance(self._values.get(field["id"]), list | bool | type(None))
                    else str(self._values.get(field["id"])),
                    "checked": "1" if self._values.get(field["id"]) is True else "",
                }
            )
        self.fields = rows
        if self.current_id not in {r["id"] for r in rows}:
            self.current_id = rows[0]["id"] if rows else ""
        self._current_changed()

    def _current_changed(self) -> None:
        field = next((f for f in self._field_defs if f["id"] == self.current_id), None)
        options = (field or {}).get("options") or []
        self.current_options = [{"label": o["label"], "value": o["value"]} for o in options]
        selected = self._values.get(self.current_id)
        self.current_selected = list(selected) if isinstance(selected, list) else []

    @rx.var
    def current(self) -> dict[str, str]:
        return next((f for f in self.fields if f["id"] == self.current_id), {})

    @rx.var
    def position(self) -> str:
        ids = [f["id"] for f in self.fields]
        if self.current_id not in ids:
            return ""
        return f"{ids.index(self.current_id) + 1} of {len(ids)}"

    @rx.var
    def remaining(self) -> int:
        return sum(1 for f in self.fields if f["required"] and not f["filled"])

    @rx.event
    def select(self, field_id: str):
        self.current_id = field_id
        self._current_changed()
        field = self.current
        if field.get("type") in SIGNATURE_KINDS and self.consented:
            return SigningState.open_signature

    @rx.event
    def step(self, delta: int):
        ids = [f["id"] for f in self.fields]
        if not ids:
            return
        index = ids.index(self.current_id) if self.current_id in ids else -1
        self.current_id = ids[(index + delta) % len(ids)]
        self._current_changed()
        return scroll_to_field(self.current_id)

    @rx.event
    def next_required(self):
        ids = [f["id"] for f in self.fields if f["required"] and not f["filled"]]
        if ids:
            self.current_id = ids[0]
            self._current_changed()
            return scroll_to_field(self.current_id)
        return None

    @rx.event
    def set_text(self, value: str):
        self._values[self.current_id] = value
        self._refresh()

    @rx.event
    def set_checked(self, checked: bool):
        self._values[self.current_id] = bool(checked)
        self._refresh()

    @rx.event
    def set_choice(self, value: str):
        self._values[self.current_id] = value
        self._refresh()

    @rx.event
    def toggle_option(self, value: str):
        chosen = list(self._values.get(self.current_id) or [])
        if value in chosen:
            chosen.remove(value)
        else:
            chosen.append(value)
        self._values[self.current_id] = chosen
        self._refresh()

    # --- verification and consent ----------------------------------------------------------

    @rx.event
    def submit_password(self, form: dict):
        try:
            with session_scope() as session:
                result = signing.check_password(
                    session,
                    token=self._token(),
                    password=form.get("password", ""),
                    **self._request(),
                )
        except DomainError as exc:
            self.verify_message = exc.message
            return
        self._verified(result)

    @rx.event
    def send_code(self):
        try:
            with session_scope() as session:
                self.code_sent_to = signing.send_code(
                    session, token=self._token(), **self._request()
                )
            self.verify_message = ""
        except DomainError as exc:
            self.verify_message = exc.message

    @rx.event
    def submit_code(self, form: dict):
        try:
            with session_scope() as session:
                result = signing.check_code(
                    session, token=self._token(), code=form.get("code", ""), **self._request()
                )
        except DomainError as exc:
            self.verify_message = exc.message
            return
        self._verified(result)

    def _verified(self, result: signing.VerificationResult) -> None:
        if not result.ok:
            self.verify_message = result.message
            if "Too many" in result.message:
                self.view = "locked"
            return
        self._grant, self._grant_token = result.grant, self._token()
        self._load()

    @rx.event
    def agree(self):
        try:
            with session_scope() as session:
                signing.give_consent(
                    session, token=self._token(), grant=self._grant, **self._request()
                )
            self.consented = True
        except DomainError as exc:
            return rx.toast.error(exc.message, position="top-center")
        if self.current_id:
            return scroll_to_field(self.current_id)
        return None

    # --- signatures -----------------------------------------------------------------------

    @rx.event
    def open_signature(self):
        if not self.consented:
            return rx.toast.info("Agree to sign electronically first.", position="top-center")
        self.signature_error = ""
        self.typed_name = self.typed_name or (
            self.signer_name
            if self.current.get("type") == "signature"
            else "".join(p[0] for p in self.signer_name.split() if p).upper()
        )
        self.signature_open = True
        return None

    @rx.event
    def set_signature_open(self, value: bool):
        self.signature_open = value

    @rx.event
    def set_signature_tab(self, value: str):
        self.signature_tab = value
        self.signature_error = ""

    @rx.event
    def set_typed_name(self, value: str):
        self.typed_name = value

    def _use_signature(self, raw: dict, png: bytes):
        field_id = self.current_id
        self._previews[field_id] = _data_url(png)
        self._values[field_id] = raw
        self.signature_open = False
        self._refresh()
        return SigningState.next_required

    @rx.event
    def use_typed(self):
        try:
            png = typed_signature_png(self.typed_name)
        except DomainError as exc:
            self.signature_error = exc.message
            return None
        return self._use_signature({"method": "typed", "text": self.typed_name}, png)

    @rx.event
    def use_drawn(self, data_url: str):
        if not data_url:
            self.signature_error = "Draw your signature in the box first."
            return None
        try:
            png = normalize_signature_image(base64.b64decode(data_url.partition(",")[2]))
        except (DomainError, ValueError) as exc:
            self.signature_error = getattr(exc, "message", "The drawing could not be read.")
            return None
        return self._use_signature({"method": "drawn", "dataUrl": data_url}, png)

    @rx.event
    async def use_upload(self, files: list[rx.UploadFile]):
        if not files:
            return None
        data = await files[0].read()
        try:
            png = normalize_signature_image(data)
        except DomainError as exc:
            self.signature_error = exc.message
            return None
        return self._use_signature({"method": "uploaded", "image": data}, png)

    # --- finishing --------------------------------------------------------------------------

    @rx.event
    def finish(self):
        self.finish_error = ""
        values = {k: v for k, v in self._values.items() if k in {f["id"] for f in self._field_defs}}
        try:
            with session_scope() as session:
                context = signing.sign(
                    session,
                    token=self._token(),
                    grant=self._grant,
                    values=values,
                    **self._request(),
                )
                redirect = context.signer.redirect_url
                self._after_signing(context.envelope, context.signer)
        except DomainError as exc:
            return self._show_finish_error(exc)
        self.view = "done"
        self._values, self._previews, self._grant = {}, {}, None
        if redirect:
            return rx.redirect(redirect, is_external=True)
        return None

    def _show_finish_error(self, exc: DomainError):
        """Show why signing failed; when it is about one of the signer's fields, name that
        field and bring the guide and the page to it."""
        missing = exc.details.get("missing") or []
        path = str(exc.details.get("field") or "")
        field_id = missing[0] if missing else path.removeprefix("values.")
        field = next((f for f in self._field_defs if f["id"] == field_id), None)
        self.finish_error = exc.message
        if field is None:
            return None
        label = field.get("label") or TYPE_LABELS.get(field["type"], "Field")
        if not missing and not exc.message.startswith(f"{label}:"):
            self.finish_error = f"{label}: {_lower_first(exc.message)}"
        self.current_id = field_id
        self._current_changed()
        return scroll_to_field(field_id)

    @rx.event
    def set_decline_open(self, value: bool):
        self.decline_open = value
        self.decline_error = ""

    @rx.event
    def set_decline_reason(self, value: str):
        self.decline_reason = value
        self.decline_error = ""

    @rx.event
    def submit_decline(self):
        reason = self.decline_reason.strip()
        if not reason:
            self.decline_error = "Give a reason for declining."
            return None
        if len(reason) > signing.MAX_DECLINE_REASON:
            self.decline_error = (
                f"The reason can be at most {signing.MAX_DECLINE_REASON} characters."
            )
            return None
        self.decline_error = ""
        try:
            with session_scope() as session:
                signing.decline(
                    session,
                    token=self._token(),
                    grant=self._grant,
                    reason=reason,
                    **self._request(),
                )
        except DomainError as exc:
            self.decline_error = exc.message
            return None
        self.decline_open = False
        self.view = "declined_now"
        return None


# --- components ---------------------------------------------------------------------------


def _chrome(*children: rx.Component) -> rx.Component:
    header = rx.cond(
        SigningState.embedded,
        rx.fragment(),
        rx.hstack(
            rx.hstack(
                rx.box(
                    rx.icon("pen-line", size=16, color="white"),
                    background=rx.color("accent", 9),
                    padding="6px",
                    border_radius="8px",
                ),
                rx.vstack(
                    rx.text(SigningState.organization, weight="bold", size="2"),
                    rx.text(
                        SigningState.title,
                        size="1",
                        color=rx.color("gray", 11),
                        max_width=["200px", "420px", "600px"],
                        overflow="hidden",
                        white_space="nowrap",
                        text_overflow="ellipsis",
                    ),
                    spacing="0",
                ),
                spacing="2",
                align="center",
            ),
            rx.cond(
                SigningState.view == "sign",
                rx.button(
                    "Decline",
                    variant="ghost",
                    color_scheme="red",
                    size="2",
                    on_click=SigningState.set_decline_open(True),
                    id="decline-open",
                ),
            ),
            justify="between",
            align="center",
            width="100%",
            padding="10px 16px",
            background=rx.color("gray", 1),
            border_bottom=f"1px solid {rx.color('gray', 4)}",
            position="sticky",
            top="0",
            z_index="20",
        ),
    )
    return rx.box(
        rx.el.style(HANDWRITING_CSS),
        rx.script(src="/signature_pad.js"),
        header,
        *children,
        rx.cond(
            SigningState.embedded,
            rx.fragment(),
            rx.center(
                rx.text(
                    "Secured by Workspace · every step is recorded in the audit trail",
                    size="1",
                    color=rx.color("gray", 11),
                ),
                padding="18px 12px 120px",
            ),
        ),
        _decline_dialog(),
        _signature_dialog(),
        min_height="100vh",
        background=rx.color("gray", 2),
    )


def _notice(icon: str, heading: str, text, *extra: rx.Component, color: str = "accent"):
    return rx.center(
        rx.card(
            rx.vstack(
                rx.box(
                    rx.icon(icon, size=26, color=rx.color(color, 10)),
                    background=rx.color(color, 3),
                    padding="14px",
                    border_radius="999px",
                ),
                rx.heading(heading, size="5", text_align="center"),
                rx.text(text, color=rx.color("gray", 11), text_align="center"),
                *extra,
                align="center",
                spacing="3",
            ),
            size="3",
            width="100%",
            max_width="460px",
        ),
        padding="48px 16px",
    )


def _verify() -> rx.Component:
    error = rx.cond(
        SigningState.verify_message != "",
        rx.callout(
            SigningState.verify_message,
            icon="triangle-alert",
            color_scheme="red",
            size="1",
            width="100%",
            id="verify-error",
        ),
    )
    password_form = rx.form(
        rx.vstack(
            rx.input(
                name="password",
                type="password",
                placeholder="Password",
                size="3",
                width="100%",
                id="password-input",
                auto_focus=True,
            ),
            error,
            rx.button("Open document", type="submit", size="3", width="100%", id="password-submit"),
            spacing="3",
            width="100%",
        ),
        on_submit=SigningState.submit_password,
        reset_on_submit=True,
        width="100%",
    )
    code_form = rx.vstack(
        rx.cond(
            SigningState.code_sent_to == "",
            rx.button(
                "Email me a code",
                size="3",
                width="100%",
                on_click=SigningState.send_code,
                id="send-code",
            ),
            rx.text(
                "We sent a 6-digit code to ",
                rx.text.strong(SigningState.code_sent_to),
                ".",
                size="2",
            ),
        ),
        rx.form(
            rx.vstack(
                rx.input(
                    name="code",
                    placeholder="6-digit code",
                    size="3",
                    width="100%",
                    input_mode="numeric",
                    max_length=6,
                    id="code-input",
                ),
                error,
                rx.button("Verify", type="submit", size="3", width="100%", id="code-submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=SigningState.submit_code,
            reset_on_submit=True,
            width="100%",
        ),
        spacing="3",
        width="100%",
    )
    return _notice(
        "lock",
        "Confirm it is you",
        rx.cond(
            SigningState.verification == "password",
            "Enter the password the sender gave you to open this document.",
            "We will email you a one-time code to open this document.",
        ),
        rx.cond(SigningState.verification == "password", password_form, code_form),
    )


# Text inside a field box on the page: sized from the box's own height (a box is a few
# pixels tall on a phone, larger on desktop) so a whole line always fits, cut off with an
# ellipsis at the side rather than clipped at the top and bottom.
FIELD_BOX_TEXT = {
    "font_size": "clamp(7px, 72cqh, 13px)",
    "line_height": "1.25",
    "overflow": "hidden",
    "white_space": "nowrap",
    "text_overflow": "ellipsis",
    "padding_x": "3px",
    "flex": "1",
    "min_width": "0",
}


def _field_box(field) -> rx.Component:
    active = SigningState.current_id == field["id"]
    return rx.box(
        rx.cond(
            field["image"] != "",
            rx.image(src=field["image"], width="100%", height="100%", object_fit="contain"),
            rx.cond(
                field["display"] != "",
                rx.text(
                    field["display"],
                    weight="medium",
                    color=rx.color("gray", 12),
                    **FIELD_BOX_TEXT,
                ),
                rx.text(
                    # the sender's label ("Plan"), else the kind ("Choice"); "Signature" and
                    # "Initials" say it best; nothing on a checkbox
                    rx.match(
                        field["kind"],
                        ("", ""),
                        ("Signature", "Signature"),
                        ("Initials", "Initials"),
                        field["label"],
                    ),
                    rx.cond(field["required"] != "", " *", ""),
                    color=rx.color("accent", 11),
                    **FIELD_BOX_TEXT,
                ),
            ),
        ),
        id="field-" + field["id"],
        # The box is the size reference of its text (cqh units in FIELD_BOX_TEXT).
        container_type="size",
        position="absolute",
        left=field["left"],
        top=field["top"],
        width=field["width"],
        height=field["height"],
        display="flex",
        align_items="center",
        cursor="pointer",
        border_radius="3px",
        border=rx.cond(
            active,
            f"2px solid {rx.color('accent', 9)}",
            rx.cond(
                field["filled"] != "",
                f"1px solid {rx.color('grass', 8)}",
                f"1.5px dashed {rx.color('accent', 8)}",
            ),
        ),
        background=rx.cond(field["filled"] != "", "rgba(34,197,94,0.10)", "rgba(250,204,21,0.28)"),
        box_shadow=rx.cond(active, f"0 0 0 4px {rx.color('accent', 5)}", "none"),
        on_click=SigningState.select(field["id"]),
        custom_attrs={"data-field": field["id"]},
    )


def _page(page) -> rx.Component:
    return rx.box(
        rx.box(
            rx.image(
                src=page["url"],
                width="100%",
                height="100%",
                position="absolute",
                top="0",
                left="0",
                loading="lazy",
                alt=page["label"],
            ),
            rx.foreach(
                SigningState.fields,
                lambda f: rx.cond(f["page"] == page["key"], _field_box(f), rx.fragment()),
            ),
            position="relative",
            width="100%",
            padding_top=page["ratio"],
            background="white",
            box_shadow="0 1px 3px rgba(0,0,0,0.12)",
        ),
        rx.text(
            page["label"],
            size="1",
            color=rx.color("gray", 11),
            padding_top="4px",
            text_align="center",
        ),
        width="100%",
    )


# The field's label above the control names it (its id varies with the control).
NAMED_BY_CURRENT_LABEL = {"aria-labelledby": "current-label"}


def _current_input() -> rx.Component:
    field = SigningState.current
    kind = field["type"]
    return rx.match(
        kind,
        (
            "checkbox",
            rx.checkbox(
                field["label"],
                checked=field["checked"] != "",
                on_change=SigningState.set_checked,
                size="3",
                id="current-checkbox",
            ),
        ),
        (
            "dropdown",
            rx.select.root(
                rx.select.trigger(
                    placeholder="Choose…",
                    width="100%",
                    id="current-select",
                    custom_attrs=NAMED_BY_CURRENT_LABEL,
                ),
                rx.select.content(
                    rx.foreach(
                        SigningState.current_options,
                        lambda o: rx.select.item(o["label"], value=o["value"]),
                    )
                ),
                value=field["value"],
                on_change=SigningState.set_choice,
                size="3",
            ),
        ),
        (
            "radio_group",
            rx.radio_group.root(
                rx.flex(
                    rx.foreach(
                        SigningState.current_options,
                        lambda o: rx.radio_group.item(o["label"], value=o["value"]),
                    ),
                    spacing="4",
                    wrap="wrap",
                ),
                value=field["value"],
                on_change=SigningState.set_choice,
                id="current-radio",
                custom_attrs=NAMED_BY_CURRENT_LABEL,
            ),
        ),
        (
            "multi_select",
            rx.flex(
                rx.foreach(
                    SigningState.current_options,
                    lambda o: rx.checkbox(
                        o["label"],
                        checked=SigningState.current_selected.contains(o["value"]),
                        on_change=lambda _checked: SigningState.toggle_option(o["value"]),
                    ),
                ),
                spacing="4",
                wrap="wrap",
            ),
        ),
        (
            "signature",
            rx.button(
                rx.icon("pen-line"),
                rx.cond(field["filled"] != "", "Change signature", "Sign here"),
                size="3",
                width="100%",
                on_click=SigningState.open_signature,
                id="open-signature",
            ),
        ),
        (
            "initials",
            rx.button(
                rx.icon("pen-line"),
                rx.cond(field["filled"] != "", "Change initials", "Add initials"),
                size="3",
                width="100%",
                on_click=SigningState.open_signature,
                id="open-initials",
            ),
        ),
        (
            "date",
            rx.text(
                "Today's date is filled in when you sign.", size="2", color=rx.color("gray", 11)
            ),
        ),
        rx.input(
            value=field["value"],
            on_change=SigningState.set_text.debounce(250),
            placeholder=rx.cond(field["placeholder"] != "", field["placeholder"], field["label"]),
            type=rx.match(
                kind,
                ("email", "email"),
                ("phone", "tel"),
                ("number", "number"),
                ("date_picker", "date"),
                "text",
            ),
            size="3",
            width="100%",
            id="current-input",
            custom_attrs=NAMED_BY_CURRENT_LABEL,
        ),
    )


def _guide() -> rx.Component:
    field = SigningState.current
    consent = rx.vstack(
        rx.text("Before you sign", weight="bold", size="3"),
        rx.text(CONSENT_TEXT, size="2", color=rx.color("gray", 11)),
        rx.button(
            "I agree to sign electronically",
            size="3",
            width="100%",
            on_click=SigningState.agree,
            id="consent",
        ),
        rx.button(
            "Decline to sign",
            variant="ghost",
            color_scheme="red",
            size="2",
            on_click=SigningState.set_decline_open(True),
            id="decline-before-consent",
            align_self="center",
        ),
        spacing="2",
        width="100%",
    )
    filling = rx.vstack(
        rx.hstack(
            rx.vstack(
                rx.text(
                    field["label"],
                    rx.cond(field["required"] != "", " *", ""),
                    weight="bold",
                    size="3",
                    id="current-label",
                ),
                rx.text(
                    "Field ",
                    SigningState.position,
                    " · ",
                    rx.cond(
                        SigningState.remaining > 0,
                        rx.text.span(SigningState.remaining, " required left"),
                        rx.text.span("all required fields done"),
                    ),
                    size="1",
                    color=rx.color("gray", 11),
                ),
                spacing="0",
            ),
            rx.hstack(
                rx.icon_button(
                    rx.icon("chevron-left"),
                    variant="soft",
                    size="2",
                    on_click=SigningState.step(-1),
                    aria_label="Previous field",
                ),
                rx.icon_button(
                    rx.icon("chevron-right"),
                    variant="soft",
                    size="2",
                    on_click=SigningState.step(1),
                    aria_label="Next field",
                    id="next-field",
                ),
                spacing="2",
            ),
            justify="between",
            width="100%",
            align="center",
        ),
        _current_input(),
        rx.cond(
            SigningState.finish_error != "",
            rx.callout(
                SigningState.finish_error,
                icon="triangle-alert",
                color_scheme="red",
                size="1",
                width="100%",
                id="finish-error",
            ),
        ),
        rx.cond(
            SigningState.remaining > 0,
            rx.button(
                "Next required field",
                rx.icon("arrow-down"),
                size="3",
                width="100%",
                variant="outline",
                on_click=SigningState.next_required,
                id="next-required",
            ),
            rx.button(
                rx.icon("check"),
                "Finish and sign",
                size="3",
                width="100%",
                color_scheme="grass",
                on_click=SigningState.finish,
                id="finish",
            ),
        ),
        spacing="3",
        width="100%",
    )
    return rx.box(
        rx.box(
            rx.cond(SigningState.consented, filling, consent),
            max_width="720px",
            margin="0 auto",
            padding="14px 16px calc(14px + env(safe-area-inset-bottom))",
        ),
        position="sticky",
        bottom="0",
        z_index="15",
        background=rx.color("gray", 1),
        border_top=f"1px solid {rx.color('gray', 5)}",
        box_shadow="0 -6px 18px rgba(15,23,42,0.08)",
    )


def _document() -> rx.Component:
    return rx.fragment(
        rx.box(
            rx.cond(
                SigningState.sender_message != "",
                rx.callout(
                    SigningState.sender_message,
                    icon="message-square",
                    size="1",
                    width="100%",
                    margin_bottom="12px",
                ),
            ),
            rx.text(
                "Hi ",
                SigningState.signer_name,
                " - your fields are highlighted in yellow. ",
                "Tap a field or use the guide below.",
                size="2",
                color=rx.color("gray", 11),
                margin_bottom="12px",
            ),
            rx.vstack(rx.foreach(SigningState.pages, _page), spacing="4", width="100%"),
            max_width="900px",
            margin="0 auto",
            padding=["12px 8px", "16px", "24px"],
        ),
        _guide(),
    )


def _signature_dialog() -> rx.Component:
    pad = rx.vstack(
        rx.el.canvas(
            id="signature-pad",
            custom_attrs={"data-signature-pad": "1"},
            style={
                "width": "100%",
                "height": "170px",
                "background": "white",
                "border": "1px dashed #a5b4fc",
                "borderRadius": "8px",
                "touchAction": "none",
                "cursor": "crosshair",
            },
        ),
        rx.hstack(
            rx.button(
                "Clear",
                variant="soft",
                color_scheme="gray",
                on_click=rx.call_script("window.wsSignaturePad.clear('signature-pad')"),
            ),
            rx.button(
                "Use this signature",
                id="use-drawn",
                on_click=rx.call_script(
                    "window.wsSignaturePad.data('signature-pad')", callback=SigningState.use_drawn
                ),
            ),
            justify="end",
            width="100%",
        ),
        width="100%",
    )
    typed = rx.vstack(
        rx.input(
            value=SigningState.typed_name,
            on_change=SigningState.set_typed_name,
            size="3",
            width="100%",
            id="typed-name",
            placeholder="Type your name",
        ),
        rx.center(
            rx.text(
                SigningState.typed_name,
                font_family="WsHandwriting, cursive",
                font_size="40px",
                color="#111840",
                id="typed-preview",
            ),
            min_height="90px",
            width="100%",
            background="white",
            border_radius="8px",
            border=f"1px solid {rx.color('gray', 5)}",
            overflow="hidden",
        ),
        rx.hstack(
            rx.button("Use this signature", on_click=SigningState.use_typed, id="use-typed"),
            justify="end",
            width="100%",
        ),
        width="100%",
    )
    upload = rx.vstack(
        rx.upload(
            rx.vstack(
                rx.icon("upload", size=22),
                rx.text("Choose a PNG or JPEG of your signature", size="2"),
                align="center",
            ),
            id="signature-upload",
            accept={"image/png": [".png"], "image/jpeg": [".jpg", ".jpeg"]},
            max_files=1,
            max_size=2 * 1024 * 1024,
            on_drop=SigningState.use_upload(rx.upload_files(upload_id="signature-upload")),
            border=f"1px dashed {rx.color('accent', 7)}",
            padding="28px",
            border_radius="8px",
            width="100%",
            cursor="pointer",
        ),
        width="100%",
    )
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.cond(
                    SigningState.current["type"] == "initials", "Your initials", "Your signature"
                )
            ),
            rx.tabs.root(
                rx.tabs.list(
                    rx.tabs.trigger("Draw", value="draw", id="tab-draw"),
                    rx.tabs.trigger("Type", value="type", id="tab-type"),
                    rx.tabs.trigger("Upload", value="upload", id="tab-upload"),
                ),
                rx.box(
                    rx.tabs.content(pad, value="draw"),
                    rx.tabs.content(typed, value="type"),
                    rx.tabs.content(upload, value="upload"),
                    padding_top="14px",
                ),
                value=SigningState.signature_tab,
                on_change=SigningState.set_signature_tab,
            ),
            rx.cond(
                SigningState.signature_error != "",
                rx.callout(
                    SigningState.signature_error,
                    icon="triangle-alert",
                    color_scheme="red",
                    size="1",
                    margin_top="10px",
                ),
            ),
            rx.text(
                "By adding it you sign this document electronically.",
                size="1",
                color=rx.color("gray", 11),
                margin_top="10px",
            ),
            max_width="520px",
            width="calc(100vw - 24px)",
        ),
        open=SigningState.signature_open,
        on_open_change=SigningState.set_signature_open,
    )


def _decline_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Decline to sign"),
            rx.dialog.description(
                "The sender will see your reason. This closes the envelope for everyone.", size="2"
            ),
            rx.text_area(
                value=SigningState.decline_reason,
                on_change=SigningState.set_decline_reason,
                placeholder="Why are you declining?",
                max_length=signing.MAX_DECLINE_REASON,
                margin_top="12px",
                id="decline-reason",
                custom_attrs={"aria-describedby": "decline-count"},
            ),
            rx.text(
                SigningState.decline_reason.length(),
                f" / {signing.MAX_DECLINE_REASON} characters",
                size="1",
                color=rx.color("gray", 11),
                text_align="right",
                margin_top="4px",
                id="decline-count",
            ),
            rx.cond(
                SigningState.decline_error != "",
                rx.callout(
                    SigningState.decline_error,
                    icon="triangle-alert",
                    color_scheme="red",
                    size="1",
                    margin_top="8px",
                    id="decline-error",
                    role="alert",
                ),
            ),
            rx.hstack(
                rx.dialog.close(rx.button("Keep document", variant="soft", color_scheme="gray")),
                rx.button(
                    "Decline",
                    color_scheme="red",
                    on_click=SigningState.submit_decline,
                    id="decline-submit",
                ),
                justify="end",
                margin_top="14px",
            ),
            max_width="460px",
            width="calc(100vw - 24px)",
        ),
        open=SigningState.decline_open,
        on_open_change=SigningState.set_decline_open,
    )


def _done() -> rx.Component:
    return _notice(
        "circle-check",
        "Thank you, you have signed",
        rx.cond(
            SigningState.download_link != "",
            "Everyone has signed. Download the sealed PDF with its certificate of completion.",
            "We will email you the signed document when everyone has signed.",
        ),
        rx.cond(
            SigningState.download_link != "",
            rx.link(
                rx.button(rx.icon("download"), "Download signed PDF", size="3"),
                href=SigningState.download_link,
                id="download-signed",
                is_external=True,
            ),
        ),
        color="grass",
    )


def signing_page() -> rx.Component:
    return _chrome(
        rx.match(
            SigningState.view,
            ("loading", rx.center(rx.spinner(size="3"), padding="80px")),
            ("sign", _document()),
            ("verify", _verify()),
            ("done", _done()),
            ("signed", _done()),
            (
                "locked",
                _notice(
                    "lock",
                    "This link is locked",
                    "Too many wrong attempts. Ask the sender to resend your invitation.",
                    color="red",
                ),
            ),
            (
                "waiting",
                _notice(
                    "hourglass",
                    "Not your turn yet",
                    "Someone signs before you. We will email you when it is your turn.",
                    color="amber",
                ),
            ),
            (
                "expired",
                _notice(
                    "clock",
                    "This link has expired",
                    "Ask the sender to send the document again.",
                    color="gray",
                ),
            ),
            (
                "cancelled",
                _notice(
                    "circle-x",
                    "This envelope was cancelled",
                    "The sender cancelled it. You do not need to sign.",
                    color="gray",
                ),
            ),
            (
                "declined",
                _notice(
                    "circle-slash",
                    "This envelope was declined",
                    "A signer declined, so it can no longer be signed.",
                    color="gray",
                ),
            ),
            (
                "declined_now",
                _notice(
                    "circle-slash",
                    "You declined to sign",
                    "The sender has been told. You can close this page.",
                    color="gray",
                ),
            ),
            (
                "not_sent",
                _notice(
                    "calendar-clock",
                    "Not sent yet",
                    "This envelope is scheduled and cannot be signed yet.",
                    color="gray",
                ),
            ),
            (
                "draft",
                _notice(
                    "file-pen-line",
                    "Not sent yet",
                    "This envelope is still a draft: the sender has not sent it, so it cannot "
                    "be signed yet. You will get an email when it is ready.",
                    color="gray",
                ),
            ),
            _notice("link-2-off", "This link does not work", SigningState.message, color="red"),
        )
    )
