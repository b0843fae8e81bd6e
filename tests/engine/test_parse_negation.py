"""Negation: a clause (or the part of one) that says what must NOT happen yields no operation — and
is not reported either — while removals, strengths and complaints phrased with "no"/"not" still work."""

from __future__ import annotations

import pytest
from engine_parse_helpers import kinds

from editbay.engine.parse import ONLY_DECLINED, parse
from editbay.engine.plan import plan_edit


@pytest.mark.parametrize(
    ("instruction", "expected"),
    [
        # the negated operation, whatever the negator, next to a request that is kept
        ("make it sepia, don't blur the faces", ["grade"]),
        ("make it sepia, do not add a vignette", ["grade"]),
        ("make it sepia without a vignette", ["grade"]),
        ("make it sepia with no vignette", ["grade"]),
        ("make it warm, no vignette", ["grade"]),
        ("add grain without blurring anything", ["grain"]),
        ("brighten it but never zoom in", ["tone"]),
        ("speed it up 2x and don't mute it", ["speed"]),
        ("avoid blurring the faces, just flip it", ["flip"]),
        ("no need to pixelate the faces, just brighten it", ["tone"]),
        ("skip the fade, make it black and white", ["grade"]),
        ("leave out the vignette and sharpen it", ["sharpen"]),
        ("make it sepia instead of black and white", ["grade"]),
        ("sepia rather than black and white", ["grade"]),
        ("add a vignette, no grain effect, no blur", ["vignette"]),
        ("no slow motion please, make it 2x", ["speed"]),
        ("don't reverse it, loop it 3 times", ["loop"]),
        ("fade out but no fade in", ["fade"]),
        ("blur the faces but don't pixelate them", ["face_blur"]),
        ("don't blur the background, blur the faces", ["face_blur"]),
        ("rotate it 90 degrees, do not flip it", ["rotate"]),
        ("i'd rather not have a vignette, make it cool", ["grade"]),
        ("make sure not to blur the faces and mute it", ["mute"]),
        ("please do not mute the audio, only make it louder", ["volume"]),
        ("keep the colours, don't make it black and white, speed it up", ["speed"]),
        ("add the title 'Hi', no music", ["text"]),
        ("no vignette add grain", ["grain"]),  # the next request ends the negated words
        ("don't make it black and white make it sepia", ["grade"]),
        ("not in slow motion, in reverse", ["reverse"]),  # a modifier is not glued to a negated clause
    ],
)
def test_a_negated_operation_is_not_produced(instruction: str, expected: list[str]) -> None:
    plan = parse(instruction)
    assert kinds(plan) == expected and not plan.unsupported, (plan.operations, plan.unsupported)


@pytest.mark.parametrize(
    ("instruction", "absent"),
    [
        ("don't make it black and white, make it sepia", "black_white"),
        ("make it sepia instead of black and white", "black_white"),
        ("flip it horizontally, not vertically", "vertical"),
        ("no fade in, only a fade out", "in"),
    ],
)
def test_the_negated_variant_of_a_kept_operation_is_not_produced(instruction: str, absent: str) -> None:
    plan = parse(instruction)
    assert plan.operations and not plan.unsupported
    values = {str(v) for op in plan.operations for v in op.model_dump().values()}
    assert absent not in values, plan.operations


@pytest.mark.parametrize(
    "instruction",
    ["do not blur the faces", "no music", "without blurring anything", "never speed it up",
     "keep the colours, don't make it black and white", "skip the vignette"],
)
def test_an_instruction_that_only_says_what_not_to_do_is_refused_as_such(instruction: str) -> None:
    plan = parse(instruction)
    assert not plan.operations
    assert [u.reason for u in plan.unsupported] == [ONLY_DECLINED]


@pytest.mark.parametrize(
    ("instruction", "expected"),
    [
        # removals of what the input has: requests, not negations
        ("no sound please", ["mute"]),
        ("without audio", ["mute"]),
        ("i don't want any sound", ["mute"]),
        ("i don't want the music", ["mute"]),
        ("no colours at all", ["grade"]),
        ("no noise", ["denoise"]),
        ("black and white, no sound", ["grade", "mute"]),
        # strength, complaints and emphasis
        ("add grain but not too much", ["grain"]),
        ("it's not bright enough", ["tone"]),
        ("don't forget to mute it", ["mute"]),
        ("not only make it black and white but also mirror it", ["grade", "flip"]),
        # "skip" / "leave out" a part of the clip is a cut
        ("skip the first 2 seconds", ["trim"]),
        ("leave out the first 3 seconds", ["trim"]),
    ],
)
def test_removals_and_modifiers_phrased_with_no_or_not_still_ask_for_an_edit(
    instruction: str, expected: list[str]
) -> None:
    plan = parse(instruction)
    assert sorted(kinds(plan)) == sorted(expected), plan.operations
    assert not plan.unsupported, plan.unsupported


