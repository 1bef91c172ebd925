"""Log in, sign up, password reset and invitation pages (no account needed)."""

from __future__ import annotations

import reflex as rx

from workspace.core.db import session_scope
from workspace.core.errors import DomainError
from workspace.core.services import accounts
from workspace.ui.components.forms import form_field
from workspace.ui.layout import public_shell
from workspace.ui.state import AuthState


def _safe_next(raw: str | None) -> str:
    return raw if raw and raw.startswith("/") and not raw.startswith("//") else "/"


class LoginState(AuthState):
    error: str = ""
    notice: str = ""
    invite_org: str = ""
    invite_email: str = ""

    def _signed_in(self, signed: accounts.SignedIn):
        self.session_token = signed.token
        self.error = ""
        return rx.redirect(_safe_next(self.router.url.query_parameters.get("next")))

    @rx.event
    def clear(self):
        self.error = self.notice = ""

    @rx.event
    def log_in(self, form: dict):
        try:
            with session_scope() as session:
                signed = accounts.log_in(
                    session,
                    email=form.get("email", ""),
                    password=form.get("password", ""),
                    ip=self.router.session.client_ip or "",
                )
        except DomainError as exc:
            self.error = exc.message
            return None
        return self._signed_in(signed)

    @rx.event
    def sign_up(self, form: dict):
        try:
            with session_scope() as session:
                accounts.sign_up(
                    session,
                    email=form.get("email", ""),
                    password=form.get("password", ""),
                    name=form.get("name", ""),
                    org_name=form.get("organization", ""),
                )
            with session_scope() as session:
                signed = accounts.log_in(
                    session,
                    email=form.get("email", ""),
                    password=form.get("password", ""),
                    ip=self.router.session.client_ip or "",
                )
        except DomainError as exc:
            self.error = exc.message
            return None
        return self._signed_in(signed)

    @rx.event
    def request_reset(self, form: dict):
        with session_scope() as session:
            accounts.request_password_reset(session, email=form.get("email", ""))
        self.error = ""
        self.notice = "If an account uses that email, a reset link is on its way."

    @rx.event
    def reset_password(self, form: dict):
        if form.get("password") != form.get("confirm"):
            self.error = "The two passwords do not match."
            return None
        try:
            with session_scope() as session:
                accounts.reset_password(
                    session,
                    token=self.router.url.query_parameters.get("token", ""),
                    new_password=form.get("password", ""),
                )
        except DomainError as exc:
            self.error = exc.message
            return None
        self.error = ""
        return [
            rx.toast.success("Password changed. Log in with the new one."),
            rx.redirect("/login"),
        ]

    @rx.event
    def load_invitation(self):
        self.error = ""
        try:
            with session_scope() as session:
                invitation, org = accounts.invitation_for_token(
                    session, token=self.router.url.query_parameters.get("token", "")
                )
            self.invite_org, self.invite_email = org.name, invitation.email
        except DomainError as exc:
            self.invite_org = self.invite_email = ""
            self.error = exc.message

    @rx.event
    def accept_invitation(self, form: dict):
        try:
            with session_scope() as session:
                signed = accounts.accept_invitation(
                    session,
                    token=self.router.url.query_parameters.get("token", ""),
                    name=form.get("name", ""),
                    password=form.get("password", ""),
                )
        except DomainError as exc:
            self.error = exc.message
            return None
        self.session_token = signed.token
        return rx.redirect("/")


def _field(label: str, name: str, type_: str = "text", **props) -> rx.Component:
    return form_field(
        label, rx.input(name=name, id=name, type=type_, size="3", width="100%", **props)
    )


def _error() -> rx.Component:
    return rx.cond(
        LoginState.error != "",
        rx.callout(
            LoginState.error, icon="triangle-alert", color_scheme="red", role="alert", width="100%"
        ),
    )


def _notice() -> rx.Component:
    return rx.cond(
        LoginState.notice != "",
        rx.callout(LoginState.notice, icon="info", color_scheme="green", width="100%"),
    )


def login_page() -> rx.Component:
    return public_shell(
        rx.heading("Log in", size="6"),
        _error(),
        rx.form(
            rx.vstack(
                _field("Email", "email", "email", required=True, auto_complete="email"),
                _field(
                    "Password",
                    "password",
                    "password",
                    required=True,
                    auto_complete="current-password",
                ),
                rx.button("Log in", type="submit", size="3", width="100%"),
                spacing="4",
            ),
            on_submit=LoginState.log_in,
        ),
        rx.hstack(
            rx.link("Forgot password?", href="/forgot-password", size="2"),
            rx.link("Create an account", href="/signup", size="2"),
            justify="between",
            width="100%",
        ),
    )


def signup_page() -> rx.Component:
    return public_shell(
        rx.heading("Create your workspace", size="6"),
        rx.text(
            "You become the owner of a new organization.", color=rx.color("gray", 11), size="2"
        ),
        _error(),
        rx.form(
            rx.vstack(
                _field("Your name", "name", auto_complete="name"),
                _field("Organization", "organization", required=True),
                _field("Email", "email", "email", required=True, auto_complete="email"),
                _field(
                    "Password (8+ characters)",
                    "password",
                    "password",
                    required=True,
                    auto_complete="new-password",
                ),
                rx.button("Create account", type="submit", size="3", width="100%"),
                spacing="4",
            ),
            on_submit=LoginState.sign_up,
        ),
        rx.text("Already have an account? ", rx.link("Log in", href="/login"), size="2"),
    )


def forgot_page() -> rx.Component:
    return public_shell(
        rx.heading("Reset your password", size="6"),
        _notice(),
        rx.form(
            rx.vstack(
                _field("Email", "email", "email", required=True),
                rx.button("Email me a reset link", type="submit", size="3", width="100%"),
                spacing="4",
            ),
            on_submit=LoginState.request_reset,
        ),
        rx.link("Back to log in", href="/login", size="2"),
    )


def reset_page() -> rx.Component:
    return public_shell(
        rx.heading("Choose a new password", size="6"),
        _error(),
        rx.form(
            rx.vstack(
                _field("New password", "password", "password", required=True),
                _field("Repeat it", "confirm", "password", required=True),
                rx.button("Change password", type="submit", size="3", width="100%"),
                spacing="4",
            ),
            on_submit=LoginState.reset_password,
        ),
    )


def accept_invite_page() -> rx.Component:
    return public_shell(
        rx.cond(
            LoginState.invite_org != "",
            rx.vstack(
                rx.heading("Join ", LoginState.invite_org, size="6"),
                rx.text(
                    "Set up your account for ", rx.text.strong(LoginState.invite_email), size="2"
                ),
                _error(),
                rx.form(
                    rx.vstack(
                        _field("Your name", "name"),
                        _field("Password", "password", "password", required=True),
                        rx.button("Join", type="submit", size="3", width="100%"),
                        spacing="4",
                    ),
                    on_submit=LoginState.accept_invitation,
                    width="100%",
                ),
                spacing="4",
                width="100%",
            ),
            rx.vstack(
                rx.heading("Invitation", size="6"), _error(), rx.link("Go to log in", href="/login")
            ),
        ),
    )
