"""A worker process's threads: N worker slots, the webhook deliverer, the retention sweeper, the
liveness heartbeat and (on PostgreSQL) the LISTEN connection. Used by `editbay worker` and,
embedded, by `editbay serve`."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from editbay.store import queue
from editbay.store.db import transaction
from editbay.store.models import utcnow
from editbay.store.notify import PgListener, start_listener
from editbay.worker.loop import Worker
from editbay.worker.runner import remove_stale_workdirs
from editbay.worker.services import Services

if TYPE_CHECKING:
    from editbay.webhooks.delivery import Deliverer

log = logging.getLogger(__name__)


class WorkerPool:
    """Runs ``concurrency`` worker slots plus the background loops in one process."""

    def __init__(
        self,
        services: Services,
        concurrency: int,
        *,
        burst: bool = False,
        deliver_webhooks: bool = True,
        sweep: bool = True,
    ) -> None:
        self.services = services
        self.burst = burst
        self.workers = [Worker(services, slot, burst=burst) for slot in range(concurrency)]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._listener: PgListener | None = None
        self._deliver = deliver_webhooks
        self._sweep = sweep
        self.deliverer: Deliverer | None = None
        #: set once the parser's optional embedding model is loaded (or known to be unavailable)
        self.parser_ready = threading.Event()

    def start(self) -> WorkerPool:
        """Start every thread; returns once the notification listener is ready."""
        self._preload_parser()
        removed = remove_stale_workdirs(self.services)
        if removed:
            log.info("removed %d temp dirs left by dead workers", removed)
        self._listener = start_listener(self.services.engine)
        if self._listener is not None:
            self._listener.ready.wait(5)
        for worker in self.workers:
            self._spawn(worker.run, f"editbay-worker-{worker.slot}")
        if self.workers:
            self._spawn(self._heartbeat_loop, "editbay-worker-heartbeat")
        if self._deliver:
            from editbay.webhooks.delivery import Deliverer

            deliverer = self.deliverer = Deliverer(self.services)
            if not self.burst:  # burst: delivered once the slots are done (see join)
                self._spawn(lambda: deliverer.run(self._stop), "editbay-webhooks")
        if self._sweep and not self.burst:
            from editbay.worker.sweeper import run_sweeper

            self._spawn(lambda: run_sweeper(self.services, self._stop), "editbay-sweeper")
        return self

    def _preload_parser(self) -> None:
        """Load the parser's embedding fallback in the background, so that the first job does not
        pay for it (a job parsed meanwhile waits for the one load). Skipped when every job goes to
        an overriding provider (fixtures), which never parses."""
        if self.services.settings.provider_overrides.get("*") or not self.workers:
            self.parser_ready.set()
            return

        def load() -> None:
            try:
                from editbay.engine.parse import preload_embeddings

                available = preload_embeddings()
                log.info("parser embedding fallback %s", "loaded" if available else "not available")
            except Exception:
                log.warning("parser embedding fallback could not be loaded", exc_info=True)
            finally:
                self.parser_ready.set()

        # not in self._threads: a load still running never holds up join() or shutdown
        threading.Thread(target=load, name="editbay-parser-preload", daemon=True).start()

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        def guarded() -> None:
            try:
                target()
            except Exception:
                log.exception("thread %s crashed", name)

        thread = threading.Thread(target=guarded, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _heartbeat_loop(self) -> None:
        settings = self.services.settings
        while not self._stop.wait(settings.heartbeat_seconds):
            for worker in self.workers:
                try:
                    worker.beat()
                except Exception:
                    log.exception("worker heartbeat failed")
            try:
                with transaction(self.services.sessions) as session:
                    horizon = utcnow() - timedelta(seconds=max(settings.lease_seconds * 10, 300))
                    queue.purge_dead_workers(session, horizon)
            except Exception:
                log.exception("purging dead worker rows failed")

    def stop(self, grace_seconds: float | None = None) -> None:
        """Stop claiming; running jobs finish within the grace period or are given back."""
        for worker in self.workers:
            worker.stop(grace_seconds)

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the worker slots (then the background loops) to end; True when all did."""
        deadline = None if timeout is None else time.monotonic() + timeout
        worker_threads = [
            t for t in self._threads if t.name.startswith("editbay-worker-") and "heartbeat" not in t.name
        ]
        for thread in worker_threads:
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        if self.burst and self.deliverer is not None:
            self.deliverer.run(self._stop, burst=True)  # send what the jobs enqueued, then return
        self._stop.set()
        self.services.webhooks_waker.wake()
        for thread in self._threads:
            thread.join(5 if deadline is None else max(0.0, deadline - time.monotonic()))
        if self._listener is not None:
            self._listener.stop()
        return not any(t.is_alive() for t in self._threads)

    def shutdown(self, grace_seconds: float | None = None, timeout: float | None = None) -> bool:
        """stop() then join()."""
        self.stop(grace_seconds)
        grace = self.services.settings.shutdown_grace_seconds if grace_seconds is None else grace_seconds
        return self.join(timeout if timeout is not None else grace + 35)
