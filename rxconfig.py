"""Reflex configuration. Runtime settings come from environment variables (see README)."""

import os

import reflex as rx

_port = int(os.environ.get("PORT", "3000"))
_public_url = os.environ.get("PUBLIC_BASE_URL", f"http://localhost:{_port}").rstrip("/")

config = rx.Config(
    app_name="workspace",
    frontend_port=_port,
    backend_port=int(os.environ.get("BACKEND_PORT", str(_port))),
    api_url=os.environ.get("API_URL", _public_url),
    deploy_url=_public_url,
    redis_url=os.environ.get("REDIS_URL") or None,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="indigo", gray_color="slate", radius="medium")
        )
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
