"""Content-addressed file store: each blob is kept once under its SHA-256."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from workspace.core.config import get_settings
from workspace.core.errors import NotFound

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def path_for(sha256: str) -> Path:
    if not _SHA256.match(sha256):
        raise NotFound("File not found.")
    return get_settings().files_dir / sha256[:2] / sha256


def put_bytes(data: bytes) -> str:
    """Store the bytes (atomically, once) and return their SHA-256."""
    sha256 = hashlib.sha256(data).hexdigest()
    target = path_for(sha256)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{sha256}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
    return sha256


def get_bytes(sha256: str) -> bytes:
    target = path_for(sha256)
    if not target.exists():
        raise NotFound("File not found.")
    return target.read_bytes()


def exists(sha256: str) -> bool:
    return _SHA256.match(sha256) is not None and path_for(sha256).exists()
