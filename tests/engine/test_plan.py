"""The planner: merging, conflicts, canonical order, media-derived output, refusal policy, JSON."""

from __future__ import annotations

import json

import pytest

from editbay.engine.catalogue import CATALOGUE
from editbay.engine.errors import UnsupportedEdit
from editbay.engine.ops import EditPlan, MediaInfo
from editbay.engine.plan import ORDER, check_supported, plan_edit

CLIP = MediaInfo(width=640, height=360, duration=6.0, fps=30.0, has_audio=True)
HD = MediaInfo(width=1920, height=1080, duration=10.0)


def _kinds(plan: EditPlan) -> list[str]:
    return [op.op for op in plan.operations]


def test_order_lists_every_operation_once() -> None:
    assert sorted(ORDER) == sorted(CATALOGUE)


def test_canonical_order_time_then_geometry_then_colour_then_overlays_fades_audio() -> None:
    plan = plan_edit(
        "fade out, add the title 'Hi', mute it, add a vignette, make it sepia, crop to 9:16, "
        "speed up 2x, trim the first second"
    )
    assert _kinds(plan) == ["trim", "speed", "aspect", "grade", "vignette", "text", "fade", "mute"]


def test_two_tone_requests_become_one() -> None:
    plan = plan_edit("brighter and more contrast, also brighter")
    tones = [op for op in plan.operations if op.op == "tone"]
    assert len(tones) == 1
    assert tones[0].brightness == pytest.approx(0.24) and tones[0].contrast == pytest.approx(1.3)


def test_repeated_speed_multiplies() -> None:
    plan = plan_edit("speed it up 2x and then 1.5x faster")
    assert _kinds(plan) == ["speed"] and plan.operations[0].factor == pytest.approx(3.0)


def test_cancelling_speeds_leave_an_empty_plan_that_is_refused() -> None:
    with pytest.raises(UnsupportedEdit):
        plan_edit("speed up 2x, then slow down 2x")


def test_repeated_mute_is_one() -> None:
    assert _kinds(plan_edit("mute it, remove the sound")) == ["mute"]


def test_rotations_add_up_and_flips_cancel() -> None:
    assert plan_edit("rotate 90 then rotate 90 again").operations[0].degrees == 180
    assert plan_edit("flip it, and flip it again, and reverse").operations[0].op == "reverse"


def test_conflicting_grades_later_words_win_with_a_note() -> None:
    plan = plan_edit("make it warm, no actually make it cool")
    styles = [op.style for op in plan.operations if op.op == "grade"]
    assert styles == ["cool"] and any("overrides" in n for n in plan.notes)


def test_mute_drops_other_audio_ops_with_a_note() -> None:
    plan = plan_edit("louder, normalise it and mute it")
    assert _kinds(plan) == ["mute"] and plan.notes


def test_output_for_speed_and_aspect() -> None:
    plan = plan_edit("make it vertical and speed it up 2x", media=CLIP)
    assert plan.output_duration == pytest.approx(3.0)
    assert (plan.output_width, plan.output_height) == (202, 360)
    assert plan.output_width % 2 == 0 and plan.has_audio is True


@pytest.mark.parametrize(
    ("instruction", "duration"),
    [
        ("keep only the first 2.5 seconds", 2.5),
        ("drop the first 3 seconds", 3.0),
        ("remove the last 2 seconds", 4.0),
        ("cut out 1s to 2s", 5.0),
        ("slow down 2x", 12.0),
        ("loop it 3 times", 18.0),
        ("boomerang", 12.0),
        ("freeze the last frame for 2 seconds", 8.0),
        ("trim the first 2 seconds then speed up 2x and loop twice", 4.0),
        ("reverse it", 6.0),
    ],
)
def test_output_duration(instruction: str, duration: float) -> None:
    assert plan_edit(instruction, media=CLIP).output_duration == pytest.approx(duration, abs=0.01)


def test_negative_times_are_pinned_with_media() -> None:
    plan = plan_edit("remove the last 2 seconds", media=CLIP)
    assert plan.operations[0].end == pytest.approx(4.0)
    freeze = plan_edit("freeze the last frame", media=CLIP).operations[0]
    assert freeze.at == pytest.approx(6.0 - 1 / 30, abs=1e-3)


