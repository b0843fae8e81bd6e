"""Time phrasings: speed (numbers in words, percentages), reverse, loop, boomerang, freeze, trim, cut."""

from __future__ import annotations

from typing import Any

import pytest
from engine_parse_helpers import assert_params, kinds, one

from editbay.engine.parse import parse

SPEEDS = [
    ("speed it up 2x", 2.0),
    ("2x speed", 2.0),
    ("twice as fast", 2.0),
    ("double the speed", 2.0),
    ("make it faster", 2.0),
    ("a bit faster", 1.25),
    ("much faster", 3.0),
    ("three times faster", 3.0),
    ("speed up by 50%", 1.5),
    ("50% faster", 1.5),
    ("play at 1.5x", 1.5),
    ("one and a half times speed", 1.5),
    ("x4 speed", 4.0),
    ("fast forward", 2.0),
    ("timelapse", 4.0),
    ("time-lapse effect", 4.0),
    ("slow it down", 0.5),
    ("slow motion", 0.5),
    ("slow-mo", 0.5),
    ("half speed", 0.5),
    ("play it at half the speed", 0.5),
    ("quarter speed", 0.25),
    ("slow down 4x", 0.25),
    ("4 times slower", 0.25),
    ("50% slower", 0.5),
    ("slow it down by 20%", 0.8),
    ("slightly slower", 0.75),
    ("super slow motion", 0.25),
    ("playback speed 75%", 0.75),
    ("speed 0.5", 0.5),
    ("speeed it up", 2.0),
]


@pytest.mark.parametrize(("instruction", "factor"), SPEEDS)
def test_speed_phrasings(instruction: str, factor: float) -> None:
    assert_params(one(instruction, "speed"), {"factor": factor})


@pytest.mark.parametrize(
    "instruction",
    ["reverse it", "play it backwards", "rewind effect", "in reverse", "reverse playback", "backward"],
)
def test_reverse(instruction: str) -> None:
    assert kinds(parse(instruction)) == ["reverse"]


@pytest.mark.parametrize(
    "instruction",
    [
        "boomerang",
        "ping-pong loop",
        "forward and backward",
        "forward-then-reverse bounce",
        "play it forwards then backwards",
        "back and forth",
    ],
)
def test_boomerang(instruction: str) -> None:
    assert kinds(parse(instruction)) == ["boomerang"]


@pytest.mark.parametrize(
    ("instruction", "count"),
    [
        ("loop it 3 times", 3),
        ("play it twice", 2),
        ("repeat three times", 3),
        ("loop", 2),
        ("play it 4 times in a row", 4),
        ("loop it five times", 5),
    ],
)
def test_loop(instruction: str, count: int) -> None:
    assert one(instruction, "loop").count == count


@pytest.mark.parametrize(
    ("instruction", "expected"),
    [
        ("freeze the last frame for 2 seconds", {"at": -0.05, "duration": 2.0}),
        ("freeze frame at 0:03 for 1.5 sec", {"at": 3.0, "duration": 1.5}),
        ("hold the first frame for 3 seconds", {"at": 0.0, "duration": 3.0}),
        ("end on a freeze frame", {"at": -0.05, "duration": 2.0}),
    ],
)
def test_freeze(instruction: str, expected: dict[str, float]) -> None:
    assert_params(one(instruction, "freeze"), expected)


