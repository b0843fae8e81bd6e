"""A segment task of a segment-parallel render (see `engine.segments`): fetch the piece from
storage → render the video-only plan with the single-pass encoder settings → store the result.

The task's input (written by the parent job's provider)::

    {"segment": {"parent": <job id>, "index": i, "input": <storage key>, "output": <storage key>,
                 "plan": <video-only EditPlan>, "frames": <frames in the piece>,
                 "images": [<storage keys of the overlay images>]}}
"""

from __future__ import annotations

from typing import Any

from editbay.errors import ErrorCode
from editbay.providers.base import JobCancelled, JobFailed, JobSpec, ProviderResult, RunContext

#: model slug of segment tasks (internal: never offered by /v1/models, never billed)
SEGMENT_SLUG = "editbay/internal/segment"


class SegmentProvider:
    """Renders one segment of a parent job's video on whichever worker claimed it."""

    name = "segment"

    def run(self, job: JobSpec, context: RunContext) -> ProviderResult:
        from editbay.engine.errors import RenderCancelled, RenderFailed
        from editbay.engine.ops import EditPlan
        from editbay.engine.render import render

        task: dict[str, Any] = job.input["segment"]
        piece = context.workdir / "piece.mp4"
        context.storage.download_to(task["input"], piece)
        images = []
        for i, key in enumerate(task.get("images") or []):
            images.append(context.workdir / f"image-{i}")
            context.storage.download_to(key, images[-1])
        context.check_cancelled()
        context.on_progress(0.05)
        plan = EditPlan.model_validate(task["plan"])
        out = context.workdir / "rendered.mp4"
        try:
            result = render(
                plan,
                piece,
                out,
                images=images,
                on_progress=lambda f: context.on_progress(0.05 + 0.9 * max(0.0, min(1.0, f))),
                cancel=context.cancel,
                workdir=context.workdir,
            )
        except RenderCancelled as exc:
            raise JobCancelled() from exc
        except RenderFailed as exc:
            raise JobFailed(ErrorCode.RENDER_FAILED, f"segment {task['index']}: {exc}") from exc
        context.check_cancelled()
        size = context.storage.put_file(task["output"], result.output, "video/mp4")
        meta = {"segment": task["index"], "durationSeconds": round(result.duration, 3), "sizeBytes": size}
        return ProviderResult(outputs=[], output_meta=meta)
