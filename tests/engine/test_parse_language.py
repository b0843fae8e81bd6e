"""Language handling: multi-clause, typos, British spelling, numbers in words, structured inputs."""

from __future__ import annotations

import pytest
from engine_parse_helpers import assert_params, kinds, one

from editbay.engine.parse import parse

MULTI = [
    ("make it B&W, then speed it up 2x and mute it", ["grade", "speed", "mute"]),
    ("sepia plus slow motion at half speed", ["grade", "speed"]),
    ("mute it, flip it vertically and increase contrast", ["mute", "flip", "tone"]),
    ("brighten it; add a vignette; reverse it", ["tone", "vignette", "reverse"]),
    ("crop to 9:16. also add film grain", ["aspect", "grain"]),
    ("black and white and then fade out", ["grade", "fade"]),
    ("rotate 90 degrees, zoom in a bit as well as a warm look", ["rotate", "zoom", "grade"]),
    ("trim the first 2 seconds then loop it twice", ["trim", "loop"]),
    ("vertical for tiktok with a blurred background and add the caption 'hey'", ["aspect", "text"]),
    ("make it warmer but not too much", ["grade"]),
    ("faster, louder and more contrast", ["speed", "volume", "tone"]),
    ("please make it black & white. thanks!", ["grade"]),
    ("can you slow it down and make it darker?", ["speed", "tone"]),
    ("vignette please, and drop the audio", ["vignette", "mute"]),
]


@pytest.mark.parametrize(("instruction", "expected"), MULTI)
def test_multi_clause(instruction: str, expected: list[str]) -> None:
    plan = parse(instruction)
    assert kinds(plan) == expected, plan
    assert not plan.unsupported


TYPOS = [
    ("make it blck and whte", "grade"),
    ("revrse it", "reverse"),
    ("add a vinette", "vignette"),
    ("increse the saturaton", "tone"),
    ("more contarst", "tone"),
    ("mirorr it", "flip"),
    ("sepai filter", "grade"),
    ("pixelatte", "pixelate"),
    ("slow moton", "speed"),
    ("brighter plz", "tone"),
    ("shapren it", "sharpen"),
]


@pytest.mark.parametrize(("instruction", "kind"), TYPOS)
def test_typos(instruction: str, kind: str) -> None:
    plan = parse(instruction)
    assert kind in kinds(plan), plan
    assert not plan.unsupported


def test_typo_lowers_confidence_and_is_noted() -> None:
    plan = parse("revrse it")
    assert plan.operations[0].confidence < parse("reverse it").operations[0].confidence
    assert any("spelling" in n for n in plan.notes)


@pytest.mark.parametrize("word", ["cute", "show", "look", "write", "blue", "face", "more"])
def test_common_words_are_not_corrected_into_keywords(word: str) -> None:
    plan = parse(f"make it {word}")
    assert not any("spelling" in n for n in plan.notes), plan.notes


@pytest.mark.parametrize(
    ("instruction", "kind"),
    [
        ("make it greyscale", "grade"),
        ("boost the colours", "grade"),
        ("normalise the loudness", "normalize"),
        ("centre the title 'Hi'", "text"),
        ("stabilise it", "stabilize"),
        ("colour grade it warm", "grade"),
        ("desaturate the colours", "tone"),
    ],
)
def test_british_spellings(instruction: str, kind: str | None) -> None:
    plan = parse(instruction)
    if kind is None:
        assert plan.unsupported and "stabilisation" in plan.unsupported[0].reason
    else:
        assert kind in kinds(plan) and not plan.unsupported


@pytest.mark.parametrize(
    ("instruction", "factor"),
    [
        ("twice as fast", 2.0),
        ("half speed", 0.5),
        ("three times faster", 3.0),
        ("one and a half times faster", 1.5),
        ("two point five x speed", 2.5),
        ("four times slower", 0.25),
        ("ten times faster", 10.0),
    ],
)
def test_numbers_in_words(instruction: str, factor: float) -> None:
    assert abs(one(instruction, "speed").factor - factor) < 1e-6


def test_numbers_in_words_for_times_and_counts() -> None:
    assert one("keep the first three seconds", "trim").end == 3.0
    assert one("loop it four times", "loop").count == 4
    assert one("fade in over two and a half seconds", "fade").duration == 2.5
    assert one("cut out from one to three seconds", "cut").end == 3.0


def test_structured_aspect_ratio_is_an_operation_and_wins() -> None:
    plan = parse("make it vertical", aspect_ratio="1:1")
    aspects = [op for op in plan.operations if op.op == "aspect"]
    assert len(aspects) == 1 and aspects[0].ratio == "1:1"
    assert any("overrides" in n for n in plan.notes)


def test_structured_aspect_ratio_keeps_the_worded_mode() -> None:
    op = one("with a blurred background", "aspect", aspect_ratio="9:16")
    assert op.ratio == "9:16" and op.mode == "pad_blur"


def test_auto_aspect_ratio_adds_nothing() -> None:
    assert kinds(parse("sepia", aspect_ratio="auto")) == ["grade"]


def test_keep_original_sound_false_mutes_and_wins_over_volume_words() -> None:
    plan = parse("make it louder and sepia", keep_original_sound=False)
    assert sorted(kinds(plan)) == ["grade", "mute"]
    assert plan.notes


def test_keep_original_sound_true_wins_over_mute_words() -> None:
    plan = parse("mute it and reverse", keep_original_sound=True)
    assert kinds(plan) == ["reverse"]


def test_instruction_that_only_restates_structured_input_is_fine() -> None:
    plan = parse("reformat", aspect_ratio="1:1")
    assert kinds(plan) == ["aspect"] and not plan.unsupported


def test_provenance_and_confidence_are_set() -> None:
    plan = parse("speed it up 2x and add a vignette")
    assert all(op.source for op in plan.operations)
    assert all(0 < op.confidence <= 1 for op in plan.operations)
    assert "speed" in plan.operations[0].source


def test_filler_clauses_are_dropped() -> None:
    plan = parse("hey, please reverse it, thanks")
    assert kinds(plan) == ["reverse"] and not plan.unsupported


@pytest.mark.parametrize(
    ("instruction", "expected"),
    [("trim the frist three seconds", {"start": 3.0}), ("cut the lsat 2 seconds", {"end": -2.0})],
)
def test_typos_in_the_words_that_place_an_edit_are_corrected(instruction: str, expected: dict) -> None:
    assert_params(one(instruction, "trim"), expected)


def test_a_smart_crop_is_not_a_start() -> None:
    assert "reframe" in kinds(parse("smart crop for TikTok"))


def test_too_holds_for_both_states_of_a_complaint() -> None:
    assert kinds(parse("it's too dark and grainy")) == ["tone", "denoise"]  # grainy had added grain
    assert kinds(parse("make it dark and grainy")) == ["tone", "grain"]


def test_too_long_is_what_the_trim_after_it_fixes() -> None:
    plan = parse("the audio is too quiet and it's too long, keep only the first 10 seconds")
    assert kinds(plan) == ["volume", "trim"] and not plan.unsupported, plan
    alone = parse("it's too long")
    assert not alone.operations and "how long" in alone.unsupported[0].reason