def test_cut_after_trim_is_shifted_to_the_trimmed_stream() -> None:
    plan = plan_edit("drop the first 2 seconds and cut out 3s to 4s", media=CLIP)
    trim, cut = plan.operations
    assert trim.start == 2.0 and (cut.start, cut.end) == (1.0, 2.0)
    assert plan.output_duration == pytest.approx(3.0)


def test_trim_outside_the_video_is_unsupported() -> None:
    with pytest.raises(UnsupportedEdit) as err:
        plan_edit("keep from 10s to 12s", media=CLIP)
    assert "outside" in str(err.value)


@pytest.mark.parametrize(
    ("instruction", "size"),
    [
        ("rotate 90 degrees", (360, 640)),
        ("square", (360, 360)),
        ("9:16 with a blurred background", (360, 640)),
        ("resize to 720p", (1280, 720)),
        ("make it vertical and resize to 720p", (720, 1284)),
        ("half the resolution", (320, 180)),
        ("zoom in", (640, 360)),
        ("cinemascope", (640, 274)),
    ],
)
def test_output_size(instruction: str, size: tuple[int, int]) -> None:
    plan = plan_edit(instruction, media=CLIP)
    assert (plan.output_width, plan.output_height) == size


def test_720p_means_the_short_side_on_vertical_video_without_media() -> None:
    plan = plan_edit("9:16 and 720p")
    resize = [op for op in plan.operations if op.op == "resize"][0]
    assert resize.width == 720 and resize.height is None


def test_audio_ops_on_a_silent_input_are_unsupported() -> None:
    silent = CLIP.model_copy(update={"has_audio": False})
    with pytest.raises(UnsupportedEdit) as err:
        plan_edit("make it louder", media=silent)
    assert "no audio" in str(err.value)
    plan = plan_edit("make it louder and sepia", media=silent, strict=False)
    assert _kinds(plan) == ["grade"] and plan.has_audio is False


def test_fades_are_clamped_to_half_the_output() -> None:
    plan = plan_edit("keep the first second and fade in over 3 seconds", media=CLIP)
    fade = [op for op in plan.operations if op.op == "fade"][0]
    assert fade.duration == pytest.approx(0.5)


def test_strict_refusal_names_the_clause_and_lists_capabilities() -> None:
    with pytest.raises(UnsupportedEdit) as err:
        plan_edit("make it sepia and replace the sky with a sunset")
    message = str(err.value)
    assert "replace the sky with a sunset" in message and "The engine can do" in message
    assert err.value.clauses == ["replace the sky with a sunset"]


def test_non_strict_applies_the_supported_part_and_reports_the_skip() -> None:
    plan = plan_edit("make it sepia and replace the sky with a sunset", strict=False)
    assert _kinds(plan) == ["grade"]
    assert plan.unsupported[0].clause == "replace the sky with a sunset"
    assert any("skipped" in n for n in plan.notes)


def test_empty_plan_is_refused_even_when_not_strict() -> None:
    with pytest.raises(UnsupportedEdit):
        plan_edit("add a dragon", strict=False)
    with pytest.raises(UnsupportedEdit):
        plan_edit("")


def test_check_false_returns_the_plan_with_unsupported() -> None:
    plan = plan_edit("add a dragon", check=False)
    assert plan.is_empty and plan.unsupported
    with pytest.raises(UnsupportedEdit):
        check_supported(plan)


def test_plan_json_round_trips() -> None:
    plan = plan_edit("make it B&W, then speed it up 2x and add the title 'Hi' at the top", media=HD)
    data = json.loads(json.dumps(plan.model_dump(mode="json")))
    assert EditPlan.model_validate(data) == plan
    assert data["operations"][0]["op"] == "speed"
    assert data["output_duration"] == pytest.approx(5.0)


def test_structured_inputs_flow_through_the_plan() -> None:
    plan = plan_edit("reformat", aspect_ratio="1:1", keep_original_sound=False, media=HD)
    assert _kinds(plan) == ["aspect", "mute"]
    assert (plan.output_width, plan.output_height) == (1080, 1080) and plan.has_audio is False


# ---- shares of the clip's length become seconds; timed mute / volume -----------------------------

