"""Fan a parent job's segments out as child tasks, help render them, and wait for all of them.

The parent's provider calls ``ctx.segments(inputs, count, on_progress, cancel, on_done)``. Each
input is inserted as a pending child task (`lifecycle.spawn_children`: same account, no cost, no
webhook) as soon as the provider yields it — so workers start rendering the first pieces while
the parent is still storing the next ones — and the workers are woken; any worker claims children
like jobs (fair claiming, leases, heartbeats, cancel checks, re-run after a crash — `JobRunner` as
for any job). Meanwhile the parent's own worker slot does not sit idle: it claims children *of
this parent* and runs them too, one at a time. The parent waits on the ``segments`` notification
(a child's final state, `store.notify`; polling every `WAIT_SECONDS` stays as the fallback) and
hands each completed child to ``on_done`` at once, so its output is fetched while the others still
render. Progress is the mean of the children's progress. A cancelled parent cancels its children;
a failed child (after its attempts) fails the parent; the parent's caller is billed once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from editbay.errors import ErrorCode
from editbay.jobs import lifecycle
from editbay.providers.base import JobCancelled, JobFailed
from editbay.providers.segment import SEGMENT_SLUG
from editbay.store import queue
from editbay.store.db import transaction
from editbay.store.models import JobStatus
from editbay.worker.services import Services

log = logging.getLogger(__name__)

#: the children's progress is re-read this often; a completion wakes the parent at once
WAIT_SECONDS = 0.5
_ENDED_BADLY = (JobStatus.FAILED.value, JobStatus.CANCELLED.value)


class SegmentFanOut:
    """``ctx.segments`` for one parent job run by ``worker_id``."""

    def __init__(self, services: Services, parent_id: str, worker_id: str) -> None:
        self.services = services
        self.parent_id = parent_id
        self.helper_id = f"{worker_id}+seg"
        self.helper_stop = threading.Event()
        self.child_ids: list[str] = []

    def __call__(
        self,
        inputs: Iterable[dict[str, Any]],
        count: int,
        on_progress: Callable[[float], None],
        cancel: threading.Event,
        on_done: Callable[[int], None],
    ) -> None:
        from editbay.worker.runner import JobRunner

        with transaction(self.services.sessions) as session:
            stale = list(queue.find_open_children(session, self.parent_id))
            if stale:  # an earlier attempt of the parent died with children in flight
                lifecycle.cancel_children(session, stale)
        runner = JobRunner(self.services, self.helper_id, self.helper_stop)
        helper: threading.Thread | None = None
        try:
            for data in inputs:  # queue each piece as soon as it is stored
                if cancel.is_set():
                    raise JobCancelled()
                with transaction(self.services.sessions) as session:
                    parent = queue.load_job(session, self.parent_id)
                    assert parent is not None
                    self.child_ids += lifecycle.spawn_children(
                        session, parent, SEGMENT_SLUG, [data], first_index=len(self.child_ids)
                    )
                if helper is None or not helper.is_alive():
                    helper = self._help(runner)
            log.info("job %s: %d segment tasks queued", self.parent_id, len(self.child_ids),
                     extra={"jobId": self.parent_id})
            if len(self.child_ids) != count:
                raise JobFailed(ErrorCode.RENDER_FAILED, f"{len(self.child_ids)} of {count} segments queued")
            self._wait(runner, helper, on_progress, cancel, on_done)
        except BaseException:
            self._stop_children()
            self.helper_stop.set()
            raise

    def _wait(
        self,
        runner: Any,
        helper: threading.Thread | None,
        on_progress: Callable[[float], None],
        cancel: threading.Event,
        on_done: Callable[[int], None],
    ) -> None:
        """Until every child has completed: help, hand completed children over, report progress."""
        waker = self.services.segments_waker
        handed: set[str] = set()
        while True:
            generation = waker.generation  # before reading, so no wake-up falls in between
            if cancel.is_set():
                raise JobCancelled()
            with transaction(self.services.reads) as session:
                states = lifecycle.children_state(session, self.child_ids)
            bad = [s for s in states if s[1] in _ENDED_BADLY]
            if bad:
                index = self.child_ids.index(bad[0][0])
                why = bad[0][3] or "no reason given"
                raise JobFailed(ErrorCode.RENDER_FAILED, f"segment {index} {bad[0][1]}: {why}")
            if helper is None or not helper.is_alive():  # first keep our slot rendering
                helper = self._help(runner)
            for index, (child_id, status, _progress, _error) in enumerate(states):
                if status == JobStatus.COMPLETED.value and child_id not in handed:
                    handed.add(child_id)
                    on_done(index)
            on_progress(sum(100 if s[1] == "completed" else s[2] for s in states) / (100 * len(states)))
            if len(handed) == len(states):
                if helper is not None:
                    helper.join()
                return
            waker.wait(WAIT_SECONDS, since=generation)

    def _help(self, runner: Any) -> threading.Thread | None:
        """Run this parent's pending children on a thread, one after another, each claimed as
        soon as the previous one has ended (None when none is pending). Claiming the next one
        here, not in `_wait`, matters: a wake-up for the child just completed can reach `_wait`
        while this thread is still finishing, and `_wait` would then sleep its full interval."""
        child = self._claim()
        if child is None:
            return None

        def work() -> None:
            current = child
            while current is not None:
                log.info("running segment task %s of job %s", current.id, self.parent_id,
                         extra={"jobId": current.id})
                try:
                    runner.run(current)
                except Exception:  # the lease expires and any worker re-runs the segment
                    log.exception("segment task %s could not be recorded", current.id)
                if self.helper_stop.is_set():
                    return
                try:
                    current = self._claim()
                except Exception:  # `_wait` starts a new helper when it next looks
                    log.exception("job %s: could not claim its next segment task", self.parent_id)
                    return

        thread = threading.Thread(target=work, name=f"segments-{self.parent_id}", daemon=True)
        thread.start()
        return thread

    def _claim(self) -> Any:
        """Claim one pending child of this parent (None when none is left)."""
        settings = self.services.settings
        with transaction(self.services.sessions) as session:
            return lifecycle.claim_next(
                session, self.helper_id, settings.lease_seconds, settings.max_attempts,
                parent_id=self.parent_id,
            )

    def _stop_children(self) -> None:
        try:
            with transaction(self.services.sessions) as session:
                lifecycle.cancel_children(session, self.child_ids)
        except Exception:
            log.exception("job %s: could not cancel its segment tasks", self.parent_id)
