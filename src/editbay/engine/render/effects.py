"""Whole-frame effects, chosen for speed at 1080p (measured; see docs/performance.md).

* blur: `gblur` for small radii; strong blurs run on a downscaled copy and scale back (≈free).
* sharpen: a 3x3 luma `convolution` (3x cheaper than `unsharp`).
* vignette: a one-frame mask (`color` + `geq`, computed once) applied by `lut2` (4x cheaper than
  `vignette`, which evaluates its falloff per pixel and per frame).
* denoise: a 3x3 median-like `removegrain` plus, from medium strength, a short adaptive temporal
  average (`atadenoise`): on a noisy 640x360 clip it halved the error where `hqdn3d` removed a fifth,
  at half of `hqdn3d`'s CPU cost.
* grain: new luma noise every frame, clumped like film grain (drawn at 1/cell of the resolution
  and upscaled: 2 px clumps at 1080p), merged with `blend`; grain jobs get x264 options that skip
  the analysis fresh noise defeats (the encoder, not the filter, is what grain costs).
* pixelate: `pixelize`; glow: a screen blend (as a `lut2` table) of a blurred, downscaled copy on
  the luma plane.
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


def denoise_filters(strength: float) -> list[Filter]:
    mode = 2 if strength < 0.35 else 4
    filters = [filter("removegrain", m0=mode, m1=mode, m2=mode)]
    if strength >= 0.35:
        a, b = round(0.04 + 0.08 * strength, 3), round(0.08 + 0.16 * strength, 3)
        thresholds: dict[str, Value] = {f"{plane}{k}": v for plane in "012" for k, v in (("a", a), ("b", b))}
        filters.append(filter("atadenoise", **thresholds, s=5 if strength < 0.7 else 7))
    return filters


# Grain size: one clump per `cell` pixels, film-like at any resolution (1 px up to 720p).
GRAIN_CELL_AT = 540
# x264 work that fresh noise in every block makes useless (measured, docs/performance.md "Engine"):
# sub-partitions, intra 4x4/8x8 and sub-pixel motion search find nothing to predict in noise; B-frames
# cost a second search per block and save nothing on it; the deblocking filter spends time smoothing
# away part of the grain; CABAC's cost grows with the bits, which grain multiplies (CAVLC: the same
# pictures at about 30 % more bits). Every frame keeps its own new grain.
GRAIN_X264 = {
    "partitions": "none", "subme": "0", "me": "dia", "bframes": "0", "no-deblock": "1", "cabac": "0",
}


def grain_cell(width: int, height: int) -> int:
    return max(1, round(min(width, height) / GRAIN_CELL_AT))


def grain_amount(strength: float, cell: int) -> int:
    """`noise` strength giving a luma grain of about 5.5 + 8·strength levels (standard deviation):
    even "subtle" grain is visible texture, not a change a viewer (or a measurement) could miss.

    Uniform noise of strength s has a deviation of 0.65·s; the bilinear upscale of coarser grain
    averages neighbours, leaving 0.41·s.
    """
    return round((5.5 + 8.0 * strength) / (0.65 if cell == 1 else 0.41))


def _grain(ctx: Ctx, strength: float) -> None:
    ctx.x264_params.update(GRAIN_X264)
    w, h = ctx.width, ctx.height
    cell = grain_cell(w, h)
    noise = filter("noise", c0s=grain_amount(strength, cell), c0f="t")
    if cell == 1:
        ctx.vf(noise)
        return
    # The grain plate is drawn from a tiny point-sampled copy of the frame itself (set to grey) so
    # that it keeps the frame's timestamps: no second source to synchronise.
    ctx.vf(filter("format", pix_fmts="yuv420p"))
    main, src = ctx.video.split(2)
    plate = [filter("scale", w=even(w / cell), h=even(h / cell), flags="neighbor"),
             filter("lutyuv", y=128, u=128, v=128), noise,
             filter("scale", w=w, h=h, flags="bilinear")]
    (grain,) = ctx.graph.chain([src], plate, 1, "g")
    merge = filter("blend", all_mode="grainmerge")  # a + grain - 128; the plate's chroma is flat 128
    (ctx.video.label,) = ctx.graph.chain([main, grain], [merge], 1, "v")


def _vignette(ctx: Ctx, strength: float) -> None:
    ctx.vf(filter("format", pix_fmts="yuv420p"))
    main = ctx.video.head()
    (mask,) = ctx.graph.chain([], vignette_mask_chain(strength, ctx.width, ctx.height), 1, "m")
    lut = filter("lut2", c0="16+(x-16)*y/255", c1="128+(x-128)*y/255", c2="128+(x-128)*y/255")
    (ctx.video.label,) = ctx.graph.chain([main, mask], [lut], 1, "v")


def _glow(ctx: Ctx, strength: float) -> None:
    w, h = ctx.width, ctx.height
    ctx.vf(filter("format", pix_fmts="yuv420p"))
    main, src = ctx.video.split(2)
    soft = [filter("scale", w=even(w / 8), h=even(h / 8), flags="area"), filter("gblur", sigma=2),
            filter("scale", w=w, h=h, flags="fast_bilinear")]
    (blurred,) = ctx.graph.chain([src], soft, 1, "g")
    o = n(round(0.25 + 0.5 * strength, 3))
    screen = filter("lut2", c0=f"x+{o}*(255-(255-x)*(255-y)/255-x)", c1="x", c2="x")
    (ctx.video.label,) = ctx.graph.chain([main, blurred], [screen], 1, "v")


def apply_effect(ctx: Ctx, op: Effect) -> None:
    w, h = ctx.width, ctx.height
    if isinstance(op, Blur):
        ctx.vf(*blur_filters(blur_sigma(op.strength, w, h), w, h))
    elif isinstance(op, Sharpen):
        ctx.vf(sharpen_filter(op.strength))
    elif isinstance(op, Denoise):
        ctx.vf(*denoise_filters(op.strength))
    elif isinstance(op, Grain):
        _grain(ctx, op.strength)
    elif isinstance(op, Pixelate):
        ctx.vf(filter("pixelize", w=op.block, h=op.block))
    elif isinstance(op, Vignette):
        _vignette(ctx, op.strength)
    elif isinstance(op, Glow):
        _glow(ctx, op.strength)
    ctx.video_touched = True
