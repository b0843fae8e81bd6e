"""Colour and tone phrasings: named looks, numeric tone, kelvin, invert, LUT presets."""

from __future__ import annotations

import pytest
from engine_parse_helpers import assert_params, kinds, one

from editbay.engine.parse import parse

GRADES = [
    ("make it black and white", "black_white"),
    ("convert to b&w", "black_white"),
    ("B/W please", "black_white"),
    ("greyscale", "black_white"),
    ("monochrome look", "black_white"),
    ("remove all the colour", "black_white"),
    ("drain the color out completely", "black_white"),
    ("noir style black & white", "black_white"),
    ("sepia tone", "sepia"),
    ("give it an old photograph look", "sepia"),
    ("brownish antique tint", "sepia"),
    ("teal and orange grade", "teal_orange"),
    ("orange & teal", "teal_orange"),
    ("teal shadows and orange highlights", "teal_orange"),
    ("cinematic look", "cinematic"),
    ("make it look like a hollywood blockbuster", "cinematic"),
    ("give it a warm tone", "warm"),
    ("warmer colours", "warm"),
    ("golden hour vibe", "warm"),
    ("make it cooler", "cool"),
    ("cold blue tint", "cool"),
    ("icy winter look", "cool"),
    ("vintage filter", "vintage"),
    ("retro 70s style", "vintage"),
    ("old film look", "vintage"),
    ("vhs aesthetic", "vintage"),
    ("faded look", "faded"),
    ("washed-out colours", "faded"),
    ("matte pastel look", "faded"),
    ("high contrast look", "high_contrast"),
    ("punchy and gritty", "high_contrast"),
    ("vivid colours", "vivid"),
    ("make the colours pop", "vivid"),
    ("vibrant and colourful", "vivid"),
    ("muted colours", "muted"),
    ("a dull, subdued palette", "muted"),
]


@pytest.mark.parametrize(("instruction", "style"), GRADES)
def test_grade_styles(instruction: str, style: str) -> None:
    plan = parse(instruction)
    assert not plan.unsupported, plan.unsupported
    assert style in [op.style for op in plan.operations if op.op == "grade"], plan.operations


def test_black_and_white_is_full_strength_by_default() -> None:
    assert one("black and white", "grade").strength == 1.0


def test_grade_strength_follows_words() -> None:
    slight = one("a slightly warm look", "grade").strength
    normal = one("a warm look", "grade").strength
    strong = one("a very warm look", "grade").strength
    assert slight < normal < strong


TONES = [
    ("raise the brightness", {"brightness": 0.12}),
    ("brighten it", {"brightness": 0.12}),
    ("make it lighter", {"brightness": 0.12}),
    ("brighten by 20%", {"brightness": 0.1}),
    ("the video is too dark", {"brightness": 0.12}),
    ("make it darker", {"brightness": -0.12}),
    ("darken it a little", {"brightness": -0.06}),
    ("decrease brightness", {"brightness": -0.12}),
    ("it's too bright", {"brightness": -0.12}),
    ("more contrast", {"contrast": 1.3}),
    ("punch up the contrast", {"contrast": 1.3}),
    ("boost contrast by 50%", {"contrast": 1.5}),
    ("less contrast", {"contrast": 0.75}),
    ("lower the contrast a lot", {"contrast": 0.55}),
    ("increase saturation by 40%", {"saturation": 1.4}),
    ("more saturated", {"saturation": 1.4}),
    ("desaturate it", {"saturation": 0.6}),
    ("mute the colours slightly", {"saturation": 0.75}),
    ("reduce the saturation by 30%", {"saturation": 0.7}),
    ("tone down the colors", {"saturation": 0.6}),
    ("gamma 1.4", {"gamma": 1.4}),
    ("lift the shadows", {"gamma": 1.25}),
    ("crush the shadows", {"gamma": 0.8}),
    ("increase exposure by 1 stop", {"exposure": 1.0}),
    ("-0.5 EV", {"exposure": -0.5}),
    ("underexpose it", {"exposure": -0.5}),
]


@pytest.mark.parametrize(("instruction", "expected"), TONES)
def test_tone_phrasings(instruction: str, expected: dict[str, float]) -> None:
    assert_params(one(instruction, "tone"), expected)