@pytest.mark.parametrize(
    ("instruction", "kind", "start", "end", "duration"),
    [
        ("keep only the first half", "trim", None, 3.0, 3.0),
        ("the last third only", "trim", 4.0, None, 2.0),
        ("remove the second half", "trim", None, 3.0, 3.0),
        ("trim it to the middle 50%", "trim", 1.5, 4.5, 3.0),
        ("keep the middle 2 seconds", "trim", 2.0, 4.0, 2.0),
        ("cut the middle 2 seconds", "cut", 2.0, 4.0, 4.0),
        ("delete the middle third", "cut", 2.0, 4.0, 4.0),
    ],
)
def test_a_share_of_the_clip_becomes_seconds_with_the_media(
    instruction: str, kind: str, start: float | None, end: float | None, duration: float
) -> None:
    plan = plan_edit(instruction, media=CLIP)
    (op,) = plan.operations
    assert op.op == kind and op.portion is None  # type: ignore[union-attr]
    assert (op.start, op.end) == (start, end)  # type: ignore[union-attr]
    assert plan.output_duration == pytest.approx(duration)
    assert any("of the 6.00 s video" in note for note in plan.notes)


def test_a_share_stays_a_share_without_the_media() -> None:
    plan = plan_edit("keep only the first half")
    dumped = plan.model_dump(mode="json")["operations"][0]
    assert dumped["portion"] == {"start": 0.0, "end": 0.5, "seconds": None} and plan.output_duration is None


def test_a_share_combines_with_a_trim_in_seconds() -> None:
    plan = plan_edit("keep the first half and drop the first second", media=CLIP)
    assert [(op.op, op.start, op.end) for op in plan.operations] == [("trim", 1.0, 3.0)]  # type: ignore[union-attr]


@pytest.mark.parametrize("instruction", ["cut the middle 20 seconds", "mute the middle 10 seconds"])
def test_a_middle_span_longer_than_the_clip_is_refused(instruction: str) -> None:
    with pytest.raises(UnsupportedEdit) as err:
        plan_edit(instruction, media=CLIP)
    assert "only 6.00 s" in str(err.value) and instruction in str(err.value)


@pytest.mark.parametrize(
    ("instruction", "start", "end"),
    [
        ("mute the first 3 seconds", 0.0, 3.0),
        ("silence the last 2 seconds", 4.0, None),
        ("mute the second half", 3.0, None),
        ("mute the middle 2 seconds", 2.0, 4.0),
        ("speed it up 2x and mute the first half", 0.0, 1.5),  # on the output's clock
        ("keep the first 4 seconds, then mute the last second", 3.0, None),
    ],
)
def test_a_timed_mute_is_pinned_on_the_output_and_keeps_the_audio(
    instruction: str, start: float, end: float | None
) -> None:
    plan = plan_edit(instruction, media=CLIP)
    mute = next(op for op in plan.operations if op.op == "mute")
    assert (mute.start, mute.end, mute.portion) == (start, end, None)  # type: ignore[union-attr]
    assert plan.has_audio is True


def test_a_timed_volume_is_pinned_and_not_summed_with_a_whole_track_one() -> None:
    plan = plan_edit("turn the volume down during the first half, and make it 3 dB louder", media=CLIP)
    volumes = sorted(((op.gain_db, op.start, op.end) for op in plan.operations), key=str)  # type: ignore[union-attr]
    assert volumes == sorted([(-6.0, 0.0, 3.0), (3.0, None, None)], key=str)


def test_a_mute_covering_the_whole_output_removes_the_audio() -> None:
    plan = plan_edit("mute the first 10 seconds", media=CLIP)
    assert [(op.op, op.timed) for op in plan.operations] == [("mute", False)]  # type: ignore[union-attr]
    assert plan.has_audio is False and any("covers the whole output" in n for n in plan.notes)


def test_timed_mutes_are_kept_each_and_dropped_by_a_whole_track_mute() -> None:
    plan = plan_edit("mute the first second and mute the last second", media=CLIP)
    assert [(op.start, op.end) for op in plan.operations] == [(0.0, 1.0), (5.0, None)]  # type: ignore[union-attr]
    plan = plan_edit("mute the first second, then mute it", media=CLIP)
    assert [(op.op, op.timed) for op in plan.operations] == [("mute", False)]  # type: ignore[union-attr]


