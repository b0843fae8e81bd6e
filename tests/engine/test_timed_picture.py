"""Colour and effects on part of the clip: "black and white from 2 to 4 s", "blur the last 2 seconds".

Read by the parser as a span on the output's timeline, pinned by the planner, rendered with ffmpeg's
timeline option (a colour table's ``enable``; an effect runs on a copy shown over the original
during the span), measured on real renders."""

from __future__ import annotations

import numpy as np
import pytest
from media_utils import Video, laplacian_energy, saturation

from conftest import MEDIA, graph_of
from editbay.engine.ops import Blur, EditPlan, Grade, Portion, Tone
from editbay.engine.parse import parse
from editbay.engine.plan import normalize_plan
from editbay.engine.segments import segment_decision

# ---- parsing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instruction", "kind", "window"),
    [
        ("make it black and white from 2 to 4 seconds", "grade", (2.0, 4.0, None)),
        ("brighten the first 3 seconds", "tone", (None, 3.0, None)),
        ("blur the last 2 seconds", "blur", (-2.0, None, None)),
        ("sepia until 0:03", "grade", (None, 3.0, None)),
        ("add a vignette from 0:01 to 0:03", "vignette", (1.0, 3.0, None)),
        ("make the first half black and white", "grade", (None, None, Portion(start=0.0, end=0.5))),
        ("add grain during the middle 2 seconds", "grain", (None, None, Portion(seconds=2.0))),
        ("pixelate everything except the last 2 s", "pixelate", (None, -2.0, None)),
    ],
)
def test_a_colour_or_effect_on_part_of_the_clip_keeps_its_span(
    instruction: str, kind: str, window: tuple[object, object, object]
) -> None:
    plan = parse(instruction)
    assert [op.op for op in plan.operations] == [kind] and not plan.unsupported, plan
    op = plan.operations[0]
    assert (op.start, op.end, op.portion) == window  # type: ignore[union-attr]


def test_everything_but_a_middle_span_is_two_spans() -> None:
    plan = parse("make it black and white except from 2 to 4 seconds")
    assert [(op.op, op.start, op.end) for op in plan.operations] == [  # type: ignore[union-attr]
        ("grade", None, 2.0),
        ("grade", 4.0, None),
    ]


def test_the_span_is_only_that_clauses() -> None:
    plan = parse("warm it up, and add a vignette from 0:01 to 0:03")
    spans = {op.op: (op.start, op.end) for op in plan.operations}  # type: ignore[union-attr]
    assert spans == {"grade": (None, None), "vignette": (1.0, 3.0)}


@pytest.mark.parametrize(
    ("instruction", "kind", "span"),
    [
        ("black and white for 2 seconds starting at 0:03", "grade", (3.0, 5.0)),
        ("blur from 0:03 for 2 seconds", "blur", (3.0, 5.0)),
        ("starting at 0:02 for 3 seconds make it sepia", "grade", (2.0, 5.0)),
        ("mute for 2 seconds starting at 0:01", "mute", (1.0, 3.0)),
        ("keep 3 seconds starting at 0:05", "trim", (5.0, 8.0)),
    ],
)
def test_a_length_from_a_start_is_a_span(instruction: str, kind: str, span: tuple[float, float]) -> None:
    plan = parse(instruction)
    assert [op.op for op in plan.operations] == [kind] and not plan.unsupported, plan
    assert (plan.operations[0].start, plan.operations[0].end) == span  # type: ignore[union-attr]


def test_starting_at_a_time_alone_still_trims() -> None:
    plan = parse("start it at 0:02")
    assert [(op.op, op.start) for op in plan.operations] == [("trim", 2.0)]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "instruction",
    [
        "make it black and white at the end",
        "blur the intro",
        "make the ending black and white",
        "make the middle part sepia",
        "turn it black and white halfway through",
        "brighten the end of the video",
    ],
)
def test_a_part_named_without_times_is_refused_not_given_the_whole_clip(instruction: str) -> None:
    plan = parse(instruction)
    assert not plan.operations and plan.unsupported, plan
    assert "which seconds" in plan.unsupported[0].reason


@pytest.mark.parametrize(
    "instruction",
    [
        "make it black and white from start to end",
        "blur it until the end",
        "add a vignette in the middle of the frame",
        "black and white from the beginning",
    ],
)
def test_the_whole_clip_in_words_is_the_whole_clip(instruction: str) -> None:
    plan = parse(instruction)
    assert plan.operations and not plan.unsupported, plan
    assert not plan.operations[0].timed  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "instruction",
    [
        "crop it to square for the first 3 seconds",  # one frame size for the whole video
        "pixelate the faces between 0:01 and 0:03",  # tracking runs on the whole clip
        "zoom in from 1 s to 3 s",
    ],
)
def test_a_span_on_an_edit_that_cannot_take_one_is_refused(instruction: str) -> None:
    plan = parse(instruction)
    assert plan.unsupported and "part of the clip" in plan.unsupported[0].reason, plan


# ---- planning ---------------------------------------------------------------------------------


def _plan(*ops: object) -> EditPlan:
    return normalize_plan(EditPlan(operations=list(ops)), MEDIA)  # type: ignore[arg-type]


def test_the_planner_pins_shares_and_times_from_the_end() -> None:
    plan = _plan(
        Grade(style="black_white", portion=Portion(start=0.5, end=1.0)),
        Blur(start=-2.0),
    )
    spans = {op.op: (op.start, op.end, op.portion) for op in plan.operations}  # type: ignore[union-attr]
    assert spans == {"grade": (3.0, None, None), "blur": (4.0, None, None)}


