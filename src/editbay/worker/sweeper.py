"""Retention: delete expired outputs and uploads from storage (job ``expiresAt``, upload expiry),
and the segment pieces (`work/<job>/`) of segment-parallel jobs that ended — normally a job deletes
its own when it ends, but not when its worker died or a cancelled segment task stored its output
after the parent's clean-up."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from editbay.store import files as file_queries
from editbay.store import queries
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


WORK_PREFIX = "work/"


def sweep_segment_work(services: Services) -> int:
    """Delete the segment pieces of every job that ended over `segment_sweep_grace_seconds` ago
    (or no longer exists); returns how many files were removed."""
    names = services.storage.list_folders(WORK_PREFIX)
    if not names:
        return 0
    cutoff = utcnow() - timedelta(seconds=services.settings.segment_sweep_grace_seconds)
    with transaction(services.reads) as session:
        held = queries.jobs_holding_work(session, names, cutoff)
    removed = 0
    for name in names:
        if name in held:
            continue
        try:
            removed += services.storage.delete_prefix(f"{WORK_PREFIX}{name}/")
        except Exception:
            log.exception("could not delete the segment pieces of job %s", name, extra={"jobId": name})
    return removed


def run_sweeper(services: Services, stop: threading.Event) -> None:
    """Sweep every ``sweep_interval_seconds`` until ``stop``."""
    while True:
        try:
            count = sweep_once(services)
            if count:
                log.info("retention: deleted %d expired files", count)
        except Exception:
            log.exception("retention sweep failed")
        try:
            count = sweep_segment_work(services)
            if count:
                log.info("retention: deleted %d segment files of ended jobs", count)
        except Exception:
            log.exception("segment sweep failed")
        if stop.wait(services.settings.sweep_interval_seconds):
            return
