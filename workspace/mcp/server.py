"""MCP endpoint (streamable HTTP at /api/mcp): tools, resources and prompts over the same
services as the REST API.

Clients authenticate with the same API keys (`Authorization: Bearer wgs_live_…` or
`X-API-Key`). Each area registers its tools with `@mcp.tool` in its own module below
`workspace.mcp`, reading the caller with `current_actor()`. Resources use the `workspace://`
scheme (`workspace://templates`, `workspace://envelopes/{envelopeId}/audit`, …).
"""

from __future__ import annotations

import contextlib
import contextvars
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS
from pydantic import ValidationError
from sqlmodel import Session
from starlette.datastructures import Headers
from starlette.types import Receive, Scope, Send

from workspace.api import ratelimit
from workspace.api.auth import identify, raw_key_from
from workspace.api.middleware import adding_headers, send_error
from workspace.core.actor import Actor
from workspace.core.clock import now_ms
from workspace.core.db import session_scope
from workspace.core.errors import DomainError

_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("mcp_actor", default=None)

mcp = MCPServer(
    name="Workspace",
    instructions="Send documents for signature, manage templates, invoices and business "
    "records of the organization that owns the API key.",
)


def current_actor() -> Actor:
    actor = _actor.get()
    if actor is None:
        raise PermissionError("Not authenticated")
    return actor


def run_tool(work: Callable[[Session, Actor], Any]) -> str:
    """Run `work(session, actor)` in one transaction and return its result as JSON.

    Domain and validation errors make the call a tool error (`isError`) whose text is the
    API's error format, so an agent reads them as failures it can act on.
    """
    try:
        with session_scope() as session:
            return as_json(work(session, current_actor()))
    except DomainError as exc:
        error = {"error": exc.code, "message": exc.message, "details": exc.details}
        raise ToolError(as_json(error)) from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first.get("loc", ()))
        error = {
            "error": "validation_error",
            "message": f"{field}: {first.get('msg', 'invalid value')}",
            "details": {"field": field},
        }
        raise ToolError(as_json(error)) from exc


def read_data(work: Callable[[Session, Actor], Any]) -> Any:
    """Run `work(session, actor)` for a resource or a prompt; a domain error (an unknown id)
    becomes an MCP error naming it."""
    try:
        with session_scope() as session:
            return work(session, current_actor())
    except DomainError as exc:
        raise MCPError(code=INVALID_PARAMS, message=exc.message, data=exc.details) from exc


_session_manager: StreamableHTTPSessionManager | None = None


def _manager() -> StreamableHTTPSessionManager:
    global _session_manager
    if _session_manager is None:
        _session_manager = StreamableHTTPSessionManager(
            app=mcp._lowlevel_server, json_response=True, stateless=True
        )
    return _session_manager


@contextlib.asynccontextmanager
async def mcp_lifespan() -> AsyncIterator[None]:
    """Runs the session manager for the life of the app (a Reflex lifespan task)."""
    global _session_manager
    _session_manager = None
    async with _manager().run():
        yield


class McpEndpoint:
    """ASGI app for /api/mcp: authenticate the API key and count the request against the key's
    rate limit (shared with /api/v1), then hand over to the MCP transport."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            actor = (await identify(raw_key_from(Headers(scope=scope)))).actor
        except DomainError as exc:
            await send_error(send, 401, "unauthorized", exc.message, {"WWW-Authenticate": "Bearer"})
            return
        quota = await ratelimit.take(actor.api_key_id or "")
        if quota.exceeded:
            retry_after = str(max(quota.reset - now_ms() // 1000, 1))
            await send_error(
                send,
                429,
                "rate_limited",
                "Rate limit exceeded. Retry after the time in Retry-After.",
                {**quota.headers(), "Retry-After": retry_after},
            )
            return
        token = _actor.set(actor)
        try:
            await _manager().handle_request(scope, receive, adding_headers(send, quota.headers))
        finally:
            _actor.reset(token)


mcp_endpoint = McpEndpoint()


def as_json(data: Any) -> str:
    return json.dumps(data, default=str)
