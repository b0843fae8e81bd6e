"""Overlays: text (quoted or "saying …"), position, colour, size, time; logos from images[]."""

from __future__ import annotations

import pytest
from engine_parse_helpers import assert_params, kinds, one

from editbay.engine.parse import parse

TEXTS = [
    ("add the caption 'My Trip' at the bottom", {"text": "My Trip", "position": "bottom"}),
    ('add a title "Summer 2024" at the top', {"text": "Summer 2024", "position": "top"}),
    ("put “Hello, World!” in the centre", {"text": "Hello, World!", "position": "center"}),
    ("title saying Welcome Home at the top", {"text": "Welcome Home", "position": "top"}),
    ("add text that says Big Sale in red", {"text": "Big Sale", "color": "red"}),
    ("caption: Day one", {"text": "Day one", "position": "bottom"}),
    (
        "write 'GO' in the top left corner in big yellow letters",
        {"text": "GO", "position": "top_left", "color": "yellow", "size": 0.1},
    ),
    ("small white text 'by Ana' bottom right", {"text": "by Ana", "position": "bottom_right", "size": 0.04}),
    ("add subtitle 'hi' for the first 3 seconds", {"text": "hi", "start": None, "end": 3.0}),
    ("show 'The End' during the last 2 seconds", {"text": "The End", "start": -2.0, "end": None}),
    ("add the text 'Sale' from 1s to 4s", {"text": "Sale", "start": 1.0, "end": 4.0}),
    ("add 'Chapter 1' on a black box at the top", {"text": "Chapter 1", "box": True, "position": "top"}),
    ("add a semi-transparent watermark saying © Ana", {"text": "© Ana", "opacity": 0.5}),
    ("lower third reading 'Jane Doe, CEO'", {"text": "Jane Doe, CEO"}),
]


@pytest.mark.parametrize(("instruction", "expected"), TEXTS)
def test_text(instruction: str, expected: dict[str, object]) -> None:
    assert_params(one(instruction, "text"), expected)


def test_quoted_text_keeps_case_and_is_not_parsed() -> None:
    plan = parse("add the title 'Mute the Sepia Dragon' and make it black and white")
    assert kinds(plan) == ["text", "grade"]
    assert plan.operations[0].text == "Mute the Sepia Dragon"
    assert not plan.unsupported


def test_text_without_words_asks_for_them() -> None:
    plan = parse("add a title")
    assert not plan.operations and "quotes" in plan.unsupported[0].reason


LOGO = ["https://example.com/logo.png"]


@pytest.mark.parametrize(
    ("instruction", "expected"),
    [
        ("place the logo in the top right", {"position": "top_right", "image_index": 0}),
        ("add my logo bottom left, semi-transparent", {"position": "bottom_left", "opacity": 0.5}),
        ("put a small watermark in the corner", {"position": "bottom_right", "scale": 0.1}),
        (
            "overlay the attached image in the centre at 30% of the width",
            {"position": "center", "scale": 0.3},
        ),
        ("watermark at 40% opacity", {"opacity": 0.4}),
        ("big logo top left for the first 2 seconds", {"position": "top_left", "scale": 0.25, "end": 2.0}),
    ],
)
def test_logo_overlay(instruction: str, expected: dict[str, object]) -> None:
    assert_params(one(instruction, "overlay", images=LOGO), expected)


def test_second_image_is_selected() -> None:
    op = one("put the second image in the top left", "overlay", images=["a.png", "b.png"])
    assert op.image_index == 1


@pytest.mark.parametrize(
    "instruction", ["add my logo", "put a watermark in the corner", "place the logo top right"]
)
def test_logo_without_image_is_refused_with_reason(instruction: str) -> None:
    plan = parse(instruction)
    assert not [op for op in plan.operations if op.op == "overlay"]
    assert "images" in plan.unsupported[0].reason


@pytest.mark.parametrize(
    "instruction",
    [
        "add a dragon",
        "add a dog running next to the person",
        "put a hat on him",
        "insert a spaceship in the sky",
    ],
)
def test_objects_are_not_overlays(instruction: str) -> None:
    plan = parse(instruction, images=LOGO)
    assert "overlay" not in kinds(plan) and plan.unsupported


def test_quoted_words_after_a_text_label_are_the_text_not_the_placeholder() -> None:
    plan = parse('caption: "We did it!" bottom center')
    (op,) = plan.operations
    assert op.op == "text" and op.text == "We did it!", plan  # type: ignore[union-attr]
    assert "«" not in op.text  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("instruction", "reason"),
    [
        ('add "Hello" that fades in', "animated titles"),  # the title is kept, its fade refused
        ('add a scrolling text "Breaking news"', "animated titles"),
        ('put "Hello" in Arial', "fonts"),
        ('add "Hello" in font size 48', "fonts"),
    ],
)
def test_title_styles_that_cannot_be_drawn_are_refused_not_dropped(instruction: str, reason: str) -> None:
    plan = parse(instruction)
    assert [op.op for op in plan.operations] == ["text"], plan
    assert any(reason in u.reason for u in plan.unsupported), plan


def test_a_title_next_to_a_picture_fade_keeps_both() -> None:
    plan = parse('add the title "Hi" and fade in')
    assert [op.op for op in plan.operations] == ["text", "fade"] and not plan.unsupported


@pytest.mark.parametrize(
    ("instruction", "span"),
    [
        ('add "A" at the top and "B" at the bottom, both from 1 to 3 seconds', (1.0, 3.0)),
        ('add the logo top right and a title "Hi" bottom left, both for the first 3 seconds', (None, 3.0)),
        ("make it sepia and add a vignette, both for the last 2 seconds", (-2.0, None)),
    ],
)
def test_a_span_for_both_edits_said_before_times_them(instruction: str, span: tuple) -> None:
    plan = parse(instruction, images=["https://example.com/logo.png"])
    assert len(plan.operations) == 2 and not plan.unsupported, plan
    assert all((op.start, op.end) == span for op in plan.operations)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("instruction", "span"),
    [
        ('add an intro title card "Episode 1"', (None, 3.0)),
        ('add "Hi" as the opening title', (None, 3.0)),
        ('end card with "Thanks for watching"', (-3.0, None)),
        ('add an outro saying "Bye"', (-3.0, None)),
    ],
)
def test_an_intro_or_end_card_is_shown_at_that_end(instruction: str, span: tuple) -> None:
    (op,) = parse(instruction).operations
    assert op.op == "text" and (op.start, op.end) == span  # type: ignore[union-attr]