def test_slightly_brighter_is_less_than_much_brighter() -> None:
    slight = one("slightly brighter", "tone").brightness
    plain = one("brighter", "tone").brightness
    much = one("much brighter", "tone").brightness
    extreme = one("extremely bright", "tone").brightness
    assert 0 < slight < plain < much < extreme


def test_a_bit_less_contrast_is_milder_than_a_lot_less() -> None:
    assert one("a bit less contrast", "tone").contrast > one("a lot less contrast", "tone").contrast


def test_temperature_in_kelvin() -> None:
    assert one("set the colour temperature to 3200K", "temperature").kelvin == 3200
    assert one("white balance 5600 kelvin", "temperature").kelvin == 5600
    assert one("warmer by 1000K", "temperature").kelvin == 5500


@pytest.mark.parametrize(
    "instruction",
    ["invert the colours", "negative", "photo negative effect", "inverted colors", "reverse the colours"],
)
def test_invert(instruction: str) -> None:
    assert kinds(parse(instruction)) == ["invert"]


@pytest.mark.parametrize(
    ("instruction", "preset"),
    [
        ("bleach bypass look", "bleach_bypass"),
        ("day for night", "day_for_night"),
        ("make it look like it's night", "day_for_night"),
        ("cross-processed film", "cross_process"),
        ("kodachrome LUT", "kodachrome"),
        ("fujifilm look", "fuji"),
    ],
)
def test_lut_presets(instruction: str, preset: str) -> None:
    assert one(instruction, "lut").preset == preset


@pytest.mark.parametrize(
    "instruction",
    ["make the car red", "change the sky to purple", "make her shirt blue", "colour the dog green"],
)
def test_local_colour_changes_are_not_grades(instruction: str) -> None:
    plan = parse(instruction)
    assert not [op for op in plan.operations if op.op in ("grade", "tone")]
    assert plan.unsupported


def test_enhance_is_a_gentle_tone_at_low_confidence() -> None:
    op = one("enhance the video", "tone")
    assert op.saturation > 1 and op.confidence < 0.8


@pytest.mark.parametrize(
    ("instruction", "expected"),
    [
        ("denoise the dark footage", ["denoise"]),  # "dark" says what the footage is
        ("brighten the dark scenes", ["tone+"]),
        ("fix the dark video", ["tone+"]),
        ("make it dark", ["tone-"]),
    ],
)
def test_dark_describing_the_footage_is_not_a_darkening(instruction: str, expected: list[str]) -> None:
    plan = parse(instruction)
    seen = [
        op.op + ("+" if op.brightness > 0 else "-") if op.op == "tone" else op.op  # type: ignore[union-attr]
        for op in plan.operations
    ]
    assert seen == expected and not plan.unsupported, plan


@pytest.mark.parametrize(
    ("instruction", "style"),
    [
        ("make it more dramatic", "high_contrast"),
        ("make it sad", "muted"),
        ("a fun vibe", "vivid"),
        ("spooky halloween look", "cool"),
        ("romantic look", "warm"),
        ("old tv look", "vintage"),  # not the 4:3 of an old TV set
    ],
)
def test_a_mood_is_read_as_the_look_that_carries_it(instruction: str, style: str) -> None:
    plan = parse(instruction)
    assert [(op.op, op.style) for op in plan.operations] == [("grade", style)], plan  # type: ignore[union-attr]


def test_a_mood_word_on_another_edit_adds_no_look() -> None:
    assert kinds(parse("dramatic slow motion")) == ["speed"]


def test_boosting_the_midtones_lifts_gamma() -> None:
    (op,) = parse("boost the midtones").operations
    assert op.op == "tone" and op.gamma > 1  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("instruction", "field", "value"),
    [
        ("saturation 200%", "saturation", 2.0),  # the level itself, not +200 %
        ("boost the saturation 30%", "saturation", 1.3),
        ("exposure +1", "exposure", 1.0),  # stops, signed
        ("exposure -0.5", "exposure", -0.5),
    ],
)
def test_tone_numbers_said_plainly(instruction: str, field: str, value: float) -> None:
    (op,) = parse(instruction).operations
    assert getattr(op, field) == pytest.approx(value)
