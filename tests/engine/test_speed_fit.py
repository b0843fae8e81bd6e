"""A speed given as the length to reach: "speed it up to fit 10 seconds", "slow it down so it lasts 20 s".

The parser records the length (``Speed.fit``); the planner, which knows the duration and every other
time edit, turns it into the factor; the render is measured."""

from __future__ import annotations

import pytest
from media_utils import load

from conftest import MEDIA
from editbay.engine.errors import UnsupportedEdit
from editbay.engine.media import probe
from editbay.engine.ops import EditPlan, Speed
from editbay.engine.parse import parse
from editbay.engine.plan import plan_edit
from editbay.engine.render import render


@pytest.mark.parametrize(
    ("instruction", "seconds"),
    [
        ("speed it up to fit 10 seconds", 10.0),
        ("slow it down so it lasts 20 s", 20.0),
        ("squeeze it into 15 seconds", 15.0),
        ("fit the whole video into 5 s", 5.0),
        ("make it 10 seconds long by speeding it up", 10.0),
        ("timelapse it down to 8 seconds", 8.0),
        ("speed up 2x so it lasts 3 seconds", 3.0),  # the length decides
    ],
)
def test_a_length_to_reach_is_read_as_a_fitted_speed(instruction: str, seconds: float) -> None:
    plan = parse(instruction)
    assert [(op.op, getattr(op, "fit", None)) for op in plan.operations] == [("speed", seconds)], plan
    assert not plan.unsupported


@pytest.mark.parametrize(
    ("instruction", "kind"),
    [
        ("make it 15 seconds long", "trim"),  # no word of speed: the start is kept
        ("make it last 10 seconds", "trim"),
        ("trim it to fit 10 seconds", "trim"),
        ("speed it up to 2x", "speed"),
        ("slow it down to 50%", "speed"),
    ],
)
def test_lengths_without_speed_words_and_plain_factors_are_unchanged(instruction: str, kind: str) -> None:
    plan = parse(instruction)
    assert [op.op for op in plan.operations] == [kind] and not plan.unsupported, plan
    assert getattr(plan.operations[0], "fit", None) is None
    if kind == "trim":
        assert plan.operations[0].end in (10.0, 15.0)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("instruction", "factor", "duration"),
    [
        ("speed it up to fit 3 seconds", 2.0, 3.0),
        ("slow it down so it lasts 12 s", 0.5, 12.0),
        ("keep the first 4 seconds and squeeze it into 2 seconds", 2.0, 2.0),  # after the trim
        ("speed it up to fit 2 seconds and loop it twice", 6.0, 2.0),  # the loop doubles it again
        ("speed it up to fit 3 seconds and freeze the last frame for 1 second", 3.0, 3.0),  # plus 1 s
        ("speed it up 3x and fit it into 4 s", 1.5, 4.0),
    ],
)
def test_the_planner_sets_the_factor_from_every_time_edit(
    instruction: str, factor: float, duration: float
) -> None:
    plan = plan_edit(instruction, media=MEDIA)  # 6 s
    (speed,) = [op for op in plan.operations if isinstance(op, Speed)]
    assert speed.factor == pytest.approx(factor, abs=1e-3) and speed.fit is None
    assert plan.output_duration == pytest.approx(duration, abs=0.01)
    assert any("makes the" in n for n in plan.notes)


def test_an_impossible_length_is_refused_and_a_reached_one_is_a_note() -> None:
    plan = plan_edit("fit it into 0.01 seconds", media=MEDIA, check=False)
    assert not plan.operations and "needs a speed of x600" in plan.unsupported[0].reason
    plan = plan_edit(
        "speed it up to fit 1 second and freeze the last frame for 2 seconds", media=MEDIA, check=False
    )
    assert not any(isinstance(op, Speed) for op in plan.operations)
    assert "no speed gives 1 s" in plan.unsupported[0].reason
    plan = plan_edit("fit it into 6 seconds", media=MEDIA, check=False)
    assert not plan.operations and "already 6.00 s" in plan.notes[-1]


def test_without_the_media_the_renderer_refuses_a_length_it_cannot_know(clip, tmp_path) -> None:
    with pytest.raises(UnsupportedEdit, match="length"):
        render(EditPlan(operations=[Speed(factor=1.0, fit=1.0)]), clip, tmp_path / "o.mp4")


def test_the_render_lasts_the_length_asked(clip, tmp_path) -> None:
    plan = plan_edit("speed it up to fit 1.25 seconds", media=probe(clip))  # the clip is 2 s
    result = render(plan, clip, tmp_path / "fit.mp4")
    out = load(result.output)
    assert out.duration == pytest.approx(1.25, abs=0.05)
    assert out.audio is not None and len(out.audio) / 48000 == pytest.approx(1.25, abs=0.06)