def test_a_timed_mute_on_a_silent_input_is_unsupported() -> None:
    silent = CLIP.model_copy(update={"has_audio": False})
    with pytest.raises(UnsupportedEdit, match="no audio"):
        plan_edit("mute the first 2 seconds", media=silent)


# ---- adverbs before a removal verb, filling the frame: the planned times and sizes -------------

@pytest.mark.parametrize(
    ("instruction", "start", "end", "duration"),
    [
        ("just trim the first 2 seconds", 2.0, None, 4.0),
        ("only cut the last 1.5 seconds", None, 4.5, 4.5),
        ("i only want to drop the first half", 3.0, None, 3.0),
        ("only the first 2 seconds", None, 2.0, 2.0),  # no verb: keep them
    ],
)
def test_just_or_only_before_a_removal_removes_in_the_plan(
    instruction: str, start: float | None, end: float | None, duration: float
) -> None:
    plan = plan_edit(instruction, media=CLIP)
    (op,) = plan.operations
    assert op.op == "trim" and (op.start, op.end) == (start, end)  # type: ignore[union-attr]
    assert plan.output_duration == pytest.approx(duration)


@pytest.mark.parametrize(
    ("instruction", "inputs", "size"),
    [
        ("make it 9:16 and fill the frame", {}, (608, 1080)),
        ("fill the screen", {"aspect_ratio": "1:1"}, (1080, 1080)),
        ("make it vertical with black bars, then zoom to fill", {}, (608, 1080)),
    ],
)
def test_filling_the_frame_plans_a_crop_to_the_new_ratio(instruction: str, inputs: dict, size: tuple) -> None:
    plan = plan_edit(instruction, media=HD, **inputs)
    assert _kinds(plan) == ["aspect"] and plan.operations[0].mode == "crop"  # type: ignore[union-attr]
    assert (plan.output_width, plan.output_height) == size and plan.output_duration == pytest.approx(10.0)


def test_filling_the_frame_with_no_new_ratio_is_refused_not_frozen() -> None:
    with pytest.raises(UnsupportedEdit) as err:
        plan_edit("fill the frame", media=HD)
    assert "fill the frame" in str(err.value) and "aspect ratio" in str(err.value)


@pytest.mark.parametrize(
    ("instruction", "cut", "duration"),
    [
        ("keep the first 2 seconds and the last 2 seconds", (2.0, 4.0), 4.0),
        ("keep only the intro 1 s and the final 3 s", (1.0, 3.0), 4.0),
        ("keep the first third and the last third", (2.0, 4.0), 4.0),
    ],
)
def test_kept_edges_cut_the_middle_at_the_probed_length(
    instruction: str, cut: tuple[float, float], duration: float
) -> None:
    plan = plan_edit(instruction, media=CLIP)
    assert [op.op for op in plan.operations] == ["cut"]
    op = plan.operations[0]
    assert (op.start, op.end) == pytest.approx(cut, abs=1e-3)  # type: ignore[union-attr]
    assert plan.output_duration == pytest.approx(duration, abs=0.01)


def test_kept_parts_after_a_kept_middle_part_are_cut_on_the_trimmed_stream() -> None:
    plan = plan_edit("keep 0:01-0:02 and 0:03-0:04 and the last second", media=CLIP)
    trim, first, last = plan.operations
    assert trim.start == 1.0  # type: ignore[union-attr]
    assert (first.start, first.end) == (1.0, 2.0)  # type: ignore[union-attr]
    assert (last.start, last.end) == pytest.approx((2.0, 3.0))  # type: ignore[union-attr]
    assert plan.output_duration == pytest.approx(3.0, abs=0.01)


def test_kept_edges_that_meet_keep_the_whole_clip_with_a_note() -> None:
    plan = plan_edit("keep the first 4 seconds and the last 3 seconds, make it sepia", media=CLIP)
    assert [op.op for op in plan.operations] == ["grade"]
    assert plan.output_duration == pytest.approx(6.0)
    assert any("no cut" in n for n in plan.notes), plan.notes
    with pytest.raises(UnsupportedEdit):  # alone, nothing is left to do
        plan_edit("keep the first 4 seconds and the last 3 seconds", media=CLIP)
