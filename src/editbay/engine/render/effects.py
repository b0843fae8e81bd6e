"""Whole-frame effects, chosen for speed at 1080p (measured; see docs/performance.md).

* blur: `gblur` for small radii; strong blurs run on a downscaled copy and scale back (≈free).
* sharpen: a 3x3 luma `convolution` (3x cheaper than `unsharp`).
* vignette: a one-frame mask (`color` + `geq`, computed once) applied by `lut2` (4x cheaper than
  `vignette`, which evaluates its falloff per pixel and per frame).
* grain: temporal luma `noise`; denoise: `hqdn3d`; pixelate: `pixelize`; glow: screen-blend of a
  blurred, downscaled copy on the luma plane.
"""

from __future__ import annotations

from editbay.engine.ops import Blur, Denoise, Glow, Grain, Pixelate, Sharpen, Vignette
from editbay.engine.render.context import Ctx, even
from editbay.engine.render.graph import Filter, Value, filter
from editbay.engine.render.graph import fmt_number as n

Effect = Blur | Sharpen | Denoise | Vignette | Grain | Pixelate | Glow
EFFECT_OPS = (Blur, Sharpen, Denoise, Vignette, Grain, Pixelate, Glow)


def blur_sigma(strength: float, width: int, height: int) -> float:
    """Gaussian sigma in pixels: resolution independent (defined at 720p)."""
    return round((0.8 + 8.0 * strength) * min(width, height) / 720.0, 3)


def blur_filters(sigma: float, width: int, height: int) -> list[Filter]:
    if sigma <= 3.0:
        return [filter("gblur", sigma=max(sigma, 0.3))]
    factor = sigma / 1.5
    small_w, small_h = even(width / factor), even(height / factor)
    return [
        filter("scale", w=small_w, h=small_h, flags="area"),
        filter("gblur", sigma=1.5),
        filter("scale", w=width, h=height, flags="bicubic"),
    ]


def sharpen_filter(strength: float) -> Filter:
    """x + a/4·(x − mean of 4 neighbours) on luma; identity kernels elsewhere are plain copies."""
    a = max(1, round((0.4 + 1.6 * strength) * 4))
    options: dict[str, Value] = {"0m": f"0 -{a} 0 -{a} {16 + 4 * a} -{a} 0 -{a} 0", "0rdiv": 0.0625}
    return filter("convolution", **options)


def vignette_mask_chain(strength: float, width: int, height: int) -> list[Filter]:
    """One frame whose every plane holds 255·falloff (1 at the centre, 1−a at the corners)."""
    a = n(0.3 + 0.5 * strength)
    r2 = "(pow(X/(W*SW)-0.5,2)+pow(Y/(H*SH)-0.5,2))*2"
    expr = f"255*(1-{a}*pow({r2},1.4))"
    return [
        filter("color", c="black", s=f"{width}x{height}", r=1, d=1),
        filter("format", pix_fmts="yuv420p"),
        filter("geq", lum=expr, cb=expr, cr=expr),
    ]


def apply_effect(ctx: Ctx, op: Effect) -> None:
    w, h = ctx.width, ctx.height
    if isinstance(op, Blur):
        ctx.vf(*blur_filters(blur_sigma(op.strength, w, h), w, h))
    elif isinstance(op, Sharpen):
        ctx.vf(sharpen_filter(op.strength))
    elif isinstance(op, Denoise):
        ls = 2.0 + 6.0 * op.strength
        ctx.vf(
            filter(
                "hqdn3d", luma_spatial=ls, chroma_spatial=0.75 * ls, luma_tmp=1.5 * ls, chroma_tmp=1.125 * ls
            )
        )
    elif isinstance(op, Grain):
        ctx.vf(filter("noise", c0s=round(4 + 16 * op.strength), c0f="t"))
    elif isinstance(op, Pixelate):
        ctx.vf(filter("pixelize", w=op.block, h=op.block))
    elif isinstance(op, Vignette):
        g = ctx.graph
        ctx.vf(filter("format", pix_fmts="yuv420p"))
        main = ctx.video.head()
        (mask,) = g.chain([], vignette_mask_chain(op.strength, w, h), 1, "m")
        (out,) = g.chain(
            [main, mask],
            [
                filter(
                    "lut2",
                    c0="16+(x-16)*y/255",
                    c1="128+(x-128)*y/255",
                    c2="128+(x-128)*y/255",
                )
            ],
            1,
            "v",
        )
        ctx.video.label = out
        ctx.video_touched = True
    elif isinstance(op, Glow):
        g = ctx.graph
        ctx.vf(filter("format", pix_fmts="yuv420p"))
        main, src = ctx.video.split(2)
        (soft,) = g.chain(
            [src],
            [
                filter("scale", w=even(w / 8), h=even(h / 8), flags="area"),
                filter("gblur", sigma=2),
                filter("scale", w=w, h=h, flags="bilinear"),
            ],
            1,
            "g",
        )
        (out,) = g.chain(
            [main, soft],
            [
                filter(
                    "blend",
                    c0_mode="screen",
                    c0_opacity=round(0.25 + 0.5 * op.strength, 3),
                )
            ],
            1,
            "v",
        )
        ctx.video.label = out
