"""Session handling shared by every signed-in page: page States subclass `AuthState`."""

from __future__ import annotations

import reflex as rx

from workspace.core.actor import Actor
from workspace.core.db import read_scope, session_scope
from workspace.core.errors import DomainError
from workspace.core.services import accounts, branding

SESSION_COOKIE = "ws_session"


class AuthState(rx.State):
    session_token: str = rx.Cookie("", name=SESSION_COOKIE, max_age=14 * 24 * 3600, same_site="lax")
    user_email: str = ""
    user_name: str = ""
    org_name: str = ""
    org_logo_url: str = ""
    brand_color: str = "#4f46e5"
    default_currency: str = "NGN"  # new invoices and subscriptions start in it
    role: str = ""

    def _actor(self) -> Actor | None:
        """The signed-in actor, resolved from the session cookie on every call."""
        with read_scope() as session:
            actor = accounts.resolve_session(session, token=self.session_token)
        if actor is None:
            return None
        return actor.with_request(
            ip=self.router.session.client_ip, user_agent=self.router.headers.user_agent
        )

    def _require_actor(self) -> Actor:
        actor = self._actor()
        if actor is None:
            raise DomainError("Your session has ended. Log in again.")
        return actor

    @rx.var
    def is_admin(self) -> bool:
        return self.role in ("owner", "admin")

    @rx.event
    def check_login(self):
        """on_load for signed-in pages: fill the header, or send to the login page."""
        actor = self._actor()
        if actor is None:
            path = self.router.url.path or "/"
            return rx.redirect(f"/login?next={path}")
        with read_scope() as session:
            self._show_organization(accounts.get_organization(session, actor=actor))
        self.user_email, self.user_name = actor.email or "", actor.name or ""
        self.role = actor.role or ""
        return None

    def _show_organization(self, org) -> None:
        """Refresh the name, logo, colour and currency the pages use (after loading or editing
        them)."""
        self.org_name = org.name
        self.org_logo_url = branding.logo_url(org)
        self.brand_color = org.brand_color
        self.default_currency = org.default_currency

    @rx.var
    def org_initial(self) -> str:
        return (self.org_name[:1] or "W").upper()

    @rx.event
    def log_out(self):
        with session_scope() as session:
            accounts.log_out(session, token=self.session_token)
        self.session_token = ""
        self.user_email = self.user_name = self.org_name = self.org_logo_url = self.role = ""
        return rx.redirect("/login")


def toast_error(exc: DomainError):
    return rx.toast.error(exc.message, position="top-center")
