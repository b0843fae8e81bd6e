"""Parsing vision-assisted requests: many phrasings per operation, and what must stay refused."""

from __future__ import annotations

from typing import Any

import pytest
from engine_parse_helpers import kinds

from editbay.engine.parse import parse

IMAGES = ["ref.png"]


def ops(instruction: str, **inputs: Any) -> list[Any]:
    plan = parse(instruction, **inputs)
    assert not plan.unsupported, (instruction, plan.unsupported)
    return plan.operations


@pytest.mark.parametrize(
    ("instruction", "style"),
    [
        ("blur the faces", "blur"),
        ("blur all faces", "blur"),
        ("obscure every face in the shot so nobody can be identified", "blur"),
        ("anonymize people", "blur"),
        ("anonymise everyone in the video", "blur"),
        ("hide their faces", "blur"),
        ("blur out the people's faces", "blur"),
        ("make everyone unrecognisable", "blur"),
        ("faces should be blurred", "blur"),
        ("censor the faces", "blur"),
        ("face blur please", "blur"),
        ("pixelate his face", "pixelate"),
        ("cover each person's face with big chunky pixels", "pixelate"),
        ("put a mosaic over the faces", "pixelate"),
        ("black out the faces", "box"),
        ("cover the faces with black boxes", "box"),
        ("blurr the faces", "blur"),
    ],
)
def test_face_requests(instruction: str, style: str) -> None:
    (op,) = ops(instruction)
    assert op.op == "face_blur" and op.style == style


def test_big_chunky_pixels_are_stronger() -> None:
    assert (
        ops("pixelate the faces with big chunky blocks")[0].strength > ops("pixelate the faces")[0].strength
    )


@pytest.mark.parametrize(
    ("instruction", "effect"),
    [
        ("blur the background", "blur"),
        ("put the background out of focus", "blur"),
        ("throw the backdrop out of focus while the astronaut stays crisp", "blur"),
        ("put the scenery behind her out of focus", "blur"),
        ("portrait mode", "blur"),
        ("give it a bokeh effect", "blur"),
        ("blur everything except the person", "blur"),
        ("blur the background and keep the person sharp", "blur"),
        ("defocus the backdrop", "blur"),
        ("shallow depth of field", "blur"),
        ("make the background black and white", "black_white"),
        ("desaturate the background", "black_white"),
        ("colour splash: keep her in colour", "black_white"),
        ("darken the background", "darken"),
        ("blur the backround", "blur"),
    ],
)
def test_background_requests(instruction: str, effect: str) -> None:
    found = [op for op in ops(instruction) if op.op == "background"]
    assert len(found) == 1 and found[0].effect == effect


def test_blurred_background_padding_stays_padding() -> None:
    assert kinds(parse("make it 9:16 with a blurred background")) == ["aspect"]
    assert kinds(parse("with a blurred background", aspect_ratio="9:16")) == ["aspect"]


@pytest.mark.parametrize(
    "instruction",
    [
        "match the colours of this photo",
        "colour match it to the reference image",
        "borrow the warm tones from the still I uploaded and apply them to the clip",
        "use the colour palette of the attached picture",
        "grade it like the reference photo",
        "copy the look from the image I sent",
        "make it look like the reference image",
        "same colors as the photo",
    ],
)
def test_colour_match_requests(instruction: str) -> None:
    (op,) = ops(instruction, images=IMAGES)
    assert op.op == "color_match" and op.image_index == 0


def test_colour_match_picks_the_named_image_and_needs_one() -> None:
    (op,) = ops("match the colours of the second image", images=["a.png", "b.png"])
    assert op.image_index == 1
    plan = parse("match the colours of this photo")
    assert not plan.operations and "images[]" in plan.unsupported[0].reason


@pytest.mark.parametrize(
    ("instruction", "strength"),
    [
        ("stabilize it", 0.6),
        ("stabilise the shaky footage", 0.6),
        ("smooth out the jerky hand-held movement", 0.6),
        ("the picture keeps wobbling, can you steady it?", 0.6),
        ("remove the camera shake", 0.6),
        ("it's way too shaky", 0.9),
        ("fix the jitter", 0.6),
        ("make it look like it was shot on a tripod", 1.0),
        ("stabalize the shakey footage", 0.6),
        ("slightly stabilise it", 0.3),
    ],
)
def test_stabilise_requests(instruction: str, strength: float) -> None:
    found = ops(instruction)
    assert {op.op for op in found} == {"stabilize"}
    assert found[0].strength == pytest.approx(strength)


@pytest.mark.parametrize(
    "instruction",
    [
        "make it vertical and keep the person in frame",
        "crop to portrait for Reels and pan along with the astronaut as she moves",
        "9:16 following the runner",
        "vertical for TikTok, track the dancer",
        "reframe for Shorts and keep her centred",
        "auto reframe to 9:16",
    ],
)
def test_reframe_requests_get_the_ratio_from_the_words(instruction: str) -> None:
    (op,) = ops(instruction)
    assert op.op == "reframe" and op.ratio == "9:16"


