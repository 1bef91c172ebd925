"""ASGI middleware for /api/v1: body size and content type checks, rate-limit headers."""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from workspace.api.routing import request_body_bytes
from workspace.core.config import get_settings

BODY_METHODS = {"POST", "PUT", "PATCH"}


def _encoded(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode(), value.encode()) for name, value in headers.items()]


async def send_error(
    send: Send, status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> None:
    body = json.dumps({"error": code, "message": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *_encoded(headers or {}),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def adding_headers(send: Send, headers: Callable[[], dict[str, str] | None]) -> Send:
    """`send` with `headers()` (read when the response starts) added to the response."""

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            extra = headers()
            if extra:
                message["headers"] = list(message.get("headers", [])) + _encoded(extra)
        await send(message)

    return send_with_headers


class ApiGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        limit = get_settings().max_body_bytes
        method = scope["method"]
        if method in BODY_METHODS:
            length = headers.get(b"content-length")
            declared = int(length) if length is not None and length.isdigit() else None
            if declared is not None:
                request_body_bytes.set(declared)
                if declared > limit:
                    await send_error(
                        send,
                        413,
                        "payload_too_large",
                        f"The request body is larger than {limit} bytes.",
                    )
                    return
            content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
            has_body = (length not in (None, b"0")) or b"transfer-encoding" in headers
            if has_body and content_type != b"application/json":
                await send_error(
                    send,
                    415,
                    "unsupported_media_type",
                    "Send the request body as JSON with 'Content-Type: application/json'.",
                )
                return

        if method in BODY_METHODS and headers.get(b"content-length") is None:
            # A streamed body of unknown length: read it up to the limit before routing.
            chunks, size = [], 0
            while True:
                message = await receive()
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                if size > limit:
                    await send_error(
                        send,
                        413,
                        "payload_too_large",
                        f"The request body is larger than {limit} bytes.",
                    )
                    return
                if not message.get("more_body"):
                    break
            body = b"".join(chunks)
            request_body_bytes.set(size)
            replayed = False

            async def receive() -> Message:  # noqa: F811
                nonlocal replayed
                if replayed:
                    return {"type": "http.disconnect"}
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}

        def rate_limit_headers() -> dict[str, str] | None:  # set by the key's dependency
            return scope.get("state", {}).get("rate_limit_headers")

        await self.app(scope, receive, adding_headers(send, rate_limit_headers))
