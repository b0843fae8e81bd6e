"""`compile()`: plan + probe + inputs → the complete ffmpeg argument list. Pure: no I/O, no clock.

One ffmpeg process, one filter graph, no intermediate files. Operations run in plan order, except:
consecutive colour operations are fused into one lookup table; a leading trim becomes an input
seek (``-ss``/``-t``, so skipped video is not decoded); fades are applied last against the output
duration, and black added at the start or end (`Extend`) after them. Streams nothing touches are
copied (audio when AAC; video when already H.264 4:2:0).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from editbay.engine.errors import UnsupportedEdit
from editbay.engine.ops import (
    AudioFade,
    Background,
    ColorMatch,
    EditPlan,
    Extend,
    FaceBlur,
    Fade,
    MediaInfo,
    Normalize,
    Overlay,
    Reframe,
    Scenes,
    Stabilize,
    Text,
    Trim,
    Windowed,
    Zoom,
)
from editbay.engine.render.audio import AUDIO_OPS, FADE_OPS, apply_audio, apply_fades
from editbay.engine.render.colour import COLOUR_OPS, apply_colour
from editbay.engine.render.context import Ctx, RenderInputs
from editbay.engine.render.effects import EFFECT_OPS, apply_effect
from editbay.engine.render.geometry import GEOMETRY_OPS, apply_geometry
from editbay.engine.render.graph import filter
from editbay.engine.render.graph import fmt_number as n
from editbay.engine.render.overlay import apply_overlay, apply_text
from editbay.engine.render.timeline import TIME_OPS, apply_extend, apply_time

VISION_OPS = (FaceBlur, Background, ColorMatch, Stabilize, Reframe, Scenes)
COPYABLE_VIDEO = {("h264", "yuv420p"), ("h264", "yuvj420p")}


@dataclass(frozen=True)
class CompiledRender:
    """The argument list plus what the run needs: files to write first and the expected output."""

    argv: tuple[str, ...]
    files: tuple[tuple[Path, str], ...]
    width: int
    height: int
    duration: float
    has_audio: bool
    graph: str
    stills: tuple[Path, Path] | None = None  # written by this run (None: extract them afterwards)


def _time_invariant(op: object) -> bool:
    """True when an operation's effect does not depend on where the clip starts or ends."""
    if isinstance(op, Windowed):  # mute, volume, colour and effects: unless limited to a span
        return not op.timed
    if isinstance(op, FADE_OPS + (Normalize,)):
        return True
    if isinstance(op, GEOMETRY_OPS):
        return not (isinstance(op, Zoom) and op.slow)
    if isinstance(op, Text | Overlay):
        return op.start is None and op.end is None
    return False


def _input_trim(ops: list, duration: float) -> tuple[list, list[str], float]:
    """Turn the first time operation into ``-ss/-t`` when it is a trim nothing before depends on."""
    for i, op in enumerate(ops):
        if _time_invariant(op):
            continue
        if not isinstance(op, Trim):
            break
        start = op.start if op.start is None or op.start >= 0 else duration + op.start
        end = op.end if op.end is None or op.end >= 0 else duration + op.end
        start = min(max(start or 0.0, 0.0), duration)
        end = min(max(end if end is not None else duration, 0.0), duration)
        if end - start <= 0:
            break  # leave it to the graph, which reports the empty range
        args = (["-ss", n(start)] if start > 0 else []) + (["-t", n(end - start)] if end < duration else [])
        return ops[:i] + ops[i + 1 :], args, end - start
    return ops, [], duration


def _window(op: object) -> tuple[float | None, float | None]:
    return (op.start, op.end) if isinstance(op, Windowed) else (None, None)


