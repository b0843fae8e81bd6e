"""Colour and tone: fused into one YUV lookup table (golden), and measured on real renders."""

from __future__ import annotations

import numpy as np
import pytest
from media_utils import (
    Video,
    channel_means,
    diff,
    luma,
    mean_over,
    rb_ratio,
    saturation,
    split_tone,
)

from conftest import graph_of
from editbay.engine.catalogue import LUT_PRESETS
from editbay.engine.errors import UnsupportedEdit
from editbay.engine.ops import Blur, Grade, Invert, Lut, Temperature, Tone
from editbay.engine.render.colour import PRESET_LOOKS, grade_steps

BW = (
    "[0:v:0]format=pix_fmts=yuv420p,lutyuv="
    r"y=st(0\,(val-16)/219)\;st(0\,(ld(0)-0.5)*1.1+0.5)\;st(0\,clip(ld(0)\,0\,1))\;"
    r"floor(clip(ld(0)\,0\,1)*219+16.5)"
    r":u=st(1\,(val-128)/224)\;st(1\,0)\;floor(clip(ld(1)*224+128.5\,16\,240))"
    r":v=st(1\,(val-128)/224)\;st(1\,0)\;floor(clip(ld(1)*224+128.5\,16\,240))[vout]"
)

GUIDE = (
    "[0:v:0]format=pix_fmts=yuv420p[v1];[v1]split=outputs=2[v2][v3];"
    "[v3]extractplanes=planes=y,split=outputs=2[g4][g5];"
    "[g5]scale=w=320:h=180:flags=area,split=outputs=2[g6][g7];"
    "[g4][g6][g7]mergeplanes=map1s=1:map2s=2:format=yuv420p[g8];"
)


def test_black_and_white_is_one_lutyuv() -> None:
    assert graph_of([Grade(style="black_white", strength=1.0)]) == BW


def test_warm_uses_a_luma_guided_lut2_so_black_stays_black() -> None:
    assert graph_of([Grade(style="warm", strength=0.5)]) == GUIDE + (
        "[v2][g8]lut2=c0=x"
        r":c1=st(0\,(y-16)/219)\;st(1\,(x-128)/224)\;st(1\,clip(ld(1)-0.0225-0.027*(ld(0)-0.5)\,-0.5\,0.5))"
        r"\;floor(clip(ld(1)*224+128.5\,16\,240))"
        r":c2=st(0\,(y-16)/219)\;st(1\,(x-128)/224)\;st(1\,clip(ld(1)+0.02+0.024*(ld(0)-0.5)\,-0.5\,0.5))"
        r"\;floor(clip(ld(1)*224+128.5\,16\,240))[vout]"
    )


def test_tone_is_a_luma_curve_with_chroma_following_the_brightness() -> None:
    chroma = r"st(1\,(val-128)/224)\;st(1\,clip(ld(1)*1.2\,-0.5\,0.5))\;floor(clip(ld(1)*224+128.5\,16\,240))"
    assert graph_of([Tone(brightness=0.1, contrast=1.2, gamma=2.0)]) == (
        "[0:v:0]format=pix_fmts=yuv420p,lutyuv="
        r"y=st(0\,(val-16)/219)\;st(0\,pow(max(ld(0)\,0)\,0.5))\;st(0\,ld(0)+0.1)\;"
        r"st(0\,(ld(0)-0.5)*1.2+0.5)\;st(0\,clip(ld(0)\,0\,1))\;floor(clip(ld(0)\,0\,1)*219+16.5)"
        f":u={chroma}:v={chroma}[vout]"
    )


def test_contrast_and_gamma_alone_leave_the_chroma() -> None:
    assert graph_of([Tone(contrast=1.2, gamma=2.0)]).endswith(":u=val:v=val[vout]")


def test_consecutive_colour_ops_fuse_into_one_table_in_order() -> None:
    fused = graph_of([Tone(saturation=1.3), Invert(), Tone(brightness=0.1)])
    assert fused.count("lutyuv") == 1
    y = fused.split("y=")[1].split(":u=")[0]
    assert y.index("1-ld(0)") < y.index("ld(0)+0.1")  # invert, then brighten


def test_colour_ops_split_by_another_op_give_two_tables() -> None:
    assert graph_of([Tone(saturation=1.3), Blur(), Tone(brightness=0.1)]).count("lutyuv") == 2


def test_a_later_step_sees_the_luma_an_earlier_step_produced() -> None:
    g = graph_of([Invert(), Grade(style="teal_orange")])
    c1 = g.split(":c1=")[1].split(":c2=")[0]
    assert c1.index(r"st(0\,1-ld(0))") < c1.index(r"*(ld(0)-0.5)")


def test_neutral_colour_ops_add_nothing() -> None:
    assert graph_of([Tone(), Grade(style="muted", strength=0.0)]) == ""  # both streams are copied


