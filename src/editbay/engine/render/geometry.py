"""Geometry: aspect conversion (crop or pad), resize, rotate, flip, zoom and letterbox bars, with exact
even sizes.

Sizes are computed here in Python (the renderer tracks the frame size through the plan), so the
graph carries plain integers and the output size is known before ffmpeg runs.
"""

from __future__ import annotations

import math

from editbay.engine.ops import Aspect, Flip, Letterbox, Resize, Rotate, Zoom
from editbay.engine.render.context import Ctx, even
from editbay.engine.render.graph import filter
from editbay.engine.render.graph import fmt_number as n

Geometry = Aspect | Resize | Rotate | Flip | Zoom | Letterbox
GEOMETRY_OPS = (Aspect, Resize, Rotate, Flip, Zoom, Letterbox)


def parse_ratio(ratio: str) -> float:
    a, b = ratio.split(":")
    return float(a) / float(b)


def crop_size(width: int, height: int, target: float) -> tuple[int, int]:
    """Largest centred crop of ``target`` aspect (even sides)."""
    if width / height > target:
        return even(min(height * target, width - width % 2)), height - height % 2
    return width - width % 2, even(min(width / target, height - height % 2))


def pad_size(width: int, height: int, target: float) -> tuple[int, int]:
    """Canvas of ``target`` aspect whose long side is the source's long side (even sides)."""
    long_side = max(width, height)
    if target >= 1:
        return even(long_side), even(long_side / target)
    return even(long_side * target), even(long_side)


def fit_size(width: int, height: int, box_w: int, box_h: int) -> tuple[int, int]:
    scale = min(box_w / width, box_h / height)
    return min(box_w, even(width * scale)), min(box_h, even(height * scale))


