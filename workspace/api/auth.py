"""API key authentication and the per-key rate limit, as a FastAPI dependency."""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import Headers

from workspace.api import ratelimit
from workspace.core.actor import Actor
from workspace.core.clock import now_ms
from workspace.core.db import session_scope
from workspace.core.errors import RateLimited
from workspace.core.services.api_keys import authenticate_api_key


def raw_key_from(headers: Headers) -> str:
    """The API key from `Authorization: Bearer …` or, failing that, `X-API-Key`."""
    authorization = headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return headers.get("x-api-key", "").strip()


def client_ip(request: Request) -> str | None:
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded:
        return forwarded.split(",")[0].strip()
    return request.client.host if request.client else None


def api_actor(request: Request) -> Actor:
    """The organization the key belongs to; 401 for a bad key, 429 over the limit."""
    with session_scope() as session:
        actor = authenticate_api_key(session, raw_key=raw_key_from(request.headers))
    quota = ratelimit.take(actor.api_key_id or "")
    request.scope.setdefault("state", {})["rate_limit_headers"] = quota.headers()
    if quota.exceeded:
        raise RateLimited(
            "Rate limit exceeded. Retry after the time in Retry-After.",
            retry_after=max(quota.reset - now_ms() // 1000, 1),
        )
    return actor.with_request(ip=client_ip(request), user_agent=request.headers.get("user-agent"))
