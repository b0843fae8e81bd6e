"""Whole-frame effects: blur, sharpen, denoise, vignette, grain, pixelate, glow."""

from __future__ import annotations

import pytest
from engine_parse_helpers import kinds, one

from editbay.engine.parse import parse

EFFECTS = [
    ("blur it", "blur"),
    ("gaussian blur", "blur"),
    ("make it blurry", "blur"),
    ("throw it out of focus", "blur"),
    ("defocus the picture", "blur"),
    ("sharpen", "sharpen"),
    ("make it crisper", "sharpen"),
    ("increase sharpness", "sharpen"),
    ("less blurry please", "sharpen"),
    ("more detail", "sharpen"),
    ("denoise", "denoise"),
    ("reduce the noise", "denoise"),
    ("remove grain", "denoise"),
    ("clean up the noisy footage", "denoise"),
    ("noise reduction", "denoise"),
    ("add a vignette", "vignette"),
    ("vignette effect around the edges", "vignette"),
    ("darken the corners", "vignette"),
    ("dark edges", "vignette"),
    ("add film grain", "grain"),
    ("grainy texture", "grain"),
    ("add some noise", "grain"),
    ("pixelate it", "pixelate"),
    ("mosaic effect", "pixelate"),
    ("8-bit pixelated look", "pixelate"),
    ("dreamy glow", "glow"),
    ("soft focus", "glow"),
    ("add bloom", "glow"),
    ("ethereal, hazy look", "glow"),
]


@pytest.mark.parametrize(("instruction", "kind"), EFFECTS)
def test_effect_phrasings(instruction: str, kind: str) -> None:
    plan = parse(instruction)
    assert kind in kinds(plan), (instruction, plan)
    assert not plan.unsupported, plan.unsupported


def test_blur_strength_words() -> None:
    assert (
        one("a slight blur", "blur").strength
        < one("blur", "blur").strength
        < one("heavy blur", "blur").strength
    )


@pytest.mark.parametrize(
    "instruction",
    ["light grain", "add a light film grain", "subtle grain", "a touch of grain", "a hint of grain",
     "very light grain", "a light dusting of grain", "just a little film grain"],
)
def test_light_grain_words_halve_the_default_strength(instruction: str) -> None:
    assert one(instruction, "grain").strength == pytest.approx(0.5 * one("add film grain", "grain").strength)


@pytest.mark.parametrize("instruction", ["heavy grain", "lots of film grain", "strong grain"])
def test_heavy_grain_words_raise_the_strength(instruction: str) -> None:
    assert one(instruction, "grain").strength > one("add film grain", "grain").strength


@pytest.mark.parametrize(
    "instruction",
    ["add film grain", "make it lighter and add grain", "add grain to the light areas",
     "brighten the light, add film grain", "add grain in the highlights"],
)
def test_light_elsewhere_in_the_clause_leaves_grain_at_its_default(instruction: str) -> None:
    assert one(instruction, "grain").strength == pytest.approx(0.5)


def test_light_is_a_strength_word_for_every_effect_it_qualifies() -> None:
    pairs = [("blur", "blur"), ("vignette", "vignette"), ("glow", "glow"), ("sharpen", "sharpening")]
    for kind, noun in pairs:
        assert one(f"a light {noun}", kind).strength < one(noun, kind).strength, kind


def test_strength_after_a_comma_still_applies() -> None:
    assert one("gaussian blur, strong", "blur").strength > 0.5


def test_pixel_block_size_words() -> None:
    assert one("pixelate with big chunky pixels", "pixelate").block > one("pixelate", "pixelate").block
    assert one("subtle pixelation", "pixelate").block < 16
    assert one("pixelate with 24 pixel blocks", "pixelate").block == 24


@pytest.mark.parametrize(
    "instruction",
    [
        "blur the license plate",
        "brighten his face",
        "zoom in on her face",
        "make the background red",
    ],
)
def test_targeted_effects_need_vision_and_are_refused(instruction: str) -> None:
    # Faces and background blur are vision operations now (tests/engine/test_vision_parse.py);
    # what needs a detector the engine lacks, or changes a face, is still refused.
    plan = parse(instruction)
    assert not plan.operations and plan.unsupported
    assert "vision" in plan.unsupported[0].reason


def test_blurred_background_padding_is_not_a_blur() -> None:
    plan = parse("make it 9:16 with a blurred background")
    assert kinds(plan) == ["aspect"] and plan.operations[0].mode == "pad_blur"


def test_remove_background_noise_is_audio_not_denoise() -> None:
    plan = parse("remove the background noise")
    assert "denoise" not in kinds(plan) and plan.unsupported


@pytest.mark.parametrize(
    ("instruction", "expected"),
    [
        ("remove the film grain", ["denoise"]),  # was adding grain
        ("denoise the grainy footage", ["denoise"]),  # "grainy" says what the input is
        ("denoise it and add film grain", ["denoise", "grain"]),
        ("add a glow around the bright parts", ["glow"]),  # which parts, not a brightening
    ],
)
def test_effect_words_describing_the_input_add_nothing(instruction: str, expected: list[str]) -> None:
    plan = parse(instruction)
    assert kinds(plan) == expected and not plan.unsupported, plan


@pytest.mark.parametrize("instruction", ["add old film scratches", "add dust and scratches"])
def test_film_damage_is_refused_not_dropped(instruction: str) -> None:
    plan = parse(instruction)
    assert any("film damage" in u.reason for u in plan.unsupported), plan


@pytest.mark.parametrize(
    ("instruction", "expected"),
    [
        ("give it a punch", ["grade"]),  # high contrast, not a zoom ("punch in")
        ("punch in", ["zoom"]),
        ("make it crisp and clean", ["sharpen", "denoise"]),
        ("clean it up", ["denoise"]),
    ],
)
def test_punch_and_clean(instruction: str, expected: list[str]) -> None:
    plan = parse(instruction)
    assert kinds(plan) == expected and not plan.unsupported, plan


@pytest.mark.parametrize(
    ("instruction", "kind", "strength"),
    [
        ("blur 20%", "blur", 0.2),
        ("add 30% vignette", "vignette", 0.3),
        ("vignette strength 0.8", "vignette", 0.8),
        ("denoise at level 0.3", "denoise", 0.3),
        ("a strong blur", "blur", 0.8),  # words still set it when no number is said
    ],
)
def test_an_effect_strength_said_as_a_number(instruction: str, kind: str, strength: float) -> None:
    (op,) = parse(instruction).operations
    assert (op.op, op.strength) == (kind, strength)  # type: ignore[union-attr]
