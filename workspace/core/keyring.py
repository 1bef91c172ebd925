"""The master key ring (a 0600 JSON file): wraps data keys for the vault and the CA key.

Rotation adds a new active key; registered re-wrap hooks then move every wrapped key to it.
Old keys stay in the ring so values wrapped before a rotation remain readable.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from workspace.core.config import ensure_data_dir, get_settings
from workspace.core.ids import random_base62


@dataclass(frozen=True)
class KeyRing:
    active_id: str
    keys: dict[str, bytes]

    @property
    def active(self) -> bytes:
        return self.keys[self.active_id]


def _write(ring: KeyRing) -> None:
    path = get_settings().master_key_file
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(
            {"active": ring.active_id, "keys": {k: v.hex() for k, v in ring.keys.items()}}, handle
        )
    os.replace(tmp, path)


def load_keyring() -> KeyRing:
    """Read the ring, creating it with one key on first use."""
    settings = get_settings()
    ensure_data_dir(settings)
    path = settings.master_key_file
    if not path.exists():
        key_id = "mk_" + random_base62(8)
        ring = KeyRing(active_id=key_id, keys={key_id: secrets.token_bytes(32)})
        _write(ring)
        return ring
    raw = json.loads(path.read_text())
    return KeyRing(
        active_id=raw["active"], keys={k: bytes.fromhex(v) for k, v in raw["keys"].items()}
    )


def wrap(plain_key: bytes, *, aad: bytes) -> tuple[str, bytes]:
    """Encrypt a data key under the active master key; returns (key id, nonce+ciphertext)."""
    ring = load_keyring()
    nonce = os.urandom(12)
    return ring.active_id, nonce + AESGCM(ring.active).encrypt(nonce, plain_key, aad)


def unwrap(key_id: str, wrapped: bytes, *, aad: bytes) -> bytes:
    ring = load_keyring()
    return AESGCM(ring.keys[key_id]).decrypt(wrapped[:12], wrapped[12:], aad)


RewrapHook = Callable[[], int]
_rewrap_hooks: dict[str, RewrapHook] = {}


def rewrap_hook(name: str) -> Callable[[RewrapHook], RewrapHook]:
    """Register a function that re-wraps every stored key under the active master key."""

    def register(func: RewrapHook) -> RewrapHook:
        _rewrap_hooks[name] = func
        return func

    return register


def rotate_master_key() -> tuple[str, dict[str, int]]:
    """Add a new active master key and re-wrap everything; returns (new key id, counts)."""
    ring = load_keyring()
    key_id = "mk_" + random_base62(8)
    _write(KeyRing(active_id=key_id, keys={**ring.keys, key_id: secrets.token_bytes(32)}))
    counts = {name: hook() for name, hook in _rewrap_hooks.items()}
    return key_id, counts