TRIMS = [
    ("keep only the first 2.5 seconds", "trim", {"start": None, "end": 2.5}),
    ("just the first 3 seconds", "trim", {"start": None, "end": 3.0}),
    ("trim it to 5 seconds", "trim", {"start": None, "end": 5.0}),
    ("make it 4 seconds long", "trim", {"start": None, "end": 4.0}),
    ("keep from 0:02 to 0:05", "trim", {"start": 2.0, "end": 5.0}),
    ("trim from 1s to 4s", "trim", {"start": 1.0, "end": 4.0}),
    ("keep between 2 and 4 seconds", "trim", {"start": 2.0, "end": 4.0}),
    ("from 0:02 to 0:05", "trim", {"start": 2.0, "end": 5.0}),
    ("keep the last 3 seconds", "trim", {"start": -3.0, "end": None}),
    ("drop the first 3 seconds", "trim", {"start": 3.0, "end": None}),
    ("cut the first two seconds", "trim", {"start": 2.0, "end": None}),
    ("trim 1.5 sec off the start", "trim", {"start": 1.5, "end": None}),
    ("remove the last 3 seconds", "trim", {"start": None, "end": -3.0}),
    ("cut 2 seconds off the end", "trim", {"start": None, "end": -2.0}),
    ("remove everything after 5s", "trim", {"start": None, "end": 5.0}),
    ("start at 0:01.5", "trim", {"start": 1.5, "end": None}),
    ("end it at 4 seconds", "trim", {"start": None, "end": 4.0}),
    ("cut out 2s to 4s", "cut", {"start": 2.0, "end": 4.0}),
    ("remove 0:03-0:05", "cut", {"start": 3.0, "end": 5.0}),
    ("delete the part from 1 to 2 seconds", "cut", {"start": 1.0, "end": 2.0}),
    ("skip from 00:00:01 to 00:00:03", "cut", {"start": 1.0, "end": 3.0}),
    ("cut out between 1.5 and 2.5 s", "cut", {"start": 1.5, "end": 2.5}),
    ("remove the section between 2 and 3 seconds", "cut", {"start": 2.0, "end": 3.0}),
    ("keep the first half a second", "trim", {"start": None, "end": 0.5}),
    ("keep the first minute", "trim", {"start": None, "end": 60.0}),
]


@pytest.mark.parametrize(("instruction", "kind", "expected"), TRIMS)
def test_trim_and_cut(instruction: str, kind: str, expected: dict[str, float | None]) -> None:
    assert_params(one(instruction, kind), expected)


@pytest.mark.parametrize("instruction", ["cut the intro", "make it shorter", "remove the boring parts"])
def test_vague_trims_ask_for_times(instruction: str) -> None:
    plan = parse(instruction)
    assert not plan.operations and plan.unsupported


def test_ranged_whole_clip_edits_are_reported() -> None:
    plan = parse("crop it to 9:16 for the first 3 seconds")  # one frame size for the whole video
    assert "trim" not in kinds(plan)
    assert plan.unsupported and "part of the clip" in plan.unsupported[0].reason
    # colour and effects take the span (tests/engine/test_timed_picture.py)
    assert kinds(parse("make it black and white for the first 3 seconds")) == ["grade"]


def test_speed_words_do_not_leak_into_other_ops() -> None:
    assert kinds(parse("slow zoom in")) == ["zoom"]
    assert kinds(parse("slow fade in")) == ["fade"]
    assert one("quick fade out", "fade").duration < 1.0


def test_freeze_in_the_middle_asks_for_a_time() -> None:
    plan = parse("freeze frame in the middle")
    assert not plan.operations and "freeze at" in plan.unsupported[0].reason


# ---- spans named by a share of the clip's length (turned into seconds by the planner) ----------

