"""Fixed-window request limits per API key (in process, or in Redis when REDIS_URL is set)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool

from workspace.core.clock import now_ms
from workspace.core.config import get_settings

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Quota:
    limit: int
    remaining: int
    reset: int  # unix seconds when the window ends

    @property
    def exceeded(self) -> bool:
        return self.remaining < 0

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(self.remaining, 0)),
            "X-RateLimit-Reset": str(self.reset),
        }


class _MemoryCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, int], int] = {}

    def incr(self, key: str, window: int) -> int:
        with self._lock:
            if len(self._counts) > 10_000:
                self._counts = {k: v for k, v in self._counts.items() if k[1] >= window}
            count = self._counts.get((key, window), 0) + 1
            self._counts[(key, window)] = count
            return count


class _RedisCounter:
    def __init__(self, url: str) -> None:
        import redis

        self._client = redis.Redis.from_url(url)

    def incr(self, key: str, window: int) -> int:
        name = f"workspace:ratelimit:{key}:{window}"
        pipe = self._client.pipeline()
        pipe.incr(name)
        pipe.expire(name, WINDOW_SECONDS * 2)
        return int(pipe.execute()[0])


_counter: _MemoryCounter | _RedisCounter | None = None


def _get_counter() -> _MemoryCounter | _RedisCounter:
    global _counter
    if _counter is None:
        url = get_settings().redis_url
        _counter = _RedisCounter(url) if url else _MemoryCounter()
    return _counter


def reset_counters() -> None:
    global _counter
    _counter = None


async def take(key: str) -> Quota:
    """Counts one request against the key's window (Redis is asked off the event loop)."""
    limit = get_settings().rate_limit_per_minute
    window = now_ms() // 1000 // WINDOW_SECONDS
    counter = _get_counter()
    if isinstance(counter, _RedisCounter):
        count = await run_in_threadpool(counter.incr, key, window)
    else:
        count = counter.incr(key, window)
    return Quota(limit=limit, remaining=limit - count, reset=(window + 1) * WINDOW_SECONDS)
