"""Request rate limits: in-process token buckets, per API key and per (key, model).

A bucket holds up to ``limit`` tokens and refills at ``limit / period`` tokens per second; each
request takes one. This is per server process (several `uvicorn` processes each keep their own
buckets) — cheap, no database write per request; see docs/operations.md.

Headers (on every authenticated response): `X-RateLimit-Limit` (bucket size per period),
`X-RateLimit-Remaining` (whole tokens left), `X-RateLimit-Reset` (seconds until the bucket is
full again); on a 429, `Retry-After` (seconds until one token is available).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from editbay.errors import EditbayError, ErrorCode


@dataclass
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int
    retry_after: int

    def headers(self) -> dict[str, str]:
        out = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_seconds),
        }
        if not self.allowed:
            out["Retry-After"] = str(self.retry_after)
        return out

    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        """`headers()` as the ASGI message carries them (lower-case names, bytes)."""
        out = [
            (b"x-ratelimit-limit", b"%d" % self.limit),
            (b"x-ratelimit-remaining", b"%d" % self.remaining),
            (b"x-ratelimit-reset", b"%d" % self.reset_seconds),
        ]
        if not self.allowed:
            out.append((b"retry-after", b"%d" % self.retry_after))
        return out


class TokenBuckets:
    """A thread-safe map of token buckets (bounded: idle buckets are dropped when full)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_buckets: int = 100_000) -> None:
        self._clock = clock
        self._max = max_buckets
        self._lock = threading.Lock()
        self._buckets: dict[Hashable, tuple[float, float]] = {}  # key → (tokens, last refill time)

    def take(self, key: Hashable, limit: int, period_seconds: float = 60.0) -> Decision:
        rate = limit / period_seconds
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(key, (float(limit), now))
            tokens = min(float(limit), tokens + (now - last) * rate)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            if len(self._buckets) >= self._max and key not in self._buckets:
                self._evict_full(now)
            self._buckets[key] = (tokens, now)
        reset = math.ceil((limit - tokens) / rate) if tokens < limit else 0
        retry = max(1, math.ceil((1.0 - tokens) / rate)) if not allowed else 0
        return Decision(allowed, limit, int(tokens), reset, retry)

    def _evict_full(self, now: float) -> None:
        for key in list(self._buckets)[: max(1, self._max // 10)]:
            self._buckets.pop(key, None)

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()


def rate_limited(decision: Decision, what: str) -> EditbayError:
    return EditbayError(
        ErrorCode.RATE_LIMITED,
        f"rate limit exceeded ({decision.limit} {what}); retry in {decision.retry_after} s",
        {"limit": decision.limit, "retryAfterSeconds": decision.retry_after},
        headers=decision.headers(),
    )
