"""The held-out end-to-end set (`data/unseen_e2e.jsonl`): new phrasings of every family.

Each case is an instruction in the eval's format with measurable expectations on the output
video (or a request that must be refused). Three levels:

- every case, at plan level: the plan has an operation that can meet each expectation, and the
  planned duration, size and audio agree with it (the planner computes them from the input);
- a representative subset rendered and measured with the eval's measurements (`probe.py`);
- the whole set rendered and measured (slow; `python tests/engine/e2e_runner.py` prints the
  per-family table).

A phrasing that fails should be fixed in the rules for its whole family, not by matching it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from e2e_runner import eval_modules, load_cases, run_all

from editbay.engine import UnsupportedEdit, plan_edit
from editbay.engine.ops import EditPlan, MediaInfo, Operation

CASES = load_cases()
SOURCE_DURATION = 6.0
MEDIA = {
    "av": MediaInfo(width=640, height=360, duration=SOURCE_DURATION, fps=30.0, has_audio=True),
    "silent": MediaInfo(width=640, height=360, duration=SOURCE_DURATION, fps=30.0, has_audio=False),
}
# One case per v1 family, cheap to render: the fast suite measures these on real output.
RENDERED_IN_FAST_SUITE = (
    "grade_sepia_u1",
    "grade_con_u4",
    "time_slow_u2",
    "geom_asp_u5",
    "audio_mute_u5",
    "fade_both_u1",
    "multi_u7",
)


def _ops(plan: EditPlan, kind: str, **fields: Any) -> list[Operation]:
    return [
        op for op in plan.operations if op.op == kind and all(getattr(op, k) == v for k, v in fields.items())
    ]


def _any(*kinds: str) -> Callable[[EditPlan, dict[str, Any]], bool]:
    return lambda plan, _: any(op.op in kinds for op in plan.operations)


def _tone(field: str, up: bool, grades: tuple[str, ...] = ()) -> Callable[[EditPlan, dict[str, Any]], bool]:
    def holds(plan: EditPlan, _: dict[str, Any]) -> bool:
        neutral = 0.0 if field in ("brightness", "exposure") else 1.0
        for op in plan.operations:
            value = getattr(op, field, None) if op.op == "tone" else None
            if value is not None and (value > neutral if up else value < neutral):
                return True
            if field == "brightness" and op.op == "tone" and (op.exposure > 0 if up else op.exposure < 0):
                return True
            if op.op == "grade" and op.style in grades:
                return True
        return False

    return holds


def _close(value: float | None, want: float, tol: float) -> bool:
    return value is not None and abs(value - want) <= tol


def _aspect(plan: EditPlan, a: dict[str, Any]) -> bool:
    w, h = (float(x) for x in str(a["value"]).split(":"))
    if not plan.output_width or not plan.output_height:
        return False
    return abs(plan.output_width / plan.output_height - w / h) / (w / h) <= a.get("tol", 0.1)


def _gain(plan: EditPlan, a: dict[str, Any]) -> bool:
    gains = [op.gain_db for op in _ops(plan, "volume")]  # type: ignore[attr-defined]
    return bool(gains) and a.get("min", -1e9) <= sum(gains) <= a.get("max", 1e9)


def _rotated_90(plan: EditPlan, a: dict[str, Any]) -> bool:
    degrees = {"cw": (90,), "ccw": (270,)}.get(a.get("dir", "any"), (90, 270))
    return any(op.degrees in degrees for op in _ops(plan, "rotate"))  # type: ignore[attr-defined]


def _region(plan: EditPlan, a: dict[str, Any]) -> bool:
    region = a.get("region", "any")
    positions = [op.position for op in _ops(plan, "text")]  # type: ignore[attr-defined]
    return bool(positions) and (region == "any" or any(p.split("_")[0] == region for p in positions))


def _corner(plan: EditPlan, a: dict[str, Any]) -> bool:
    corners = {"tl": "top_left", "tr": "top_right", "bl": "bottom_left", "br": "bottom_right"}
    corner = corners.get(a.get("corner", "any"))
    positions = [op.position for op in _ops(plan, "overlay")]  # type: ignore[attr-defined]
    return bool(positions) and (corner is None or corner in positions)


def _loops(plan: EditPlan, a: dict[str, Any]) -> bool:
    return any(op.count - 1 >= a["value"] for op in _ops(plan, "loop"))  # type: ignore[attr-defined]


def _skipped(plan: EditPlan, a: dict[str, Any]) -> bool:
    return any(str(a["value"]).lower() in u.clause.lower() for u in plan.unsupported)


# What a plan must contain for each measured expectation to be possible at all.
PLAN_CHECKS: dict[str, Callable[[EditPlan, dict[str, Any]], bool]] = {
    "saturation_below": lambda p, _: bool(_ops(p, "grade", style="black_white")),
    "sepia": lambda p, _: bool(_ops(p, "grade", style="sepia")),
    "warmer": lambda p, _: (
        bool(_ops(p, "grade", style="warm")) or any(op.kelvin < 6500 for op in _ops(p, "temperature"))
    ),  # type: ignore[attr-defined]
    "cooler": lambda p, _: (
        bool(_ops(p, "grade", style="cool")) or any(op.kelvin > 6500 for op in _ops(p, "temperature"))
    ),  # type: ignore[attr-defined]
    "teal_orange": lambda p, _: any(op.style in ("teal_orange", "cinematic") for op in _ops(p, "grade")),  # type: ignore[attr-defined]
    "graded": _any("grade", "lut", "tone", "temperature"),
    "saturation_ratio": lambda p, a: (
        _tone("saturation", a.get("min", 0) >= 1, ("vivid",))(p, a)
        if a.get("min", 0) >= 1
        else _tone("saturation", False, ("muted", "faded", "vintage"))(p, a)
    ),
    "luma_delta_above": _tone("brightness", True),
    "luma_delta_below": _tone("brightness", False),
    "contrast_ratio_above": _tone("contrast", True, ("high_contrast", "black_white")),
    "contrast_ratio_below": _tone("contrast", False, ("faded",)),
    "inverted": _any("invert"),
    "blurred": _any("blur"),
    "sharpened": _any("sharpen"),
    "vignette": _any("vignette"),
    "noise_added": _any("grain"),
    "pixelated": _any("pixelate"),
    "not_noop": lambda p, _: bool(p.operations),
    "duration_ratio": lambda p, a: _close(
        (p.output_duration or 0) / SOURCE_DURATION, a["value"], a.get("tol", 0.1)
    ),
    # shots are found in the picture at render time: a plan of shot edits has no duration yet
    "duration": lambda p, a: (
        bool(_ops(p, "scenes")) or _close(p.output_duration, a["value"], a.get("tol", 0.1))
    ),
    "speed_factor": _any("speed"),
    "starts_at": _any("trim", "cut", "scenes"),
    "reversed": _any("reverse"),
    "loops_min": _loops,
    "boomerang": _any("boomerang"),
    "flipped_h": lambda p, _: bool(_ops(p, "flip", direction="horizontal")),
    "flipped_v": lambda p, _: bool(_ops(p, "flip", direction="vertical")),
    "rotated_90": _rotated_90,
    "rotated_180": lambda p, _: bool(_ops(p, "rotate", degrees=180)),
    "aspect": _aspect,
    "size": lambda p, a: (p.output_width, p.output_height) == (a["w"], a["h"]),
    "same_size_as_source": lambda p, _: (p.output_width, p.output_height) == (640, 360),
    "zoomed_in": _any("zoom"),
    "no_audio": lambda p, _: not p.has_audio,
    "has_audio": lambda p, _: bool(p.has_audio),
    "audio_gain_db": _gain,
    "audio_fade_in": lambda p, _: bool(_ops(p, "audio_fade", direction="in")),
    "audio_fade_out": lambda p, _: bool(_ops(p, "audio_fade", direction="out")),
    "fade_in_black": lambda p, _: bool(_ops(p, "fade", direction="in")),
    "fade_out_black": lambda p, _: bool(_ops(p, "fade", direction="out")),
    "text_overlay": _region,
    "logo_overlay": _corner,
    "face_blurred": _any("face_blur"),
    "background_blurred": lambda p, _: bool(_ops(p, "background", effect="blur")),
    "stabilized": _any("stabilize"),
    "colour_matched": _any("color_match"),
    "subject_in_frame": lambda p, _: bool(_ops(p, "reframe", ratio="9:16")),
    "scene_removed": _any("scenes", "trim", "cut"),
    "shots_only": _any("scenes", "trim", "cut"),
    "job_reports_skipped": _skipped,
}


def _plan(case: dict[str, Any]) -> EditPlan:
    inputs = case.get("input", {})
    clip = case.get("clip", "av")
    media = MEDIA.get(clip, MEDIA["av"])
    images = [f"/media/{i.strip('{}')}.png" for i in inputs.get("images", [])]
    return plan_edit(
        case["prompt"],
        images=images,
        keep_original_sound=inputs.get("keep_original_sound"),
        aspect_ratio=inputs.get("aspect_ratio"),
        media=media,
        strict=bool(inputs.get("strict", True)),
    )


def test_the_set_covers_every_family_with_new_phrasings() -> None:
    families = {c["family"] for c in CASES}
    assert len(CASES) >= 150
    assert {"grade", "effect", "time", "geom", "audio", "fade", "overlay", "multi", "mustfail"} <= families
    assert {"vface", "vbg", "vstab", "vcmatch", "vreframe", "vscene", "vpartial", "vstrict"} <= families
    assert len({c["prompt"].lower() for c in CASES}) == len(CASES)
    assert all(set(a) >= {"check"} and a["check"] in PLAN_CHECKS for c in CASES for a in c.get("expect", []))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_case_plans_what_it_asks(case: dict[str, Any]) -> None:
    if case.get("expect_failure"):
        with pytest.raises(UnsupportedEdit) as refused:
            _plan(case)
        assert str(case.get("failure_mentions", "")).lower() in str(refused.value).lower()
        return
    plan = _plan(case)
    missing = [a["check"] for a in case["expect"] if not PLAN_CHECKS[a["check"]](plan, a)]
    assert not missing, (missing, plan.operations, plan.unsupported, plan.output_duration)
    if case.get("input", {}).get("strict", True):
        assert not plan.unsupported, plan.unsupported


needs_eval = pytest.mark.skipif(
    eval_modules() is None, reason="the eval measurements (probe.py) are not available"
)


def _failures(records: list[dict[str, Any]]) -> list[str]:
    return [f"{r['id']} {r['prompt']!r}: {r['reason']}" for r in records if not r["ok"]]


@needs_eval
@pytest.mark.xdist_group("e2e_render")
def test_representative_cases_measure_right_after_rendering() -> None:
    chosen = [c for c in CASES if c["id"] in RENDERED_IN_FAST_SUITE]
    assert len(chosen) == len(RENDERED_IN_FAST_SUITE)
    assert not _failures(run_all(chosen, workers=2, echo=False))


@needs_eval
@pytest.mark.slow
@pytest.mark.xdist_group("e2e_render")
def test_every_case_measures_right_after_rendering() -> None:
    assert not _failures(run_all(CASES, workers=2, echo=False))
