"""Geometry phrasings: aspect ratio (platform words, crop vs pad), resize, rotate, flip, zoom."""

from __future__ import annotations

import pytest
from engine_parse_helpers import assert_params, kinds, one

from editbay.engine.parse import parse

ASPECTS = [
    ("make it vertical for TikTok", "9:16", "crop"),
    ("format for Instagram Reels", "9:16", "crop"),
    ("youtube shorts", "9:16", "crop"),
    ("portrait mode for stories", "9:16", "crop"),
    ("9:16", "9:16", "crop"),
    ("crop to 9 by 16", "9:16", "crop"),
    ("square for Instagram", "1:1", "crop"),
    ("make it square", "1:1", "crop"),
    ("1:1 aspect ratio", "1:1", "crop"),
    ("instagram portrait post", "4:5", "crop"),
    ("4:5", "4:5", "crop"),
    ("widescreen 16:9", "16:9", "crop"),
    ("landscape for YouTube", "16:9", "crop"),
    ("cinemascope", "21:9", "crop"),
    ("ultrawide 21:9 crop", "21:9", "crop"),
    ("anamorphic look with 2.39:1", "21:9", "crop"),
    ("4:3 like an old tv", "4:3", "crop"),
    ("9:16 with a blurred background", "9:16", "pad_blur"),
    ("vertical, blurred bars on the sides", "9:16", "pad_blur"),
    ("make it square without cropping", "1:1", "pad_black"),
    ("letterbox it to 16:9", "16:9", "pad_black"),
    ("fit into 9:16 with black bars", "9:16", "pad_black"),
    ("tiktok format, pad it", "9:16", "pad_black"),
]


@pytest.mark.parametrize(("instruction", "ratio", "mode"), ASPECTS)
def test_aspect_phrasings(instruction: str, ratio: str, mode: str) -> None:
    assert_params(one(instruction, "aspect"), {"ratio": ratio, "mode": mode})


def test_unsupported_ratio_is_refused_not_guessed() -> None:
    plan = parse("make it 5:1")
    assert "aspect" not in kinds(plan) and plan.unsupported


@pytest.mark.parametrize(
    ("instruction", "expected"),
    [
        ("resize to 720p", {"height": 720}),
        ("export in 1080p", {"height": 1080}),
        ("downscale to 480p", {"height": 480}),
        ("make it 4k", {"height": 2160}),
        ("resize to 1280x720", {"width": 1280, "height": 720}),
        ("scale to 640 wide", {"width": 640}),
        ("width 800", {"width": 800}),
        ("half the resolution", {"scale": 0.5}),
        ("upscale 2x", {"scale": 2.0}),
        ("downscale by 50%", {"scale": 0.5}),
    ],
)
def test_resize(instruction: str, expected: dict[str, float]) -> None:
    assert_params(one(instruction, "resize"), expected)


@pytest.mark.parametrize(
    ("instruction", "degrees"),
    [
        ("rotate 90 degrees", 90),
        ("rotate 90° clockwise", 90),
        ("rotate it to the right", 90),
        ("rotate left", 270),
        ("rotate 90 degrees counterclockwise", 270),
        ("rotate anti-clockwise", 270),
        ("rotate 90 degrees to the left", 270),
        ("turn it upside down", 180),
        ("upside-down", 180),
        ("rotate 180", 180),
        ("rotate by 270 degrees", 270),
        ("rotate -90", 270),
        ("turn it sideways", 90),
        ("turn it upside-down by rotating 180", 180),
    ],
)
def test_rotate(instruction: str, degrees: int) -> None:
    plan = parse(instruction)
    assert kinds(plan) == ["rotate"], plan
    assert plan.operations[0].degrees == degrees


def test_rotation_by_odd_angles_is_refused() -> None:
    plan = parse("rotate it 45 degrees")
    assert not plan.operations and "quarter" in plan.unsupported[0].reason


@pytest.mark.parametrize(
    ("instruction", "direction"),
    [
        ("flip it", "horizontal"),
        ("mirror it", "horizontal"),
        ("mirror image, horizontally", "horizontal"),
        ("flip horizontally", "horizontal"),
        ("flip left to right", "horizontal"),
        ("vertical flip", "vertical"),
        ("flip it vertically", "vertical"),
        ("flip it upside down", "vertical"),
        ("mirror vertically", "vertical"),
    ],
)
def test_flip(instruction: str, direction: str) -> None:
    plan = parse(instruction)
    assert kinds(plan) == ["flip"], plan
    assert plan.operations[0].direction == direction


