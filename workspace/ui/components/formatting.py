"""Small display helpers shared by pages."""

from __future__ import annotations

from datetime import UTC, datetime


def format_time(ms: int | None, empty: str = "—") -> str:
    """Epoch milliseconds as '23 Nov 2026, 14:05 UTC' (the viewer's zone is unknown)."""
    if not ms:
        return empty
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%d %b %Y, %H:%M UTC")
