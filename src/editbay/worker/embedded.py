"""The worker pool `editbay serve` runs inside the API process (``EDITBAY_WORKERS`` slots).

    handle = start_embedded(settings, app.state)
    ...
    handle.stop()           # on shutdown: finish or give back running jobs

With ``EDITBAY_WORKERS=0`` nothing runs here (standalone `editbay worker` processes do the work,
deliver webhooks and sweep).
"""

from __future__ import annotations

import logging
from typing import Any

from editbay.settings import Settings
from editbay.worker.pool import WorkerPool
from editbay.worker.services import Services

log = logging.getLogger(__name__)


class EmbeddedHandle:
    """Handle on the embedded pool (or on nothing, when it is disabled)."""

    def __init__(self, pool: WorkerPool | None, services: Services | None) -> None:
        self.pool = pool
        self.services = services

    @property
    def running(self) -> bool:
        return self.pool is not None

    def stop(self, grace_seconds: float | None = None) -> None:
        """Stop claiming, let running jobs finish (or give them back), stop the loops."""
        if self.pool is not None:
            self.pool.shutdown(grace_seconds)
            self.pool = None
        if self.services is not None:
            self.services.close()
            self.services = None


def start_embedded(settings: Settings, app_state: Any = None) -> EmbeddedHandle:
    """Start ``settings.workers`` worker slots plus webhook delivery and retention in threads."""
    if settings.workers <= 0:
        log.info("embedded workers disabled (EDITBAY_WORKERS=0)")
        return EmbeddedHandle(None, None)
    services = Services.from_settings(settings, getattr(app_state, "engine", None))
    pool = WorkerPool(services, settings.workers).start()
    log.info("embedded worker pool started with %d slots", settings.workers)
    return EmbeddedHandle(pool, services)
