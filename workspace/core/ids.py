"""Prefixed identifiers and random tokens."""

import hashlib
import secrets

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def random_base62(length: int) -> str:
    """`length` uniformly random base62 characters (one draw from the system's CSPRNG)."""
    number = secrets.randbelow(62**length)
    chars = []
    for _ in range(length):
        number, digit = divmod(number, 62)
        chars.append(BASE62[digit])
    return "".join(chars)


def new_id(prefix: str) -> str:
    """`prefix_` + 20 base62 characters (about 119 bits)."""
    return f"{prefix}_{random_base62(20)}"


def new_token() -> str:
    """A URL-safe secret with 192 bits of randomness (for links sent to people)."""
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
