"""The `Provider` interface: run one job's edit and return its outputs.

A provider gets the job's immutable description (`JobSpec`) and a `RunContext` holding the
per-job temp dir, storage, settings, a progress callback and a cancellation event. It returns a
`ProviderResult` or raises an `EditbayError` whose code is a job failure code; anything else it
raises becomes INTERNAL_ERROR at the worker's one translation boundary (`worker.runner`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from editbay.errors import EditbayError, ErrorCode
from editbay.settings import Settings
from editbay.storage.base import Storage


@dataclass(frozen=True)
class JobSpec:
    """What to run: the job's id, owner, model and validated input."""

    job_id: str
    account_id: str
    model_slug: str
    input: dict[str, Any]
    attempt: int = 1
    #: the routing recorded at submit (`jobs.routing`): mode, decision, reason
    routing: dict[str, Any] | None = None


class FanOut(Protocol):
    """``segments(inputs, count, on_progress, cancel, on_done)``: queue one segment task per item of
    ``inputs`` as soon as it is produced (``count`` in all), wait until every task has completed,
    calling ``on_done(index)`` (on the caller's thread) as each one completes, and report their
    mean progress. Raises `JobCancelled` on ``cancel`` and `JobFailed` when a task fails."""

    def __call__(
        self,
        inputs: Iterable[dict[str, Any]],
        count: int,
        on_progress: Callable[[float], None],
        cancel: threading.Event,
        on_done: Callable[[int], None],
    ) -> None: ...


@dataclass
class RunContext:
    """Where and how to run: temp dir, storage, settings, progress, cancellation and wake-ups."""

    workdir: Path
    storage: Storage
    settings: Settings
    on_progress: Callable[[float], None] = lambda fraction: None
    cancel: threading.Event = field(default_factory=threading.Event)
    #: Resolves an input URL to a local file (uploads from storage, others via the SSRF-safe fetch).
    fetch: Callable[[str, Path, str, str], Path] | None = None
    #: Fans segment tasks out to the workers and waits for them (worker.segments.SegmentFanOut);
    #: None where no queue is available (a child task).
    segments: FanOut | None = None
    #: Records the job's routing (decision, reason, the linked upstream job) on the job row now.
    on_routing: Callable[[dict[str, Any]], None] = lambda routing: None
    #: Set by the worker when the job's upstream announced a change (its webhook was accepted): a
    #: provider waiting on the upstream looks now instead of at its next poll, and clears it.
    wakeup: threading.Event = field(default_factory=threading.Event)

    def check_cancelled(self) -> None:
        """Raise `JobCancelled` if a stop was requested."""
        if self.cancel.is_set():
            raise JobCancelled()


@dataclass
class ProviderResult:
    """A finished edit: output entries (see `jobs.outputs`), metadata, the plan and skipped clauses."""

    outputs: list[dict[str, Any]]
    output_meta: dict[str, Any] | None = None
    plan: dict[str, Any] | None = None
    skipped: list[dict[str, Any]] | None = None


class JobCancelled(Exception):
    """The run stopped because the job was cancelled (or timed out, or the worker is stopping)."""


class JobFailed(EditbayError):
    """A job failure with its wire code, and the plan when one was made before failing."""

    def __init__(self, code: ErrorCode, message: str, plan: dict[str, Any] | None = None) -> None:
        super().__init__(code, message)
        self.plan = plan


class Provider(Protocol):
    """Runs jobs for one or more models."""

    name: str

    def run(self, job: JobSpec, context: RunContext) -> ProviderResult:
        """Do the edit; report progress through ``context.on_progress``; stop on ``context.cancel``."""
        ...
