"""The one source of 'now', so tests can move time."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from datetime import UTC, datetime

_offset_ms = 0
_frozen_ms: int | None = None


def now_ms() -> int:
    if _frozen_ms is not None:
        return _frozen_ms
    return int(time.time() * 1000) + _offset_ms


def now() -> datetime:
    return datetime.fromtimestamp(now_ms() / 1000, tz=UTC)


def to_ms(value: datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1000)


def from_ms(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, tz=UTC)


@contextlib.contextmanager
def travel(*, to_ms: int | None = None, by_ms: int = 0) -> Iterator[None]:
    """Freeze time at `to_ms`, or shift the running clock by `by_ms` (tests only)."""
    global _offset_ms, _frozen_ms
    saved = (_offset_ms, _frozen_ms)
    if to_ms is not None:
        _frozen_ms = to_ms
    else:
        _offset_ms += by_ms
    try:
        yield
    finally:
        _offset_ms, _frozen_ms = saved
