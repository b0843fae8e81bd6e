"""Retention: delete expired outputs and uploads from storage (job ``expiresAt``, upload expiry)."""

from __future__ import annotations

import logging
import threading

from editbay.store import files as file_queries
from editbay.store.db import transaction
from editbay.store.models import utcnow
from editbay.worker.services import Services

log = logging.getLogger(__name__)


def sweep_once(services: Services) -> int:
    """Delete the bytes of every expired file and mark its record deleted; returns the count."""
    deleted = 0
    while True:
        with transaction(services.reads) as session:
            batch = [(f.id, f.storage_key) for f in file_queries.find_expired(session, utcnow())]
        if not batch:
            return deleted
        before = deleted
        for file_id, key in batch:
            try:
                services.storage.delete(key)
            except Exception:
                log.exception("could not delete expired file %s", key)
                continue
            with transaction(services.sessions) as session:
                file_queries.mark_deleted(session, file_id)
            deleted += 1
        if len(batch) < 200 or deleted == before:
            return deleted


def run_sweeper(services: Services, stop: threading.Event) -> None:
    """Sweep every ``sweep_interval_seconds`` until ``stop``."""
    while True:
        try:
            count = sweep_once(services)
            if count:
                log.info("retention: deleted %d expired files", count)
        except Exception:
            log.exception("retention sweep failed")
        if stop.wait(services.settings.sweep_interval_seconds):
            return
