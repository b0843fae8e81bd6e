"""Retry decisions (sans-IO): which failures are retried, and how long to wait before the next try.

The sync and async clients ask `RetryPolicy` after every attempt; it never sleeps or sends itself.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import Enum

import httpx

__all__ = ["RetryMode", "RetryPolicy", "parse_retry_after", "request_was_sent"]

RETRY_STATUSES = frozenset({429, 503})


class RetryMode(Enum):
    """How safely a request may be sent again."""

    IDEMPOTENT = "idempotent"  # reads, PUTs, keyed submits: retry on any transport error or 429/503
    REJECTED_ONLY = "rejected_only"  # e.g. cancel: retry only if the server cannot have acted on it
    NEVER = "never"  # a submit without an idempotency key


def request_was_sent(exc: httpx.TransportError) -> bool:
    """False when httpx failed before any byte of the request could have reached the server."""
    return not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass
class RetryPolicy:
    """Exponential backoff with jitter; ``Retry-After`` is honoured on 429 and 503.

    ``max_retries`` counts retries after the first attempt. A ``Retry-After`` longer than
    ``max_retry_after`` is not waited for: the error is raised at once so the caller can decide.
    """

    max_retries: int = 3
    backoff_base: float = 0.5
    backoff_max: float = 20.0
    max_retry_after: float = 120.0
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def backoff(self, attempt: int) -> float:
        """Delay before retry number ``attempt + 1``: base·2^attempt, capped, with 50–100 % jitter."""
        ceiling = min(self.backoff_max, self.backoff_base * (2**attempt))
        return ceiling * (0.5 + 0.5 * self.rng.random())

    def after_response(
        self, attempt: int, status_code: int, headers: Mapping[str, str], mode: RetryMode
    ) -> float | None:
        """The delay before retrying after an HTTP response, or None to keep the response."""
        if status_code not in RETRY_STATUSES or mode is RetryMode.NEVER:
            return None
        if attempt >= self.max_retries:
            return None
        retry_after = parse_retry_after(headers.get("retry-after"))
        if retry_after is None:
            return self.backoff(attempt)
        if retry_after > self.max_retry_after:
            return None
        # a little jitter on top, so that many clients told the same second do not stampede
        return retry_after + 0.1 * self.rng.random()

    def after_error(self, attempt: int, exc: httpx.TransportError, mode: RetryMode) -> float | None:
        """The delay before retrying after a transport error, or None to give up."""
        if attempt >= self.max_retries or mode is RetryMode.NEVER:
            return None
        if mode is RetryMode.REJECTED_ONLY and request_was_sent(exc):
            return None
        return self.backoff(attempt)
