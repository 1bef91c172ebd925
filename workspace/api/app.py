"""Builds the FastAPI app that Reflex serves beside its own backend (`api_transformer`)."""

from __future__ import annotations

import contextlib
import functools

from fastapi import APIRouter, FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from workspace.api import (
    customers,
    envelope_files,
    envelopes,
    files,
    invoices,
    me,
    record_files,
    records,
    subscriptions,
    templates,
    webhooks,
)
from workspace.api.errors import install_error_handlers
from workspace.api.idempotency import Idempotency
from workspace.api.middleware import ApiGuard
from workspace.api.openapi import api_openapi

API_PREFIX = "/api/v1"

# No OpenTelemetry SDK is configured: skip FastAPI's per-request check for one.
NO_TELEMETRY = {"tracing": False, "metrics": False, "logs": False}

ROUTERS = [
    me.router,
    invoices.router,
    customers.router,
    subscriptions.router,
    *records.ROUTERS,
    envelopes.router,
    templates.router,
    webhooks.router,
]


def create_api_v1(routers: list[APIRouter] | None = None) -> FastAPI:
    api = FastAPI(
        telemetry=NO_TELEMETRY,
        title="Workspace API",
        version="1.0",
        description="E-signatures, invoices and business apps. Authenticate with "
        "`Authorization: Bearer wgs_live_…` or `X-API-Key`.",
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    install_error_handlers(api)
    for router in routers if routers is not None else ROUTERS:
        api.include_router(router)
    api.openapi = functools.partial(api_openapi, api)
    api.add_middleware(Idempotency)
    api.add_middleware(ApiGuard)
    return api


def create_app(routers: list[APIRouter] | None = None, *, api: FastAPI | None = None) -> FastAPI:
    """The outer app: `/api/v1` (`api`, else one built from `routers`) and public file routes;
    Reflex mounts its backend inside."""
    from workspace.mcp import mcp_endpoint, mcp_lifespan

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI):
        # Under Reflex the same context runs as a lifespan task (mounted apps get none).
        async with mcp_lifespan():
            yield

    app = FastAPI(
        telemetry=NO_TELEMETRY, openapi_url=None, docs_url=None, redoc_url=None, lifespan=lifespan
    )
    app.mount(API_PREFIX, api or create_api_v1(routers))
    app.include_router(files.router)
    app.include_router(envelope_files.router)
    app.include_router(record_files.router)
    app.include_router(invoices.public_router)
    app.include_router(templates.public_router)
    app.router.routes.append(Route("/api/mcp", mcp_endpoint, methods=["GET", "POST", "DELETE"]))
    return app


def outer_app(api: FastAPI, reflex_backend: ASGIApp) -> FastAPI:
    """What Reflex serves (its `api_transformer`): `create_app(api=api)` with Reflex's backend
    mounted inside."""
    app = create_app(api=api)
    app.mount("", reflex_backend)
    return app


def api_first(api: ASGIApp, app: ASGIApp) -> ASGIApp:
    """`/api/v1` requests go straight to the API app, everything else to `app`. The API's requests
    skip the middleware and routing of the app around it (Reflex's contexts and CORS, the outer
    app's routes), which they do not need: about a fifth of what a light API request costs."""

    # Keys, not cookies, authenticate the API, so a page on any origin may call it. Only a
    # browser's request carries an Origin header; the others skip the CORS layer.
    browser_api = CORSMiddleware(
        api,
        allow_origins=["*"],
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=[
            "X-RateLimit-Limit",
            "X-RateLimit-Remaining",
            "X-RateLimit-Reset",
            "Retry-After",
            "Idempotent-Replayed",
        ],
    )

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(API_PREFIX + "/"):
            scope = {**scope, "root_path": scope.get("root_path", "") + API_PREFIX}
            from_page = any(name == b"origin" for name, _ in scope["headers"])
            await (browser_api if from_page else api)(scope, receive, send)
        else:
            await app(scope, receive, send)

    return dispatch