SHARES = [
    ("keep only the first half", "trim", (0.0, 0.5, None)),
    ("the last third only", "trim", (0.6667, 1.0, None)),
    ("just the second half", "trim", (0.5, 1.0, None)),
    ("keep the latter half of the video", "trim", (0.5, 1.0, None)),
    ("trim it to the middle 50%", "trim", (0.25, 0.75, None)),
    ("keep the middle 3 seconds", "trim", (0.0, 1.0, 3.0)),
    ("keep the first two thirds", "trim", (0.0, 0.6667, None)),
    ("keep the third quarter", "trim", (0.5, 0.75, None)),
    ("keep from the halfway point on", "trim", (0.5, 1.0, None)),
    ("remove the second half", "trim", (0.0, 0.5, None)),
    ("cut the first quarter", "trim", (0.25, 1.0, None)),
    ("remove the last 25%", "trim", (0.0, 0.75, None)),
    ("trim the last 10 percent", "trim", (0.0, 0.9, None)),
    ("drop the last 1/3", "trim", (0.0, 0.6667, None)),
    ("cut everything after the halfway point", "trim", (0.0, 0.5, None)),
    ("trim it to half its length", "trim", (0.0, 0.5, None)),
    ("make it half as long", "trim", (0.0, 0.5, None)),
    ("shorten it by a third", "trim", (0.0, 0.667, None)),
    ("cut the middle 2 seconds", "cut", (0.0, 1.0, 2.0)),
    ("remove 2 seconds from the middle", "cut", (0.0, 1.0, 2.0)),
    ("delete the middle third", "cut", (0.3333, 0.6667, None)),
    ("cut out the middle 20%", "cut", (0.4, 0.6, None)),
    ("keep the central 2 seconds", "trim", (0.0, 1.0, 2.0)),
    ("cut 3 seconds out of the middle", "cut", (0.0, 1.0, 3.0)),
    ("cut the middle second", "cut", (0.0, 1.0, 1.0)),
]


@pytest.mark.parametrize(("instruction", "kind", "share"), SHARES)
def test_a_share_of_the_clip_is_kept_or_removed(instruction: str, kind: str, share: tuple) -> None:
    op = one(instruction, kind)
    assert op.start is None and op.end is None and op.portion is not None
    start, end, seconds = share
    assert (op.portion.start, op.portion.end) == pytest.approx((start, end), abs=1e-3)
    assert op.portion.seconds == seconds


def test_half_a_second_stays_seconds_and_a_number_of_parts_stays_a_share() -> None:
    assert one("skip the first half second", "trim").start == 0.5
    assert one("keep the first half a second", "trim").end == 0.5
    for instruction, end in [("keep the first 2 thirds", 2 / 3), ("keep the first 10 percent", 0.1)]:
        op = one(instruction, "trim")  # not "the first 2 seconds" / "the first 10 seconds"
        assert op.end is None and op.portion is not None and op.portion.end == pytest.approx(end, abs=1e-3)


def test_a_whole_clip_edit_on_a_share_of_the_clip_is_reported() -> None:
    plan = parse("zoom in during the first half")
    assert "trim" not in kinds(plan)
    assert plan.unsupported and "share of the clip" in plan.unsupported[0].reason


def test_both_edges_named_at_once_are_two_trims() -> None:
    for instruction, first, last in [
        ("remove the first and last quarter", {"portion": (0.25, 1.0)}, {"portion": (0.0, 0.75)}),
        ("remove the first and last 2 seconds", {"start": 2.0}, {"end": -2.0}),
    ]:
        plan = parse(instruction)
        assert kinds(plan) == ["trim", "trim"] and not plan.unsupported, plan
        for op, expected in zip(plan.operations, (first, last), strict=True):
            assert_span(op, expected)



def assert_span(op: Any, expected: dict) -> None:
    """A span given as a share of the clip (``portion``) or in seconds."""
    if "portion" in expected:
        assert (op.portion.start, op.portion.end) == expected["portion"]
    else:
        assert_params(op, expected)

@pytest.mark.parametrize(
    ("instruction", "kind", "expected"),
    [
        ("remove everything except the last 2 seconds", "trim", {"start": -2.0, "end": None}),
        ("cut everything but the first 3 seconds", "trim", {"start": None, "end": 3.0}),
        ("keep everything except the first 3 seconds", "trim", {"start": 3.0, "end": None}),
        ("cut everything except 2 to 4 seconds", "trim", {"start": 2.0, "end": 4.0}),
        ("keep everything except 0:02 to 0:04", "cut", {"start": 2.0, "end": 4.0}),
        ("delete all apart from the first half", "trim", {"portion": (0.0, 0.5)}),
        ("keep everything except the middle third", "cut", {"portion": (0.3333, 0.6667)}),
    ],
)
def test_a_span_named_as_an_exception_is_left_alone(instruction: str, kind: str, expected: dict) -> None:
    assert_span(one(instruction, kind), expected)


