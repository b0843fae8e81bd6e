"""Audio (mute, volume, normalise, audio fades) and video fades from/to black."""

from __future__ import annotations

import pytest
from engine_parse_helpers import assert_params, kinds, one

from editbay.engine.parse import parse

MUTES = [
    "mute it",
    "mute the audio",
    "silence the audio track",
    "remove the sound",
    "no sound please",
    "make it silent",
    "strip the audio",
    "without audio",
    "turn off the sound",
    "get rid of the audio",
    "kill the sound",
    "sound off",
    "drop the audio",
]


@pytest.mark.parametrize("instruction", MUTES)
def test_mute(instruction: str) -> None:
    assert kinds(parse(instruction)) == ["mute"]


@pytest.mark.parametrize("instruction", ["mute the colours", "muted tones", "a muted colour palette"])
def test_muted_colours_are_not_audio(instruction: str) -> None:
    plan = parse(instruction)
    assert "mute" not in kinds(plan) and plan.operations


VOLUMES = [
    ("make it louder", 6.0),
    ("a bit louder", 3.0),
    ("much louder", 10.0),
    ("turn up the volume", 6.0),
    ("boost the volume by 6 dB", 6.0),
    ("raise the audio 3db", 3.0),
    ("increase volume by 50%", 3.52),
    ("double the volume", 6.02),
    ("make it quieter", -6.0),
    ("lower the volume a lot", -12.0),
    ("turn the sound down a little", -3.0),
    ("reduce the volume by 50%", -6.02),
    ("halve the volume", -6.02),
    ("volume -10 dB", -10.0),
    ("set the volume to 50%", -6.02),
    ("it's too loud", -6.0),
    ("the audio is too quiet", 6.0),
    ("lower the volume by 4 decibels", -4.0),
]


@pytest.mark.parametrize(("instruction", "gain"), VOLUMES)
def test_volume(instruction: str, gain: float) -> None:
    assert_params(one(instruction, "volume"), {"gain_db": gain})


@pytest.mark.parametrize(
    ("instruction", "target"),
    [
        ("normalise the audio", -16.0),
        ("normalize loudness", -16.0),
        ("even out the volume", -16.0),
        ("loudness normalization to -14 LUFS", -14.0),
        ("EBU R128 loudness for broadcast", -23.0),
        ("level the audio", -16.0),
    ],
)
def test_normalize(instruction: str, target: float) -> None:
    assert_params(one(instruction, "normalize"), {"target_lufs": target})


@pytest.mark.parametrize(
    ("instruction", "direction", "duration"),
    [
        ("audio fade-in over 2 seconds", "in", 2.0),
        ("fade in the audio", "in", 1.0),
        ("fade the music out", "out", 1.0),
        ("fade out the sound at the end", "out", 1.0),
        ("3 second audio fade out", "out", 3.0),
        ("sound fades in slowly", "in", 2.0),
    ],
)
def test_audio_fade(instruction: str, direction: str, duration: float) -> None:
    assert_params(one(instruction, "audio_fade"), {"direction": direction})
    assert "fade" not in kinds(parse(instruction))


def test_audio_fade_in_and_out() -> None:
    plan = parse("fade the audio in and out")
    assert sorted(op.direction for op in plan.operations if op.op == "audio_fade") == ["in", "out"]


FADES = [
    ("fade in", ["in"]),
    ("fade in from black", ["in"]),
    ("start from black and fade in", ["in", "in"]),
    ("open on black", ["in"]),
    ("fade out", ["out"]),
    ("fade to black at the end", ["out"]),
    ("end with a fade to black", ["out"]),
    ("fade in and out", ["in", "out"]),
    ("fade-in & fade-out", ["in", "out"]),
    ("2 second fade in", ["in"]),
]


@pytest.mark.parametrize(("instruction", "directions"), FADES)
def test_fades(instruction: str, directions: list[str]) -> None:
    plan = parse(instruction)
    assert [op.direction for op in plan.operations if op.op == "fade"] == directions
    assert not plan.unsupported


def test_fade_duration() -> None:
    assert one("fade in over 3 seconds", "fade").duration == 3.0
    assert one("a slow fade out", "fade").duration > one("fade out", "fade").duration


def test_fade_to_white_is_refused() -> None:
    plan = parse("fade to white")
    assert not plan.operations and plan.unsupported


def test_adding_music_is_refused() -> None:
    plan = parse("add some upbeat music")
    assert not plan.operations and "audio" in plan.unsupported[0].reason
