"""Waiting for a job (sans-IO): a Server-Sent Events decoder and the tracker both wait loops share.

The tracker owns the deadline, the progress callback (called once per change of status or
progress), the ``Last-Event-ID`` for reconnects and the polling interval; the clients only move bytes.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import ValidationError

from editbay.client._errors import WaitTimeoutError
from editbay.client._types import Job

__all__ = [
    "MAX_POLL_FAILURES",
    "MAX_STREAM_FAILURES",
    "SSE_IDLE_TIMEOUT",
    "SSEDecoder",
    "ServerSentEvent",
    "WaitTracker",
    "is_event_stream",
    "sse_missing",
]

SSE_IDLE_TIMEOUT = 30.0  # reconnect (with Last-Event-ID) after this long without a byte
MAX_STREAM_FAILURES = 2  # broken or empty event streams in a row before falling back to polling
MAX_POLL_FAILURES = 5  # polls in a row failing on connection trouble before giving up

ProgressCallback = Callable[[Job], object]

JOB_EVENTS = frozenset({"progress", "status", "message", "job", "completed", "failed", "cancelled"})


@dataclass(frozen=True)
class ServerSentEvent:
    """One dispatched SSE event."""

    event: str = "message"
    data: str = ""
    id: str | None = None
    retry: int | None = None

    def json(self) -> object:
        """The event's data parsed as JSON."""
        return json.loads(self.data)


class SSEDecoder:
    """Incremental decoder for ``text/event-stream``, fed one line at a time (without the newline)."""

    def __init__(self) -> None:
        self._event = ""
        self._data: list[str] = []
        self._id: str | None = None
        self._retry: int | None = None
        self.last_event_id: str | None = None

    def decode(self, line: str) -> ServerSentEvent | None:
        """Feed a line; returns an event when a blank line completes one."""
        line = line.rstrip("\r")
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None  # a comment / keep-alive
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id" and "\0" not in value:
            self._id = value
        elif name == "retry" and value.isdigit():
            self._retry = int(value)
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        if self._id is not None:
            self.last_event_id = self._id
        if not self._data and not self._event:
            self._id = None
            return None
        event = ServerSentEvent(
            event=self._event or "message", data="\n".join(self._data), id=self._id, retry=self._retry
        )
        self._event, self._data, self._id, self._retry = "", [], None, None
        return event


def is_event_stream(status_code: int, content_type: str | None) -> bool:
    """True when a response to ``GET …/events`` really is an event stream the client can follow."""
    return status_code == 200 and (content_type or "").split(";")[0].strip() == "text/event-stream"


def sse_missing(status_code: int, error_code: str | None) -> bool:
    """True when an events request shows the server has no event stream at all (not just no job)."""
    return status_code == 405 or (status_code == 404 and error_code != "JOB_NOT_FOUND")


class WaitTracker:
    """State of one ``wait()``: deadline, last job seen, progress callback and polling pace."""

    def __init__(
        self,
        job_id: str,
        timeout: float | None,
        on_progress: ProgressCallback | None = None,
        *,
        poll_interval: float = 1.0,
        poll_max: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.job_id = job_id
        self.timeout = timeout
        self.on_progress = on_progress
        self.clock = clock
        self.deadline = None if timeout is None else clock() + timeout
        self.last_job: Job | None = None
        self.last_event_id: str | None = None
        self._seen: tuple[str, int | None] | None = None
        self._poll_base = poll_interval
        self._poll_max = max(poll_max, poll_interval)
        self._poll_next = poll_interval

    def remaining(self) -> float | None:
        """Seconds left before the deadline (never negative), or None without a timeout."""
        if self.deadline is None:
            return None
        return max(0.0, self.deadline - self.clock())

    def check_deadline(self) -> None:
        """Raise `WaitTimeoutError` (with the last job seen) once the deadline has passed."""
        if self.deadline is not None and self.clock() >= self.deadline:
            raise WaitTimeoutError(self.job_id, self.timeout or 0.0, self.last_job)

    def observe(self, job: Job) -> bool:
        """Record a job state, call ``on_progress`` if status or progress changed; True if terminal."""
        self.last_job = job
        seen = (str(job.status), job.progress)
        if seen != self._seen:
            self._seen = seen
            self._poll_next = self._poll_base  # things are moving: look again soon
            if self.on_progress is not None:
                self.on_progress(job)
        return job.is_terminal

    def job_from_event(self, event: ServerSentEvent) -> Job | None:
        """The job state an SSE event carries (merged over the last state), or None to ignore it."""
        if event.id is not None:
            self.last_event_id = event.id
        if event.event not in JOB_EVENTS:
            return None
        try:
            data = event.json()
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        if isinstance(data.get("job"), dict):  # tolerate an envelope {"job": {...}}
            data = data["job"]
        base = self.last_job.to_wire() if self.last_job else {"jobId": self.job_id}
        try:
            return Job.model_validate({**base, **data})
        except ValidationError:
            return None

    def next_poll_delay(self) -> float:
        """How long to sleep before the next poll: grows while nothing changes, capped by the deadline."""
        delay = self._poll_next
        self._poll_next = min(self._poll_max, self._poll_next * 1.5)
        remaining = self.remaining()
        return delay if remaining is None else min(delay, remaining)

    def read_timeout(self, idle: float) -> float:
        """The read timeout for an event stream: the idle limit, or less if the deadline is nearer."""
        remaining = self.remaining()
        return idle if remaining is None else max(0.05, min(idle, remaining))
