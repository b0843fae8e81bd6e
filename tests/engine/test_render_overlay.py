"""Text and image overlays: drawtext/overlay options (golden), layout, and drawn regions on renders."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from media_utils import Video, changed

from conftest import build_of, graph_of
from editbay.engine.errors import UnsupportedEdit
from editbay.engine.ops import Overlay, Text
from editbay.engine.render.fonts import Font, FontSet, coverage, find_fonts
from editbay.engine.render.overlay import clean_text, layout, wrap


def test_text_is_drawn_from_a_file_with_expansion_off() -> None:
    assert graph_of([Text(text="Hello", position="bottom")]) == (
        "[0:v:0]drawtext=fontfile=/fonts/Latin-Bold.ttf:textfile=/w/text0.txt:expansion=none:fontsize=22:"
        "fontcolor=#FFFFFF@1.00:line_spacing=4:borderw=2:bordercolor=black@1.00:x=(W-tw)/2:y=H-th-14:"
        "fix_bounds=1[vout]")


def test_text_box_colour_opacity_position_and_time_range() -> None:
    g = graph_of([Text(text="Hi", position="top_right", color="#ff8800", opacity=0.5, box=True, size=0.1,
                       start=1.0, end=-1.0)])
    assert g == (
        "[0:v:0]drawtext=fontfile=/fonts/Latin-Bold.ttf:textfile=/w/text0.txt:expansion=none:fontsize=36:"
        r"fontcolor=#ff8800@0.50:line_spacing=7:box=1:boxcolor=black@0.28:boxborderw=11:x=W-tw-14:y=14:"
        r"fix_bounds=1:enable=between(t\,1.000\,5.000)[vout]")


def test_each_text_gets_its_own_file_and_a_font_for_its_script() -> None:
    job = build_of([Text(text="Hello"), Text(text="你好，世界", position="top")])
    assert [str(p) for p, _ in job.files] == ["/w/text0.txt", "/w/text1.txt"]
    assert [c for _, c in job.files] == ["Hello", "你好，世界"]
    assert "fontfile=/fonts/Latin-Bold.ttf" in job.graph and "fontfile=/fonts/CJK-Bold.ttc" in job.graph


def test_multi_line_text_is_centred_line_by_line() -> None:
    g = graph_of([Text(text="first line\nsecond", position="center")])
    assert "text_align=C" in g and "y=(H-th)/2" in g
    assert "text_align=L" in graph_of([Text(text="a\nb", position="bottom_left")])


def test_font_choice_follows_character_coverage() -> None:
    fonts = FontSet((Font("/a/Latin.ttf", frozenset(range(32, 0x0530))),
                     Font("/a/Arabic.ttf", frozenset(range(0x0600, 0x0700)) | frozenset(range(48, 58))),
                     Font("/a/CJK.ttc", frozenset(range(32, 127)) | frozenset(range(0x4E00, 0xA000)))))
    assert fonts.for_text("Hello Привет") == "/a/Latin.ttf"
    assert fonts.for_text("مرحبا 123") == "/a/Arabic.ttf"
    assert fonts.for_text("你好 world") == "/a/CJK.ttc"
    assert FontSet().for_text("x") is None


def test_installed_fonts_expose_their_character_maps() -> None:
    fonts = find_fonts()
    if not fonts.fonts:
        pytest.skip("no fonts installed")
    assert all(set(range(0x41, 0x5B)) <= f.coverage for f in fonts.fonts[:1])  # A-Z in the first font
    assert coverage("/nonexistent.ttf") == frozenset()


def test_the_shipped_font_is_the_last_resort() -> None:
    from editbay.engine.render.fonts import _find_fonts

    (only,) = _find_fonts(("/nonexistent-font-dir",)).fonts[-1:]
    assert only.path.endswith("fonts_data/DejaVuSans-Bold.ttf") and ord("Ж") in only.coverage


def test_clean_text_removes_control_characters() -> None:
    assert clean_text("a\r\nb\tc\x07d") == "a\nb cd"
    assert clean_text("\x1b[31mred") == "[31mred"
    assert clean_text("\n\n  ") == " "


def test_wrap_breaks_at_spaces_and_inside_cjk_runs() -> None:
    assert wrap("one two three four", 5) == ["one two", "three", "four"]
    lines = wrap("一二三四五六七八九十", 4.0)
    assert lines == ["一二三四", "五六七八", "九十"]
    long = wrap("averyveryverylongword", 5)
    assert "".join(long) == "averyveryverylongword" and max(map(len, long)) == 8


def test_layout_shrinks_long_text_to_fit() -> None:
    lines, size = layout("word " * 100, 640, 360, 0.1)
    assert size < 36 and len(lines) * size * 1.25 <= 0.6 * 360


def test_overlay_scales_the_image_to_the_frame_width() -> None:
    assert graph_of([Overlay(position="bottom_left", scale=0.25, opacity=0.6, start=2.0)]) == (
        "[1:v]scale=w=160:h=-2,format=pix_fmts=rgba,colorchannelmixer=aa=0.6[i1];"
        r"[0:v:0][i1]overlay=x=14:y=H-h-14:eof_action=repeat:enable=between(t\,2.000\,6.000)[vout]")


def test_overlay_of_a_missing_image_is_an_unsupported_edit() -> None:
    with pytest.raises(UnsupportedEdit, match="image 2"):
        graph_of([Overlay(image_index=1)])


def test_overlay_adds_the_image_as_a_second_input() -> None:
    argv = build_of([Overlay()]).argv
    assert argv[6:10] == ("-i", "in.mp4", "-i", "logo.png")


# ---- measured ---------------------------------------------------------------------------------

def _region_change(out: Video, src: Video, k: int, rows: slice,
                   cols: slice = slice(None)) -> tuple[float, float]:
    cm = changed(out.frames[k], src.frames[k])
    mask = np.zeros(cm.shape, bool)
    mask[rows, cols] = True
    return float(cm[mask].mean()), float(cm[~mask].mean())


@pytest.mark.slow
@pytest.mark.parametrize(("position", "rows"), [("bottom", slice(120, 180)), ("top", slice(0, 60)),
                                                 ("center", slice(60, 120))])
def test_text_is_drawn_where_asked(render_ops, clip_video: Video, position: str, rows: slice) -> None:
    _, out = render_ops([Text(text="Hello world", position=position, size=0.12)])
    inside, outside = _region_change(out, clip_video, 10, rows)
    assert inside > 0.03 and inside > 5 * outside


@pytest.mark.slow
def test_text_respects_its_time_range(render_ops, clip_video: Video) -> None:
    _, out = render_ops([Text(text="Later", position="center", size=0.15, start=1.0)])
    before, _ = _region_change(out, clip_video, 10, slice(60, 120))
    after, _ = _region_change(out, clip_video, 45, slice(60, 120))
    assert before < 0.005 < 0.03 < after


@pytest.mark.slow
def test_logo_lands_in_its_corner_with_its_opacity(render_ops, clip_video: Video, logo: Path) -> None:
    _, out = render_ops([Overlay(position="top_right", scale=0.2)], images=[logo], name="solid.mp4")
    inside, outside = _region_change(out, clip_video, 10, slice(0, 60), slice(220, 320))
    assert inside > 0.1 and inside > 10 * outside
    patch = out.frames[10][15:30, 270:295].reshape(-1, 3).mean(0)
    assert patch == pytest.approx([0x20 / 255, 0x40 / 255, 1.0], abs=0.08)
    _, half = render_ops([Overlay(position="top_right", scale=0.2, opacity=0.5)], images=[logo],
                         name="half.mp4")
    mixed = half.frames[10][15:30, 270:295].reshape(-1, 3).mean(0)
    under = clip_video.frames[10][15:30, 270:295].reshape(-1, 3).mean(0)
    assert mixed == pytest.approx((patch + under) / 2, abs=0.08)
