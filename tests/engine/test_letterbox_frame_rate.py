"""Letterbox bars and frame-rate changes: read, planned, rendered and measured."""

from __future__ import annotations

import numpy as np
import pytest
from media_utils import Video, audio_duration

from conftest import MEDIA, graph_of
from editbay.engine.ops import EditPlan, FrameRate, Grade, Letterbox, Text
from editbay.engine.parse import parse
from editbay.engine.plan import normalize_plan, plan_edit
from editbay.engine.render.geometry import letterbox_bars
from editbay.engine.segments import segment_decision

# ---- parsing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instruction", "ratio"),
    [
        ("add letterboxing for a cinematic look", 2.39),  # the bars are the look: no grade added
        ("add black bars top and bottom", 2.39),
        ("cinematic bars", 2.39),
        ("letterbox it to 2.35:1", 2.35),
        ("letterbox to 1.85:1", 1.85),
        ("21:9 letterbox", 2.39),
    ],
)
def test_cinematic_bars_are_a_letterbox(instruction: str, ratio: float) -> None:
    plan = parse(instruction)
    assert [(op.op, op.ratio) for op in plan.operations] == [("letterbox", ratio)], plan  # type: ignore[union-attr]
    assert not plan.unsupported


@pytest.mark.parametrize(
    "instruction", ["make it vertical with black bars", "make it 9:16 letterboxed", "letterbox to 16:9"]
)
def test_bars_of_a_new_frame_shape_are_padding(instruction: str) -> None:
    plan = parse(instruction)
    assert [(op.op, op.mode) for op in plan.operations] == [("aspect", "pad_black")], plan  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("instruction", "fps"),
    [
        ("reduce the frame rate to 24fps", 24.0),
        ("make it 60fps", 60.0),
        ("convert to 25 frames per second", 25.0),
        ("frame rate 30", 30.0),
        ("conform to 23.976 fps", 23.976),
    ],
)
def test_a_frame_rate_is_read(instruction: str, fps: float) -> None:
    plan = parse(instruction)
    assert [(op.op, op.fps) for op in plan.operations] == [("frame_rate", fps)], plan  # type: ignore[union-attr]


def test_a_frame_rate_is_not_a_speed_and_out_of_range_is_refused() -> None:
    assert [op.op for op in parse("1080p 30fps").operations] == ["frame_rate", "resize"]
    plan = parse("500 fps")
    assert not plan.operations and "1 to 120" in plan.unsupported[0].reason


# ---- planning ---------------------------------------------------------------------------------


def test_bars_come_after_the_grade_and_before_titles_and_keep_the_size() -> None:
    plan = normalize_plan(
        EditPlan(operations=[Text(text="Hi"), Letterbox(), Grade(style="faded"), FrameRate(fps=24)]), MEDIA
    )
    assert [op.op for op in plan.operations] == ["frame_rate", "grade", "letterbox", "text"]
    assert (plan.output_width, plan.output_height, plan.output_duration) == (640, 360, 6.0)


def test_segments_keep_the_bars_but_not_a_frame_rate_change() -> None:
    media = MEDIA.model_copy(update={"duration": 600.0})
    bars = normalize_plan(EditPlan(operations=[Letterbox()]), media)
    rate = normalize_plan(EditPlan(operations=[FrameRate(fps=24)]), media)
    assert segment_decision(bars, media, 60, 20).split
    decision = segment_decision(rate, media, 60, 20)
    assert not decision.split and "frame-rate" in decision.reason


# ---- rendering --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "ratio", "bars"),
    [
        ((1920, 1080), 2.39, ("tb", 138)),
        ((1080, 1920), 2.39, ("tb", 734)),
        ((1920, 1080), 1.0, ("lr", 420)),
        ((1920, 1080), 16 / 9, None),
    ],
)
def test_bar_sizes(size: tuple[int, int], ratio: float, bars: tuple[str, int] | None) -> None:
    assert letterbox_bars(*size, ratio) == bars


def test_letterbox_graph_draws_two_boxes() -> None:
    graph = graph_of([Letterbox(ratio=2.39)])  # 640x360: 268 px of picture, 46 px bars
    assert "drawbox=x=0:y=0:w=iw:h=46:color=black:t=fill" in graph
    assert "drawbox=x=0:y=ih-46:w=iw:h=46:color=black:t=fill" in graph


