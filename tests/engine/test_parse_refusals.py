"""Refusals: generative and vision-needing requests, nonsense and known limits are never forced
onto an operation."""

from __future__ import annotations

import pytest
from engine_parse_helpers import kinds, refused

from editbay.engine.parse import parse

GENERATIVE = [
    "replace the background with a beach",
    "swap the sky for a starry night",
    "make him smile",
    "make the man wink at the camera",
    "make her look younger",
    "give him a beard",
    "add a dragon",
    "add a unicorn flying over the city",
    "insert a spaceship in the sky",
    "put sunglasses on the dog",
    "turn the car into a horse",
    "transform the cat into a tiger",
    "remove the person",
    "erase the people in the background",
    "delete the car from the shot",
    "remove the watermark",
    "get rid of the text on the sign",
    "change her dress to red",
    "make the car red",
    "make the sky bluer",
    "make it look like a Pixar movie",
    "anime style",
    "turn it into a cartoon",
    "in the style of Van Gogh",
    "make it look like an oil painting",
    "colorize this black and white footage",
    "make the people dance",
    "add snow falling",
    "sprinkle snowflakes over everything",
    "with a flying saucer zooming across",
    "make the dog talk",
    "add fireworks in the background",
    "put a crown on her head",
]


@pytest.mark.parametrize("instruction", GENERATIVE)
def test_generative_requests_are_refused(instruction: str) -> None:
    plan = refused(instruction)
    assert not plan.operations, (instruction, plan.operations)


# Vision requests the engine does (faces, background, shake, colour match, reframing, whole shots)
# are parsed in tests/engine/test_vision_parse.py; these need more than it can do.
VISION = [
    "pixelate the license plates",
    "zoom in on her face",
    "add camera shake",
    "slow down the second shot",
    "change the background colour to green",
    "follow the runner and keep her in frame",
    "match the colours to the uploaded photo",
]


@pytest.mark.parametrize("instruction", VISION)
def test_vision_requests_are_refused_with_a_vision_reason(instruction: str) -> None:
    plan = refused(instruction)
    assert not plan.operations
    assert "vision" in plan.unsupported[0].reason


NONSENSE = [
    "asdf qwerty",
    "banana telephone",
    "purple monkey dishwasher",
    "lorem ipsum dolor sit amet",
    "zxcv",
    "12345",
    "?!?!",
    "the quick brown fox",
    "make it better somehow with vibes from mars",
]


@pytest.mark.parametrize("instruction", NONSENSE)
def test_nonsense_is_not_forced_onto_an_operation(instruction: str) -> None:
    plan = parse(instruction)
    assert not plan.operations, (instruction, plan.operations)
    assert plan.unsupported


@pytest.mark.parametrize(
    "instruction",
    [
        "add music",
        "add a transition",
        "zoom out",
        "rotate it 30 degrees",
        "add a border",
        "crossfade",
        "add echo to the voice",
        "auto-generate subtitles",
        "speed ramp",
        "green tint",
    ],
)
def test_known_limits_are_refused_with_a_specific_reason(instruction: str) -> None:
    plan = refused(instruction)
    assert not plan.operations
    assert "not understood" not in plan.unsupported[0].reason


def test_partial_instruction_keeps_the_supported_part_and_names_the_rest() -> None:
    plan = parse("make it sepia and add a dragon")
    assert kinds(plan) == ["grade"]
    assert [u.clause for u in plan.unsupported] == ["add a dragon"]


def test_multi_clause_generative_refusal_is_one_clause() -> None:
    plan = parse("erase the logo on the T-shirt and fill in the fabric")
    assert not plan.operations
    assert len(plan.unsupported) == 1 and "fabric" in plan.unsupported[0].clause


@pytest.mark.parametrize(
    ("instruction", "kind"),
    [
        ("make the video brighter", "tone"),
        ("brighten the footage", "tone"),
        ("add some warmth to the image", "grade"),
        ("speed up the whole thing", "speed"),
        ("remove the audio", "mute"),
        ("remove the first 2 seconds", "trim"),
        ("remove the colour", "grade"),
        ("remove the noise", "denoise"),
        ("add a vignette to the clip", "vignette"),
        ("turn it into black and white", "grade"),
        ("change the aspect ratio to 9:16", "aspect"),
        ("make the colours warmer", "grade"),
        ("darken the edges of the frame", "vignette"),
    ],
)
def test_edit_words_next_to_frame_nouns_are_not_refused(instruction: str, kind: str) -> None:
    plan = parse(instruction)
    assert kind in kinds(plan) and not plan.unsupported, plan


# ---- "without the <thing in the picture>": a removal, refused as "remove the …" is ----------------

REMOVING = "removing something from the picture"


@pytest.mark.parametrize(
    ("instruction", "kept", "removal"),
    [
        ("make it sepia without the watermark", ["grade"], "without the watermark"),
        ("black and white without the text", ["grade"], "without the text"),
        ("speed it up 2x without the logo in the corner", ["speed"], "without the logo in the corner"),
        ("flip it, minus the tourists", ["flip"], "minus the tourists"),
    ],
)
def test_without_something_in_the_picture_is_refused_as_a_removal(
    instruction: str, kept: list[str], removal: str
) -> None:
    plan = parse(instruction)
    assert kinds(plan) == kept, plan
    assert [u.clause for u in plan.unsupported] == [removal]
    assert REMOVING in plan.unsupported[0].reason
    # the same refusal as asking for the removal outright
    assert plan.unsupported[0].reason == parse("remove the person in the background").unsupported[0].reason