def test_a_span_after_a_trim_is_on_the_output() -> None:
    plan = normalize_plan(parse("keep the first 4 seconds and blur the last second"), MEDIA)
    blur = next(op for op in plan.operations if op.op == "blur")
    assert (blur.start, blur.end) == (3.0, None)  # type: ignore[union-attr]


def test_edits_on_different_spans_are_not_merged_and_the_same_span_merges() -> None:
    plan = _plan(
        Tone(brightness=0.1),
        Tone(brightness=0.1, start=1.0, end=2.0),
        Tone(contrast=1.2, start=1.0, end=2.0),
        Grade(style="warm"),
        Grade(style="cool", start=3.0, end=4.0),  # not in conflict with the warm look elsewhere
    )
    tones = [(op.start, op.end, op.brightness, op.contrast) for op in plan.operations if isinstance(op, Tone)]
    assert sorted(tones, key=str) == sorted([(None, None, 0.1, 1.0), (1.0, 2.0, 0.1, 1.2)], key=str)
    grades = {(op.style, op.start) for op in plan.operations if isinstance(op, Grade)}
    assert grades == {("warm", None), ("cool", 3.0)}


def test_a_span_outside_the_output_is_refused_and_a_whole_one_is_untimed() -> None:
    plan = _plan(Blur(start=7.0, end=8.0, source="blur 7-8 s"), Grade(style="sepia", start=0.0, end=6.0))
    assert [u.clause for u in plan.unsupported] == ["blur 7-8 s"]
    (grade,) = plan.operations
    assert isinstance(grade, Grade) and not grade.timed


def test_a_timed_colour_is_rendered_in_one_pass() -> None:
    media = MEDIA.model_copy(update={"duration": 600.0})
    timed = normalize_plan(EditPlan(operations=[Grade(style="sepia", start=10.0, end=20.0)]), media)
    whole = normalize_plan(EditPlan(operations=[Grade(style="sepia")]), media)
    decision = segment_decision(timed, media, 60, 20)
    assert not decision.split and "timed grade" in decision.reason
    assert segment_decision(whole, media, 60, 20).split


# ---- rendering --------------------------------------------------------------------------------


def test_a_timed_colour_table_carries_the_timeline_option() -> None:
    graph = graph_of([Grade(style="black_white", start=1.0, end=2.5), Tone(brightness=0.2)])
    assert graph.count("lutyuv") == 2  # the two spans are two tables, not one
    assert "enable=between(t\\,1.000\\,2.500)" in graph


def test_a_timed_effect_runs_on_a_copy_shown_during_its_span() -> None:
    graph = graph_of([Blur(strength=0.5, start=4.0)])
    assert "split" in graph and "overlay=x=0:y=0:enable=between(t\\,4.000\\,6.000)" in graph


def _during(video: Video, start: float, end: float, fn) -> float:  # noqa: ANN001
    values = [fn(f) for f, t in zip(video.frames, video.times, strict=True) if start + 0.05 < t < end - 0.05]
    assert values
    return float(np.mean(values))


def test_black_and_white_during_a_span_only(render_ops, clip_video: Video) -> None:
    _, out = render_ops([Grade(style="black_white", strength=1.0, start=0.6, end=1.4)])
    inside, before, after = (_during(out, a, b, saturation) for a, b in ((0.6, 1.4), (0.0, 0.6), (1.4, 2.0)))
    original = _during(clip_video, 0.0, 2.0, saturation)
    assert inside < 0.02 * original
    assert before > 0.8 * original and after > 0.8 * original
    assert abs(out.duration - clip_video.duration) < 0.05


def test_blur_during_the_last_half_second_only(render_ops, clip_video: Video) -> None:
    _, out = render_ops([Blur(strength=0.8, start=-0.5)], name="blur.mp4")  # from the end
    sharp_before = _during(out, 0.0, 1.5, laplacian_energy)
    sharp_after = _during(out, 1.5, 2.0, laplacian_energy)
    original_after = _during(clip_video, 1.5, 2.0, laplacian_energy)
    assert sharp_after < 0.5 * original_after
    assert sharp_before > 0.8 * _during(clip_video, 0.0, 1.5, laplacian_energy)


@pytest.mark.parametrize(
    ("instruction", "kind", "window"),
    [
        ("make only the first 3 seconds black and white", "grade", (None, 3.0, None)),
        ("black and white for just the first 3 seconds", "grade", (None, 3.0, None)),
        ("only the first half sepia", "grade", (None, None, Portion(start=0.0, end=0.5))),
        ("just the last 2 seconds blurred", "blur", (-2.0, None, None)),
    ],
)
def test_only_a_part_of_the_look_keeps_the_whole_clip(instruction: str, kind: str, window: tuple) -> None:
    plan = parse(instruction)  # "only" limits the look; it keeps no part of the clip
    assert [op.op for op in plan.operations] == [kind] and not plan.unsupported, plan
    op = plan.operations[0]
    assert (op.start, op.end, op.portion) == window  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "instruction",
    [
        "keep only the first 3 seconds and make it black and white",
        "keep the first 3 seconds in black and white",
    ],
)
def test_keeping_a_part_still_trims(instruction: str) -> None:
    assert [op.op for op in parse(instruction).operations] == ["trim", "grade"]
