"""Webhook bodies, signatures and target checks.

The body is serialised exactly as JavaScript's `JSON.stringify` would re-serialise the parsed
body, so a receiver that verifies `JSON.stringify(req.body)` (the documented recipe) computes
the same bytes we signed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import os
import re
from typing import Any
from urllib.parse import urlsplit

from workspace.core.errors import ValidationFailed

SECRET_PREFIX = "whsec_"
_ARRAY_INDEX = re.compile(r"^(0|[1-9][0-9]{0,9})$")
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$")
RESERVED_HEADERS = {"host", "content-type", "content-length", "user-agent", "connection"}


def new_secret() -> str:
    """`whsec_` + base64 of 24 random bytes (the Standard Webhooks key format)."""
    return SECRET_PREFIX + base64.b64encode(os.urandom(24)).decode()


def _js_order(value: Any) -> Any:
    """Integral floats become ints; dict keys that are array indexes go first, ascending,
    as JavaScript orders object properties."""
    if isinstance(value, dict):
        items = [(str(k), _js_order(v)) for k, v in value.items()]
        indexes = sorted(
            (kv for kv in items if _ARRAY_INDEX.match(kv[0])), key=lambda kv: int(kv[0])
        )
        others = [kv for kv in items if not _ARRAY_INDEX.match(kv[0])]
        return dict(indexes + others)
    if isinstance(value, list | tuple):
        return [_js_order(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    return value


def canonical_body(payload: dict[str, Any]) -> bytes:
    return json.dumps(_js_order(payload), separators=(",", ":"), ensure_ascii=False).encode()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=` + hex HMAC-SHA256 keyed by the whole secret string over "<timestamp>.<body>"."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def sign_standard(secret: str, message_id: str, timestamp_s: int, body: bytes) -> str:
    """Standard Webhooks `v1,` signature: key is the base64 part of the secret."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp_s}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signature_headers(
    *,
    secrets: list[str],
    event_id: str,
    event_type: str,
    timestamp_ms: int,
    body: bytes,
) -> dict[str, str]:
    """Headers for one delivery. `secrets[0]` is current; a second one (during a rotation
    overlap) signs `X-Webhook-Signature-Previous` and joins the `webhook-signature` list."""
    timestamp_s = timestamp_ms // 1000
    headers = {
        "Content-Type": "application/json",
        "X-Webhook-Event": event_type,
        "X-Webhook-Timestamp": str(timestamp_ms),
        "X-Webhook-Signature": sign(secrets[0], timestamp_ms, body),
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp_s),
        "webhook-signature": " ".join(
            sign_standard(secret, event_id, timestamp_s, body) for secret in secrets
        ),
    }
    if len(secrets) > 1:
        headers["X-Webhook-Signature-Previous"] = sign(secrets[1], timestamp_ms, body)
    return headers


def check_url(url: str | None, *, allow_private: bool, field: str = "url") -> str:
    """http(s) with a host, no credentials; literal private addresses refused unless allowed.
    Host names are checked again after DNS resolution at send time."""
    url = (url or "").strip()
    if not url:
        raise ValidationFailed("url is required.", field=field)
    if len(url) > 2048:
        raise ValidationFailed("url must be at most 2048 characters.", field=field)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed(
            "The webhook URL must start with http:// or https:// and name a host.",
            field=field,
            value=url,
        )
    if parts.username or parts.password:
        raise ValidationFailed(
            "Put credentials in the custom auth header, not in the URL.", field=field
        )
    try:
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError:
        raise ValidationFailed("The URL has an invalid port.", field=field, value=url) from None
    if not allow_private:
        try:
            address = ipaddress.ip_address(parts.hostname)
        except ValueError:
            address = None
        if address is not None and is_blocked_address(address):
            raise ValidationFailed(
                f"{parts.hostname} is a private, loopback or link-local address; webhooks "
                "must reach a public address.",
                field=field,
                value=url,
            )
    return url


def is_blocked_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Loopback, private, link-local (incl. the cloud metadata address), shared, reserved,
    unspecified and multicast addresses; IPv4 mapped into IPv6 is unwrapped first."""
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            address = mapped
    return not address.is_global or address.is_multicast


def check_auth_header(name: str | None, value: str | None) -> tuple[str | None, str | None]:
    """A custom header sent with every delivery (e.g. Authorization: Bearer …), or none."""
    name = (name or "").strip()
    value = (value or "").strip()
    if not name and not value:
        return None, None
    if not name:
        raise ValidationFailed("Give the custom auth header a name.", field="authHeaderName")
    if not _TOKEN.match(name):
        raise ValidationFailed("That is not a valid HTTP header name.", field="authHeaderName")
    lowered = name.lower()
    if (
        lowered in RESERVED_HEADERS
        or lowered.startswith("x-webhook-")
        or lowered.startswith("webhook-")
    ):
        raise ValidationFailed(
            f"{name} is set by the webhook sender and cannot be overridden.",
            field="authHeaderName",
        )
    if not value:
        raise ValidationFailed("Give the custom auth header a value.", field="authHeaderValue")
    if len(value) > 2000 or any(c in value for c in "\r\n\0"):
        raise ValidationFailed(
            "The header value must be one line of at most 2000 characters.",
            field="authHeaderValue",
        )
    return name, value