def test_rendered_bars_are_black_and_the_picture_between_them_is_kept(render_ops, clip_video: Video) -> None:
    result, out = render_ops([Letterbox(ratio=2.39)], name="bars.mp4")
    assert (result.width, result.height) == (clip_video.width, clip_video.height)
    bar = (clip_video.height - 2 * (clip_video.width / 2.39 // 2)) // 2  # 320x180: 45 px
    frame, source = out.frames[10], clip_video.frames[10]
    top, bottom = frame[: int(bar) - 2], frame[-int(bar) + 2 :]
    assert top.max() < 0.08 and bottom.max() < 0.08  # black (within the encoder's noise)
    middle = slice(int(bar) + 4, clip_video.height - int(bar) - 4)
    assert np.abs(frame[middle] - source[middle]).mean() < 0.05
    assert source[: int(bar) - 2].mean() > 0.2  # the source had picture there


def test_a_frame_rate_change_keeps_the_length_and_the_sound(render_ops, clip_video: Video) -> None:
    result, out = render_ops([FrameRate(fps=12)], name="fps.mp4")  # the clip is 30 fps, 2 s
    steps = np.diff(out.times)
    assert np.median(steps) == pytest.approx(1 / 12, abs=1e-3)
    assert len(out.times) == pytest.approx(24, abs=1)
    assert out.duration == pytest.approx(clip_video.duration, abs=0.1)
    assert audio_duration(result.output) == pytest.approx(clip_video.duration, abs=0.1)


def test_a_freeze_after_a_frame_rate_change_counts_in_the_new_rate(clip, tmp_path) -> None:
    from editbay.engine.media import probe
    from editbay.engine.render import render

    plan = plan_edit("convert to 10 fps and freeze the last frame for 1 second", media=probe(clip))
    out = render(plan, clip, tmp_path / "freeze.mp4")
    assert out.duration == pytest.approx(3.0, abs=0.12)


# ---- zoom towards a side or corner --------------------------------------------------------------


@pytest.mark.parametrize(
    ("instruction", "anchor", "slow"),
    [
        ("zoom in 2x on the top left", "top_left", False),
        ("zoom in on the right side", "right", False),
        ("slow zoom towards the bottom right corner", "bottom_right", True),
        ("punch in on the upper left", "top_left", False),
        ("zoom into the middle of the frame", "center", False),
    ],
)
def test_a_zoom_towards_a_side_or_corner_is_read(instruction: str, anchor: str, slow: bool) -> None:
    plan = parse(instruction)
    assert [(op.op, op.anchor, op.slow) for op in plan.operations] == [("zoom", anchor, slow)], plan  # type: ignore[union-attr]


def test_a_zoom_on_a_thing_in_the_scene_is_still_refused() -> None:
    plan = parse("zoom in on the cake")
    assert not plan.operations and plan.unsupported


def test_zoom_anchor_graphs() -> None:
    from editbay.engine.ops import Zoom

    assert "crop=w=320:h=180:x=0:y=0," in graph_of([Zoom(factor=2.0, anchor="top_left")])
    assert "crop=w=320:h=180:x=320:y=90," in graph_of([Zoom(factor=2.0, anchor="right")])
    slow = graph_of([Zoom(factor=2.0, slow=True, anchor="bottom_right")])
    assert "x=(iw-iw/zoom)*1:y=(ih-ih/zoom)*1" in slow


def test_a_rendered_corner_zoom_shows_that_corner(render_ops, clip_video: Video) -> None:
    from editbay.engine.ops import Zoom

    _, out = render_ops([Zoom(factor=2.0, anchor="top_left")], name="corner.mp4")
    h, w = clip_video.height, clip_video.width
    frame = out.frames[5]
    corner = clip_video.frames[5][: h // 2, : w // 2]
    shrunk = frame[::2, ::2][: corner.shape[0], : corner.shape[1]]  # the output is the corner, 2x
    other = clip_video.frames[5][h // 2 :, w // 2 :][: shrunk.shape[0], : shrunk.shape[1]]
    assert np.abs(shrunk - corner).mean() < 0.5 * np.abs(shrunk - other).mean()


@pytest.mark.parametrize(
    ("instruction", "reason"),
    [
        ("crop out the letterbox", "cropping to the picture's own ratio"),  # was adding bars
        ("fill the black bars with blur", "which aspect ratio"),  # was a blur of the whole frame
        ("make it smooth 60fps slow motion", "motion interpolation"),
    ],
)
def test_bars_and_smoothness_that_cannot_be_done_are_refused(instruction: str, reason: str) -> None:
    plan = parse(instruction)
    assert not plan.operations and reason in plan.unsupported[0].reason, plan


def test_a_frame_rate_said_of_the_source_is_not_a_request() -> None:
    plan = parse("the frame rate is 30fps, make it slow motion")
    assert "frame_rate" not in [op.op for op in plan.operations]


def test_black_bars_for_a_cinematic_look_are_a_letterbox() -> None:
    plan = parse("add black bars for a movie feel")
    assert [op.op for op in plan.operations] == ["letterbox"] and not plan.unsupported, plan