# ---- "just / only / simply" in front of a removal verb is an adverb of it, not "keep only" ----------

@pytest.mark.parametrize(
    ("instruction", "kind", "expected"),
    [
        ("just trim the first 2 seconds", "trim", {"start": 2.0, "end": None}),
        ("only cut the last 3 seconds", "trim", {"start": None, "end": -3.0}),
        ("simply remove the first 4 seconds", "trim", {"start": 4.0, "end": None}),
        ("just chop off the last second", "trim", {"start": None, "end": -1.0}),
        ("only delete 0:02 to 0:05", "cut", {"start": 2.0, "end": 5.0}),
        ("i only want to drop the first 1.5 seconds", "trim", {"start": 1.5, "end": None}),
        ("please just go ahead and trim off the last 2 s", "trim", {"start": None, "end": -2.0}),
        ("just cut the first half", "trim", {"portion": (0.5, 1.0)}),
        ("only remove the middle third", "cut", {"portion": (0.3333, 0.6667)}),
    ],
)
def test_just_or_only_before_a_removal_verb_still_removes(
    instruction: str, kind: str, expected: dict
) -> None:
    assert_span(one(instruction, kind), expected)


@pytest.mark.parametrize(
    ("instruction", "expected"),
    [
        ("keep only the first 2 seconds", {"start": None, "end": 2.0}),
        ("only the first 5 seconds", {"start": None, "end": 5.0}),
        ("just the last 3 seconds", {"start": -3.0, "end": None}),
        ("i only want the first 5 seconds", {"start": None, "end": 5.0}),
        ("trim it to the first 10 seconds", {"start": None, "end": 10.0}),
        ("just trim it to the first 10 seconds", {"start": None, "end": 10.0}),
        ("cut it down to just the first 4 seconds", {"start": None, "end": 4.0}),
        ("just keep 0:02 to 0:05", {"start": 2.0, "end": 5.0}),
    ],
)
def test_only_or_just_in_front_of_the_span_keeps_it(instruction: str, expected: dict) -> None:
    assert_params(one(instruction, "trim"), expected)


@pytest.mark.parametrize(
    "instruction", ["simply remove the intro", "just cut the ending", "only trim the beginning"]
)
def test_an_adverb_does_not_turn_a_vague_removal_into_a_keep(instruction: str) -> None:
    plan = parse(instruction)
    assert not plan.operations and "which seconds to cut" in plan.unsupported[0].reason, plan


def test_a_bare_span_borrows_the_verb_with_its_adverb() -> None:
    plan = parse("just trim the first 2 seconds and the last 2 seconds")
    assert [(op.start, op.end) for op in plan.operations] == [(2.0, None), (None, -2.0)]  # type: ignore[union-attr]


# ---- a part to keep named without times --------------------------------------------------------

@pytest.mark.parametrize(
    ("instruction", "kept", "refused"),
    [
        ("keep the first 10 seconds, keep the middle part", {"end": 10.0}, "keep the middle part"),
        ("keep the last 5 seconds, then keep the intro", {"start": -5.0}, "keep the intro"),
        ("keep the first 3 seconds and keep the ending", {"end": 3.0}, "keep the ending"),
    ],
)
def test_a_second_part_to_keep_without_times_is_refused_not_dropped(
    instruction: str, kept: dict, refused: str
) -> None:
    plan = parse(instruction)
    assert kinds(plan) == ["trim"], plan
    assert_params(plan.operations[0], kept)
    assert [u.clause for u in plan.unsupported] == [refused]
    assert "which seconds to keep" in plan.unsupported[0].reason


