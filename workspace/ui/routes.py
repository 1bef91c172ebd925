"""Every page of the app: (route, component, title, on_load)."""

from __future__ import annotations

import reflex as rx

from workspace.ui.pages import auth, dashboard, sections
from workspace.ui.state import AuthState

SIGNED_IN = AuthState.check_login

PAGES = [
    ("/login", auth.login_page, "Log in", auth.LoginState.clear),
    ("/signup", auth.signup_page, "Create account", auth.LoginState.clear),
    ("/forgot-password", auth.forgot_page, "Reset password", auth.LoginState.clear),
    ("/reset-password", auth.reset_page, "Choose a new password", auth.LoginState.clear),
    ("/accept-invite", auth.accept_invite_page, "Join", auth.LoginState.load_invitation),
    ("/", dashboard.dashboard_page, "Dashboard", SIGNED_IN),
    *[
        (route, sections.section_page(route), sections.UPCOMING[route][0], SIGNED_IN)
        for route in sections.UPCOMING
    ],
]


def add_pages(app: rx.App) -> None:
    for route, component, title, on_load in PAGES:
        app.add_page(component, route=route, title=f"{title} · Workspace", on_load=on_load)