@pytest.mark.parametrize(
    "instruction",
    [
        "make it vertical but do not crop the sides",
        "make it square without cropping",
        "vertical for tiktok, add the title 'hi', and don't crop anything",
        "9:16, avoid cropping",
    ],
)
def test_a_conversion_that_must_not_crop_pads_instead(instruction: str) -> None:
    plan = parse(instruction)
    aspects = [op for op in plan.operations if op.op == "aspect"]
    assert [a.mode for a in aspects] == ["pad_black"] and not plan.unsupported, plan  # type: ignore[attr-defined]


def test_a_declined_crop_also_pads_the_structured_aspect_ratio() -> None:
    plan = parse("make it warmer and don't crop anything", aspect_ratio="9:16")
    assert [(op.op, getattr(op, "mode", None)) for op in plan.operations] == [
        ("grade", None), ("aspect", "pad_black")]


def test_declining_black_bars_keeps_the_crop() -> None:
    plan = parse("crop to square, don't add black bars")
    assert [op.mode for op in plan.operations] == ["crop"]  # type: ignore[attr-defined]


def test_following_a_subject_without_cropping_is_refused_with_the_reason() -> None:
    plan = parse("make it vertical and follow the person, but don't crop anything")
    assert "reframe" not in kinds(plan)
    assert plan.unsupported and "crops the frame" in plan.unsupported[0].reason


def test_a_negated_face_blur_does_not_reach_the_render() -> None:
    plan = plan_edit("make it black and white and don't blur the faces")
    assert kinds(plan) == ["grade"]


@pytest.mark.parametrize(
    ("instruction", "kind", "sign"),
    [
        ("it shouldn't be this dark", "tone", 1),
        ("I want it to not be so loud", "volume", -1),
        ("I need it to not be so quiet", "volume", 1),
        ("the colours should not be so dull", "tone", 1),
        ("it must not look so bright", "tone", -1),
        ("I don't want it so bright", "tone", -1),
    ],
)
def test_a_state_it_should_not_have_asks_for_the_opposite(instruction: str, kind: str, sign: int) -> None:
    plan = parse(instruction)
    assert kinds(plan) == [kind] and not plan.unsupported, plan
    op = plan.operations[0]
    value = op.gain_db if kind == "volume" else op.brightness or op.saturation - 1  # type: ignore[union-attr]
    assert value * sign > 0, op


def test_a_state_it_should_not_have_is_not_a_request_for_it() -> None:
    assert kinds(parse("i want it to not be blurry")) == ["sharpen"]
    assert kinds(parse("it should not be shaky")) == ["stabilize"]


def test_quoted_text_that_is_declined_is_not_drawn() -> None:
    plan = parse("add the title 'Hi', no 'subscribe' text")
    assert [op.text for op in plan.operations] == ["Hi"] and not plan.unsupported  # type: ignore[attr-defined]


def test_removing_something_in_the_picture_is_still_refused_not_declined() -> None:
    plan = parse("make it sepia without the watermark")
    assert plan.unsupported and "watermark" in plan.unsupported[0].clause


# ---- "not too …": a limit on the strength of the edit before it, never an edit of its own ------

NEUTRAL = {"brightness": 0.0, "gain_db": 0.0, "factor": 1.0, "strength": 0.0}


@pytest.mark.parametrize(
    ("limited", "plain", "kind", "field"),
    [
        ("darken it, but not too dark", "darken it", "tone", "brightness"),
        ("brighten it but not too much", "brighten it", "tone", "brightness"),
        ("make it brighter, not too bright though", "make it brighter", "tone", "brightness"),
        ("turn it up but not too loud", "turn it up", "volume", "gain_db"),
        ("slow it down, but not too slow", "slow it down", "speed", "factor"),
        ("speed it up but not overly fast", "speed it up", "speed", "factor"),
        ("add some blur, not too strong", "add some blur", "blur", "strength"),
        ("add a vignette but not too dark", "add a vignette", "vignette", "strength"),
        ("zoom in, though not too much", "zoom in", "zoom", "factor"),
        ("make it warmer but don't overdo it", "make it warmer", "grade", "strength"),
        ("sharpen it, don't make it too sharp", "sharpen it", "sharpen", "strength"),
    ],
)
def test_a_not_too_limit_gives_one_moderate_edit_in_the_asked_direction(
    limited: str, plain: str, kind: str, field: str
) -> None:
    plan = parse(limited)
    assert kinds(plan) == [kind] and not plan.unsupported, (plan.operations, plan.unsupported)
    (full,) = parse(plain).operations
    neutral = NEUTRAL[field]
    moderated, default = getattr(plan.operations[0], field) - neutral, getattr(full, field) - neutral
    assert moderated * default > 0, (moderated, default)  # same direction
    assert abs(moderated) < abs(default), (moderated, default)  # but less of it


@pytest.mark.parametrize("instruction", ["not too dark", "it's not too bright", "but not too much please"])
def test_a_strength_limit_alone_asks_for_no_edit_and_says_so(instruction: str) -> None:
    plan = parse(instruction)
    assert not plan.operations, plan.operations
    assert len(plan.unsupported) == 1 and "names no edit" in plan.unsupported[0].reason
