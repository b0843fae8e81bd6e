"""`run()`: execute one ffmpeg argument list with live progress and prompt cancellation.

The process is started from an argument list (never a shell). `-progress pipe:1` key=value blocks
are read on a thread and turned into a 0..1 fraction of the expected output duration; stderr is kept
as a bounded tail. Setting ``cancel`` kills ffmpeg within ~0.05 s and raises `RenderCancelled`; a
non-zero exit raises `RenderFailed` carrying the argv and the stderr tail. `RecordingRunner` is the
fake used by unit tests.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, Protocol

from editbay.engine.errors import RenderCancelled, RenderFailed

ProgressFn = Callable[[float], None]
POLL_S = 0.05


class Runner(Protocol):
    def __call__(
        self,
        argv: Sequence[str],
        duration: float,
        on_progress: ProgressFn | None = None,
        cancel: threading.Event | None = None,
    ) -> None: ...


def parse_progress(line: str, duration: float) -> float | None:
    """The fraction done from one ``-progress`` line, or None if the line carries no time."""
    key, _, value = line.strip().partition("=")
    if key == "progress" and value == "end":
        return 1.0
    if key in ("out_time_us", "out_time_ms") and value.lstrip("-").isdigit() and duration > 0:
        return min(max(int(value) / 1e6 / duration, 0.0), 1.0)
    return None


class _Reader(threading.Thread):
    def __init__(self, stream: IO[bytes], sink: Callable[[str], None]) -> None:
        super().__init__(daemon=True)
        self.stream, self.sink = stream, sink

    def run(self) -> None:
        for raw in iter(self.stream.readline, b""):
            self.sink(raw.decode("utf-8", "replace"))
        self.stream.close()


def run(
    argv: Sequence[str],
    duration: float,
    on_progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
    *,
    timeout: float | None = None,
) -> None:
    """Run ffmpeg to completion; see the module docstring for progress, cancel and errors."""
    if cancel is not None and cancel.is_set():
        raise RenderCancelled("cancelled before the render started")
    tail: deque[str] = deque(maxlen=60)
    done = [0.0]

    def on_stdout(line: str) -> None:
        value = parse_progress(line, duration)
        if value is not None and value > done[0]:
            done[0] = value

    try:
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            close_fds=True,
        )
    except OSError as exc:
        raise RenderFailed(f"could not start ffmpeg: {exc}", argv, "") from exc
    assert proc.stdout is not None and proc.stderr is not None
    readers = [_Reader(proc.stdout, on_stdout), _Reader(proc.stderr, tail.append)]
    for r in readers:
        r.start()
    started, reported = time.monotonic(), -1.0
    try:
        while True:
            try:  # returns as soon as ffmpeg exits; otherwise look at cancel/progress every POLL_S
                proc.wait(timeout=POLL_S)
                break
            except subprocess.TimeoutExpired:
                pass
            if cancel is not None and cancel.is_set():
                raise RenderCancelled("the render was cancelled")
            if timeout is not None and time.monotonic() - started > timeout:
                raise RenderFailed(f"ffmpeg ran longer than {timeout:.0f} s", argv, "".join(tail)[-4000:])
            if on_progress is not None and done[0] > reported:
                reported = done[0]
                on_progress(min(reported, 0.999))
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        for r in readers:
            r.join(timeout=2.0)
    if proc.returncode != 0:
        stderr = "".join(tail)[-4000:]
        last = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit code {proc.returncode}"
        raise RenderFailed(f"ffmpeg failed: {last}", argv, stderr)
    if on_progress is not None:
        on_progress(1.0)


@dataclass
class RecordingRunner:
    """A fake runner: records each argv, reports progress 0.5 then 1.0, optionally fails."""

    calls: list[list[str]] = field(default_factory=list)
    fail_with: str | None = None

    def __call__(
        self,
        argv: Sequence[str],
        duration: float,
        on_progress: ProgressFn | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        self.calls.append(list(argv))
        if cancel is not None and cancel.is_set():
            raise RenderCancelled("cancelled")
        if self.fail_with is not None:
            raise RenderFailed(self.fail_with, argv, self.fail_with)
        if on_progress is not None:
            on_progress(0.5)
            on_progress(1.0)
