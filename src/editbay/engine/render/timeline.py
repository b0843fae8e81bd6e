"""Time operations on video and audio together, so sound stays in sync whatever the order.

Trim keeps a range (`trim`/`atrim`); cut removes one (two trimmed copies joined by `concat`); speed
uses `setpts` + `fps` and a chain of pitch-keeping `atempo` steps; reverse uses `reverse`/`areverse`;
loop and boomerang join split copies with `concat`; freeze repeats one frame with `loop` and inserts
the same length of silence; a frame-rate change is `fps` (frames dropped or repeated, the sound
kept). Operations that hold the clip in memory are checked against a budget.
"""

from __future__ import annotations

from editbay.engine.errors import UnsupportedEdit
from editbay.engine.ops import Boomerang, Cut, Extend, FrameRate, Freeze, Loop, Reverse, Speed, Trim
from editbay.engine.render.context import Ctx
from editbay.engine.render.graph import Filter, filter
from editbay.engine.render.graph import fmt_number as n

TimeOp = Trim | Cut | Speed | Reverse | Loop | Boomerang | Freeze | FrameRate
TIME_OPS = (Trim, Cut, Speed, Reverse, Loop, Boomerang, Freeze, FrameRate)


def atempo_chain(factor: float) -> list[Filter]:
    """`atempo` steps within 0.5..2 (the range where it sounds clean) whose product is ``factor``."""
    steps: list[float] = []
    rest = factor
    while rest > 2.0 + 1e-9:
        steps.append(2.0)
        rest /= 2.0
    while rest < 0.5 - 1e-9:
        steps.append(0.5)
        rest /= 0.5
    if abs(rest - 1.0) > 1e-6 or not steps:
        steps.append(rest)
    return [filter("atempo", tempo=round(s, 6)) for s in steps]


def fps_value(fps: float) -> str:
    """NTSC rates as exact fractions (29.97 → 30000/1001), others as decimals."""
    for base in (24, 30, 60, 120):
        if abs(fps - base * 1000 / 1001) < 0.005:
            return f"{base * 1000}/1001"
    return n(fps)


def _vtrim(start: float, end: float | None) -> list[Filter]:
    return [
        filter("trim", start=start if start > 0 else None, end=end),
        filter("setpts", expr="PTS-STARTPTS"),
    ]


def _atrim(start: float, end: float | None) -> list[Filter]:
    return [
        filter("atrim", start=start if start > 0 else None, end=end),
        filter("asetpts", expr="PTS-STARTPTS"),
    ]


def _join(ctx: Ctx, parts: list[tuple[list[Filter], list[Filter]]]) -> None:
    """Split both streams into ``len(parts)`` copies, filter each copy, and concatenate them."""
    g = ctx.graph
    vs = ctx.video.split(len(parts))
    as_ = ctx.audio.split(len(parts)) if ctx.audio is not None else [None] * len(parts)
    ins: list[str] = []
    for (vfs, afs), vl, al in zip(parts, vs, as_, strict=True):
        ins.append(g.chain([vl], vfs, 1, "v")[0] if vfs else vl)
        if al is not None:
            ins.append(g.chain([al], afs, 1, "a")[0] if afs else al)
    has_a = ctx.audio is not None
    outs = g.chain(ins, [filter("concat", n=len(parts), v=1, a=1 if has_a else 0)], 2 if has_a else 1, "c")
    ctx.video.label = outs[0]
    if ctx.audio is not None:
        ctx.audio.label = outs[1]


def trim(ctx: Ctx, start: float, end: float) -> None:
    ctx.vf(*_vtrim(start, end if end < ctx.duration else None))
    ctx.af(*_atrim(start, end if end < ctx.duration else None))
    ctx.duration = end - start


