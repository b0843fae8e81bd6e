"""The local engine as a provider: fetch → probe → plan → check → render → store.

Engine errors are translated here into job failures that carry the plan (when one was made):
InvalidMedia → INVALID_INPUT, UnsupportedEdit → UNSUPPORTED_EDIT (naming the clause),
RenderFailed → RENDER_FAILED; RenderCancelled → `JobCancelled`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from editbay.errors import ErrorCode
from editbay.providers.base import JobCancelled, JobFailed, JobSpec, ProviderResult, RunContext
from editbay.providers.segment import HANDOVER, Phases

log = logging.getLogger(__name__)


def image_urls(value: Any) -> list[str]:
    """``images`` as URLs (the API accepts strings or ``{"url": ...}`` objects)."""
    urls: list[str] = []
    for item in value or []:
        url = item.get("url") if isinstance(item, dict) else item
        if isinstance(url, str) and url:
            urls.append(url)
    return urls


def check_limits(info: Any, ctx: RunContext) -> None:
    """Refuse inputs beyond the configured duration and resolution limits."""
    s = ctx.settings
    if info.duration > s.max_input_duration_seconds:
        raise JobFailed(
            ErrorCode.INVALID_INPUT,
            f"the video is {info.duration:.1f} s long; the limit is {s.max_input_duration_seconds:.0f} s",
        )
    if info.width > s.max_input_width or info.height > s.max_input_height:
        raise JobFailed(
            ErrorCode.INVALID_INPUT,
            f"the video is {info.width}x{info.height}; the limit is {s.max_input_width}x{s.max_input_height}",
        )


class LocalEngineProvider:
    """Runs edits on this machine with editbay's engine (ffmpeg)."""

    name = "local"

    def run(self, job: JobSpec, context: RunContext) -> ProviderResult:
        from editbay.engine.errors import InvalidMedia, RenderCancelled, RenderFailed, UnsupportedEdit
        from editbay.engine.media import probe
        from editbay.engine.plan import check_supported, plan_edit
        from editbay.engine.render import render

        data = job.input
        strict = bool(data.get("strict", True))
        assert context.fetch is not None, "the worker provides the input fetcher"
        video = context.fetch(data["video_url"], context.workdir / "input", "video", "input.video_url")
        images = [
            context.fetch(url, context.workdir / f"image_{i}", "image", f"input.images[{i}]")
            for i, url in enumerate(image_urls(data.get("images")))
        ]
        context.check_cancelled()
        context.on_progress(0.02)
        plan = None
        try:
            info = probe(video)
            check_limits(info, context)
            plan = plan_edit(
                data.get("prompt", ""),
                images=[str(p) for p in images],
                keep_original_sound=data.get("keep_original_sound"),
                aspect_ratio=data.get("aspect_ratio"),
                media=info,
                strict=strict,
                check=False,  # check below, so a refused job still records its plan
            )
            check_supported(plan, strict)
            context.check_cancelled()
            output_path = context.workdir / "output.mp4"
            result = segmented(job, context, plan, video, images, info, output_path)
            if result is None:
                result = render(
                    plan,
                    video,
                    output_path,
                    images=images,
                    on_progress=lambda f: context.on_progress(0.05 + 0.9 * max(0.0, min(1.0, f))),
                    cancel=context.cancel,
                    workdir=context.workdir,
                )
        except InvalidMedia as exc:
            raise JobFailed(ErrorCode.INVALID_INPUT, f"input.video_url: {exc}", _dump(plan)) from exc
        except UnsupportedEdit as exc:
            raise JobFailed(ErrorCode.UNSUPPORTED_EDIT, str(exc), _dump(plan)) from exc
        except RenderCancelled as exc:
            raise JobCancelled() from exc
        except RenderFailed as exc:
            raise JobFailed(ErrorCode.RENDER_FAILED, f"the render failed: {exc}", _dump(plan)) from exc
        context.check_cancelled()
        return self._store(job, context, result, plan, strict)

    def _store(self, job: JobSpec, ctx: RunContext, result: Any, plan: Any, strict: bool) -> ProviderResult:
        prefix = f"outputs/{job.job_id}"
        out_path = Path(result.output if hasattr(result, "output") else result.output_path)
        size = ctx.storage.put_file(f"{prefix}/output.mp4", out_path, "video/mp4")
        entry: dict[str, Any] = {
            "type": "video",
            "video": f"{prefix}/output.mp4",
            "contentType": "video/mp4",
            "sizeBytes": size,
        }
        for field, name, key_field in (
            ("thumbnail", "thumbnail.jpg", "thumbnail"),
            ("poster", "poster.jpg", "poster"),
        ):
            path = getattr(result, field, None)
            if path and Path(path).is_file():
                ctx.storage.put_file(f"{prefix}/{name}", Path(path), "image/jpeg")
                entry[key_field] = f"{prefix}/{name}"
        meta = {
            "width": result.width,
            "height": result.height,
            "durationSeconds": round(float(result.duration), 3),
            "format": "mp4",
            "hasAudio": bool(result.has_audio),
            "sizeBytes": size,
        }
        skipped = None if strict else [u.model_dump(mode="json") for u in plan.unsupported]
        return ProviderResult(outputs=[entry], output_meta=meta, plan=_dump(plan), skipped=skipped)


