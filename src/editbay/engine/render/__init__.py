"""The renderer: `EditPlan` → typed filter graph → one ffmpeg argument list → one ffmpeg run.

render(plan, "in.mp4", "out.mp4")            # probe, limits, compile, run, thumbnail + poster
compile(plan, media, inputs) -> list[str]    # pure: the complete argv (golden-tested)
run(argv, duration, on_progress, cancel)     # the only place a process is started
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from editbay.engine import media as _media
from editbay.engine import vision as _vision
from editbay.engine.errors import InvalidMedia, RenderFailed, UnsupportedEdit
from editbay.engine.ops import EditPlan, Text
from editbay.engine.render.colour import PRESET_LOOKS
from editbay.engine.render.compiler import CompiledRender, build, compile, still_frame
from editbay.engine.render.context import RenderInputs
from editbay.engine.render.fonts import FontSet, find_fonts
from editbay.engine.render.graph import Chain, Filter, Graph, escape, filter
from editbay.engine.render.runner import ProgressFn, RecordingRunner, Runner, run

__all__ = [
    "PRESET_LOOKS",
    "Chain",
    "CompiledRender",
    "Filter",
    "FontSet",
    "Graph",
    "RecordingRunner",
    "RenderInputs",
    "RenderResult",
    "Runner",
    "build",
    "compile",
    "default_threads",
    "escape",
    "filter",
    "find_fonts",
    "render",
    "run",
]


@dataclass(frozen=True)
class RenderResult:
    """What a finished render produced, measured on the output file."""

    output: Path
    width: int
    height: int
    duration: float
    has_audio: bool
    size_bytes: int
    thumbnail: Path | None  # None when rendered with ``stills=False``
    poster: Path | None
    argv: tuple[str, ...]


def default_threads() -> int:
    """Threads for one render: every core (x264 and the filter graph share them)."""
    env = os.environ.get("EDITBAY_RENDER_THREADS")
    if env and env.isdigit():
        return int(env)
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def render(
    plan: EditPlan,
    input_path: str | os.PathLike[str],
    output_path: str | os.PathLike[str],
    *,
    images: Sequence[str | os.PathLike[str]] = (),
    on_progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
    workdir: str | os.PathLike[str] | None = None,
    limits: _media.Limits | None = None,
    crf: int = 20,
    preset: str = "veryfast",
    threads: int | None = None,
    runner: Runner = run,
    stills: bool = True,
    still_index: int | None = None,
    faststart: bool = True,
) -> RenderResult:
    """Render ``plan`` on ``input_path`` into ``output_path`` (H.264 + AAC MP4) plus two JPEGs.

    ``stills=False`` skips the thumbnail and poster (a segment of a segment-parallel render
    needs none); ``still_index`` picks their output frame (default: a third in).
    ``faststart=False`` leaves the index at the end (an intermediate file: saves a rewrite).

    Raises `UnsupportedEdit` for an empty plan, `InvalidMedia` for a bad input or a broken limit,
    `RenderFailed` when ffmpeg fails and `RenderCancelled` when ``cancel`` is set. The output
    appears atomically (written to a hidden partial file, then renamed); temporary files are removed.
    """
    if plan.is_empty:
        raise UnsupportedEdit("the plan has no operation: refusing to return an unedited copy")
    limits = limits or _media.Limits()
    source = _media.probe(input_path)  # load: the input and images must be usable media
    _media.check_limits(source, limits)
    image_paths = tuple(Path(p) for p in images)
    for i, image in enumerate(image_paths):
        _media.check_image(image, f"image {i + 1}")
    output = Path(output_path)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.stem}.partial.mp4")
    still_paths = (output.with_suffix(".thumb.jpg"), output.with_suffix(".poster.jpg"))
    ffmpeg = _media.ffmpeg_exe()
    tmp = Path(tempfile.mkdtemp(prefix="editbay-render-", dir=workdir))
    written: list[Path] = [partial, *still_paths]  # removed unless the render completes
    try:
        # analyse: vision operations look at the picture first (one decode at reduced size)
        vision = (_vision.prepare(plan, Path(input_path), source, image_paths, tmp, cancel)
                  if _vision.needed(plan) else None)
        job = build(plan, source, RenderInputs(  # execute: one ffmpeg run
            input=Path(input_path), output=partial, images=image_paths, workdir=tmp, ffmpeg=ffmpeg,
            fonts=find_fonts() if any(isinstance(op, Text) for op in plan.operations) else FontSet(),
            crf=crf, preset=preset, threads=default_threads() if threads is None else threads,
            max_buffer_bytes=limits.max_buffer_bytes, stills=still_paths if stills else None,
            still_index=still_index, vision=vision, faststart=faststart,
        ))
        for path, content in job.files:
            path.write_text(content, encoding="utf-8")
        runner(job.argv, job.duration, on_progress, cancel)
        os.replace(partial, output)
        written.append(output)
        # record: measure what was written
        result = _finish(output, job, ffmpeg, still_paths if stills else None)
        written = [partial]
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        for path in written:
            path.unlink(missing_ok=True)


def _finish(
    output: Path, job: CompiledRender, ffmpeg: str, stills: tuple[Path, Path] | None
) -> RenderResult:
    try:
        out = _media.describe(output)
    except InvalidMedia as exc:
        raise RenderFailed(f"ffmpeg produced an unreadable output: {exc}", job.argv, "") from exc
    if stills is None:
        return RenderResult(output, out.width, out.height, out.duration, out.has_audio,
                            output.stat().st_size, None, None, job.argv)
    thumb, post = stills
    if job.stills is None or not all(p.is_file() and p.stat().st_size for p in stills):
        at = still_frame(out.duration, out.fps) / out.fps  # same frame the graph would have picked
        _media.thumbnail(output, thumb, at=at, ffmpeg=ffmpeg)
        _media.poster(output, post, at=at, ffmpeg=ffmpeg)
    return RenderResult(output, out.width, out.height, out.duration, out.has_audio,
                        output.stat().st_size, thumb, post, job.argv)
