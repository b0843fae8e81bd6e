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
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
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
        with phases("download"):
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
            size = context.storage.put_file(task["output"], result.output, "video/mp4")
            if stills is not None:
                for kind, path in (("thumbnail", result.thumbnail), ("poster", result.poster)):
                    if path is not None and Path(path).is_file():
                        context.storage.put_file(stills[kind], Path(path), "image/jpeg")
        meta = {
            "segment": task["index"],
            "durationSeconds": round(result.duration, 3),
            "sizeBytes": size,
            "timings": phases.rounded(),
        }
        return ProviderResult(outputs=[], output_meta=meta)
