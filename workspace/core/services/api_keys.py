"""API keys: `wgs_live_` / `wgs_test_` + 43 base62 characters + a 6-character checksum.

Only the SHA-256 of a key is stored; the full key is returned once, at creation.
"""

from __future__ import annotations

import hashlib
import threading
import time
import zlib
from dataclasses import dataclass

from sqlalchemy import event
from sqlmodel import Session, col, select

from workspace.core.actor import Actor
from workspace.core.clock import now_ms
from workspace.core.errors import NotFound, Unauthorized
from workspace.core.ids import BASE62, random_base62
from workspace.core.models import ApiKey, Organization
from workspace.core.services.audit import record_audit
from workspace.core.validation import clean_text

PREFIXES = {"live": "wgs_live_", "test": "wgs_test_"}
RANDOM_LENGTH = 43  # 43 base62 characters carry 256 bits
CHECKSUM_LENGTH = 6
LAST_USED_RESOLUTION_MS = 60_000
IDENTITY_CACHE_SECONDS = 10
IDENTITY_CACHE_SIZE = 10_000


def _checksum(body: str) -> str:
    value = zlib.crc32(body.encode())
    chars = []
    for _ in range(CHECKSUM_LENGTH):
        value, rest = divmod(value, 62)
        chars.append(BASE62[rest])
    return "".join(chars)


def _hash(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def generate_key(mode: str) -> str:
    body = PREFIXES[mode] + random_base62(RANDOM_LENGTH)
    return body + _checksum(body)


def is_well_formed(raw_key: str) -> bool:
    prefix = next((p for p in PREFIXES.values() if raw_key.startswith(p)), None)
    if prefix is None or len(raw_key) != len(prefix) + RANDOM_LENGTH + CHECKSUM_LENGTH:
        return False
    body, checksum = raw_key[:-CHECKSUM_LENGTH], raw_key[-CHECKSUM_LENGTH:]
    return all(c in BASE62 for c in raw_key[len(prefix) :]) and _checksum(body) == checksum


def create_api_key(
    session: Session, *, actor: Actor, name: str, test: bool = False
) -> tuple[ApiKey, str]:
    """Returns the stored row and the full key (shown once, never stored)."""
    actor.require_admin()
    name = clean_text(name, field="name")
    mode = "test" if test else "live"
    raw = generate_key(mode)
    key = ApiKey(
        org_id=actor.org_id,
        name=name,
        mode=mode,
        prefix=PREFIXES[mode],
        last4=raw[-4:],
        key_hash=_hash(raw),
        created_by=actor.user_id,
    )
    session.add(key)
    session.flush()
    record_audit(
        session,
        actor=actor,
        subject_type="organization",
        subject_id=actor.org_id,
        action="api_key_created",
        description=f"API key “{name}” ({mode}) created",
        data={"apiKeyId": key.id},
    )
    return key, raw


def list_api_keys(session: Session, *, actor: Actor, include_revoked: bool = True) -> list[ApiKey]:
    query = select(ApiKey).where(ApiKey.org_id == actor.org_id)
    if not include_revoked:
        query = query.where(col(ApiKey.revoked_at).is_(None))
    return list(session.exec(query.order_by(col(ApiKey.created_at).desc())))


def revoke_api_key(session: Session, *, actor: Actor, key_id: str) -> ApiKey:
    actor.require_admin()
    key = session.get(ApiKey, key_id)
    if key is None or key.org_id != actor.org_id:
        raise NotFound("API key not found.")
    if key.revoked_at is None:
        key.revoked_at = now_ms()
        event.listen(session, "after_commit", lambda _session: _identities.clear(), once=True)
        record_audit(
            session,
            actor=actor,
            subject_type="organization",
            subject_id=actor.org_id,
            action="api_key_revoked",
            description=f"API key “{key.name}” revoked",
            data={"apiKeyId": key.id},
        )
    return key


@dataclass(frozen=True)
class KeyIdentity:
    """Who an API key speaks for, as authentication found it."""

    actor: Actor
    organization_name: str
    key_name: str
    last4: str


class _IdentityCache:
    """Keys authenticated in the last few seconds, so that most requests skip the database.

    Revoking a key empties this process's cache when the revocation commits; other server
    processes stop accepting the key within IDENTITY_CACHE_SECONDS.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, KeyIdentity]] = {}
        self.generation = 0  # bumped by clear(), so a lookup that raced a revocation is dropped

    def get(self, key_hash: str) -> KeyIdentity | None:
        entry = self._entries.get(key_hash)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, key_hash: str, identity: KeyIdentity, generation: int) -> None:
        with self._lock:
            if generation != self.generation:
                return
            if len(self._entries) >= IDENTITY_CACHE_SIZE:
                self._entries.clear()
            self._entries[key_hash] = (time.monotonic() + IDENTITY_CACHE_SECONDS, identity)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.generation += 1


_identities = _IdentityCache()


def cached_identity(raw_key: str) -> KeyIdentity | None:
    """The identity of a key authenticated moments ago, without touching the database."""
    return _identities.get(_hash(raw_key)) if raw_key else None


def authenticate_api_key(session: Session, *, raw_key: str) -> KeyIdentity:
    """The organization a key acts for; 401 when missing, malformed, unknown or revoked."""
    if not raw_key:
        raise Unauthorized(
            "Missing API key. Send it as 'Authorization: Bearer <key>' or 'X-API-Key'."
        )
    if not is_well_formed(raw_key):
        raise Unauthorized("Malformed API key.")
    key_hash, generation = _hash(raw_key), _identities.generation
    row = session.exec(
        select(ApiKey, Organization.name)
        .join(Organization, col(Organization.id) == ApiKey.org_id)
        .where(ApiKey.key_hash == key_hash)
    ).first()
    if row is None:
        raise Unauthorized("Unknown API key.")
    key, organization_name = row
    if key.revoked_at is not None:
        raise Unauthorized("This API key has been revoked.")
    now = now_ms()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION_MS:
        key.last_used_at = now
    actor = Actor(
        org_id=key.org_id, type="api", api_key_id=key.id, test_mode=key.mode == "test", role="admin"
    )
    identity = KeyIdentity(actor, organization_name, key.name, key.last4)
    _identities.put(key_hash, identity, generation)
    return identity