def test_reframe_takes_the_structured_ratio_and_needs_one() -> None:
    (op,) = ops("keep the person in frame", aspect_ratio="1:1")
    assert op.op == "reframe" and op.ratio == "1:1"
    plan = parse("follow the skateboarder")
    assert not plan.operations and "aspect ratio" in plan.unsupported[0].reason
    assert ops("follow the car in a vertical crop")[0].subject == "any"


def test_plain_vertical_is_still_a_centre_crop() -> None:
    (op,) = ops("make it vertical")
    assert op.op == "aspect" and op.mode == "crop"


@pytest.mark.parametrize(
    ("instruction", "keep", "drop", "start"),
    [
        ("remove the first scene", (), (1,), None),
        ("skip the intro shot so the video opens on the second one", (), (1,), 2),
        ("only keep the last shot", (-1,), (), None),
        ("keep shots 1 and 3", (1, 3), (), None),
        ("cut everything except the middle shot", ("middle",), (), None),
        ("just the middle shot please", ("middle",), (), None),
        ("delete the last two shots", (), (-2, -1), None),
        ("drop scene 2", (), (2,), None),
        ("start from the second scene", (), (), 2),
    ],
)
def test_shot_requests(instruction: str, keep: tuple, drop: tuple, start: int | None) -> None:
    (op,) = ops(instruction)
    assert (op.op, op.keep, op.drop, op.start) == ("scenes", keep, drop, start)


def test_shot_clauses_split_by_and_combine() -> None:
    found = ops("take out the shot in the middle, keep the opening and the ending")
    assert [op.op for op in found] == ["scenes", "scenes"]
    assert found[0].drop == ("middle",) and found[1].keep == (1, -1)


def test_trims_in_seconds_are_not_shots() -> None:
    assert kinds(parse("remove the first 2 seconds of the shot")) == ["trim"]
    assert "scenes" not in kinds(parse("give the sunset shot warmer tones"))


@pytest.mark.parametrize(
    ("instruction", "kept", "refused"),
    [
        ("just the middle shot please, with a flying saucer zooming across it", "scenes", "flying saucer"),
        ("blur the background, then sprinkle snowflakes over the whole thing", "background", "snowflakes"),
        ("blur the faces and the license plates", "face_blur", "license plates"),
    ],
)
def test_partial_requests_keep_the_vision_part_and_name_the_rest(
    instruction: str, kept: str, refused: str
) -> None:
    plan = parse(instruction)
    assert kinds(plan) == [kept]
    assert len(plan.unsupported) == 1 and refused in plan.unsupported[0].clause


@pytest.mark.parametrize(
    "instruction",
    [
        "blur the license plate",
        "zoom in on her face",
        "add camera shake",
        "slow down the second shot",
        "replace the background with a beach",
        "make the man smile",
    ],
)
def test_what_vision_cannot_do_is_still_refused(instruction: str) -> None:
    plan = parse(instruction)
    assert not plan.operations and plan.unsupported


def test_unused_images_note_knows_colour_match() -> None:
    plan = parse("match the colours of this photo", images=IMAGES)
    assert not any("not used" in note for note in plan.notes)


@pytest.mark.parametrize(
    ("instruction", "kind"),
    [
        ("hide the identity of the people in the video", "face_blur"),
        ("protect the privacy of the people by blurring their faces", "face_blur"),
        ("put black bars over their faces", "face_blur"),
        ("please obscure the faces of the bystanders", "face_blur"),
        ("blur the backdrop behind the speaker", "background"),
        ("soft background, sharp subject", "background"),
        ("my hands were shaking, fix it", "stabilize"),
        ("the video is jittery, smooth it", "stabilize"),
        ("get rid of the shakiness", "stabilize"),
        ("make the colors match the attached image", "color_match"),
        ("give it the same colour grading as the still", "color_match"),
        ("use the reference photo's tones", "color_match"),
        ("make it vertical, keeping the speaker centered", "reframe"),
        ("reframe to vertical following the action", "reframe"),
        ("smart crop for TikTok", "reframe"),
        ("keep only the first and third shots", "scenes"),
        ("I only want the last shot", "scenes"),
        ("throw away the closing shot", "scenes"),
    ],
)
def test_more_ways_of_asking(instruction: str, kind: str) -> None:
    assert kind in [op.op for op in ops(instruction, images=IMAGES)]


@pytest.mark.parametrize(
    ("instruction", "keep", "drop"),
    [
        ("cut to just the second shot", (2,), ()),  # "cut to": what is left, not what is removed
        ("trim it down to the last scene", (-1,), ()),
        ("cut the second shot", (), (2,)),
    ],
)
def test_cutting_down_to_a_shot_keeps_it(instruction: str, keep: tuple, drop: tuple) -> None:
    (op,) = parse(instruction).operations
    assert (op.op, op.keep, op.drop) == ("scenes", keep, drop)  # type: ignore[union-attr]