@pytest.mark.parametrize(
    "instruction", ["keep the middle part", "just the middle section", "keep only the ending"]
)
def test_a_part_to_keep_without_times_asks_for_them(instruction: str) -> None:
    plan = parse(instruction)
    assert not plan.operations and "which seconds to keep" in plan.unsupported[0].reason, plan


@pytest.mark.parametrize(
    ("instruction", "expected"),
    [
        ("cut the first 2 seconds but keep the ending", {"start": 2.0, "end": None}),
        ("remove the last 3 seconds, keep the beginning", {"start": None, "end": -3.0}),
    ],
)
def test_keeping_an_edge_the_trim_keeps_anyway_is_a_limit(instruction: str, expected: dict) -> None:
    plan = parse(instruction)
    assert kinds(plan) == ["trim"] and not plan.unsupported, plan
    assert_params(plan.operations[0], expected)


@pytest.mark.parametrize(
    ("instruction", "expected"),
    [
        ("keep the middle part, from 0:01.5 to 0:04", {"start": 1.5, "end": 4.0}),
        ("keep the middle section: 2 to 5 seconds", {"start": 2.0, "end": 5.0}),
        ("trim the first 2 seconds, keep the original sound", {"start": 2.0, "end": None}),
    ],
)
def test_a_part_to_keep_explained_by_times_or_naming_no_part_is_read(
    instruction: str, expected: dict
) -> None:
    plan = parse(instruction)
    assert kinds(plan) == ["trim"] and not plan.unsupported, plan
    assert_params(plan.operations[0], expected)


# ---- several parts to keep are joined: what lies between them is cut ---------------------------------


@pytest.mark.parametrize(
    ("instruction", "expected"),
    [
        ("keep the first 2 seconds and the last 2 seconds", {"start": 2.0, "end": -2.0}),
        ("keep only the intro 3 s and the final 3 s", {"start": 3.0, "end": -3.0}),
        ("keep the first 1.5 seconds, keep the last 4 seconds", {"start": 1.5, "end": -4.0}),
        ("i only want the opening 2 s and the closing 5 s", {"start": 2.0, "end": -5.0}),
        ("keep the first half and the last quarter", {"portion": (0.5, 0.75)}),
    ],
)
def test_keeping_both_edges_cuts_what_lies_between(instruction: str, expected: dict) -> None:
    plan = parse(instruction)
    assert kinds(plan) == ["cut"] and not plan.unsupported, plan
    assert_span(plan.operations[0], expected)


def test_kept_parts_inside_the_clip_are_a_trim_and_a_cut_of_the_gap() -> None:
    plan = parse("keep 0:02-0:04 and 0:06-0:08")
    assert kinds(plan) == ["trim", "cut"] and not plan.unsupported, plan
    trim, cut = plan.operations
    assert (trim.start, trim.end, cut.start, cut.end) == (2.0, 8.0, 4.0, 6.0)  # type: ignore[union-attr]


def test_kept_parts_that_overlap_are_one_part() -> None:
    plan = parse("keep 0:01-0:04 and 0:03-0:06")
    assert kinds(plan) == ["trim"] and not plan.unsupported, plan
    assert_params(plan.operations[0], {"start": 1.0, "end": 6.0})


def test_kept_parts_whose_order_needs_the_length_are_refused_by_name() -> None:
    plan = parse("keep the first half and the last 2 seconds")
    assert not plan.operations, plan
    assert "several parts can be kept" in plan.unsupported[0].reason
    assert "first half" in plan.unsupported[0].clause


def test_removing_both_edges_still_narrows_the_clip() -> None:
    plan = parse("cut the first 2 seconds and the last 2 seconds")
    assert [(op.start, op.end) for op in plan.operations] == [(2.0, None), (None, -2.0)]  # type: ignore[union-attr]


# ---- "take/cut … out": the particle after the range removes it -----------------------------------


