"""Time on the wire: ISO 8601 UTC with milliseconds and `Z`, as the contract specifies."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)


def iso_ms(value: datetime | None) -> str | None:
    """`2026-11-25T15:50:21.116Z` (None stays None)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