def apply_time(ctx: Ctx, op: TimeOp) -> None:
    ctx.timeline_touched = True
    d = ctx.duration
    if isinstance(op, Trim):
        start, end = ctx.time(op.start, 0.0), ctx.time(op.end, d)
        if end - start < 1.0 / ctx.fps:
            raise_empty(op, start, end)
        trim(ctx, start, end)
    elif isinstance(op, Cut):
        start, end = ctx.time(op.start, 0.0), ctx.time(op.end, d)
        if end - start <= 0:
            return
        if d - (end - start) < 1.0 / ctx.fps:
            raise_empty(op, start, end)
        if start <= 0:
            trim(ctx, end, d)
        elif end >= d:
            trim(ctx, 0.0, start)
        else:
            _join(ctx, [(_vtrim(0, start), _atrim(0, start)), (_vtrim(end, None), _atrim(end, None))])
            ctx.duration = d - (end - start)
    elif isinstance(op, Speed):
        ctx.vf(filter("setpts", expr=f"(PTS-STARTPTS)/{n(op.factor)}"), filter("fps", fps=fps_value(ctx.fps)))
        ctx.af(filter("asetpts", expr="PTS-STARTPTS"), *atempo_chain(op.factor))
        ctx.duration = d / op.factor
    elif isinstance(op, Reverse):
        ctx.check_buffer("reverse")
        ctx.vf(filter("reverse"))
        ctx.af(filter("areverse"))
    elif isinstance(op, Loop):
        ctx.check_buffer("loop")
        _join(ctx, [([], [])] * op.count)
        ctx.duration = d * op.count
    elif isinstance(op, Boomerang):
        ctx.check_buffer("boomerang")
        _join(ctx, [([], []), ([filter("reverse")], [filter("areverse")])])
        ctx.duration = 2 * d
    elif isinstance(op, Freeze):
        _freeze(ctx, op)
    elif isinstance(op, FrameRate):
        # frames are dropped or repeated on the new grid; later steps (fades, stills) count in it
        ctx.vf(filter("fps", fps=fps_value(op.fps)))
        ctx.fps = op.fps


def _freeze(ctx: Ctx, op: Freeze) -> None:
    d = ctx.duration
    at = ctx.time(op.at, 0.0)
    frame = min(round(at * ctx.fps), max(0, round(d * ctx.fps) - 1))
    copies = max(1, round(op.duration * ctx.fps))
    # ffmpeg 9's `loop` repeats the frame *before* `start` (start=N holds frame N-1; 0 and 1 both
    # hold the first): pinned by test_freeze_holds_a_frame_with_silence.
    ctx.vf(filter("loop", loop=copies, size=1, start=frame + 1))
    if ctx.audio is not None:
        hold = n(copies / ctx.fps)
        t = (frame + 1) / ctx.fps  # the copies start after the held frame has played once
        if t >= d - 1e-3:
            ctx.af(filter("apad", pad_dur=hold))
        else:
            g = ctx.graph
            a1, a2 = ctx.audio.split(2)
            (p1,) = g.chain([a1], [*_atrim(0, t), filter("apad", pad_dur=hold)], 1, "a")
            (p2,) = g.chain([a2], _atrim(t, None), 1, "a")
            (out,) = g.chain([p1, p2], [filter("concat", n=2, v=0, a=1)], 1, "a")
            ctx.audio.label = out
        ctx.audio_touched = True
    ctx.duration = d + copies / ctx.fps


def apply_extend(ctx: Ctx, op: Extend) -> None:
    """Black frames and silence before or after everything else (fades and titles included)."""
    ctx.timeline_touched = True
    seconds = n(op.duration)
    if op.where == "start":
        ctx.vf(filter("tpad", start_mode="add", start_duration=seconds, color="black"))
        ctx.af(filter("adelay", delays=f"{round(op.duration * 1000)}", all=1))
    else:
        ctx.vf(filter("tpad", stop_mode="add", stop_duration=seconds, color="black"))
        ctx.af(filter("apad", pad_dur=seconds))
    ctx.duration += op.duration


def raise_empty(op: Trim | Cut, start: float, end: float) -> None:
    raise UnsupportedEdit(
        f"{op.op} {start:.2f}-{end:.2f} s would leave nothing of a clip this long", [op.source or op.op]
    )
