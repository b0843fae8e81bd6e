"""Run one claimed job: load → execute (provider in a task, watched) → record the finish.

While the provider runs in its own thread, the runner renews the lease, writes progress, and
watches for a stop: a cancel request, the job timeout, a lost lease or the end of the shutdown
grace period. Errors are translated to job failure codes here, at the worker's one boundary;
every exception is recorded on the job or logged — none is dropped.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from editbay.errors import EditbayError, ErrorCode
from editbay.jobs import lifecycle
from editbay.jobs.outputs import output_keys
from editbay.providers.base import JobCancelled, JobFailed, JobSpec, ProviderResult, RunContext
from editbay.providers.registry import provider_for
from editbay.store.db import transaction
from editbay.store.models import Job
from editbay.store.queue import read_run_signals
from editbay.worker.inputs import make_fetcher
from editbay.worker.services import Services

log = logging.getLogger(__name__)

CANCEL_CHECK_SECONDS = 0.5
TICK_SECONDS = 0.1
STOP_WAIT_SECONDS = 30.0
PROGRESS_WRITE_SECONDS = 0.5
RECORD_TRIES = 3


def translate(exc: BaseException) -> tuple[str, str]:
    """(failure code, message) for anything a provider raised."""
    from editbay.engine.errors import InvalidMedia, RenderFailed, UnsupportedEdit

    if isinstance(exc, EditbayError):
        return exc.code.value, exc.message
    if isinstance(exc, InvalidMedia):
        return ErrorCode.INVALID_INPUT.value, str(exc)
    if isinstance(exc, UnsupportedEdit):
        return ErrorCode.UNSUPPORTED_EDIT.value, str(exc)
    if isinstance(exc, RenderFailed):
        return ErrorCode.RENDER_FAILED.value, str(exc)
    if isinstance(exc, TimeoutError):
        return ErrorCode.TIMEOUT.value, "the job took too long"
    return ErrorCode.INTERNAL_ERROR.value, f"internal error ({type(exc).__name__})"


@dataclass
class _Watch:
    """The supervisor's clocks for one job."""

    started: float
    next_beat: float = 0.0
    next_check: float = 0.0
    written: int = -1
    last_write: float = 0.0
    #: upstream webhooks accepted for the job so far (a change wakes the provider's upstream wait)
    notifications: int = 0


@dataclass
class Outcome:
    """What the provider task produced."""

    result: ProviderResult | None = None
    error: BaseException | None = None
    progress: float = 0.0
    done: threading.Event = field(default_factory=threading.Event)


def workdir_root(services: Services) -> Path:
    return Path(services.settings.data_dir) / "tmp"


@contextmanager
def job_workdir(services: Services, job_id: str) -> Iterator[Path]:
    """A private temp dir for one job, always removed afterwards."""
    root = workdir_root(services)
    root.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=f"job-{os.getpid()}-{job_id}-", dir=root))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def remove_stale_workdirs(services: Services) -> int:
    """Delete temp dirs left by processes that died (``job-<pid>-…`` with a dead pid)."""
    removed = 0
    root = workdir_root(services)
    if not root.is_dir():
        return 0
    for entry in root.iterdir():
        parts = entry.name.split("-", 2)
        if len(parts) < 3 or parts[0] != "job" or not parts[1].isdigit():
            continue
        pid = int(parts[1])
        if pid == os.getpid():
            continue
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
        except PermissionError:
            continue
    return removed


