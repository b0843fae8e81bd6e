"""Effects: the filters chosen (golden) and what they measurably do to real frames."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from media_utils import Video, blockiness, laplacian_energy, load, luma, make_clip, mean_over, vignette_ratio

from conftest import MEDIA, argv_of, graph_of
from editbay.engine.ops import Blur, Denoise, Glow, Grain, Pixelate, Sharpen, Vignette
from editbay.engine.render.effects import blur_sigma, grain_amount


def test_light_blur_is_a_gblur_scaled_to_the_resolution() -> None:
    assert graph_of([Blur(strength=0.2)]) == "[0:v:0]gblur=sigma=1.2[vout]"
    assert blur_sigma(0.2, 1920, 1080) == pytest.approx(3 * blur_sigma(0.2, 640, 360))


def test_strong_blur_runs_on_a_downscaled_copy() -> None:
    assert graph_of([Blur(strength=1.0)]) == (
        "[0:v:0]scale=w=218:h=122:flags=area,gblur=sigma=1.5,scale=w=640:h=360:flags=bicubic[vout]")


def test_sharpen_is_a_luma_convolution() -> None:
    assert graph_of([Sharpen(strength=0.5)]) == (
        "[0:v:0]convolution=0m=0 -5 0 -5 36 -5 0 -5 0:0rdiv=0.0625[vout]")


def test_denoise_grain_pixelate() -> None:
    assert graph_of([Denoise(strength=0.2)]) == "[0:v:0]removegrain=m0=2:m1=2:m2=2[vout]"
    assert graph_of([Denoise(strength=0.5)]) == (
        "[0:v:0]removegrain=m0=4:m1=4:m2=4,"
        "atadenoise=0a=0.08:0b=0.16:1a=0.08:1b=0.16:2a=0.08:2b=0.16:s=5[vout]")
    assert graph_of([Grain(strength=0.5)]) == "[0:v:0]noise=c0s=15:c0f=t[vout]"
    assert graph_of([Pixelate(block=12)]) == "[0:v:0]pixelize=w=12:h=12[vout]"


def test_grain_is_clumped_at_1080p_and_skips_useless_x264_analysis() -> None:
    media = MEDIA.model_copy(update={"width": 1920, "height": 1080})
    assert graph_of([Grain(strength=0.5)], media) == (
        "[0:v:0]format=pix_fmts=yuv420p[v1];[v1]split=outputs=2[v2][v3];"
        "[v3]scale=w=960:h=540:flags=neighbor,lutyuv=y=128:u=128:v=128,noise=c0s=23:c0f=t,"
        "scale=w=1920:h=1080:flags=bilinear[g4];[v2][g4]blend=all_mode=grainmerge[vout]"
    )
    argv = argv_of([Grain(strength=0.5)], media)
    assert argv[argv.index("-x264-params") + 1] == (
        "partitions=none:subme=0:me=dia:bframes=0:no-deblock=1:cabac=0")
    assert "-x264-params" not in argv_of([Blur(strength=0.5)], media)


@pytest.mark.parametrize("cell", [1, 2, 4])
def test_grain_strength_words_keep_their_order(cell: int) -> None:
    light, default, heavy, full = (grain_amount(s, cell) for s in (0.25, 0.5, 0.8, 1.0))
    assert light < default < heavy < full


def test_vignette_mask_is_computed_once_and_applied_by_lut2() -> None:
    r2 = r"pow((pow(X/(W*SW)-0.5\,2)+pow(Y/(H*SH)-0.5\,2))*2\,1.4)"
    mask = f"255*(1-0.55*{r2})"
    assert graph_of([Vignette(strength=0.5)]) == (
        "[0:v:0]format=pix_fmts=yuv420p[v1];"
        f"color=c=black:s=640x360:r=1:d=1,format=pix_fmts=yuv420p,geq=lum={mask}:cb={mask}:cr={mask}[m2];"
        "[v1][m2]lut2=c0=16+(x-16)*y/255:c1=128+(x-128)*y/255:c2=128+(x-128)*y/255[vout]"
    )


def test_glow_screens_a_blurred_copy_on_luma() -> None:
    assert graph_of([Glow(strength=0.5)]) == (
        "[0:v:0]format=pix_fmts=yuv420p[v1];[v1]split=outputs=2[v2][v3];"
        "[v3]scale=w=80:h=44:flags=area,gblur=sigma=2,scale=w=640:h=360:flags=fast_bilinear[g4];"
        "[v2][g4]lut2=c0=x+0.5*(255-(255-x)*(255-y)/255-x):c1=x:c2=x[vout]"
    )


# ---- measured -----------------------------------------------------------------------------------

def _hf(v: Video) -> float:
    return mean_over(v.frames[::5], laplacian_energy)


@pytest.mark.slow
@pytest.mark.parametrize("strength", [0.3, 1.0])
def test_blur_removes_detail(render_ops, clip_video: Video, strength: float) -> None:
    _, out = render_ops([Blur(strength=strength)])
    assert _hf(out) < 0.3 * _hf(clip_video)


@pytest.mark.slow
def test_sharpen_adds_detail(render_ops, clip_video: Video) -> None:
    _, out = render_ops([Sharpen(strength=0.5)])
    assert _hf(out) > 1.3 * _hf(clip_video)


@pytest.mark.slow
def test_denoise_removes_noise(render_ops, media_dir: Path) -> None:
    noisy = make_clip(media_dir / "noisy.mp4", source="color=c=0x808080", duration=1.0,
                      vf="noise=alls=12:allf=t")
    src = load(noisy)
    _, out = render_ops([Denoise(strength=0.5)], src=noisy)
    assert _hf(out) < 0.3 * _hf(src)


@pytest.mark.slow
def test_vignette_darkens_the_corners(render_ops, gray_clip: Path) -> None:
    _, out = render_ops([Vignette(strength=0.5)], src=gray_clip)
    assert vignette_ratio(out.frames[0]) < 0.8
    assert abs(float(luma(out.frames[0])[80:100, 150:170].mean()) - 0.5) < 0.05  # centre untouched


def _grain_levels(v: Video) -> tuple[float, float, float]:
    """Noise measured in the output's luma (0..255): deviation on the flat frame, mean change between
    consecutive frames, and the correlation of horizontal neighbours (0 for pixel noise, > 0 clumped)."""
    ys = [255 * luma(f) for f in v.frames]
    deviation = float(np.mean([y.std() for y in ys]))
    change = float(np.mean([abs(b - a).mean() for a, b in zip(ys, ys[1:], strict=False)]))
    d = [y - y.mean() for y in ys]
    neighbours = float(np.mean([(a[:, 1:] * a[:, :-1]).mean() / max(float(a.var()), 1e-9) for a in d]))
    return deviation, change, neighbours


def _grain_renewal(out: Video, src: Video) -> tuple[float, float]:
    """Per pair of consecutive frames, the correlation of their grain (output − source luma): the
    largest (near 1 for a frame that repeats its predecessor's grain) and the smallest change (0..255)."""
    grain = [255 * (luma(o) - luma(s)) for o, s in zip(out.frames, src.frames, strict=True)]
    pairs = list(zip(grain, grain[1:], strict=False))
    correlation = max(float(np.corrcoef(a.ravel(), b.ravel())[0, 1]) for a, b in pairs)
    change = min(float(abs(b - a).mean()) for a, b in pairs)
    return correlation, change


@pytest.mark.slow
def test_grain_adds_moving_noise(render_ops, gray_clip: Path) -> None:
    src = load(gray_clip)
    _, out = render_ops([Grain(strength=0.5)], src=gray_clip)
    assert _hf(out) > 20 * max(_hf(src), 1e-6)
    deviation, change, _ = _grain_levels(out)
    assert deviation > 3.0 > 10 * _grain_levels(src)[0]
    assert change > 2.0  # new grain every frame, not a fixed pattern


@pytest.mark.slow
def test_grain_at_1080p_is_clumped_moving_and_survives_the_encoder(render_ops, media_dir: Path) -> None:
    grey = make_clip(media_dir / "grey1080.mp4", source="color=c=0x808080", width=1920, height=1080,
                     duration=0.3, audio=False)
    _, light = render_ops([Grain(strength=0.25)], src=grey, name="light.mp4")
    _, heavy = render_ops([Grain(strength=0.8)], src=grey, name="heavy.mp4")
    deviation, change, neighbours = _grain_levels(light)
    assert deviation > 2.5  # what x264 kept, not what the filter drew
    assert change > 2.0  # every frame
    assert neighbours > 0.3  # clumps of about 2 px, as film grain at this size
    assert _grain_levels(heavy)[0] > 1.5 * deviation  # "heavy grain" is visibly stronger


@pytest.mark.slow
def test_grain_is_new_in_every_frame_and_keeps_the_brightness(render_ops, media_dir: Path) -> None:
    # The encoder options of grain jobs (no B-frames, no deblocking, CAVLC) must not turn the grain
    # into a pattern that repeats or holds for a frame, nor shift the picture's brightness.
    grey = make_clip(media_dir / "grey1080.mp4", source="color=c=0x808080", width=1920, height=1080,
                     duration=0.3, audio=False)
    src = load(grey)
    _, out = render_ops([Grain(strength=0.5)], src=grey, name="grain.mp4")
    assert len(out.frames) == len(src.frames)
    correlation, change = _grain_renewal(out, src)
    assert correlation < 0.2  # no frame carries its predecessor's grain
    assert change > 3.0  # nor only a small part of it renewed
    pairs = zip(out.frames, src.frames, strict=True)
    means = [255 * float(luma(o).mean() - luma(s).mean()) for o, s in pairs]
    assert max(abs(m) for m in means) < 1.0  # grain around the picture, not a brightness shift


@pytest.mark.slow
def test_grain_on_moving_pictures_adds_fine_detail_and_keeps_the_picture(
    render_ops, clip_video: Video
) -> None:
    _, out = render_ops([Grain(strength=0.5)])
    assert _hf(out) > 1.3 * _hf(clip_video)  # high-frequency energy the source does not have
    correlation, change = _grain_renewal(out, clip_video)
    assert correlation < 0.3 and change > 2.0  # renewed on moving content too
    before = [255 * float(luma(f).mean()) for f in clip_video.frames]
    after = [255 * float(luma(f).mean()) for f in out.frames]
    assert max(abs(a - b) for a, b in zip(after, before, strict=True)) < 1.5


@pytest.mark.slow
def test_pixelate_makes_blocks(render_ops, clip_video: Video) -> None:
    _, out = render_ops([Pixelate(block=8)])
    assert blockiness(out.frames[10], 8) > 3 * blockiness(clip_video.frames[10], 8)


@pytest.mark.slow
def test_glow_brightens_and_softens(render_ops, clip_video: Video) -> None:
    _, out = render_ops([Glow(strength=0.6)])
    before = mean_over(clip_video.frames, lambda f: luma(f).mean())
    assert mean_over(out.frames, lambda f: luma(f).mean()) > before + 0.03
