"""The Reflex app: UI pages, the REST API (`/api/v1`) and the background job runner."""

from __future__ import annotations

import asyncio
import contextlib
import gc

import reflex as rx

import workspace.core.services  # noqa: F401  (registers job handlers and event listeners)
from workspace.api.app import serve_with
from workspace.core.config import get_settings
from workspace.core.jobs import Runner
from workspace.mcp import mcp_lifespan
from workspace.ui.routes import add_pages

settings = get_settings()

app = rx.App(
    api_transformer=serve_with,
    head_components=[rx.el.meta(name="theme-color", content="#4f46e5")],
)
add_pages(app)
app.register_lifespan_task(mcp_lifespan)


@app.register_lifespan_task
async def settle_memory():
    """Everything loaded by now lives as long as the server: keep it out of the garbage
    collector's full passes, which otherwise walk it again and again and stall requests."""
    gc.collect()
    gc.freeze()


@app.register_lifespan_task
async def job_runner():
    """Runs due jobs (mail delivery, webhooks, reminders, expiry) while the app is up."""
    if not get_settings().run_jobs:
        return
    with contextlib.suppress(asyncio.CancelledError):
        await Runner(batch_size=100).run_forever()