@pytest.mark.parametrize(
    ("instruction", "expected"),
    [
        ("cut 2s to 4s out", {"start": 2.0, "end": 4.0}),
        ("take 0:02-0:04 out", {"start": 2.0, "end": 4.0}),
        ("cut the part from 2 to 4 seconds out", {"start": 2.0, "end": 4.0}),
        ("chop 1 to 3 seconds out of the clip", {"start": 1.0, "end": 3.0}),
        ("leave 0:05 to 0:07 out", {"start": 5.0, "end": 7.0}),
    ],
)
def test_a_range_taken_out_is_removed(instruction: str, expected: dict) -> None:
    assert_params(one(instruction, "cut"), expected)


def test_a_range_cut_without_out_is_still_kept() -> None:
    assert_params(one("cut 2s to 4s", "trim"), {"start": 2.0, "end": 4.0})


# ---- "quickly/fast" said of an edit verb is not a speed -------------------------------------------


@pytest.mark.parametrize(
    ("instruction", "kind"),
    [
        ("please just quickly cut the first 2 seconds", "trim"),
        ("quickly trim the last 2 s", "trim"),
        ("fast cut the first 3 seconds", "trim"),
        ("can you quickly make it black and white", "grade"),
        ("quickly add the title 'Hi'", "text"),
        ("a quick trim of the first 3 seconds", "trim"),
    ],
)
def test_quickly_before_an_edit_verb_is_not_a_speed(instruction: str, kind: str) -> None:
    plan = parse(instruction)
    assert kinds(plan) == [kind] and not plan.unsupported, plan


@pytest.mark.parametrize(
    "instruction", ["play it quickly", "make it move quickly", "make it quick", "quickly make it faster"]
)
def test_quick_about_the_playback_is_still_a_speed(instruction: str) -> None:
    assert one(instruction, "speed").factor == 2.0


def test_a_kept_part_inside_another_still_narrows_it() -> None:
    plan = parse("trim it to 0:01-0:08, keep 0:02-0:04")
    assert [(op.start, op.end) for op in plan.operations] == [(1.0, 8.0), (2.0, 4.0)]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("instruction", "kind"),
    [
        ("cut the first 2 seconds quickly", "trim"),
        ("blur the faces fast", "face_blur"),
        ("crop it to square, quickly please", "aspect"),
    ],
)
def test_quickly_after_an_edit_is_not_a_speed(instruction: str, kind: str) -> None:
    plan = parse(instruction)
    assert kinds(plan) == [kind] and not plan.unsupported, plan


@pytest.mark.parametrize(
    "instruction", ["play it quickly", "make it fast", "make it move quickly", "mute it and play it fast"]
)
def test_quickly_said_of_the_playback_is_a_speed(instruction: str) -> None:
    assert "speed" in kinds(parse(instruction))


# ---- an edge of a range counted from the end ------------------------------------------------------


@pytest.mark.parametrize(
    ("instruction", "kind", "expected"),
    [
        ("remove from 2 s until 1 s before the end", "cut", {"start": 2.0, "end": -1.0}),
        ("keep from 3 s to 1 s before the end", "trim", {"start": 3.0, "end": -1.0}),
        ("cut out from 3 s before the end to 1 s before the end", "cut", {"start": -3.0, "end": -1.0}),
        ("keep from 3 seconds before the end to the end", "trim", {"start": -3.0, "end": None}),
        ("mute from 2 s to 1 s before the end", "mute", {"start": 2.0, "end": -1.0}),
    ],
)
def test_a_range_edge_before_the_end_counts_from_the_end(instruction: str, kind: str, expected: dict) -> None:
    assert_params(one(instruction, kind), expected)



@pytest.mark.parametrize(
    ("instruction", "expected"),
    [
        ("cut off the end, keep the first 5 seconds", {"start": None, "end": 5.0}),
        ("cut the intro and start at 0:03", {"start": 3.0, "end": None}),
    ],
)
def test_a_removal_without_times_explained_by_the_trim_is_that_trim(instruction: str, expected: dict) -> None:
    plan = parse(instruction)
    assert not plan.unsupported and any("the trim removes it" in n for n in plan.notes), plan
    assert_params(one(instruction, "trim"), expected)


