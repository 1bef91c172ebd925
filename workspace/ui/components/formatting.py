"""Small display helpers shared by pages."""

from __future__ import annotations

from datetime import UTC, datetime


def format_time(ms: int | None, empty: str = "—") -> str:
    """Epoch milliseconds as '23 Nov 2026, 14:05 UTC' (the viewer's zone is unknown)."""
    if not ms:
        return empty
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%d %b %Y, %H:%M UTC")


def counted(count: int, noun: str) -> str:
    """'1 invoice', '3 invoices'."""
    return f"{count} {noun}" + ("" if count == 1 else "s")
