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


# ---- phrasings that were read as a different edit ---------------------------------------------


@pytest.mark.parametrize(
    ("instruction", "expected"),
    [
        ("add a blurred background to fill vertical", {"op": "aspect", "ratio": "9:16", "mode": "pad_blur"}),
        ("9:16 with blurred background fill", {"op": "aspect", "ratio": "9:16", "mode": "pad_blur"}),
        ("fill the sides with blur for 9:16", {"op": "aspect", "ratio": "9:16", "mode": "pad_blur"}),
        ("extend the last frame by 3 seconds", {"op": "freeze", "at": -0.05, "duration": 3.0}),
        ("stretch the final frame for 4 s", {"op": "freeze", "at": -0.05, "duration": 4.0}),
        ("make the sound more even", {"op": "normalize"}),
        ("steadier volume please", {"op": "normalize"}),
        ("make the audio steady", {"op": "normalize"}),
        ("add the text Hello World in the center in red",
         {"op": "text", "text": "Hello World", "position": "center", "color": "red"}),
        ("put the text SALE in red at the top",
         {"op": "text", "text": "SALE", "position": "top", "color": "red"}),
        ("add a caption Welcome home for the first 3 seconds",
         {"op": "text", "text": "Welcome home", "end": 3.0}),
    ],
)
def test_phrasings_read_as_the_edit_they_name(instruction: str, expected: dict) -> None:
    plan = parse(instruction)
    assert len(plan.operations) == 1 and not plan.unsupported, plan
    dumped = plan.operations[0].model_dump()
    assert {k: dumped[k] for k in expected} == expected


@pytest.mark.parametrize(
    ("instruction", "reason"),
    [
        ("export as a gif", "always an MP4"),
        ("convert to mp4", "always an MP4"),
        ("add a title at the top", "needs its text"),  # no words named: nothing taken as the text
        ("add a title card", "needs its text"),
    ],
)
def test_what_cannot_be_done_says_why(instruction: str, reason: str) -> None:
    plan = parse(instruction)
    assert not plan.operations and reason in plan.unsupported[0].reason, plan


def test_stabilising_is_still_read_next_to_a_sound_edit() -> None:
    assert kinds(parse("stabilize it, volume down")) == ["stabilize", "volume"]
    assert kinds(parse("the camera is shaky, and the audio too loud")) == ["stabilize", "volume"]


@pytest.mark.parametrize(
    ("instruction", "reason"),
    [
        ("tilt it slightly", "quarter turns"),  # was read as a quarter turn
        ("rotate it a little", "quarter turns"),
        ("loop it forever", "cannot loop forever"),
        ("crop 100 pixels from each side", "by pixels"),  # was read as pixelate
        ("crop 10% off the top", "by pixels"),
        ("lower the background music", "source separation"),
    ],
)
def test_refused_with_the_reason_instead_of_a_nearby_edit(instruction: str, reason: str) -> None:
    plan = parse(instruction)
    assert not plan.operations and reason in plan.unsupported[0].reason, plan


@pytest.mark.parametrize(
    "instruction",
    [
        "mute the music but keep the voices",
        "mute it but keep the music",
        "lower the music and keep the dialogue",
    ],
)
def test_one_sound_kept_out_of_a_level_change_is_refused(instruction: str) -> None:
    plan = parse(instruction)
    assert any("source separation" in u.reason for u in plan.unsupported), plan


def test_a_sound_kept_next_to_a_picture_edit_is_harmless() -> None:
    plan = parse("make it sepia, keep the music")
    assert kinds(plan) == ["grade"] and not plan.unsupported


@pytest.mark.parametrize(
    ("instruction", "factor"),
    [("slow it down by a third", 0.667), ("speed it up by a quarter", 1.25), ("slow it down by half", 0.5)],
)
def test_a_share_of_speed_changes_it_by_that_much(instruction: str, factor: float) -> None:
    (op,) = parse(instruction).operations
    assert op.op == "speed" and op.factor == pytest.approx(factor, abs=0.002)  # type: ignore[union-attr]


def test_pixels_as_a_unit_are_not_pixelation() -> None:
    assert kinds(parse("pixelate with 20 pixel blocks")) == ["pixelate"]
    assert kinds(parse("pixelate it")) == ["pixelate"]


@pytest.mark.parametrize(
    "instruction",
    ["teal in the shadows, orange in the highlights", "orange in the highlights and teal in the shadows"],
)
def test_a_split_tone_said_in_two_halves_is_one_look(instruction: str) -> None:
    plan = parse(instruction)
    assert [(op.op, op.style) for op in plan.operations] == [("grade", "teal_orange")], plan  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("instruction", "expected"),
    [
        ("reduce the sharpness", {"op": "blur"}),  # was a sharpen
        ("give it grain and reduced sharpness", {"op": "blur"}),
        ("fade in the audio and the video", {"op": "fade", "direction": "in"}),  # the sound follows
        ("fade out video and audio", {"op": "fade", "direction": "out"}),
        ("trim everything to 5 seconds", {"op": "trim", "start": None, "end": 5.0}),  # was "cut 5 s"
        ("trim the video and audio to 5 seconds", {"op": "trim", "start": None, "end": 5.0}),
    ],
)
def test_more_phrasings_read_as_the_edit_they_name(instruction: str, expected: dict) -> None:
    plan = parse(instruction)
    assert not plan.unsupported, plan
    dumped = [op.model_dump() for op in plan.operations if op.op == expected["op"]]
    assert len(dumped) == 1 and {k: dumped[0][k] for k in expected} == expected, plan


@pytest.mark.parametrize(
    ("instruction", "reason"),
    [
        ("remove the silence", "silences, pauses"),  # was a mute
        ("cut out the pauses", "silences, pauses"),  # was a freeze
        ("make a 15 second highlight reel", "best moments"),  # was a 9:16 crop ("reel")
        ("slow it down in the middle", "part of the clip"),  # was a whole-clip slow down
        ("speed up the boring parts", "part of the clip"),
    ],
)
def test_requests_that_need_the_content_understood_are_refused(instruction: str, reason: str) -> None:
    plan = parse(instruction)
    assert not plan.operations and reason in plan.unsupported[0].reason, plan


def test_subtitles_with_their_words_are_a_title() -> None:
    plan = parse('make it vertical and add subtitles saying "New drop"')
    assert kinds(plan) == ["aspect", "text"] and not plan.unsupported, plan