def test_every_catalogue_lut_preset_has_a_look() -> None:
    assert set(LUT_PRESETS) <= set(PRESET_LOOKS)
    assert "lut2" in graph_of([Lut(preset="Day-for-Night")])


def test_unknown_lut_preset_is_an_unsupported_edit() -> None:
    with pytest.raises(UnsupportedEdit, match="available: .*kodachrome"):
        graph_of([Lut(preset="instagram-nashville")])


def test_black_and_white_ignores_strength() -> None:
    assert all(s.sat == 0.0 for s in grade_steps("black_white", 0.2))


# ---- measured on real renders -----------------------------------------------------------------

def _sat(v: Video) -> float:
    return mean_over(v.frames, saturation)


def _luma(v: Video) -> float:
    return mean_over(v.frames, lambda f: luma(f).mean())


def _contrast(v: Video) -> float:
    return mean_over(v.frames, lambda f: luma(f).std())


@pytest.mark.slow
def test_black_and_white_has_no_saturation(render_ops) -> None:
    _, out = render_ops([Grade(style="black_white", strength=0.5)])
    assert _sat(out) < 0.02


@pytest.mark.slow
def test_sepia_is_one_brown_hue(render_ops) -> None:
    _, out = render_ops([Grade(style="sepia")])
    r, g, b = channel_means(out.frames)
    assert r > g > b
    f = out.frames[0]
    y = luma(f)
    u, v = (f[..., 2] - y), (f[..., 0] - y)
    concentration = np.hypot(u.mean(), v.mean()) / np.hypot(u, v).mean()
    assert concentration > 0.8 and v.mean() > 0.02 and u.mean() < -0.02


@pytest.mark.slow
@pytest.mark.parametrize(("ops", "warmer"), [
    ([Grade(style="warm")], True),
    ([Grade(style="cool")], False),
    ([Temperature(kelvin=3200)], True),
    ([Temperature(kelvin=11000)], False),
])
def test_warm_and_cool_move_the_red_blue_balance(render_ops, clip_video: Video, ops, warmer) -> None:
    _, out = render_ops(ops)
    change = rb_ratio(out.frames) / rb_ratio(clip_video.frames)
    assert change > 1.05 if warmer else change < 0.95


@pytest.mark.slow
def test_teal_orange_pushes_shadows_teal_and_highlights_orange(render_ops, clip_video: Video) -> None:
    _, out = render_ops([Grade(style="teal_orange", strength=0.8)])
    assert split_tone(out.frames) - split_tone(clip_video.frames) > 0.06


@pytest.mark.slow
@pytest.mark.parametrize(("op", "measure", "sign"), [
    (Tone(brightness=0.15), _luma, +1),
    (Tone(brightness=-0.15), _luma, -1),
    (Tone(exposure=1.0), _luma, +1),
    (Tone(gamma=1.8), _luma, +1),
    (Tone(contrast=1.5), _contrast, +1),
    (Tone(contrast=0.6), _contrast, -1),
    (Grade(style="high_contrast"), _contrast, +1),
    (Tone(saturation=1.6), _sat, +1),
    (Grade(style="vivid"), _sat, +1),
    (Grade(style="muted"), _sat, -1),
    (Grade(style="faded"), _contrast, -1),
], ids=lambda x: getattr(x, "op", None) or getattr(x, "__name__", str(x)))
def test_tone_changes_are_measurable(render_ops, clip_video: Video, op, measure, sign) -> None:
    _, out = render_ops([op])
    before, after = measure(clip_video), measure(out)
    assert (after - before) * sign > 0.03 * max(before, 0.1)


@pytest.mark.slow
def test_invert_is_a_negative(render_ops, clip_video: Video) -> None:
    _, out = render_ops([Invert()])
    a, b = luma(out.frames[5]).ravel(), luma(clip_video.frames[5]).ravel()
    assert np.corrcoef(a, b)[0, 1] < -0.95


@pytest.mark.slow
def test_order_of_fused_colour_ops_is_kept(render_ops) -> None:
    _, tinted_grey = render_ops([Tone(saturation=0.0), Grade(style="warm")], name="a.mp4")
    _, grey = render_ops([Grade(style="warm"), Tone(saturation=0.0)], name="b.mp4")
    assert _sat(grey) < 0.02
    r, _, b = channel_means(tinted_grey.frames)
    assert r - b > 0.03


@pytest.mark.slow
@pytest.mark.parametrize("style", ["vintage", "cinematic", "teal_orange"])
def test_looks_change_the_picture(render_ops, clip_video: Video, style: str) -> None:
    _, out = render_ops([Grade(style=style)])
    assert diff(out.frames[10], clip_video.frames[10]) > 0.02


@pytest.mark.slow
def test_every_lut_preset_renders_a_visible_change(render_ops, clip_video: Video) -> None:
    for name in sorted(PRESET_LOOKS):
        _, out = render_ops([Lut(preset=name)], name=f"{name}.mp4")
        assert diff(out.frames[10], clip_video.frames[10]) > 0.012, name
