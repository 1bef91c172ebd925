"""API key authentication and the per-key rate limit, as FastAPI dependencies."""

from __future__ import annotations

from fastapi import Depends, Request
from starlette.datastructures import Headers

from workspace.api import ratelimit
from workspace.api.routing import run_db
from workspace.core.actor import Actor
from workspace.core.clock import now_ms
from workspace.core.db import session_scope
from workspace.core.errors import RateLimited
from workspace.core.services.api_keys import KeyIdentity, authenticate_api_key, cached_identity


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


def _authenticate(raw_key: str) -> KeyIdentity:
    with session_scope() as session:
        return authenticate_api_key(session, raw_key=raw_key)


async def identify(raw_key: str) -> KeyIdentity:
    """The key's identity, from the recent-keys cache when possible; 401 for a bad key."""
    return cached_identity(raw_key) or await run_db(_authenticate, raw_key)


async def api_identity(request: Request) -> KeyIdentity:
    """The key's identity; 401 for a bad key, 429 over the key's rate limit."""
    identity = await identify(raw_key_from(request.headers))
    quota = await ratelimit.take(identity.actor.api_key_id or "")
    request.scope.setdefault("state", {})["rate_limit_headers"] = quota.headers()
    if quota.exceeded:
        raise RateLimited(
            "Rate limit exceeded. Retry after the time in Retry-After.",
            retry_after=max(quota.reset - now_ms() // 1000, 1),
        )
    return identity


async def api_actor(request: Request, identity: KeyIdentity = Depends(api_identity)) -> Actor:
    """The organization actor every /api/v1 route acts as."""
    return identity.actor.with_request(
        ip=client_ip(request), user_agent=request.headers.get("user-agent")
    )