class JobRunner:
    """Executes claimed jobs for one worker slot."""

    def __init__(self, services: Services, worker_id: str, stopping: threading.Event) -> None:
        self.services = services
        self.worker_id = worker_id
        self.stopping = stopping
        #: monotonic time after which a stopping worker abandons (releases) its job
        self.abort_at: float | None = None

    # -- load → execute → record ---------------------------------------------------------------

    def run(self, job: Job) -> str:
        """Run ``job`` (already claimed by this worker) to its end; return how it ended."""
        spec = JobSpec(
            job.id, job.account_id, job.model_slug, dict(job.input or {}), job.attempts, job.routing
        )
        started = time.monotonic()
        outcome = Outcome()
        reason: str | None = None
        with job_workdir(self.services, job.id) as workdir:
            ctx = RunContext(
                workdir=workdir,
                storage=self.services.storage,
                settings=self.services.settings,
                on_progress=lambda f: setattr(outcome, "progress", f),
                fetch=make_fetcher(
                    self.services.settings,
                    self.services.storage,
                    self.services.sessions,
                    job.account_id,
                    self.services.resolver,
                ),
                on_routing=lambda routing: self._record_routing(spec.job_id, routing),
            )
            if job.parent_id is None:  # a job (not a segment task) may fan segments out
                from editbay.worker.segments import SegmentFanOut

                ctx.segments = SegmentFanOut(self.services, job.id, self.worker_id)
            task = threading.Thread(
                target=self._execute,
                args=(spec, job.routing, ctx, outcome),
                name=f"job-{job.id}",
                daemon=True,
            )
            task.start()
            watch = _Watch(started, notifications=int(job.upstream_notifications or 0))
            reason = self._supervise(spec, ctx, outcome, watch)
            task.join(timeout=STOP_WAIT_SECONDS)
            elapsed = time.monotonic() - started
            for attempt in range(1, RECORD_TRIES + 1):
                try:
                    return self._record(spec, outcome, reason, elapsed)
                except Exception:
                    if attempt == RECORD_TRIES:
                        raise  # logged by the loop; the lease expires and the job runs again
                    log.exception("job %s: recording the end failed; retrying", spec.job_id)
                    time.sleep(attempt)
            return "lost"

    def _record_routing(self, job_id: str, routing: dict[str, Any]) -> None:
        """Write the provider's routing record now (an upstream job id must not wait for the end:
        it is what an operator looks for while the job runs). A failed write is logged only."""
        try:
            with transaction(self.services.sessions) as session:
                lifecycle.set_routing(session, job_id, self.worker_id, routing)
        except Exception:
            log.exception("job %s: could not record its routing", job_id, extra={"jobId": job_id})

    def _execute(
        self, spec: JobSpec, routing: dict[str, Any] | None, ctx: RunContext, outcome: Outcome
    ) -> None:
        try:
            provider = provider_for(spec.model_slug, routing, self.services.settings)
            outcome.result = provider.run(spec, ctx)
        except BaseException as exc:  # recorded on the job by _record; never dropped
            outcome.error = exc
        finally:
            outcome.done.set()

    def _supervise(self, spec: JobSpec, ctx: RunContext, outcome: Outcome, watch: _Watch) -> str | None:
        """Watch the task; return why it was stopped (cancel/timeout/lost/shutdown) or None."""
        waker = self.services.cancel_waker  # also rung by accepted upstream webhooks
        reason: str | None = None
        stop_deadline = float("inf")
        while not outcome.done.is_set():
            generation = waker.generation
            now = time.monotonic()
            if reason is None:
                try:
                    reason = self._check(spec, ctx, outcome, watch, now)
                except Exception:  # database unreachable: keep running; the lease decides
                    log.exception("job %s: heartbeat failed", spec.job_id, extra={"jobId": spec.job_id})
                if reason is not None:
                    log.info("stopping job %s: %s", spec.job_id, reason, extra={"jobId": spec.job_id})
                    ctx.cancel.set()
                    stop_deadline = now + STOP_WAIT_SECONDS
            elif now > stop_deadline:
                log.error("job %s: the provider ignores the stop; giving up on it", spec.job_id)
                break
            if waker.wait(TICK_SECONDS, since=generation):
                watch.next_check = 0.0  # a cancel (or an upstream webhook) came in somewhere: look now
        return reason

    def _check(
        self, spec: JobSpec, ctx: RunContext, outcome: Outcome, watch: _Watch, now: float
    ) -> str | None:
        """One supervision step: timeout, shutdown, heartbeat / cancel and wake-up check, progress."""
        settings = self.services.settings
        if now - watch.started > settings.job_timeout_seconds:
            return "timeout"
        if self.abort_at is not None and now >= self.abort_at:
            return "shutdown"
        signals: tuple[bool, int] | None
        if now >= watch.next_beat:
            watch.next_beat = now + settings.heartbeat_seconds
            watch.next_check = now + CANCEL_CHECK_SECONDS
            with transaction(self.services.sessions) as session:
                signals = lifecycle.heartbeat(session, spec.job_id, self.worker_id, settings.lease_seconds)
            if signals is None:
                return "lost"
        elif now >= watch.next_check:
            watch.next_check = now + CANCEL_CHECK_SECONDS
            with transaction(self.services.reads) as session:
                signals = read_run_signals(session, spec.job_id)
        else:
            signals = None
        if signals is not None:
            cancel, notifications = signals
            if cancel:
                return "cancel"
            if notifications != watch.notifications:
                # an upstream webhook was accepted (by any API process: the count is in the database)
                watch.notifications = notifications
                ctx.wakeup.set()
        percent = int(outcome.progress * 100)
        if percent != watch.written and now - watch.last_write >= PROGRESS_WRITE_SECONDS:
            with transaction(self.services.sessions) as session:
                lifecycle.set_progress(session, spec.job_id, self.worker_id, percent)
            watch.written, watch.last_write = percent, now
        return None

    def _record(self, spec: JobSpec, outcome: Outcome, reason: str | None, elapsed: float) -> str:
        """Write the job's end (or give it back) in one transaction; return the resulting state."""
        job_id, me = spec.job_id, self.worker_id
        if reason == "lost":
            log.warning("job %s: lease lost; another worker owns it now", job_id, extra={"jobId": job_id})
            return "lost"
        with transaction(self.services.sessions) as session:
            if reason == "shutdown":
                return "released" if lifecycle.release(session, job_id, me) else "lost"
            if reason == "timeout":
                ended = lifecycle.fail(
                    session,
                    job_id,
                    me,
                    ErrorCode.TIMEOUT,
                    f"the job ran longer than {self.services.settings.job_timeout_seconds:.0f} s",
                    run_seconds=elapsed,
                )
            elif outcome.result is not None and reason is None:
                r = outcome.result
                ended = lifecycle.complete(
                    session,
                    job_id,
                    me,
                    r.outputs,
                    r.output_meta,
                    r.plan,
                    r.skipped,
                    run_seconds=elapsed,
                    retention_hours=self.services.settings.output_retention_hours,
                )
            elif outcome.error is not None and not isinstance(outcome.error, JobCancelled) and reason is None:
                code, message = translate(outcome.error)
                if code == ErrorCode.INTERNAL_ERROR.value:
                    log.error("job %s failed", job_id, exc_info=outcome.error, extra={"jobId": job_id})
                plan = outcome.error.plan if isinstance(outcome.error, JobFailed) else None
                ended = lifecycle.fail(session, job_id, me, code, message, plan=plan, run_seconds=elapsed)
            else:
                ended = None
            if ended is None:  # a stop was asked (the only other way out is a lost lease)
                ended = lifecycle.finish_cancelled(session, job_id, me, run_seconds=elapsed)
                if ended is not None and outcome.result is not None:
                    self._discard(outcome.result)
            if ended is None:
                log.warning("job %s: lease lost before it could be recorded", job_id, extra={"jobId": job_id})
                return "lost"
            return ended.status

    def _discard(self, result: ProviderResult) -> None:
        for item in result.outputs:
            for _kind, key in output_keys(item):
                if key:
                    try:
                        self.services.storage.delete(key)
                    except Exception:
                        log.exception("could not delete %s of a cancelled job", key)