def test_a_removal_is_not_read_as_an_overlay_of_the_attached_image() -> None:
    plan = parse("make it sepia without the watermark", images=["https://example.com/logo.png"])
    assert kinds(plan) == ["grade"] and REMOVING in plan.unsupported[0].reason, plan


def test_a_removal_fails_strict_and_is_skipped_when_lenient() -> None:
    from editbay.engine import UnsupportedEdit, plan_edit

    with pytest.raises(UnsupportedEdit) as err:
        plan_edit("make it sepia without the watermark")
    assert "without the watermark" in str(err.value) and REMOVING in str(err.value)
    plan = plan_edit("make it sepia without the watermark", strict=False)
    assert kinds(plan) == ["grade"] and [u.clause for u in plan.unsupported] == ["without the watermark"]


@pytest.mark.parametrize(
    ("instruction", "expected"),
    [
        ("make it sepia without the sound", ["grade", "mute"]),
        ("vertical without the black bars", ["aspect"]),
        ("make it sepia without a vignette", ["grade"]),
        ("make it warmer without the grain", ["denoise", "grade"]),
    ],
)
def test_without_what_a_whole_frame_edit_can_take_away_is_no_removal(
    instruction: str, expected: list[str]
) -> None:
    plan = parse(instruction)
    assert sorted(kinds(plan)) == expected
    assert not any(REMOVING in u.reason for u in plan.unsupported), plan.unsupported


@pytest.mark.parametrize(
    "instruction",
    [
        "make it grayscale except for red",
        "black and white but keep the reds",
        "selective colour, only the blue",
    ],
)
def test_keeping_one_colour_is_refused_not_dropped(instruction: str) -> None:
    plan = parse(instruction)
    assert any("one colour" in u.reason for u in plan.unsupported), plan


@pytest.mark.parametrize(
    ("instruction", "reason"),
    [
        ("mute the intro", "which seconds"),
        ("louder towards the end", "which seconds"),
        ("make the audio louder at the start", "which seconds"),
        ("speed up the last part", "part of the clip"),
        ("slow down the end", "part of the clip"),
        ("reverse the ending", "part of the clip"),
        ("zoom in at the end", "part of the clip"),
    ],
)
def test_a_part_named_without_times_is_never_the_whole_clip(instruction: str, reason: str) -> None:
    plan = parse(instruction)
    assert not plan.operations and plan.unsupported and reason in plan.unsupported[0].reason, plan


@pytest.mark.parametrize(
    "instruction", ["speed it up from start to end", "slow motion until the end", "fade out at the end"]
)
def test_the_whole_clip_or_an_edge_edit_named_in_words_is_read(instruction: str) -> None:
    plan = parse(instruction)
    assert plan.operations and not plan.unsupported, plan


@pytest.mark.parametrize("instruction", ["add a sunset in the background", "add a sunset"])
def test_adding_a_sunset_is_generative_not_a_warm_look(instruction: str) -> None:
    plan = parse(instruction)  # the embedding fallback had read it as "summer sunset tones"
    assert not plan.operations and "generative" in plan.unsupported[0].reason, plan


@pytest.mark.parametrize("instruction", ["add sunset tones", "give it a sunset look"])
def test_a_sunset_look_is_still_a_grade(instruction: str) -> None:
    assert kinds(parse(instruction)) == ["grade"]


@pytest.mark.parametrize(
    "instruction", ["add colour to the black and white footage", "make the black and white video colour"]
)
def test_colourising_is_refused_not_read_as_black_and_white(instruction: str) -> None:
    plan = parse(instruction)
    assert not plan.operations and "colourising" in plan.unsupported[0].reason, plan


def test_black_and_white_describing_the_footage_is_not_a_request() -> None:
    assert kinds(parse("sharpen the black and white footage")) == ["sharpen"]
    assert kinds(parse("turn this into a black and white film")) == ["grade"]


@pytest.mark.parametrize(
    ("instruction", "reason"),
    [
        ("fade to black and white", "changes over time"),  # was two picture fades and a grade
        ("black and white then color after 2 seconds", "changes over time"),  # was b&w *from* 2 s
        ("turn the colours back to normal", "undoing edits"),  # was an invert
        ("revert it", "undoing edits"),
    ],
)
def test_looks_over_time_and_undoing_are_refused(instruction: str, reason: str) -> None:
    plan = parse(instruction)
    assert any(reason in u.reason for u in plan.unsupported), plan
    assert not any(op.op in ("invert", "fade") for op in plan.operations)
    assert not any(getattr(op, "start", None) == 2.0 for op in plan.operations)


def test_the_rest_is_a_part_named_without_times() -> None:
    plan = parse("make the first 3 seconds black and white and speed up the rest")
    assert "speed" not in kinds(plan) and plan.unsupported, plan
