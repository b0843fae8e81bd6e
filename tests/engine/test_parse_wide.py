"""A second, wider table of everyday phrasings (one row per instruction → the op kinds expected),
with the nouns people add around an edit ("my holiday video", "the beach clip")."""

from __future__ import annotations

import pytest
from engine_parse_helpers import kinds

from editbay.engine.parse import parse

WIDE = [
    ("turn this into a black and white film", ["grade"]),
    ("desaturate it completely", ["grade"]),
    ("make it look old and brown", ["grade", "grade"]),
    ("sepia-toned please", ["grade"]),
    ("make it feel colder", ["grade"]),
    ("more blue, less orange", ["grade", "grade"]),
    ("teal/orange grade", ["grade"]),
    ("make it look like a movie", ["grade"]),
    ("crank the saturation", ["tone"]),
    ("less saturated", ["tone"]),
    ("make it brighter by 30 percent", ["tone"]),
    ("up the contrast by 25%", ["tone"]),
    ("x-ray effect", ["invert"]),
    ("soften the image", ["blur"]),
    ("heavily blur everything", ["blur"]),
    ("apply a sharpening filter", ["sharpen"]),
    ("remove noise from the video", ["denoise"]),
    ("pixelize", ["pixelate"]),
    ("bloom effect", ["glow"]),
    ("make it 3x faster", ["speed"]),
    ("play at double speed", ["speed"]),
    ("speed x1.5", ["speed"]),
    ("make it 2 times slower", ["speed"]),
    ("slow it to 25%", ["speed"]),
    ("play the video in reverse", ["reverse"]),
    ("repeat twice", ["loop"]),
    ("boomerang effect", ["boomerang"]),
    ("freeze on the final frame for 3s", ["freeze"]),
    ("trim to the first 4 seconds", ["trim"]),
    ("cut off the last second", ["trim"]),
    ("only keep seconds 2 through 5", ["trim"]),
    ("remove from 00:01 to 00:02", ["cut"]),
    ("make it square-shaped", ["aspect"]),
    ("crop for instagram stories", ["aspect"]),
    ("reels format", ["aspect"]),
    ("convert to landscape", ["aspect"]),
    ("add black bars to make it 9:16", ["aspect"]),
    ("rotate counter-clockwise", ["rotate"]),
    ("mirror the video", ["flip"]),
    ("flip top to bottom", ["flip"]),
    ("zoom in on the center", ["zoom"]),
    ("slowly push in", ["zoom"]),
    ("fade from black at the start", ["fade"]),
    ("add a fade at the beginning and end of the clip", ["fade", "fade"]),
    ("silence it", ["mute"]),
    ("lose the audio", ["mute"]),
    ("turn the volume of the voice up", ["volume"]),
    ("make the sound quieter by 6dB", ["volume"]),
    ("fade out the audio over 3 seconds", ["audio_fade"]),
    ("add a caption reading 'Hello there' at the bottom", ["text"]),
    ('put the text "Breaking News" on top in red', ["text"]),
    ("make my holiday video black and white", ["grade"]),
    ("speed up this cooking clip 2x", ["speed"]),
    ("add a vignette to my wedding footage", ["vignette"]),
    ("brighten the whole scene", ["tone"]),
    ("give the sunset shot warmer tones", ["grade"]),
    ("make the colors of the landscape more vivid", ["grade"]),
    ("crop my gameplay to 9:16 for tiktok", ["aspect"]),
    ("add the title 'Paris 2024' to my travel vlog", ["text"]),
    ("slow down the skateboard trick", ["speed"]),
    ("reverse the waterfall clip", ["reverse"]),
    ("make the night scene brighter", ["tone"]),
    ("blur the entire frame", ["blur"]),
    ("make the beach video cooler", ["grade"]),
    ("sharpen the blurry product shot", ["sharpen"]),
    ("keep the original audio and make it sepia", ["grade"]),
    ("make it b&w, in high quality", ["grade"]),
]


@pytest.mark.parametrize(("instruction", "expected"), WIDE)
def test_wide_phrasings(instruction: str, expected: list[str]) -> None:
    plan = parse(instruction)
    assert kinds(plan) == expected, plan
    assert not plan.unsupported, plan.unsupported


@pytest.mark.parametrize(
    "instruction",
    ["zoom in on the cake", "make the car in the background red", "brighten his face", "the quick brown fox"],
)
def test_wide_refusals(instruction: str) -> None:
    plan = parse(instruction)
    assert not plan.operations and plan.unsupported