@pytest.mark.parametrize(
    ("instruction", "expected"),
    [
        ("zoom in", {"factor": 1.3, "slow": False}),
        ("zoom in a little", {"factor": 1.15, "slow": False}),
        ("zoom in a lot", {"factor": 1.6, "slow": False}),
        ("zoom in 2x", {"factor": 2.0, "slow": False}),
        ("zoom 150%", {"factor": 1.5, "slow": False}),
        ("punch in / crop in tighter on the middle", {"factor": 1.3, "slow": False}),
        ("slow zoom", {"factor": 1.3, "slow": True}),
        ("slowly zoom in", {"factor": 1.3, "slow": True}),
        ("ken burns effect", {"factor": 1.3, "slow": True}),
        ("gradual push in", {"factor": 1.3, "slow": True}),
    ],
)
def test_zoom(instruction: str, expected: dict[str, object]) -> None:
    assert_params(one(instruction, "zoom"), expected)


def test_zoom_out_is_refused() -> None:
    plan = parse("zoom out")
    assert not plan.operations and plan.unsupported


def test_horizontal_flip_is_not_a_landscape_crop() -> None:
    assert kinds(parse("flip horizontally")) == ["flip"]
    assert kinds(parse("vertical flip")) == ["flip"]


# ---- filling the frame: a crop to the new ratio, never a freeze or a resize ----------------------

@pytest.mark.parametrize(
    "instruction",
    ["fill the frame", "make it fill the screen", "zoom to fill", "scale it up to fill the whole screen",
     "crop to fill", "so it fills the display"],
)
def test_filling_the_frame_with_no_new_ratio_is_refused_saying_why(instruction: str) -> None:
    plan = parse(instruction)
    assert not plan.operations, plan.operations
    assert len(plan.unsupported) == 1 and "filling the frame" in plan.unsupported[0].reason


@pytest.mark.parametrize(
    ("instruction", "inputs", "ratio"),
    [
        ("make it 9:16 and fill the frame", {}, "9:16"),
        ("square, zoom to fill", {}, "1:1"),
        ("for tiktok, scale it to fill the screen", {}, "9:16"),
        ("crop it to 4:5 to fill the screen", {}, "4:5"),
        ("fill the screen", {"aspect_ratio": "9:16"}, "9:16"),
        ("zoom in to fill the frame and make it black and white", {"aspect_ratio": "1:1"}, "1:1"),
        ("make it vertical with black bars, then zoom to fill", {}, "9:16"),  # filling leaves no bars
    ],
)
def test_filling_the_frame_crops_to_the_ratio_asked_for(instruction: str, inputs: dict, ratio: str) -> None:
    plan = parse(instruction, **inputs)
    assert not plan.unsupported, plan.unsupported
    aspects = [op for op in plan.operations if op.op == "aspect"]
    assert [(a.ratio, a.mode) for a in aspects] == [(ratio, "crop")]  # type: ignore[attr-defined]
    assert not {"freeze", "zoom", "resize"} & set(kinds(plan)), plan.operations


def test_a_blurred_fill_is_still_padding() -> None:
    plan = parse("9:16 with a blurred fill")
    assert [(op.ratio, op.mode) for op in plan.operations] == [("9:16", "pad_blur")]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "instruction",
    [
        "wider framing",
        "a wider shot",
        "zoom out a bit",
        "widen the frame",
        "frame it wider",
        "less zoomed in",
    ],
)
def test_wider_framing_is_refused_not_read_as_a_zoom_in(instruction: str) -> None:
    plan = parse(instruction)
    assert not plan.operations, plan
    assert "picture outside the frame" in plan.unsupported[0].reason


@pytest.mark.parametrize(
    ("instruction", "factor"),
    [
        ("zoom in 3x, then zoom out 2x", 1.5),
        ("zoom in 2x then zoom out a bit", 2.0 / 1.15),
        ("punch in 2x, make it black and white, then zoom out a little", 2.0 / 1.15),
    ],
)
def test_a_zoom_out_after_a_zoom_in_lowers_it(instruction: str, factor: float) -> None:
    plan = parse(instruction)
    zooms = [op for op in plan.operations if op.op == "zoom"]
    assert len(zooms) == 1 and not plan.unsupported and "speed" not in kinds(plan), plan
    assert zooms[0].factor == pytest.approx(factor, abs=1e-3)  # type: ignore[attr-defined]


def test_a_zoom_out_past_the_zoom_in_is_refused() -> None:
    plan = parse("zoom in a little, then zoom out a lot")
    assert "zoom" not in kinds(plan) and "undoes the zoom in" in plan.unsupported[0].reason, plan


@pytest.mark.parametrize(
    "instruction",
    [
        "vertical with the whole frame visible",
        "make it square with everything visible",
        "9:16 with nothing cut off",
    ],
)
def test_keeping_all_of_the_picture_in_view_pads(instruction: str) -> None:
    plan = parse(instruction)
    assert [(op.op, op.mode) for op in plan.operations] == [("aspect", "pad_black")], plan  # type: ignore[union-attr]
