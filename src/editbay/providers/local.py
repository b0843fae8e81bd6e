"""The local engine as a provider: fetch → probe → plan → check → render → store.

Engine errors are translated here into job failures that carry the plan (when one was made):
InvalidMedia → INVALID_INPUT, UnsupportedEdit → UNSUPPORTED_EDIT (naming the clause),
RenderFailed → RENDER_FAILED; RenderCancelled → `JobCancelled`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from editbay.errors import ErrorCode
from editbay.providers.base import JobCancelled, JobFailed, JobSpec, ProviderResult, RunContext


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
                keep_original_sound=data.get("keep_original_sound", True),
                aspect_ratio=data.get("aspect_ratio"),
                media=info,
                strict=strict,
                check=False,  # check below, so a refused job still records its plan
            )
            check_supported(plan, strict)
            context.check_cancelled()
            output_path = context.workdir / "output.mp4"
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


def _dump(plan: Any) -> dict[str, Any] | None:
    if plan is None:
        return None
    return plan.model_dump(mode="json") if hasattr(plan, "model_dump") else dict(plan)
