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


# ---- mute / volume during part of the clip ------------------------------------------------------

TIMED_MUTES = [
    ("mute the first 3 seconds", {"start": None, "end": 3.0}),
    ("mute from 0:05 to 0:08", {"start": 5.0, "end": 8.0}),
    ("silence the last 2 seconds", {"start": -2.0, "end": None}),
    ("mute between 2 and 4 seconds", {"start": 2.0, "end": 4.0}),
    ("remove the sound from the first 3 seconds", {"start": None, "end": 3.0}),
    ("cut the audio for the last 1.5 seconds", {"start": -1.5, "end": None}),
    ("only mute the first 3 seconds", {"start": None, "end": 3.0}),
    ("mute everything after 4 seconds", {"start": 4.0, "end": None}),
]


@pytest.mark.parametrize(("instruction", "span"), TIMED_MUTES)
def test_a_mute_can_silence_part_of_the_clip(instruction: str, span: dict[str, float | None]) -> None:
    plan = parse(instruction)
    assert kinds(plan) == ["mute"] and not plan.unsupported, plan
    assert_params(plan.operations[0], span)
    assert plan.operations[0].timed  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("instruction", "share"),
    [("mute the second half", (0.5, 1.0, None)), ("silence the middle 2 seconds", (0.0, 1.0, 2.0))],
)
def test_a_mute_can_silence_a_share_of_the_clip(instruction: str, share: tuple) -> None:
    mute = one(instruction, "mute")
    assert (mute.portion.start, mute.portion.end, mute.portion.seconds) == share


TIMED_VOLUMES = [
    ("turn the volume down during the first half", -6.0, {"portion": (0.0, 0.5)}),
    ("louder for the last 2 seconds", 6.0, {"start": -2.0, "end": None}),
    ("halve the volume for the first 3 seconds", -6.02, {"start": None, "end": 3.0}),
    ("lower the volume by 6 dB from 0:02 to 0:04", -6.0, {"start": 2.0, "end": 4.0}),
    ("turn the music down by 10 dB after 4 seconds", -10.0, {"start": 4.0, "end": None}),
]


@pytest.mark.parametrize(("instruction", "gain", "span"), TIMED_VOLUMES)
def test_a_volume_change_can_apply_to_part_of_the_clip(instruction: str, gain: float, span: dict) -> None:
    volume = one(instruction, "volume")
    assert volume.gain_db == pytest.approx(gain, abs=0.01)  # "during the first half" is not "half the volume"
    if "portion" in span:
        assert (volume.portion.start, volume.portion.end) == span["portion"]
    else:
        assert_params(volume, span)


def test_a_range_named_with_a_trim_verb_is_the_trim_not_the_mute() -> None:
    plan = parse("keep the first 5 seconds with no sound")
    assert sorted(kinds(plan)) == ["mute", "trim"]
    mute = next(op for op in plan.operations if op.op == "mute")
    assert not mute.timed  # type: ignore[union-attr]


def test_untimed_mute_and_volume_stay_whole_track() -> None:
    assert not one("mute it", "mute").timed
    assert not one("make it louder", "volume").timed


def test_keeping_the_original_sound_keeps_a_timed_mute() -> None:
    plan = parse("mute the first 2 seconds", keep_original_sound=True)
    assert kinds(plan) == ["mute"] and plan.operations[0].timed  # type: ignore[union-attr]
    assert kinds(parse("mute it", keep_original_sound=True)) == []


@pytest.mark.parametrize(
    ("instruction", "spans"),
    [
        ("mute everything except the last 2 seconds", [(None, -2.0)]),
        ("mute the audio but not the last 2 seconds", [(None, -2.0)]),
        ("mute it apart from the first second", [(1.0, None)]),
        ("mute all but 2 to 4 seconds", [(None, 2.0), (4.0, None)]),
    ],
)
def test_a_mute_with_an_exception_silences_the_rest(instruction: str, spans: list[tuple]) -> None:
    plan = parse(instruction)
    assert [(op.start, op.end) for op in plan.operations] == spans and not plan.unsupported, plan  # type: ignore[union-attr]
    assert set(kinds(plan)) == {"mute"}


def test_a_volume_change_except_a_share_applies_to_the_other_shares() -> None:
    plan = parse("quieter except for the middle third")
    shares = [(op.portion.start, op.portion.end) for op in plan.operations]  # type: ignore[union-attr]
    assert shares == [(0.0, 0.3333), (0.6667, 1.0)] and set(kinds(plan)) == {"volume"}


@pytest.mark.parametrize(
    ("instruction", "direction", "seconds"),
    [
        ("bring the volume up gradually at the start", "in", 1.0),
        ("gradually bring up the audio over 3 seconds", "in", 3.0),
        ("slowly lower the sound at the end", "out", 1.0),
        ("bring the volume down slowly", "out", 1.0),
    ],
)
def test_a_gradual_level_change_is_an_audio_fade(instruction: str, direction: str, seconds: float) -> None:
    plan = parse(instruction)
    assert [(op.op, op.direction, op.duration) for op in plan.operations] == [  # type: ignore[union-attr]
        ("audio_fade", direction, seconds)
    ], plan
    assert not plan.unsupported
