"""Vision operations as filter-graph nodes: analysis results → parts of the single ffmpeg graph.

* faces / background: the input is split; one copy gets the effect (blur on a downscaled copy,
  pixelize, black, grey or darkened), and ``maskedmerge`` takes it where the analysis mask video
  (read by the ``movie`` source, timestamps matching the input's frames) says so;
* colour match: ``lut3d`` with the generated ``.cube``;
* stabilise / reframe: a crop window moved per frame by ``sendcmd`` commands (a text file), for
  stabilisation with a small rotation when needed and scaled back to the input size;
* shots not resolved by the planner: the kept ranges are trimmed and joined with ``concat``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from editbay.engine.errors import UnsupportedEdit
from editbay.engine.ops import Background, ColorMatch, FaceBlur, Operation, Reframe, Scenes, Stabilize
from editbay.engine.render.context import Ctx, even
from editbay.engine.render.graph import Filter, Value, filter
from editbay.engine.render.graph import fmt_number as n
from editbay.engine.vision import scenes as shot_select
from editbay.engine.vision.analyse import VISION_OPS, VisionData

_INSTANCE = re.compile(r"^[a-z][a-z0-9_]*@[a-z][a-z0-9_]*$")

__all__ = ["VISION_OPS", "apply_vision", "sendcmd_script"]


@dataclass(frozen=True)
class NamedFilter(Filter):
    """A filter with an instance name (``crop@stab``) so ``sendcmd`` can address it alone."""

    def __post_init__(self) -> None:
        if not _INSTANCE.match(self.name):
            raise ValueError(f"invalid filter instance name {self.name!r}")
        Filter(self.name.split("@")[0], self.options)  # validates the options


def named(name: str, instance: str, **options: Value) -> NamedFilter:
    return NamedFilter(f"{name}@{instance}", tuple(options.items()))


def _data(ctx: Ctx, op: Operation) -> VisionData:
    data = getattr(ctx.inputs, "vision", None)
    if not isinstance(data, VisionData):
        raise UnsupportedEdit(
            f"'{op.op}' needs the picture analysed first (render() does that)", [op.source or op.op]
        )
    return data


def sendcmd_script(times: Sequence[float], fps: float, commands: Sequence[str]) -> str:
    """One sendcmd interval per frame whose command changed, starting a quarter frame early."""
    early = 0.25 / max(fps, 1.0)
    lines, last = [], None
    for t, cmd in zip(times, commands, strict=False):
        if cmd != last:
            lines.append(f"{max(0.0, t - early):.4f} {cmd};")
            last = cmd
    return "\n".join(lines) + "\n"


def _merge_masked(ctx: Ctx, effect: list[Filter], mask_path: str) -> None:
    """Replace the picture by ``effect(picture)`` where the mask video is white (soft in between)."""
    g = ctx.graph
    ctx.vf(filter("format", pix_fmts="yuv420p"))
    main, src = ctx.video.split(2)
    (fx,) = g.chain([src], effect, 1, "f")
    (mask,) = g.chain(
        [],
        [
            filter("movie", filename=mask_path),
            filter("scale", w=ctx.width, h=ctx.height, flags="bilinear"),
            filter("format", pix_fmts="yuv420p"),
        ],
        1,
        "m",
    )
    (out,) = g.chain([main, fx, mask], [filter("maskedmerge")], 1, "v")
    ctx.video.label = out
    ctx.video_touched = True


def _downscaled_blur(w: int, h: int, factor: float) -> list[Filter]:
    factor = max(2.0, factor)
    return [
        filter("scale", w=even(w / factor), h=even(h / factor), flags="area"),
        filter("gblur", sigma=1.2),
        filter("scale", w=w, h=h, flags="bilinear"),
    ]


def _faces(ctx: Ctx, op: FaceBlur, data: VisionData) -> None:
    if data.face_masks is None:
        return  # no face found: recorded in the plan's notes
    w, h = ctx.width, ctx.height
    face_px = max(16.0, data.face_width * w)
    if op.style == "pixelate":
        block = max(4, round(face_px / (8 - 4 * op.strength)))  # 8 .. 4 blocks across a face
        effect = [filter("pixelize", w=block, h=block)]
    elif op.style == "box":
        effect = [filter("lutyuv", y=16, u=128, v=128)]
    else:  # the face shrinks to ~14 .. 5 px across before the blur: no feature survives
        effect = _downscaled_blur(w, h, face_px / (14 - 9 * op.strength))
    _merge_masked(ctx, effect, str(data.face_masks))


def _background(ctx: Ctx, op: Background, data: VisionData) -> None:
    if data.background_masks is None:
        return
    w, h = ctx.width, ctx.height
    if op.effect == "black_white":
        effect = [filter("lutyuv", u=128, v=128)]
    elif op.effect == "darken":
        effect = [filter("lutyuv", y=f"16+(val-16)*{n(0.75 - 0.5 * op.strength)}")]
    else:
        sigma = (0.006 + 0.03 * op.strength) * max(w, h)  # 640 px wide: ~5 (light) .. ~23 (strong)
        effect = _downscaled_blur(w, h, sigma / 1.5)
    _merge_masked(ctx, effect, str(data.background_masks))


def _colour(ctx: Ctx, op: ColorMatch, data: VisionData) -> None:
    if data.lut is None:
        return
    ctx.vf(
        filter("format", pix_fmts="gbrp"),
        filter("lut3d", file=str(data.lut), interp="trilinear"),
        filter("format", pix_fmts="yuv420p"),
    )


def _stabilise(ctx: Ctx, op: Stabilize, data: VisionData) -> None:
    st = data.stabilise
    if st is None or not len(data.times):
        return
    w, h = ctx.width, ctx.height
    cw, ch = even(w / st.zoom), even(h / st.zoom)
    x0, y0 = (w - cw) / 2, (h - ch) / 2
    xs = np.clip(np.round(x0 - st.dx * w), 0, w - cw).astype(int)
    ys = np.clip(np.round(y0 - st.dy * h), 0, h - ch).astype(int)
    commands = [f"crop@stab x {x}, crop@stab y {y}" for x, y in zip(xs, ys, strict=True)]
    filters: list[Filter] = []
    if st.rotates:
        commands = [f"{c}, rotate@stab a {a:.5f}" for c, a in zip(commands, -st.da, strict=True)]
        filters.append(named("rotate", "stab", a=0, c="black", ow="iw", oh="ih", bilinear=1))
    script = ctx.add_file("stabilise.cmd", sendcmd_script(data.times, data.fps, commands))
    ctx.vf(
        filter("sendcmd", f=str(script)),
        *filters,
        named("crop", "stab", w=cw, h=ch, x=int(xs[0]), y=int(ys[0]), exact=1),
        filter("scale", w=w - w % 2, h=h - h % 2, flags="lanczos"),
        filter("setsar", r=1),
    )
    ctx.width, ctx.height = w - w % 2, h - h % 2


def reframe_size(width: int, height: int, ratio: str) -> tuple[int, int]:
    """The window size of a reframe (same rule as the centred aspect crop)."""
    from editbay.engine.render.geometry import crop_size, parse_ratio

    return crop_size(width, height, parse_ratio(ratio))


def _reframe(ctx: Ctx, op: Reframe, data: VisionData) -> None:
    w, h = ctx.width, ctx.height
    cw, ch = reframe_size(w, h, op.ratio or "9:16")
    if (cw, ch) == (w - w % 2, h - h % 2):
        return
    axis = 0 if cw < w - 1 else 1
    centre_x, centre_y = (w - cw) // 2, (h - ch) // 2
    if data.reframe is None:  # nothing to follow: a centred crop (noted at analysis)
        ctx.vf(filter("crop", w=cw, h=ch, x=centre_x, y=centre_y), filter("setsar", r=1))
    else:
        size, span = (w, cw) if axis == 0 else (h, ch)
        pos = np.clip(np.round(data.reframe * size - span / 2), 0, size - span).astype(int)
        key = "x" if axis == 0 else "y"
        commands = [f"crop@reframe {key} {p}" for p in pos]
        script = ctx.add_file("reframe.cmd", sendcmd_script(data.times, data.fps, commands))
        start = {"x": int(pos[0]) if axis == 0 else centre_x, "y": int(pos[0]) if axis == 1 else centre_y}
        ctx.vf(
            filter("sendcmd", f=str(script)),
            named("crop", "reframe", w=cw, h=ch, x=start["x"], y=start["y"], exact=1),
            filter("setsar", r=1),
        )
    ctx.width, ctx.height = cw, ch


def _scenes(ctx: Ctx, op: Scenes, data: VisionData) -> None:
    if data.shots is None:
        raise UnsupportedEdit("no shots were analysed", [op.source or "shots"])
    kept, why = shot_select.select(op, data.shots)
    if why:
        raise UnsupportedEdit(f"'{op.source}': {why}", [op.source or "shots"])
    ranges = shot_select.keep_ranges(kept, data.shots)
    g = ctx.graph
    ctx.timeline_touched = True
    parts = len(ranges)
    vs = ctx.video.split(parts) if parts > 1 else [ctx.video.head()]
    as_ = (ctx.audio.split(parts) if parts > 1 else [ctx.audio.head()]) if ctx.audio is not None else []
    ins: list[str] = []
    for i, (start, end) in enumerate(ranges):
        end_opt = None if end >= ctx.duration - 1e-6 else end
        ins += g.chain(
            [vs[i]],
            [filter("trim", start=start or None, end=end_opt), filter("setpts", expr="PTS-STARTPTS")],
            1,
            "v",
        )
        if as_:
            ins += g.chain(
                [as_[i]],
                [filter("atrim", start=start or None, end=end_opt), filter("asetpts", expr="PTS-STARTPTS")],
                1,
                "a",
            )
    outs = g.chain(ins, [filter("concat", n=parts, v=1, a=1 if as_ else 0)], 2 if as_ else 1, "c")
    ctx.video.label = outs[0]
    if ctx.audio is not None:
        ctx.audio.label, ctx.audio.pending = outs[1], []
        ctx.audio_touched = True
    ctx.video.pending = []
    ctx.video_touched = True
    ctx.duration = sum(b - a for a, b in ranges)


def apply_vision(ctx: Ctx, op: Operation) -> None:
    """Add the nodes of one vision operation to the graph (reads ``ctx.inputs.vision``)."""
    data = _data(ctx, op)
    if isinstance(op, FaceBlur):
        _faces(ctx, op, data)
    elif isinstance(op, Background):
        _background(ctx, op, data)
    elif isinstance(op, ColorMatch):
        _colour(ctx, op, data)
    elif isinstance(op, Stabilize):
        _stabilise(ctx, op, data)
    elif isinstance(op, Reframe):
        _reframe(ctx, op, data)
    elif isinstance(op, Scenes):
        _scenes(ctx, op, data)