def _aspect(ctx: Ctx, op: Aspect) -> None:
    w, h = ctx.width, ctx.height
    target = parse_ratio(op.ratio)
    if abs(w / h - target) / target < 0.01:
        return
    if op.mode == "crop":
        cw, ch = crop_size(w, h, target)
        ctx.vf(filter("crop", w=cw, h=ch, x=(w - cw) // 2, y=(h - ch) // 2), filter("setsar", r=1))
        ctx.width, ctx.height = cw, ch
        return
    ow, oh = pad_size(w, h, target)
    fw, fh = fit_size(w, h, ow, oh)
    x, y = (ow - fw) // 2, (oh - fh) // 2
    if op.mode == "pad_black":
        ctx.vf(
            filter("scale", w=fw, h=fh),
            filter("setsar", r=1),
            filter("pad", w=ow, h=oh, x=x, y=y, color="black"),
        )
    else:  # blurred, darkened copy of the frame fills the canvas; computed at 1/8 size
        g = ctx.graph
        main, src = ctx.video.split(2)
        sw, sh = max(2, math.ceil(ow / 8)), max(2, math.ceil(oh / 8))
        cover = max(sw / w, sh / h)
        bw, bh = max(sw, math.ceil(w * cover)), max(sh, math.ceil(h * cover))
        (bg,) = g.chain(
            [src],
            [
                filter("scale", w=bw, h=bh, flags="area"),
                filter("crop", w=sw, h=sh, x=(bw - sw) // 2, y=(bh - sh) // 2),
                filter("gblur", sigma=2),
                filter("lutyuv", y="val*0.75", u="val", v="val"),
                filter("scale", w=ow, h=oh, flags="bilinear"),
                filter("setsar", r=1),
            ],
            1,
            "g",
        )
        (fg,) = g.chain([main], [filter("scale", w=fw, h=fh), filter("setsar", r=1)], 1, "g")
        (out,) = g.chain([bg, fg], [filter("overlay", x=x, y=y)], 1, "v")
        ctx.video.label = out
        ctx.video_touched = True
    ctx.width, ctx.height = ow, oh


def _resize(ctx: Ctx, op: Resize) -> None:
    w, h = ctx.width, ctx.height
    if op.width and op.height:
        nw, nh = even(op.width), even(op.height)
    elif op.width:
        nw, nh = even(op.width), even(op.width * h / w)
    elif op.height:
        nw, nh = even(op.height * w / h), even(op.height)
    elif op.scale:
        nw, nh = even(w * op.scale), even(h * op.scale)
    else:
        return
    if (nw, nh) != (w, h):
        ctx.vf(filter("scale", w=nw, h=nh, flags="bicubic"), filter("setsar", r=1))
        ctx.width, ctx.height = nw, nh


def _anchor_share(anchor: str) -> tuple[float, float]:
    """Where the zoomed window sits in the frame: 0 (left / top) .. 1 (right / bottom)."""
    x = 0.0 if "left" in anchor else 1.0 if "right" in anchor else 0.5
    y = 0.0 if "top" in anchor else 1.0 if "bottom" in anchor else 0.5
    return x, y


def _zoom(ctx: Ctx, op: Zoom) -> None:
    w, h = ctx.width, ctx.height
    ax, ay = _anchor_share(op.anchor)
    if not op.slow:
        cw, ch = even(w / op.factor), even(h / op.factor)
        ctx.vf(
            filter("crop", w=cw, h=ch, x=round((w - cw) * ax), y=round((h - ch) * ay)),
            filter("scale", w=w - w % 2, h=h - h % 2, flags="bicubic"),
            filter("setsar", r=1),
        )
        ctx.width, ctx.height = w - w % 2, h - h % 2
        return
    frames = max(2, round(ctx.duration * ctx.fps))
    ctx.vf(
        filter(
            "zoompan",
            z=f"1+{n(op.factor - 1)}*min(on/{frames - 1},1)",
            x="iw/2-(iw/zoom/2)" if ax == 0.5 else f"(iw-iw/zoom)*{n(ax)}",
            y="ih/2-(ih/zoom/2)" if ay == 0.5 else f"(ih-ih/zoom)*{n(ay)}",
            d=1,
            s=f"{w - w % 2}x{h - h % 2}",
            fps=n(ctx.fps),
        ),
        filter("setsar", r=1),
    )
    ctx.width, ctx.height = w - w % 2, h - h % 2


def apply_geometry(ctx: Ctx, op: Geometry) -> None:
    if isinstance(op, Aspect):
        _aspect(ctx, op)
    elif isinstance(op, Resize):
        _resize(ctx, op)
    elif isinstance(op, Rotate):
        if op.degrees == 180:
            ctx.vf(filter("hflip"), filter("vflip"))
        else:
            ctx.vf(filter("transpose", dir="clock" if op.degrees == 90 else "cclock"))
            ctx.width, ctx.height = ctx.height, ctx.width
    elif isinstance(op, Flip):
        ctx.vf(filter("hflip" if op.direction == "horizontal" else "vflip"))
    elif isinstance(op, Zoom):
        _zoom(ctx, op)
    elif isinstance(op, Letterbox):
        _letterbox(ctx, op)


def letterbox_bars(width: int, height: int, ratio: float) -> tuple[str, int] | None:
    """Which bars show ``ratio`` inside a ``width`` x ``height`` frame: ("tb", bar height) or ("lr",
    bar width), each bar that many pixels (even); None when the frame already has that ratio."""
    if abs(width / height - ratio) / ratio < 0.01:
        return None
    if width / height < ratio:
        return "tb", max(0, (height - even(width / ratio)) // 2)
    return "lr", max(0, (width - even(height * ratio)) // 2)


def _letterbox(ctx: Ctx, op: Letterbox) -> None:
    bars = letterbox_bars(ctx.width, ctx.height, op.ratio)
    if bars is None or bars[1] == 0:
        return
    side, size = bars
    box = {"color": "black", "t": "fill"}
    if side == "tb":
        ctx.vf(
            filter("drawbox", x=0, y=0, w="iw", h=size, **box),
            filter("drawbox", x=0, y=f"ih-{size}", w="iw", h=size, **box),
        )
    else:
        ctx.vf(
            filter("drawbox", x=0, y=0, w=size, h="ih", **box),
            filter("drawbox", x=f"iw-{size}", y=0, w=size, h="ih", **box),
        )
