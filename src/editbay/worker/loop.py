"""The worker loop: register; loop { claim → run → record }; wait for a wake-up; stop cleanly.

    worker = Worker(services, slot=0)
    worker.run()            # until stop() — or, with burst=True, until the queue is drained

A worker is one slot (one job at a time); `worker.pool.WorkerPool` runs several in threads.
Between rounds it waits for the first of: a notification (PostgreSQL NOTIFY / in-process), the
poll interval, or stop. On stop it claims nothing more and finishes its job, or gives it back
when the grace period ends.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid

from editbay.jobs import lifecycle
from editbay.store import queue
from editbay.store.db import transaction
from editbay.store.models import Job, WorkerRecord, utcnow
from editbay.worker.runner import JobRunner
from editbay.worker.services import Services

log = logging.getLogger(__name__)


def new_worker_id(slot: int) -> str:
    """``<host>:<pid>:<slot>:<random>`` — unique across restarts and machines."""
    return f"{socket.gethostname()}:{os.getpid()}:{slot}:{uuid.uuid4().hex[:8]}"


class Worker:
    """One worker slot: claims and runs one job at a time."""

    def __init__(self, services: Services, slot: int = 0, *, burst: bool = False) -> None:
        self.services = services
        self.slot = slot
        self.burst = burst
        self.id = new_worker_id(slot)
        self.stopping = threading.Event()
        self.runner = JobRunner(services, self.id, self.stopping)
        self.current_job_id: str | None = None
        self.jobs_run = 0

    @property
    def status(self) -> str:
        if self.stopping.is_set():
            return "stopping"
        return "busy" if self.current_job_id else "idle"

    # -- the loop ------------------------------------------------------------------------------

    def run(self) -> None:
        """Register, then claim and run jobs until stopped (or the queue is empty, in burst mode)."""
        self.register()
        try:
            while not self.stopping.is_set():
                generation = self.services.jobs_waker.generation
                job = self.claim()
                if job is not None:
                    self.execute(job)
                    continue
                if self.burst:
                    break
                self.wait_for_work(generation)
        finally:
            self.unregister()

    def claim(self) -> Job | None:
        """Take the next runnable job, or None (errors are logged and count as 'no job')."""
        settings = self.services.settings
        try:
            with transaction(self.services.sessions) as session:
                job = lifecycle.claim_next(session, self.id, settings.lease_seconds, settings.max_attempts)
                if job is not None:
                    self.current_job_id = job.id
                    queue.beat_worker(session, self.id, utcnow(), "busy", job.id)
                return job
        except Exception:
            log.exception("claiming a job failed; retrying after the poll interval")
            self.stopping.wait(settings.poll_interval_seconds)
            return None

    def execute(self, job: Job) -> None:
        """Run one claimed job; whatever happens, the loop goes on."""
        log.info("running job %s (attempt %s)", job.id, job.attempts, extra={"jobId": job.id})
        try:
            status = self.runner.run(job)
            log.info("job %s ended: %s", job.id, status, extra={"jobId": job.id})
        except Exception:
            # The lease will expire and another worker (or this one) will take the job again.
            log.exception("job %s could not be recorded", job.id, extra={"jobId": job.id})
        finally:
            self.current_job_id = None
            self.jobs_run += 1

    def wait_for_work(self, since: int) -> None:
        """Sleep until a notification, the poll interval, or stop — whichever comes first."""
        self.services.jobs_waker.wait(self.services.settings.poll_interval_seconds, since=since)

    # -- registration --------------------------------------------------------------------------

    def register(self) -> None:
        record = WorkerRecord(
            id=self.id,
            hostname=socket.gethostname(),
            pid=os.getpid(),
            status="idle",
            current_job_id=None,
            started_at=utcnow(),
            last_heartbeat_at=utcnow(),
        )
        try:
            with transaction(self.services.sessions) as session:
                queue.upsert_worker(session, record)
        except Exception:
            log.exception("could not register worker %s", self.id)

    def beat(self) -> None:
        """Liveness heartbeat with the current state (called by the pool's heartbeat thread)."""
        with transaction(self.services.sessions) as session:
            queue.beat_worker(session, self.id, utcnow(), self.status, self.current_job_id)

    def unregister(self) -> None:
        try:
            with transaction(self.services.sessions) as session:
                queue.remove_worker(session, self.id)
        except Exception:
            log.exception("could not unregister worker %s", self.id)

    def stop(self, grace_seconds: float | None = None) -> None:
        """Claim nothing more; the current job may finish within ``grace_seconds``, then it is
        given back to the queue."""
        grace = self.services.settings.shutdown_grace_seconds if grace_seconds is None else grace_seconds
        abort_at = time.monotonic() + grace
        if self.runner.abort_at is None or abort_at < self.runner.abort_at:
            self.runner.abort_at = abort_at
        self.stopping.set()
        self.services.jobs_waker.wake()