def test_a_removal_without_times_alone_still_asks_for_them() -> None:
    plan = parse("remove the ending")
    assert not plan.operations and "which seconds" in plan.unsupported[0].reason


@pytest.mark.parametrize(
    ("instruction", "factor"),
    [("1/4 speed", 0.25), ("play at 1/2 speed", 0.5), ("3/4 of the speed", 0.75)],
)
def test_a_fraction_of_the_speed_is_that_speed(instruction: str, factor: float) -> None:
    assert_params(one(instruction, "speed"), {"factor": factor})  # "1/4 speed" had been x4


@pytest.mark.parametrize(
    ("instruction", "expected"),
    [
        ("trim 1 second from both ends", {"start": 1.0, "end": -1.0}),
        ("cut both ends by 0.5 s", {"start": 0.5, "end": -0.5}),  # not "end at 0.5 s"
        ("trim the beginning by 1.5s", {"start": 1.5, "end": None}),
        ("shorten the end by 2 seconds", {"start": None, "end": -2.0}),  # not "keep 2 s"
        ("shave half a second off the start", {"start": 0.5, "end": None}),
        ("start the video 2 seconds in", {"start": 2.0, "end": None}),
    ],
)
def test_edges_trimmed_by_an_amount(instruction: str, expected: dict) -> None:
    assert_params(one(instruction, "trim"), expected)


@pytest.mark.parametrize(
    ("instruction", "portion"),
    [("cut 20% from the end", (0.0, 0.8)), ("remove 10 percent off the start", (0.1, 1.0))],
)
def test_a_share_off_an_edge_is_trimmed(instruction: str, portion: tuple[float, float]) -> None:
    op = one(instruction, "trim")
    assert op.portion is not None and (op.portion.start, op.portion.end) == pytest.approx(portion)


def test_cropping_by_a_share_is_still_refused() -> None:
    plan = parse("crop 10% off the top")
    assert not plan.operations and "by pixels" in plan.unsupported[0].reason


@pytest.mark.parametrize(
    ("instruction", "kinds_and_spans"),
    [
        ("cut out 1-2 s and 3-4 s", [("cut", 1.0, 2.0), ("cut", 3.0, 4.0)]),  # the second had been kept
        ("remove 1 to 2 and 4 to 5 seconds", [("cut", 1.0, 2.0), ("cut", 4.0, 5.0)]),  # the first was lost
        ("remove from second 2 to second 4", [("cut", 2.0, 4.0)]),
        ("keep from the 2 second mark to the 5 second mark", [("trim", 2.0, 5.0)]),
    ],
)
def test_ranges_said_in_other_ways(instruction: str, kinds_and_spans: list[tuple]) -> None:
    plan = parse(instruction)
    assert [(op.op, op.start, op.end) for op in plan.operations] == kinds_and_spans, plan  # type: ignore[union-attr]
    assert not plan.unsupported


@pytest.mark.parametrize(
    ("instruction", "span"),
    [("delete the segment 1-2s", (1.0, 2.0)), ("remove the chunk from 2 to 3 seconds", (2.0, 3.0))],
)
def test_a_part_noun_before_a_range_is_not_an_object(instruction: str, span: tuple) -> None:
    plan = parse(instruction)  # "the segment" had been refused as editing a thing in the scene
    assert [(op.op, op.start, op.end) for op in plan.operations] == [("cut", *span)], plan  # type: ignore[union-attr]


def test_an_exact_length_trims_and_a_minimum_length_is_refused() -> None:
    assert_params(one("make it exactly 10 seconds", "trim"), {"start": None, "end": 10.0})
    plan = parse("make it at least 10 seconds long")  # a trim cannot make it longer
    assert not plan.operations and "longer" in plan.unsupported[0].reason
