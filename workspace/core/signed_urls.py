"""Short-lived links signed with the install's secret (HMAC-SHA256), for files a browser or an
API client fetches without an API key (template documents, page images)."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

from workspace.core.clock import now_ms
from workspace.core.config import get_settings, secret_key
from workspace.core.errors import Forbidden

DEFAULT_TTL_SECONDS = 15 * 60


def _signature(path: str, expires: int) -> str:
    message = f"{path}\n{expires}".encode()
    return hmac.new(secret_key(), message, hashlib.sha256).hexdigest()[:32]


def sign_path(path: str, *, ttl_seconds: int = DEFAULT_TTL_SECONDS, absolute: bool = False) -> str:
    """`path?expires=<epoch s>&sig=<hmac>`; with `absolute`, prefixed by PUBLIC_BASE_URL.

    Expiry is rounded up to the next minute so repeated calls give the same URL for a while
    (browsers can cache the file)."""
    expires = ((now_ms() // 1000 + ttl_seconds) // 60 + 1) * 60
    url = f"{path}?{urlencode({'expires': expires, 'sig': _signature(path, expires)})}"
    return f"{get_settings().public_base_url}{url}" if absolute else url


def verify_path(path: str, *, expires: int | None, sig: str | None) -> None:
    """Raise Forbidden unless `sig` was made by `sign_path` for `path` and has not expired."""
    if expires is None or not sig:
        raise Forbidden("This link is not signed.")
    if not hmac.compare_digest(_signature(path, expires), sig):
        raise Forbidden("This link's signature is not valid.")
    if expires * 1000 < now_ms():
        raise Forbidden("This link has expired; ask for a new one.")