def _during(ctx: Ctx, start: float | None, end: float | None, apply: Callable[[], None]) -> None:
    """Apply an effect during ``start``..``end`` only: it runs on a copy of the stream, which is shown
    over the original during that time (the overlay's timeline option)."""
    enable = ctx.enable(start, end)
    if enable is None:
        apply()
        return
    main, side = ctx.video.split(2)
    ctx.video.label = side
    apply()
    (ctx.video.label,) = ctx.graph.chain(
        [main, ctx.video.head()], [filter("overlay", x=0, y=0, enable=enable)], 1, "v"
    )
    ctx.video_touched = True


def _apply_ops(ctx: Ctx, ops: Sequence[object]) -> list[Fade | AudioFade]:
    """Every operation but the fades (returned, applied against the output's length) and the black
    added around the edit (`Extend`, applied by `build` after the fades)."""
    fades: list[Fade | AudioFade] = []
    colour_run: list = []
    texts = 0
    for op in [*ops, None]:
        if isinstance(op, COLOUR_OPS) and (not colour_run or _window(op) == _window(colour_run[0])):
            colour_run.append(op)  # one table for consecutive colour operations on the same span
            continue
        if colour_run:
            apply_colour(ctx, colour_run, ctx.enable(*_window(colour_run[0])))
            colour_run = []
        if isinstance(op, COLOUR_OPS):
            colour_run.append(op)
            continue
        if op is None:
            break
        if isinstance(op, Extend):
            continue
        if isinstance(op, FADE_OPS):
            fades.append(op)
        elif isinstance(op, EFFECT_OPS):
            _during(ctx, *_window(op), partial(apply_effect, ctx, op))
        elif isinstance(op, GEOMETRY_OPS):
            apply_geometry(ctx, op)
        elif isinstance(op, TIME_OPS):
            apply_time(ctx, op)
        elif isinstance(op, AUDIO_OPS):
            apply_audio(ctx, op)
        elif isinstance(op, Text):
            apply_text(ctx, op, texts)
            texts += 1
        elif isinstance(op, Overlay):
            apply_overlay(ctx, op)
        elif isinstance(op, VISION_OPS):
            from editbay.engine.vision.nodes import apply_vision  # numpy/OpenCV only when needed

            apply_vision(ctx, op)
        else:
            raise TypeError(f"the renderer has no rule for operation {type(op).__name__}")
    return fades


def _check_times_known(ops: Sequence[object]) -> None:
    """Shares of the clip's length ("the first half") become seconds in the planner, given the media,
    and so does a length to reach ("speed it up to fit 10 seconds") become a speed."""
    shares = [
        op for op in ops if getattr(op, "portion", None) is not None or getattr(op, "fit", None) is not None
    ]
    if shares:
        words = [getattr(op, "source", "") or getattr(op, "op", "") for op in shares]
        raise UnsupportedEdit(
            f"{', '.join(repr(w) for w in words)} depends on the clip's length: plan it with the "
            "input's media (plan_edit(..., media=probe(input))) so that it becomes seconds",
            words,
        )


