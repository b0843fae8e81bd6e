"""Requests said twice, limits phrased as negations, and removals: one edit each, never two or none."""

from __future__ import annotations

import pytest

from editbay.engine.ops import EditPlan
from editbay.engine.parse import parse
from editbay.engine.plan import normalize_plan


def _plan(text: str) -> EditPlan:
    return normalize_plan(parse(text))


def _kinds(plan: EditPlan) -> list[str]:
    return [op.op for op in plan.operations]


@pytest.mark.parametrize(
    ("text", "factor"),
    [
        ("timelapse it, four times as fast", 4.0),
        ("slo-mo, quarter speed", 0.25),
        ("slow motion, half speed", 0.5),
        ("speed it up, 2x", 2.0),
        ("faster, then even faster", 4.0),  # marked as a repeat: compounds
        ("speed it up 2x, and then speed it up 2x again", 4.0),
        ("slow motion - 25% speed", 0.25),
    ],
)
def test_a_speed_said_twice_is_one_speed_unless_marked_as_a_repeat(text: str, factor: float) -> None:
    plan = _plan(text)
    assert _kinds(plan) == ["speed"] and not plan.unsupported
    assert plan.operations[0].factor == pytest.approx(factor)  # type: ignore[attr-defined]


def test_a_reverse_said_twice_is_one_reverse() -> None:
    assert _kinds(_plan("rewind effect, play it back to front")) == ["reverse"]
    assert _kinds(_plan("play it backwards, in reverse")) == ["reverse"]
    assert _kinds(_plan("reverse it, then reverse it again")) == []


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("i don't want it black and white, make it sepia", ["grade"]),
        ("make it sepia, not black and white", ["grade"]),
        ("without changing the colours, speed it up", ["speed"]),
        ("leave the audio alone and flip it", ["flip"]),
        ("don't change the speed, just flip it", ["flip"]),
        ("don't forget to mute it", ["mute"]),
        ("not only make it black and white but also mirror it", ["flip", "grade"]),
        ("i don't want the music", ["mute"]),
    ],
)
def test_a_negated_clause_limits_the_edit_and_asks_for_nothing(text: str, kinds: list[str]) -> None:
    plan = _plan(text)
    assert sorted(_kinds(plan)) == sorted(kinds) and not plan.unsupported, plan
    if "sepia" in text:
        assert [op.style for op in plan.operations] == ["sepia"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "style"),
    [
        ("fix the blue cast", "warm"),
        ("get rid of the orange tint", "cool"),
        ("remove the yellow tint", "cool"),
        ("reduce the warm tones", "cool"),
        ("add a yellow tint", "warm"),
        ("less warm", "cool"),
    ],
)
def test_removing_a_tint_is_the_opposite_colour(text: str, style: str) -> None:
    plan = _plan(text)
    assert [(op.op, getattr(op, "style", None)) for op in plan.operations] == [("grade", style)]


@pytest.mark.parametrize(
    "text",
    [
        "speed up to 1.5x but keep the pitch",
        "speed up 2x keeping the original pitch",
        "slow it down without changing the pitch",
    ],
)
def test_keeping_the_pitch_is_what_a_speed_change_does(text: str) -> None:
    plan = _plan(text)
    assert _kinds(plan) == ["speed"] and not plan.unsupported


def test_the_second_fade_direction_borrows_the_verb() -> None:
    for text in ("fade in at the beginning and out at the end", "fade in over 2 seconds, then out"):
        plan = _plan(text)
        assert sorted(op.direction for op in plan.operations) == ["in", "out"]  # type: ignore[attr-defined]
        assert not plan.unsupported
    plan = _plan("fade the audio in, and out at the end")
    assert _kinds(plan) == ["audio_fade", "audio_fade"]


def test_ends_pushed_apart_are_contrast_and_opposite_changes_cancel_to_nothing() -> None:
    (tone,) = _plan("make the darks darker and the lights lighter").operations
    assert tone.contrast > 1.2 and tone.brightness == 0  # type: ignore[attr-defined]
    assert _plan("less contrasty").operations[0].contrast < 1  # type: ignore[attr-defined]
    cancelled = _plan("make it darker and then lighter")
    assert cancelled.operations == [] and cancelled.notes
