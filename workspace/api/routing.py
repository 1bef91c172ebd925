"""Where /api/v1 handlers run: on the event loop for the embedded database, else in threads.

A handler of this API does a few milliseconds of database work. With SQLite that work never
waits on a network, and handing it to a worker thread costs more CPU than the work itself once
requests overlap: every SQLite call releases the GIL and the threads then fight over it. So on
SQLite, sync handlers run on the event loop, unless the request carries a large body (base64
documents) or the handler is marked `threaded` (PDF rendering, file reads). On PostgreSQL,
whose calls wait on the network, they run in the threadpool as FastAPI would run them.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.routing import Match
from starlette.types import Scope

from workspace.core.db import get_engine

T = TypeVar("T")

# Bodies up to this size are parsed and handled on the event loop; bigger ones are uploads.
INLINE_BODY_BYTES = 256 * 1024

request_body_bytes: contextvars.ContextVar[int] = contextvars.ContextVar(
    "request_body_bytes", default=0
)


def embedded_database() -> bool:
    return get_engine().dialect.name == "sqlite"


async def run_db(work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Runs short database work where it costs least (see the module's docstring)."""
    if embedded_database() and request_body_bytes.get() <= INLINE_BODY_BYTES:
        return work(*args, **kwargs)
    return await run_in_threadpool(work, *args, **kwargs)


def threaded(handler: Callable[..., T]) -> Callable[..., T]:
    """Marks a sync handler whose work is long (PDFs, files): it always runs in a thread."""
    handler.threaded = True  # type: ignore[attr-defined]
    return handler


class DatabaseRoute(APIRoute):
    """The route class of the /api/v1 routers: sync handlers run through `run_db`."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint) and not getattr(endpoint, "threaded", False):
            endpoint = _through_run_db(endpoint)
        super().__init__(path, endpoint, **kwargs)


def _through_run_db(handler: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(handler)  # FastAPI reads the parameters of the wrapped handler
    async def endpoint(*args: Any, **kwargs: Any) -> Any:
        return await run_db(handler, *args, **kwargs)

    return endpoint


class ApiRouter(APIRouter):
    """A router of /api/v1. Its handlers run through `run_db`, and a request whose first path
    segment none of its routes starts with is turned away at once: routing is a scan over
    every route, which in one flat list costs more than many handlers do."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(route_class=DatabaseRoute, **kwargs)
        self._segments: tuple[int, frozenset[str] | None] = (-1, None)

    def _first_segments(self) -> frozenset[str] | None:
        """First segments of the routes' paths; None when one starts with a parameter."""
        count, segments = self._segments
        if count != len(self.routes):
            names = {getattr(route, "path", "/").split("/")[1] for route in self.routes}
            segments = None if any(name.startswith("{") for name in names) else frozenset(names)
            self._segments = (len(self.routes), segments)
        return segments

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        segments = self._first_segments()
        if segments is not None:
            path, root = scope["path"], scope.get("root_path", "")
            if path.startswith(root):
                path = path[len(root) :]
            if path.split("/", 2)[1] not in segments:
                return Match.NONE, {}
        return super().matches(scope)