def build(plan: EditPlan, media: MediaInfo, inputs: RenderInputs) -> CompiledRender:
    """Compile ``plan`` for ``media`` into a `CompiledRender` (argv + files to write)."""
    _check_times_known(plan.operations)
    ops, seek, duration = _input_trim(list(plan.operations), media.duration)
    ctx = Ctx(inputs, media.width, media.height, duration, media.fps or 30.0, has_audio=media.has_audio)
    ctx.timeline_touched = bool(seek)
    apply_fades(ctx, _apply_ops(ctx, ops))
    for op in ops:
        if isinstance(op, Extend):
            apply_extend(ctx, op)
    ctx.even()
    copy_video, copy_audio = _copyable(ctx, media)
    stills = None if copy_video or inputs.stills is None else _stills(ctx, inputs.stills)
    streams = _stream_args(ctx, inputs, copy_video, copy_audio)
    graph = ctx.graph.build().render()

    argv = [inputs.ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    argv += [*seek, "-i", str(inputs.input)]
    for index in sorted(ctx.image_inputs, key=ctx.image_inputs.__getitem__):
        argv += ["-i", str(inputs.images[index])]
    if graph:
        argv += ["-filter_complex", graph]
        if inputs.threads:
            argv += ["-filter_complex_threads", str(inputs.threads)]
    argv += streams
    if inputs.threads:
        argv += ["-threads", str(inputs.threads)]
    argv += ["-map_metadata", "-1", *(["-movflags", "+faststart"] if inputs.faststart else [])]
    argv += ["-progress", "pipe:1", "-nostats"]
    argv += ["-f", "mp4", str(inputs.output)]
    for label, path in zip(("thumb", "poster"), stills or (), strict=False):
        argv += ["-map", f"[{label}]", "-frames:v", "1", "-update", "1", "-q:v", "3"]
        argv += ["-f", "image2", str(path)]
    return CompiledRender(tuple(argv), tuple(ctx.files), ctx.width, ctx.height, round(ctx.duration, 3),
                          ctx.audio is not None, graph, stills)


def _copyable(ctx: Ctx, media: MediaInfo) -> tuple[bool, bool]:
    """Whether the video / audio stream can be copied untouched into the output."""
    video = (getattr(media, "video_codec", None), getattr(media, "pix_fmt", None))
    copy_video = (not ctx.video_touched and not ctx.timeline_touched and media.rotation == 0
                  and video in COPYABLE_VIDEO and ctx.width % 2 == 0 and ctx.height % 2 == 0)
    copy_audio = (ctx.audio is not None and not ctx.audio_touched and not ctx.timeline_touched
                  and getattr(media, "audio_codec", None) == "aac")
    return copy_video, copy_audio


def _stream_args(ctx: Ctx, inputs: RenderInputs, copy_video: bool, copy_audio: bool) -> list[str]:
    """``-map`` and codec options of the MP4 output."""
    if copy_video:
        maps, codecs = ["-map", "0:v:0"], ["-c:v", "copy"]
    else:
        maps = ["-map", "[" + ctx.video.finish("vout") + "]"]
        codecs = ["-c:v", "libx264", "-preset", inputs.preset, "-crf", str(inputs.crf), "-pix_fmt", "yuv420p"]
        if ctx.x264_params:
            codecs += ["-x264-params", ":".join(f"{k}={v}" for k, v in ctx.x264_params.items())]
    if ctx.audio is None:
        maps += ["-an"]
    elif copy_audio:
        maps += ["-map", "0:a:0"]
        codecs += ["-c:a", "copy"]
    else:
        maps += ["-map", "[" + ctx.audio.finish("aout") + "]"]
        codecs += ["-c:a", "aac", "-b:a", inputs.audio_bitrate]
    return maps + codecs


def still_frame(duration: float, fps: float) -> int:
    """Index of the frame used for the thumbnail and poster: a third in (clear of fades and intros)."""
    frames = max(1, int(duration * fps))
    return min(frames - 1, round(duration * fps / 3))


def _stills(ctx: Ctx, paths: tuple[Path, Path]) -> tuple[Path, Path]:
    """Branch one frame off the final video into a 320 px thumbnail and a ≤1280 px poster."""
    g = ctx.graph
    main, still = ctx.video.split(2)
    ctx.video.label = main
    index = ctx.inputs.still_index
    frame = filter("select", expr=f"eq(n,{still_frame(ctx.duration, ctx.fps) if index is None else index})")
    small, large = g.chain([still], [frame, filter("split", outputs=2)], 2, "s")
    g.chain([small], [filter("scale", w="min(iw,320)", h=-2)], ["thumb"])
    g.chain([large], [filter("scale", w="min(iw,1280)", h=-2)], ["poster"])
    return paths


def compile(plan: EditPlan, media: MediaInfo, inputs: RenderInputs) -> list[str]:  # noqa: A001
    """The complete ffmpeg argument list for ``plan`` (see `build` for the files it refers to)."""
    return list(build(plan, media, inputs).argv)
