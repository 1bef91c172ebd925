"""`Idempotency-Key` on POST: the same key and body replays the first response;
the same key with another body is a 409. Records are kept per API key."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from workspace.api.auth import identify, raw_key_from
from workspace.api.middleware import send_error
from workspace.api.routing import run_db
from workspace.core.db import read_scope, session_scope
from workspace.core.errors import DomainError
from workspace.core.models import IdempotencyRecord


async def _api_key_id(raw_key: str) -> str | None:
    """The key's id, or None for a bad key (the route then answers 401 itself)."""
    try:
        return (await identify(raw_key)).actor.api_key_id
    except DomainError:
        return None


def _lookup(api_key_id: str, idem_key: str) -> IdempotencyRecord | None:
    with read_scope() as session:
        return session.exec(
            select(IdempotencyRecord).where(
                IdempotencyRecord.api_key_id == api_key_id, IdempotencyRecord.key == idem_key
            )
        ).first()


def _canonical(body: bytes) -> bytes:
    """The body as JSON written one way (key order and spacing aside), so that a client that
    serialises the same request differently is still recognised; other bodies as they are."""
    try:
        return json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        return body


def _store(api_key_id: str, idem_key: str, request_hash: str, status: int, body: bytes) -> None:
    try:
        with session_scope() as session:
            session.add(
                IdempotencyRecord(
                    api_key_id=api_key_id,
                    key=idem_key,
                    request_hash=request_hash,
                    status_code=status,
                    response_body=body.decode(errors="replace"),
                )
            )
    except IntegrityError:
        pass  # a concurrent request with the same key stored it first


class Idempotency:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        idem_key = headers.get("idempotency-key", "").strip()
        if not idem_key:
            await self.app(scope, receive, send)
            return
        if len(idem_key) > 255:
            await send_error(
                send, 400, "validation_error", "Idempotency-Key is longer than 255 characters."
            )
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        request_hash = hashlib.sha256(
            scope["method"].encode() + b" " + scope["path"].encode() + b"\n" + _canonical(body)
        ).hexdigest()
        api_key_id = await _api_key_id(raw_key_from(headers))
        record = await run_db(_lookup, api_key_id, idem_key) if api_key_id else None
        if record is not None:
            if record.request_hash != request_hash:
                await send_error(
                    send,
                    409,
                    "idempotency_conflict",
                    "This Idempotency-Key was already used with a different request.",
                )
                return
            payload = record.response_body.encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": record.status_code,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(payload)).encode()),
                        (b"idempotent-replayed", b"true"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": payload})
            return

        sent = False

        async def replay_receive() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        status = 0
        response_chunks: list[bytes] = []

        async def capture_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                response_chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, replay_receive, capture_send)
        if api_key_id and status and status < 500 and status != 429:
            response = b"".join(response_chunks)
            try:
                json.loads(response or b"null")
            except ValueError:
                return
            await run_db(_store, api_key_id, idem_key, request_hash, status, response)
