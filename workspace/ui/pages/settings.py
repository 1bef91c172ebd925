"""Settings: organization profile and branding, members and invitations, API keys."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from workspace.core.db import session_scope
from workspace.core.errors import DomainError, ValidationFailed
from workspace.core.models.accounts import ROLES
from workspace.core.money import CURRENCIES
from workspace.core.services import accounts, api_keys, branding
from workspace.ui.components.choices import Choice, choice_select
from workspace.ui.components.dialogs import confirm_dialog
from workspace.ui.components.formatting import format_time
from workspace.ui.components.forms import form_field
from workspace.ui.layout import WIDE_ONLY, app_shell, card, empty_state, scrolling_table
from workspace.ui.state import AuthState, toast_error

TABS = ("organization", "members", "api-keys")


@dataclass
class MemberRow:
    membership_id: str
    email: str
    name: str
    role: str
    joined: str
    is_self: bool


@dataclass
class InvitationRow:
    id: str
    email: str
    role: str
    sent: str
    expires: str


@dataclass
class ApiKeyRow:
    id: str
    name: str
    mode: str
    masked: str
    created: str
    last_used: str
    revoked: bool


CURRENCY_CHOICES = [(code, f"{code} · {c.name}") for code, c in sorted(CURRENCIES.items())]


class SettingsState(AuthState):
    tab: str = "organization"
    form_name: str = ""
    form_color: str = "#4f46e5"
    form_currency: str = "NGN"
    org_error: str = ""
    members: list[MemberRow] = []
    invitations: list[InvitationRow] = []
    invite_error: str = ""
    keys: list[ApiKeyRow] = []
    key_error: str = ""
    key_mode: str = "live"
    # The full key lives here only between its creation and the closing of its dialog.
    new_key: str = ""
    new_key_name: str = ""
    confirm_kind: str = ""  # "revoke-key" | "remove-member" | "withdraw-invitation"
    confirm_id: str = ""
    confirm_label: str = ""

    @rx.var
    def grantable_roles(self) -> list[Choice]:
        """The roles this person may give: only an owner makes another owner."""
        return [Choice(role, role) for role in ROLES if role != "owner" or self.role == "owner"]

    @rx.event
    def load(self):
        actor = self._actor()
        if actor is None:
            return
        tab = self.router.page.params.get("tab", "")
        self.tab = tab if tab in TABS else "organization"
        self.org_error = self.invite_error = self.key_error = ""
        self.new_key = self.new_key_name = ""
        self._reload(actor)

    def _reload(self, actor) -> None:
        with session_scope() as session:
            org = accounts.get_organization(session, actor=actor)
            self._show_organization(org)
            self.form_name, self.form_color = org.name, org.brand_color
            self.form_currency = org.default_currency
            self.members = [
                MemberRow(
                    m.membership_id,
                    m.email,
                    m.name,
                    m.role,
                    format_time(m.created_at),
                    m.user_id == actor.user_id,
                )
                for m in accounts.list_members(session, actor=actor)
            ]
            self.invitations = [
                InvitationRow(
                    i.id, i.email, i.role, format_time(i.created_at), format_time(i.expires_at)
                )
                for i in accounts.list_pending_invitations(session, actor=actor)
            ]
            self.keys = [
                ApiKeyRow(
                    k.id,
                    k.name,
                    k.mode,
                    f"{k.prefix}…{k.last4}",
                    format_time(k.created_at),
                    format_time(k.last_used_at, "Never"),
                    k.revoked_at is not None,
                )
                for k in api_keys.list_api_keys(session, actor=actor)
            ]
        self.role = actor.role or ""

    @rx.event
    def set_tab(self, tab: str):
        self.tab = tab

    @rx.event
    def set_form_name(self, value: str):
        self.form_name = value

    @rx.event
    def set_form_color(self, value: str):
        self.form_color = value

    @rx.event
    def set_key_mode(self, value: str | list[str]):
        self.key_mode = "test" if value == "test" else "live"

    @rx.event
    def set_form_currency(self, value: str):
        self.form_currency = value

    @rx.event
    def save_organization(self, form: dict):
        # The submitted fields, not the debounced vars: a quick click saves what was typed.
        self.form_name = form.get("name", self.form_name)
        self.form_color = form.get("brand_color", self.form_color)
        self.form_currency = form.get("default_currency") or self.form_currency
        try:
            actor = self._require_actor()
            with session_scope() as session:
                org = accounts.update_organization(
                    session,
                    actor=actor,
                    name=self.form_name,
                    brand_color=self.form_color,
                    default_currency=self.form_currency,
                )
                self._show_organization(org)
        except ValidationFailed as exc:
            self.org_error = exc.message
            return None
        except DomainError as exc:
            return toast_error(exc)
        self.org_error = ""
        return rx.toast.success("Organization saved.")

    @rx.event
    async def upload_logo(self, files: list[rx.UploadFile]):
        if not files:
            return None
        data = await files[0].read()
        try:
            actor = self._require_actor()
            with session_scope() as session:
                self._show_organization(
                    branding.set_organization_logo(session, actor=actor, data=data)
                )
        except DomainError as exc:
            self.org_error = exc.message
            return toast_error(exc)
        self.org_error = ""
        return rx.toast.success("Logo updated.")

    @rx.event
    def remove_logo(self):
        try:
            actor = self._require_actor()
            with session_scope() as session:
                self._show_organization(branding.remove_organization_logo(session, actor=actor))
        except DomainError as exc:
            return toast_error(exc)
        return rx.toast.success("Logo removed.")

    @rx.event
    def invite(self, form: dict):
        try:
            actor = self._require_actor()
            with session_scope() as session:
                invitation = accounts.invite_member(
                    session,
                    actor=actor,
                    email=form.get("email", ""),
                    role=form.get("role") or "member",
                )
                email = invitation.email
            self._reload(actor)
        except ValidationFailed as exc:
            self.invite_error = exc.message
            return None
        except DomainError as exc:
            self.invite_error = exc.message
            return toast_error(exc)
        self.invite_error = ""
        return rx.toast.success(f"Invitation sent to {email}. It is also in the Mailbox.")

    @rx.event
    def change_role(self, membership_id: str, role: str):
        try:
            actor = self._require_actor()
            with session_scope() as session:
                accounts.change_member_role(
                    session, actor=actor, membership_id=membership_id, role=role
                )
        except DomainError as exc:
            self._reload(self._require_actor())
            return toast_error(exc)
        self._reload(actor)
        return rx.toast.success(f"Role changed to {role}.")

    @rx.event
    def create_key(self, form: dict):
        try:
            actor = self._require_actor()
            with session_scope() as session:
                key, raw = api_keys.create_api_key(
                    session, actor=actor, name=form.get("name", ""), test=self.key_mode == "test"
                )
                name = key.name
            self._reload(actor)
        except ValidationFailed as exc:
            self.key_error = exc.message
            return None
        except DomainError as exc:
            return toast_error(exc)
        self.key_error = ""
        self.new_key, self.new_key_name = raw, name
        return rx.toast.success(f"API key “{name}” created.")

    @rx.event
    def close_new_key(self, open_: bool = False):
        if not open_:
            self.new_key = self.new_key_name = ""

    @rx.event
    def ask(self, kind: str, target_id: str, label: str):
        """Open the confirmation dialog for a destructive action."""
        self.confirm_kind, self.confirm_id, self.confirm_label = kind, target_id, label

    @rx.event
    def cancel_confirm(self, open_: bool = False):
        if not open_:
            self.confirm_kind = self.confirm_id = self.confirm_label = ""

    @rx.event
    def confirm(self):
        kind, target_id, label = self.confirm_kind, self.confirm_id, self.confirm_label
        self.confirm_kind = self.confirm_id = self.confirm_label = ""
        try:
            actor = self._require_actor()
            with session_scope() as session:
                if kind == "revoke-key":
                    api_keys.revoke_api_key(session, actor=actor, key_id=target_id)
                    message = f"API key “{label}” revoked. Requests with it now get 401."
                elif kind == "remove-member":
                    accounts.remove_member(session, actor=actor, membership_id=target_id)
                    message = f"{label} was removed from the organization."
                else:
                    accounts.revoke_invitation(session, actor=actor, invitation_id=target_id)
                    message = f"Invitation of {label} withdrawn."
            self._reload(actor)
        except DomainError as exc:
            return toast_error(exc)
        return rx.toast.success(message)

    @rx.var
    def confirm_title(self) -> str:
        return {
            "revoke-key": "Revoke this API key?",
            "remove-member": "Remove this member?",
            "withdraw-invitation": "Withdraw this invitation?",
        }.get(self.confirm_kind, "")

    @rx.var
    def confirm_text(self) -> str:
        return {
            "revoke-key": f"“{self.confirm_label}” stops working immediately. "
            "Integrations using it will get 401 errors. This cannot be undone.",
            "remove-member": f"{self.confirm_label} loses access and is signed out.",
            "withdraw-invitation": f"The link sent to {self.confirm_label} stops working.",
        }.get(self.confirm_kind, "")


def _inline_error(message) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle-alert", color_scheme="red", role="alert", size="1"),
    )


def _section_heading(title: str, text: str) -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="4"),
        rx.text(text, size="2", color=rx.color("gray", 11)),
        spacing="1",
    )


def _read_only_note(text: str) -> rx.Component:
    return rx.cond(
        ~SettingsState.is_admin,
        rx.callout(text, icon="lock", color_scheme="gray", size="1", width="100%"),
    )


def _profile_fields() -> rx.Component:
    return rx.vstack(
        _section_heading("Profile", "Shown in the app and on every email you send."),
        _inline_error(SettingsState.org_error),
        form_field(
            "Organization name",
            rx.input(
                value=SettingsState.form_name,
                on_change=SettingsState.set_form_name,
                name="name",
                id="org-name-input",
                size="3",
                width="100%",
                max_length=200,
                disabled=~SettingsState.is_admin,
            ),
        ),
        form_field(
            "Brand colour",
            rx.hstack(
                rx.el.input(
                    type="color",
                    value=SettingsState.form_color,
                    on_change=SettingsState.set_form_color,
                    disabled=~SettingsState.is_admin,
                    aria_label="Pick a brand colour",
                    style={
                        "width": "44px",
                        "height": "36px",
                        "border": "none",
                        "background": "none",
                        "cursor": "pointer",
                    },
                ),
                rx.input(
                    value=SettingsState.form_color,
                    on_change=SettingsState.set_form_color,
                    name="brand_color",
                    id="brand-color-input",
                    width="120px",
                    max_length=7,
                    disabled=~SettingsState.is_admin,
                ),
                rx.box(
                    rx.text("Button preview", size="2", weight="medium", color="white"),
                    background=SettingsState.form_color,
                    padding="6px 14px",
                    border_radius="8px",
                ),
                align="center",
                spacing="3",
                wrap="wrap",
            ),
        ),
        form_field(
            "Default currency",
            choice_select(
                CURRENCY_CHOICES,
                value=SettingsState.form_currency,
                on_change=SettingsState.set_form_currency,
                name="default_currency",
                trigger_id="default-currency",
                disabled=~SettingsState.is_admin,
                width="280px",
            ),
            hint="New invoices and subscriptions start in it; each can still use another.",
        ),
        rx.cond(
            SettingsState.is_admin,
            rx.button(
                rx.icon("save", size=16),
                "Save changes",
                type="submit",
                id="save-organization",
            ),
        ),
        spacing="4",
        width="100%",
    )


def _organization_tab() -> rx.Component:
    profile = card(
        rx.form(_profile_fields(), on_submit=SettingsState.save_organization, width="100%")
    )
    logo = card(
        rx.vstack(
            _section_heading("Logo", "PNG, JPEG, GIF or WebP, up to 2 MB."),
            rx.hstack(
                rx.center(
                    rx.cond(
                        SettingsState.org_logo_url != "",
                        rx.image(
                            src=SettingsState.org_logo_url,
                            alt="Current logo",
                            max_height="72px",
                            max_width="160px",
                        ),
                        rx.text("No logo yet", size="2", color=rx.color("gray", 11)),
                    ),
                    width="180px",
                    height="96px",
                    border=f"1px solid {rx.color('gray', 5)}",
                    border_radius="10px",
                    background=rx.color("gray", 2),
                ),
                rx.cond(
                    SettingsState.is_admin,
                    rx.vstack(
                        rx.upload(
                            rx.button(
                                rx.icon("upload", size=16),
                                "Upload logo",
                                variant="soft",
                                type="button",
                            ),
                            id="logo-upload",
                            accept={
                                "image/png": [".png"],
                                "image/jpeg": [".jpg", ".jpeg"],
                                "image/gif": [".gif"],
                                "image/webp": [".webp"],
                            },
                            max_files=1,
                            multiple=False,
                            no_drag=True,
                            on_drop=SettingsState.upload_logo(
                                rx.upload_files(upload_id="logo-upload")
                            ),
                            border="none",
                            padding="0",
                        ),
                        rx.cond(
                            SettingsState.org_logo_url != "",
                            rx.button(
                                "Remove logo",
                                variant="ghost",
                                color_scheme="red",
                                size="1",
                                on_click=SettingsState.remove_logo,
                            ),
                        ),
                        spacing="2",
                    ),
                ),
                spacing="4",
                align="center",
                wrap="wrap",
            ),
            spacing="4",
            width="100%",
        )
    )
    return rx.vstack(
        _read_only_note("Only owners and admins can change the organization profile."),
        profile,
        logo,
        spacing="4",
        width="100%",
    )


def _role_badge(role) -> rx.Component:
    return rx.badge(
        role,
        color_scheme=rx.match(role, ("owner", "indigo"), ("admin", "blue"), "gray"),
        variant="soft",
    )


def _member_row(member: MemberRow) -> rx.Component:
    # Only an owner changes or removes an owner.
    editable = (
        SettingsState.is_admin
        & ~member.is_self
        & ((member.role != "owner") | (SettingsState.role == "owner"))
    )
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(
                    rx.cond(member.name != "", member.name, member.email),
                    weight="medium",
                    size="2",
                ),
                rx.text(member.email, size="1", color=rx.color("gray", 11)),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.cond(
                editable,
                choice_select(
                    SettingsState.grantable_roles,
                    value=member.role,
                    on_change=lambda role: SettingsState.change_role(member.membership_id, role),
                    size="1",
                    width="110px",
                    aria_label="Role",
                ),
                rx.hstack(
                    _role_badge(member.role),
                    rx.cond(
                        member.is_self, rx.badge("you", variant="outline", color_scheme="gray")
                    ),
                    spacing="1",
                ),
            )
        ),
        rx.table.cell(
            rx.text(member.joined, size="1", color=rx.color("gray", 11)), display=WIDE_ONLY
        ),
        rx.table.cell(
            rx.cond(
                editable,
                rx.icon_button(
                    rx.icon("user-minus", size=16),
                    variant="ghost",
                    color_scheme="red",
                    aria_label="Remove member",
                    on_click=SettingsState.ask("remove-member", member.membership_id, member.email),
                ),
            )
        ),
        align="center",
    )


def _invitation_row(invitation: InvitationRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(invitation.email, size="2")),
        rx.table.cell(_role_badge(invitation.role)),
        rx.table.cell(
            rx.text(invitation.expires, size="1", color=rx.color("gray", 11)), display=WIDE_ONLY
        ),
        rx.table.cell(
            rx.cond(
                SettingsState.is_admin,
                rx.button(
                    "Withdraw",
                    variant="ghost",
                    color_scheme="red",
                    size="1",
                    on_click=SettingsState.ask(
                        "withdraw-invitation", invitation.id, invitation.email
                    ),
                ),
            )
        ),
        align="center",
    )


def _members_tab() -> rx.Component:
    invite_form = card(
        rx.vstack(
            _section_heading(
                "Invite a member",
                "They get an email with a link to join. Without a mail server, "
                "open it from the Mailbox.",
            ),
            _inline_error(SettingsState.invite_error),
            rx.form(
                rx.flex(
                    rx.input(
                        name="email",
                        id="invite-email",
                        type="email",
                        placeholder="name@company.com",
                        required=True,
                        flex="1",
                        min_width="220px",
                        size="3",
                    ),
                    choice_select(
                        SettingsState.grantable_roles,
                        name="role",
                        default_value="member",
                        size="3",
                        width="140px",
                        trigger_id="invite-role",
                        aria_label="Role",
                    ),
                    rx.button(rx.icon("send", size=16), "Send invitation", type="submit", size="3"),
                    spacing="3",
                    wrap="wrap",
                    width="100%",
                ),
                on_submit=SettingsState.invite,
                reset_on_submit=True,
                width="100%",
            ),
            spacing="4",
            width="100%",
        )
    )
    members = card(
        rx.vstack(
            _section_heading("Members", "People who can sign in to this organization."),
            scrolling_table(
                [("Person", False), ("Role", False), ("Joined", True), ("", False)],
                SettingsState.members,
                _member_row,
                table_id="members-table",
            ),
            spacing="3",
            width="100%",
        )
    )
    pending = rx.cond(
        SettingsState.invitations.length() > 0,
        card(
            rx.vstack(
                _section_heading("Pending invitations", "Waiting for the person to accept."),
                scrolling_table(
                    [("Email", False), ("Role", False), ("Expires", True), ("", False)],
                    SettingsState.invitations,
                    _invitation_row,
                    table_id="invitations-table",
                ),
                spacing="3",
                width="100%",
            )
        ),
    )
    return rx.vstack(
        _read_only_note("Only owners and admins can invite, change roles or remove members."),
        rx.cond(SettingsState.is_admin, invite_form),
        members,
        pending,
        spacing="4",
        width="100%",
    )


def _mode_badge(mode) -> rx.Component:
    return rx.badge(mode, color_scheme=rx.cond(mode == "live", "green", "amber"), variant="soft")


def _masked_key(masked) -> rx.Component:
    return rx.code(masked, variant="ghost", size="1", white_space="nowrap")


def _key_row(key: ApiKeyRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(key.name, weight="medium", size="2"),
                # On a phone the mode and key sit under the name instead of in their own columns.
                rx.hstack(
                    _mode_badge(key.mode),
                    _masked_key(key.masked),
                    spacing="2",
                    align="center",
                    display=["flex", "flex", "none"],
                ),
                spacing="1",
            )
        ),
        rx.table.cell(_mode_badge(key.mode), display=WIDE_ONLY),
        rx.table.cell(_masked_key(key.masked), display=WIDE_ONLY),
        rx.table.cell(
            rx.text(key.created, size="1", color=rx.color("gray", 11)), display=WIDE_ONLY
        ),
        rx.table.cell(
            rx.text(key.last_used, size="1", color=rx.color("gray", 11)), display=WIDE_ONLY
        ),
        rx.table.cell(
            rx.cond(
                key.revoked,
                rx.badge("Revoked", color_scheme="gray", variant="outline"),
                rx.badge("Active", color_scheme="green", variant="surface"),
            )
        ),
        rx.table.cell(
            rx.cond(
                SettingsState.is_admin & ~key.revoked,
                rx.button(
                    "Revoke",
                    variant="soft",
                    color_scheme="red",
                    size="1",
                    on_click=SettingsState.ask("revoke-key", key.id, key.name),
                ),
            )
        ),
        align="center",
        class_name="api-key-row",
    )


def _new_key_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Your new API key"),
            rx.dialog.description(
                "“", SettingsState.new_key_name, "” is ready. Copy it now.", size="2"
            ),
            rx.vstack(
                rx.callout(
                    "This is the only time the full key is shown. We store only a hash of it: "
                    "if you lose it, revoke it and create a new one.",
                    icon="triangle-alert",
                    color_scheme="amber",
                    size="1",
                ),
                rx.hstack(
                    rx.code(
                        SettingsState.new_key,
                        id="new-api-key",
                        size="2",
                        style={"word_break": "break-all", "user_select": "all"},
                        padding="8px",
                        flex="1",
                    ),
                    rx.icon_button(
                        rx.icon("copy", size=16),
                        on_click=[
                            rx.set_clipboard(SettingsState.new_key),
                            rx.toast.info("Key copied to the clipboard."),
                        ],
                        aria_label="Copy key",
                        id="copy-api-key",
                    ),
                    align="center",
                    width="100%",
                ),
                rx.text(
                    "Use it as ",
                    rx.code("Authorization: Bearer <key>"),
                    " or ",
                    rx.code("X-API-Key"),
                    " on /api/v1.",
                    size="1",
                    color=rx.color("gray", 11),
                ),
                rx.flex(
                    rx.dialog.close(rx.button("I have saved it", id="close-api-key")),
                    justify="end",
                    width="100%",
                ),
                spacing="4",
                margin_top="12px",
            ),
            max_width="560px",
        ),
        open=SettingsState.new_key != "",
        on_open_change=SettingsState.close_new_key,
    )


def _api_keys_tab() -> rx.Component:
    create_form = card(
        rx.vstack(
            _section_heading(
                "Create an API key",
                "Live keys act on real data. Test keys create test objects and never send email.",
            ),
            _inline_error(SettingsState.key_error),
            rx.form(
                rx.flex(
                    rx.input(
                        name="name",
                        id="api-key-name",
                        placeholder="Key name, e.g. Accounting sync",
                        flex="1",
                        min_width="220px",
                        size="3",
                        max_length=200,
                    ),
                    rx.segmented_control.root(
                        rx.segmented_control.item("Live", value="live"),
                        rx.segmented_control.item("Test", value="test"),
                        value=SettingsState.key_mode,
                        on_change=SettingsState.set_key_mode,
                        size="3",
                        id="api-key-mode",
                    ),
                    rx.button(rx.icon("key-round", size=16), "Create key", type="submit", size="3"),
                    spacing="3",
                    wrap="wrap",
                    align="center",
                    width="100%",
                ),
                on_submit=SettingsState.create_key,
                reset_on_submit=True,
                width="100%",
            ),
            spacing="4",
            width="100%",
        )
    )
    listing = rx.cond(
        SettingsState.keys.length() > 0,
        card(
            rx.vstack(
                _section_heading("API keys", "Keys are shown by prefix and last four characters."),
                scrolling_table(
                    [
                        ("Name", False),
                        ("Mode", True),
                        ("Key", True),
                        ("Created", True),
                        ("Last used", True),
                        ("Status", False),
                        ("", False),
                    ],
                    SettingsState.keys,
                    _key_row,
                    table_id="api-keys-table",
                ),
                spacing="3",
                width="100%",
            )
        ),
        empty_state(
            "key-round",
            "No API keys yet",
            "Create a key to call the REST API at /api/v1 from your own systems.",
        ),
    )
    return rx.vstack(
        _read_only_note("Only owners and admins can create or revoke API keys."),
        rx.cond(SettingsState.is_admin, create_form),
        listing,
        _new_key_dialog(),
        spacing="4",
        width="100%",
    )


def _confirm_dialog() -> rx.Component:
    return confirm_dialog(
        SettingsState.confirm_title,
        [SettingsState.confirm_text],
        keep="Cancel",
        confirm="Confirm",
        on_confirm=SettingsState.confirm,
        confirm_id="confirm",
        open=SettingsState.confirm_kind != "",
        on_open_change=SettingsState.cancel_confirm,
    )


def settings_page() -> rx.Component:
    return app_shell(
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger("Organization", value="organization"),
                rx.tabs.trigger("Members", value="members"),
                rx.tabs.trigger("API keys", value="api-keys"),
                size="2",
            ),
            rx.tabs.content(_organization_tab(), value="organization", padding_top="20px"),
            rx.tabs.content(_members_tab(), value="members", padding_top="20px"),
            rx.tabs.content(_api_keys_tab(), value="api-keys", padding_top="20px"),
            value=SettingsState.tab,
            on_change=SettingsState.set_tab,
            width="100%",
        ),
        _confirm_dialog(),
        title="Settings",
    )
