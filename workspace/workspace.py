"""The Reflex app: UI pages, the REST API (`/api/v1`) and the background job runner."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc

import reflex as rx

import workspace.core.services  # noqa: F401  (registers job handlers and event listeners)
from workspace.api.app import api_first, create_api_v1, outer_app
from workspace.core.config import get_settings
from workspace.core.jobs import Runner
from workspace.mcp import mcp_lifespan
from workspace.ui.routes import add_pages

settings = get_settings()

API = create_api_v1()


class WorkspaceApp(rx.App):
    """Reflex's app, whose ASGI app answers `/api/v1` ahead of Reflex's own middleware."""

    def __call__(self):
        return api_first(API, super().__call__())


app = WorkspaceApp(
    api_transformer=functools.partial(outer_app, API),
    head_components=[rx.el.meta(name="theme-color", content="#4f46e5")],
    stylesheets=["/workspace.css"],
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
