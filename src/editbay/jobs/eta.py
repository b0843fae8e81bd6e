"""`estimatedCompletionTime`: now + expected queue wait + expected run time, from the current
queue depth, the live worker capacity and the real run times of recently completed jobs."""

from __future__ import annotations

import statistics
import threading
import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from editbay.settings import Settings
from editbay.store import queries
from editbay.store.db import url_key

HISTORY = 20


def expected_run_seconds(session: Session, model_slug: str, nominal_seconds: float) -> float:
    """Median real run time of the model's recent jobs; the model's nominal time without history."""
    runs = queries.recent_run_seconds(session, model_slug, HISTORY)
    return statistics.median(runs) if runs else nominal_seconds


def worker_capacity(session: Session, settings: Settings, at: datetime) -> int:
    """Live workers (heartbeat within one lease); the configured embedded count otherwise."""
    live = queries.count_live_workers(session, at - timedelta(seconds=settings.lease_seconds))
    return max(1, live or settings.workers)


_cache: dict[tuple[str, str], tuple[float, float, float]] = {}  # (`store.db.url_key`, model)
_cache_lock = threading.Lock()


def _expected_seconds(
    session: Session, settings: Settings, model_slug: str, nominal: float, at: datetime
) -> tuple[float, float]:
    """(queue wait, run time) in seconds.

    With ``c`` slots and ``n`` jobs already pending or processing, the new job starts once
    ``n - c + 1`` of them have finished, i.e. after ``(n - c + 1) / c`` average runs.
    """
    run = expected_run_seconds(session, model_slug, nominal)
    pending, processing = queries.count_queue(session)
    capacity = worker_capacity(session, settings, at)
    recent = queries.recent_run_seconds(session, None, HISTORY)
    queue_run = statistics.mean(recent) if recent else run
    ahead = pending + processing
    return max(0, ahead - capacity + 1) / capacity * queue_run, run


def cached_offset(url: Any, settings: Settings, model_slug: str) -> timedelta | None:
    """The expected wait + run time still cached for the database at ``url`` (an engine's URL)
    and the model, or None: lets a caller skip opening a session while the cache is fresh."""
    cached = _cache.get((url_key(url), model_slug)) if settings.eta_cache_seconds > 0 else None
    if cached is None or cached[0] <= time.monotonic():
        return None
    return timedelta(seconds=cached[1] + cached[2])


def estimate_completion(
    session: Session, settings: Settings, model_slug: str, nominal_seconds: float, at: datetime
) -> datetime:
    """When a job submitted now should end. The inputs (four small queries) are cached per model
    for `EDITBAY_ETA_CACHE_SECONDS` (default 1 s) so bursts of submits do not repeat them."""
    key = (url_key(session.get_bind().engine.url), model_slug)
    ttl = settings.eta_cache_seconds
    cached = _cache.get(key) if ttl > 0 else None
    if cached is not None and cached[0] > time.monotonic():
        wait, run = cached[1], cached[2]
    else:
        wait, run = _expected_seconds(session, settings, model_slug, nominal_seconds, at)
        if ttl > 0:
            with _cache_lock:
                _cache[key] = (time.monotonic() + ttl, wait, run)
    return at + timedelta(seconds=wait + run)
