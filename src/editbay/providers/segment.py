"""A segment task of a segment-parallel render (see `engine.segments`): fetch the piece from
storage → render the video-only plan with the single-pass encoder settings → store the result.

The task's input (written by the parent job's provider)::

    {"segment": {"parent": <job id>, "index": i, "input": <storage key>, "output": <storage key>,
                 "plan": <video-only EditPlan>, "frames": <frames in the piece>,
                 "images": [<storage keys of the overlay images>],
                 "stills": {"frame": <frame index in the piece>, "thumbnail": <key>, "poster": <key>}}}

``stills`` is given to the one segment holding the job's thumbnail frame: that segment's ffmpeg
run writes the thumbnail and poster too, so the parent does not decode the joined output again.
No other segment makes stills. The output keeps its index at the end (no ``faststart`` rewrite):
only the parent's join reads it. The time of each phase is recorded in ``output_meta.timings``.

A segment task that runs in its parent's own worker process (the parent's slot helps render its
segments, and so may any other slot of that process) trades files with the parent through
`HANDOVER` instead of storage: the piece is hard-linked from the parent's work dir, and the
rendered piece and stills are moved into the files the parent will join — no download, upload
or fetch. The pieces are stored all the same (any other worker may claim any task), and
everything falls back to storage when the parent is not in the process (another machine, or a
parent that has ended). ``output_meta.handover`` says which way each side went.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from editbay.errors import ErrorCode
from editbay.providers.base import JobCancelled, JobFailed, JobSpec, ProviderResult, RunContext

#: model slug of segment tasks (internal: never offered by /v1/models, never billed)
SEGMENT_SLUG = "editbay/internal/segment"


class Phases:
    """Wall seconds per named phase (summed when a phase repeats): where a segment's time goes."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            self.add(name, time.monotonic() - started)

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    def rounded(self) -> dict[str, float]:
        return {name: round(value, 3) for name, value in self.seconds.items()}

    def __str__(self) -> str:
        return ", ".join(f"{name} {value:.2f} s" for name, value in self.seconds.items())


class Handover:
    """Files a parent job and its segment tasks trade inside one worker process, by storage key.

    The parent `offer`s each stored piece (its local file) and `expect`s each rendered piece and
    still (the local file it will join or keep); a task in the same process `take`s its piece
    and `deliver`s its outputs. Keys are per job attempt, so an entry never outlives the attempt
    that made it (`forget`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offered: dict[str, Path] = {}
        self._expected: dict[str, Path] = {}

    def offer(self, key: str, path: Path) -> None:
        with self._lock:
            self._offered[key] = path

    def expect(self, key: str, path: Path) -> None:
        with self._lock:
            self._expected[key] = path

    def forget(self, keys: Iterable[str]) -> None:
        with self._lock:
            for key in keys:
                self._offered.pop(key, None)
                self._expected.pop(key, None)

    def take(self, key: str, dest: Path) -> bool:
        """Link (or copy) the offered file of ``key`` to ``dest``; False when there is none."""
        with self._lock:
            source = self._offered.get(key)
        if source is None:
            return False
        try:
            try:
                os.link(source, dest)
            except OSError:  # another file system
                shutil.copyfile(source, dest)
        except OSError:  # the parent has cleaned up meanwhile
            dest.unlink(missing_ok=True)
            return False
        return True

    def deliver(self, key: str, source: Path) -> bool:
        """Move ``source`` to where the parent expects ``key``; False when it expects nothing
        here (the caller then stores it)."""
        with self._lock:
            dest = self._expected.get(key)
        if dest is None:
            return False
        partial = dest.with_name(f".{dest.name}.partial")
        try:
            try:
                os.replace(source, partial)
            except OSError:  # another file system
                shutil.copyfile(source, partial)
            os.replace(partial, dest)  # whole or not at all: the parent checks for the file
        except OSError:
            partial.unlink(missing_ok=True)
            return False
        return True


#: one per process: the worker slots of a process share it
HANDOVER = Handover()


class SegmentProvider:
    """Renders one segment of a parent job's video on whichever worker claimed it."""

    name = "segment"

    def run(self, job: JobSpec, context: RunContext) -> ProviderResult:
        from editbay.engine.errors import RenderCancelled, RenderFailed
        from editbay.engine.ops import EditPlan
        from editbay.engine.render import render
        from editbay.engine.render.runner import run

        task: dict[str, Any] = job.input["segment"]
        phases = Phases()
        piece = context.workdir / "piece.mp4"
        handover = {"input": "local", "output": "local"}
        with phases("download"):
            if not HANDOVER.take(task["input"], piece):
                handover["input"] = "storage"
                context.storage.download_to(task["input"], piece)
            images = []
            for i, key in enumerate(task.get("images") or []):
                images.append(context.workdir / f"image-{i}")
                context.storage.download_to(key, images[-1])
        context.check_cancelled()
        context.on_progress(0.05)
        plan = EditPlan.model_validate(task["plan"])
        stills: dict[str, Any] | None = task.get("stills")
        out = context.workdir / "rendered.mp4"

        def timed_run(
            argv: Sequence[str], duration: float, on_progress: Any = None, cancel: Any = None
        ) -> None:
            with phases("ffmpeg"):
                run(argv, duration, on_progress, cancel)

        started = time.monotonic()
        try:
            result = render(
                plan,
                piece,
                out,
                images=images,
                on_progress=lambda f: context.on_progress(0.05 + 0.9 * max(0.0, min(1.0, f))),
                cancel=context.cancel,
                workdir=context.workdir,
                runner=timed_run,
                stills=stills is not None,
                still_index=None if stills is None else int(stills["frame"]),
                faststart=False,
            )
        except RenderCancelled as exc:
            raise JobCancelled() from exc
        except RenderFailed as exc:
            raise JobFailed(ErrorCode.RENDER_FAILED, f"segment {task['index']}: {exc}") from exc
        # probe of the piece, compile, and measuring the output: the render minus ffmpeg itself
        phases.add("probe+describe", time.monotonic() - started - phases.seconds.get("ffmpeg", 0.0))
        context.check_cancelled()
        with phases("upload"):
            size = Path(result.output).stat().st_size
            if stills is not None:  # before the video: the parent takes the video as the signal
                for kind, path in (("thumbnail", result.thumbnail), ("poster", result.poster)):
                    still = Path(path) if path is not None else None
                    if still is not None and still.is_file() and not HANDOVER.deliver(stills[kind], still):
                        context.storage.put_file(stills[kind], still, "image/jpeg")
            if not HANDOVER.deliver(task["output"], Path(result.output)):
                handover["output"] = "storage"
                context.storage.put_file(task["output"], result.output, "video/mp4")
        meta = {
            "segment": task["index"],
            "durationSeconds": round(result.duration, 3),
            "sizeBytes": size,
            "timings": phases.rounded(),
            "handover": handover,
        }
        return ProviderResult(outputs=[], output_meta=meta)