def segmented(
    job: JobSpec, ctx: RunContext, plan: Any, video: Path, images: list[Path], info: Any, output: Path
) -> Any:
    """Render a long, frame-local plan as segment tasks on any workers and join them (see
    `engine.segments`); None when the plan is rendered in one pass. The decision and its reason
    are appended to the plan's notes (stored on the job).

    Pipelined so the workers start early and the tail after the last segment stays short: each
    piece is queued as soon as it is stored; each rendered piece is fetched as soon as its task
    completes; the segment holding the thumbnail frame writes the thumbnail and poster itself.
    Tasks that run in this worker process trade their files with this function through
    `providers.segment.HANDOVER` instead of storage."""
    from editbay.engine import media as _media
    from editbay.engine import segments as seg
    from editbay.engine.render.compiler import still_frame

    s = ctx.settings
    decision = seg.segment_decision(plan, info, s.segment_threshold_seconds, s.segment_seconds)
    if decision.split and any(p.read_bytes()[:4] == b"GIF8" for p in images):
        decision = seg.SegmentDecision(False, "single pass: an animated (GIF) overlay follows the clock")
    if decision.split and ctx.segments is None:
        decision = seg.SegmentDecision(False, "single pass: no queue to fan segments out to")
    if not decision.split:
        if s.segment_threshold_seconds > 0 and info.duration >= s.segment_threshold_seconds:
            plan.notes.append(decision.reason)  # only worth saying for long inputs
        return None
    assert ctx.segments is not None
    phases = Phases()
    ffmpeg = _media.ffmpeg_exe()
    with phases("split"):
        pieces = seg.split(video, ctx.workdir, s.segment_seconds, ffmpeg, ctx.cancel)
    if len(pieces) < 2:
        plan.notes.append("single pass: the input has no keyframes to split at")
        return None
    with phases("count"):
        frames = [seg.count_frames(p) for p in pieces]
        total = seg.count_frames(video)
    if sum(frames) != total:
        plan.notes.append("single pass: the keyframe split did not keep every frame")
        return None
    ctx.on_progress(0.08)
    prefix = f"work/{job.job_id}/a{job.attempt}"
    vplan = seg.video_plan(plan).model_dump(mode="json")
    # the frame the single pass would take its stills from, and the segment holding it
    still = min(still_frame(info.duration, info.fps or 30.0), total - 1)
    starts = [sum(frames[:i]) for i in range(len(frames))]
    still_seg = max(i for i, start in enumerate(starts) if start <= still)
    stills: dict[str, Any] = {"frame": still - starts[still_seg], "thumbnail": f"{prefix}/thumbnail.jpg",
              "poster": f"{prefix}/poster.jpg"}
    thumb, poster = output.with_suffix(".thumb.jpg"), output.with_suffix(".poster.jpg")
    rendered = [ctx.workdir / f"rendered-{i:04d}.mp4" for i in range(len(pieces))]
    fetched: set[int] = set()
    handed: list[str] = []  # storage keys registered with HANDOVER
    try:
        with phases("upload"):
            image_keys = []
            for i, image in enumerate(images):  # overlays: every segment needs the images
                image_keys.append(f"{prefix}/image-{i}")
                ctx.storage.put_file(image_keys[-1], image, "application/octet-stream")

        def tasks() -> Iterator[dict[str, Any]]:
            for i, piece in enumerate(pieces):
                task: dict[str, Any] = {
                    "parent": job.job_id, "index": i, "input": f"{prefix}/seg-{i:04d}.in.mp4",
                    "output": f"{prefix}/seg-{i:04d}.out.mp4", "plan": vplan, "frames": frames[i],
                    "images": image_keys,
                }
                if i == still_seg:
                    task["stills"] = stills
                    for key, path in ((stills["thumbnail"], thumb), (stills["poster"], poster)):
                        handed.append(key)
                        HANDOVER.expect(key, path)
                with phases("upload"):
                    ctx.storage.put_file(task["input"], piece, "video/mp4")
                # a task run in this process takes the piece from here and hands its output back
                handed.extend((task["input"], task["output"]))
                HANDOVER.offer(task["input"], piece)
                HANDOVER.expect(task["output"], rendered[i])
                yield {"segment": task}

        def fetch(index: int) -> None:  # a segment completed: fetch it while the others render
            pieces[index].unlink(missing_ok=True)
            if rendered[index].is_file():  # rendered in this process: handed over already
                fetched.add(index)
                return
            with phases("download"):
                ctx.storage.download_to(f"{prefix}/seg-{index:04d}.out.mp4", rendered[index])
                if index == still_seg:
                    for key, path in ((stills["thumbnail"], thumb), (stills["poster"], poster)):
                        if not path.is_file():
                            with contextlib.suppress(Exception):  # made from the output below instead
                                ctx.storage.download_to(key, path)
            fetched.add(index)

        with phases("fan-out"):
            ctx.segments(tasks(), len(pieces), lambda f: ctx.on_progress(0.1 + 0.8 * f), ctx.cancel, fetch)
        for index in set(range(len(pieces))) - fetched:
            fetch(index)
        partial = output.with_name(".joined.mp4")
        with phases("join"):
            seg.join(rendered, video, plan, partial, ffmpeg, source_has_audio=info.has_audio,
                     source_audio_codec=getattr(info, "audio_codec", None), duration=info.duration,
                     on_progress=lambda f: ctx.on_progress(0.9 + 0.05 * f), cancel=ctx.cancel)
            output.parent.mkdir(parents=True, exist_ok=True)
            partial.replace(output)
    finally:
        HANDOVER.forget(handed)
        with phases("cleanup"), contextlib.suppress(Exception):  # else left to the sweeper
            ctx.storage.delete_prefix(f"work/{job.job_id}/")  # every attempt's pieces
    plan.notes.append(f"{decision.reason}; {len(pieces)} segments at keyframes")
    with phases("describe"):
        out = _media.describe(output)
    if not (thumb.is_file() and poster.is_file()):
        with phases("stills"):
            at = still_frame(out.duration, out.fps) / out.fps
            _media.thumbnail(output, thumb, at=at, ffmpeg=ffmpeg)
            _media.poster(output, poster, at=at, ffmpeg=ffmpeg)
    log.info("job %s: %d segments; parent phases: %s", job.job_id, len(pieces), phases,
             extra={"jobId": job.job_id})
    from editbay.engine.render import RenderResult

    return RenderResult(output, out.width, out.height, out.duration, out.has_audio,
                        output.stat().st_size, thumb, poster, ())


def _dump(plan: Any) -> dict[str, Any] | None:
    if plan is None:
        return None
    return plan.model_dump(mode="json") if hasattr(plan, "model_dump") else dict(plan)
