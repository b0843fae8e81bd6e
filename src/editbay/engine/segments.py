"""Segment-parallel rendering: decide, split at keyframes, render video per segment, join.

A long input whose plan is *segment-local* (each output frame depends only on the input frame at
the same time: colour, most effects, geometry, overlays and titles without times) can be split at
keyframes into pieces rendered independently — on any worker — and joined by stream copy::

    decision = segment_decision(plan, media, threshold_seconds=60)   # why / why not, recorded
    pieces = split(input, workdir, seconds=10)                      # stream copy, video only
    render(video_plan(plan), piece, piece_out, stills=False)         # per segment (engine.render)
    join(piece_outs, input, plan, output)                            # concat demuxer + audio once

Everything else is *time-global* and rendered in one pass: time operations (trim, cut, speed,
freeze, reverse, boomerang, loop) move frames across the joins; fades and audio fades depend on
where the clip starts and ends; loudness normalisation measures the whole track; a slow zoom,
timed titles/overlays and a mute, volume change, colour or effect limited to a span follow the
clock; temporal filters (denoise's temporal average, temporal grain) and vision operations
(tracking) look at neighbouring frames. Unknown operations are time-global by default.

Audio is never split: `join` takes it from the original input in one piece (copied when the plan
does not touch it, as the single-pass render does; ``volume`` re-encoded; ``mute`` dropped; a timed
mute or volume — rendered in one pass, but `join` is correct for it too — only during its span), so
there is no sample discontinuity at the joins. Splitting is by stream copy at keyframes, so every
input frame lands in exactly one segment (checked: the segments' frame counts must add up to the
input's, else the render falls back to one pass). Each segment's encode starts with an IDR frame
(closed GOP) and uses the single-pass encoder settings, so the concat demuxer can join them with
``-c copy``.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import av

from editbay.engine.errors import RenderFailed
from editbay.engine.ops import (
    Aspect,
    Blur,
    EditPlan,
    Flip,
    Glow,
    Grade,
    Invert,
    Letterbox,
    Lut,
    MediaInfo,
    Mute,
    Overlay,
    Pixelate,
    Resize,
    Rotate,
    Sharpen,
    Temperature,
    Text,
    Tone,
    Vignette,
    Volume,
    Windowed,
    Zoom,
)
from editbay.engine.render.runner import ProgressFn, run

__all__ = [
    "SegmentDecision",
    "count_frames",
    "join",
    "segment_decision",
    "split",
    "split_points",
    "video_plan",
]

#: per-frame operations: an output frame depends only on the input frame at the same time
_FRAME_LOCAL = (Grade, Tone, Temperature, Invert, Lut, Blur, Sharpen, Vignette, Pixelate, Glow,
                Aspect, Resize, Rotate, Flip, Letterbox)
_AUDIO_WHOLE = (Mute, Volume)  # handled by the join, on the whole track (when not timed)
_WHY = {
    "trim": "a trim moves frames across the segment joins",
    "cut": "a cut moves frames across the segment joins",
    "speed": "a speed change retimes video and audio across the joins",
    "freeze": "a freeze frame inserts time",
    "reverse": "reverse plays the whole clip backwards",
    "boomerang": "a boomerang plays the whole clip forwards and backwards",
    "loop": "a loop repeats the whole clip",
    "frame_rate": "a frame-rate change resamples frames on one grid across the joins",
    "extend": "black added at the start or end moves the whole timeline",
    "fade": "fades depend on where the whole clip starts and ends",
    "audio_fade": "audio fades depend on where the whole clip starts and ends",
    "normalize": "loudness normalisation measures the whole track",
    "denoise": "the temporal denoiser averages neighbouring frames across the joins",
    "grain": "temporal grain is a per-frame noise sequence that would restart at each join",
}


@dataclass(frozen=True)
class SegmentDecision:
    """Whether to render in segments, and why (recorded in the plan's notes)."""

    split: bool
    reason: str


def _time_global(op: object) -> str | None:
    """Why ``op`` cannot be rendered per segment, or None when it can."""
    if isinstance(op, Windowed) and op.timed:  # a timed mute, volume, colour or effect
        return f"a timed {getattr(op, 'op', 'edit')} follows the clip's clock"
    if isinstance(op, _FRAME_LOCAL + _AUDIO_WHOLE):
        return None
    if isinstance(op, Zoom):
        return "a slow zoom moves with time" if op.slow else None
    if isinstance(op, Text | Overlay):
        if op.start is not None or op.end is not None:
            return f"a timed {op.op} follows the clip's clock"
        return None
    name = getattr(op, "op", type(op).__name__)
    return _WHY.get(name, f"{name} is not known to be frame-local")


def segment_decision(
    plan: EditPlan, media: MediaInfo, threshold_seconds: float, segment_seconds: float
) -> SegmentDecision:
    """Split ``plan`` on ``media`` into segments, or render it in one pass — and why."""
    if threshold_seconds <= 0:
        return SegmentDecision(False, "segment-parallel rendering is off")
    for op in plan.operations:
        why = _time_global(op)
        if why is not None:
            return SegmentDecision(False, f"single pass: {why}")
    if not any(not isinstance(op, _AUDIO_WHOLE) for op in plan.operations):
        return SegmentDecision(False, "single pass: only audio changes (the video is copied)")
    if media.duration < threshold_seconds:
        return SegmentDecision(
            False, f"single pass: {media.duration:.1f} s is under the {threshold_seconds:.0f} s threshold"
        )
    if media.duration < 2 * segment_seconds:
        return SegmentDecision(False, "single pass: too short for two segments")
    kinds = ", ".join(dict.fromkeys(op.op for op in plan.operations))
    return SegmentDecision(True, f"segment-parallel: every operation is frame-local ({kinds})")


def video_plan(plan: EditPlan) -> EditPlan:
    """The plan each segment renders: the video operations (audio is handled once, by `join`)."""
    ops = [op for op in plan.operations if not isinstance(op, _AUDIO_WHOLE)]
    return plan.model_copy(update={"operations": ops, "has_audio": False})


def split_points(duration: float, seconds: float) -> list[float]:
    """Requested cut times (the split lands on the first keyframe at or after each)."""
    count = max(1, round(duration / seconds))
    step = duration / count
    return [round(step * i, 3) for i in range(1, count)]


def split(
    input_path: Path, workdir: Path, seconds: float, ffmpeg: str, cancel: threading.Event | None = None
) -> list[Path]:
    """Cut the input's video (stream copy, no audio) at keyframes near every ``seconds``.

    Returns the segment files in order (one file when the input has no usable keyframes)."""
    out_dir = workdir / "split"
    out_dir.mkdir(parents=True, exist_ok=True)
    info_duration = _duration(input_path)
    points = split_points(info_duration, seconds)
    argv = [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", str(input_path),
            "-map", "0:v:0", "-c", "copy", "-an", "-sn", "-dn", "-map_metadata", "-1",
            "-f", "segment", "-segment_format", "mp4", "-reset_timestamps", "1",
            "-progress", "pipe:1", "-nostats"]
    if points:
        argv += ["-segment_times", ",".join(f"{p:.3f}" for p in points)]
    argv.append(str(out_dir / "seg-%04d.mp4"))
    run(argv, info_duration, None, cancel)
    return sorted(out_dir.glob("seg-*.mp4"))


def _duration(path: Path) -> float:
    with av.open(str(path)) as container:
        if container.duration:
            return float(container.duration) / 1_000_000
        stream = container.streams.video[0]
        return float((stream.duration or 0) * (stream.time_base or 0))


def count_frames(path: Path) -> int:
    """Video frames in ``path`` (counted from packets: no decoding)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return sum(1 for packet in container.demux(stream) if packet.size)


def join(
    segments: Sequence[Path],
    source: Path,
    plan: EditPlan,
    output: Path,
    ffmpeg: str,
    *,
    source_has_audio: bool,
    source_audio_codec: str | None,
    audio_bitrate: str = "128k",
    duration: float = 0.0,
    on_progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> None:
    """Concatenate rendered segments (video stream copy) and add the source's audio in one piece."""
    listing = output.with_name(f".{output.stem}.concat.txt")
    lines = []
    for path in segments:
        quoted = str(Path(path).resolve()).replace("'", "'\\''")
        lines.append(f"file '{quoted}'")
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    partial = output.with_name(f".{output.stem}.partial.mp4")
    argv = [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
            "-f", "concat", "-safe", "0", "-i", str(listing)]
    # Only a whole-track mute removes the sound; a timed one (or volume) acts during its span only.
    muted = any(isinstance(op, Mute) and not op.timed for op in plan.operations)
    levels = [op for op in plan.operations if isinstance(op, Volume) or (isinstance(op, Mute) and op.timed)]
    if source_has_audio and not muted:
        argv += ["-i", str(source), "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy"]
        if levels:
            from editbay.engine.render.audio import level_filter, level_span

            filters = ",".join(level_filter(op, *level_span(op, duration)).render() for op in levels)
            argv += ["-af", filters, "-c:a", "aac", "-b:a", audio_bitrate]
        elif source_audio_codec == "aac":
            argv += ["-c:a", "copy"]
        else:
            argv += ["-c:a", "aac", "-b:a", audio_bitrate]
    else:
        argv += ["-map", "0:v:0", "-c:v", "copy", "-an"]
    argv += ["-map_metadata", "-1", "-movflags", "+faststart", "-progress", "pipe:1", "-nostats",
             "-f", "mp4", str(partial)]
    try:
        run(argv, duration, on_progress, cancel)
        os.replace(partial, output)
    except RenderFailed:
        raise
    finally:
        listing.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)


def frame_md5s(path: Path, ffmpeg: str) -> list[str]:
    """One MD5 per decoded video frame (``-f framemd5``): the correctness checks' ground truth."""
    done = subprocess.run(
        [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(path), "-map", "0:v:0",
         "-f", "framemd5", "-"],
        capture_output=True, text=True, check=True,
    )
    return [line.rsplit(",", 1)[-1].strip() for line in done.stdout.splitlines() if line and line[0] != "#"]
