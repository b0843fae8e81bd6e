"""Parsed plan → validated, merged, ordered plan with the output's duration, size and audio.

`plan_edit` is what callers use (API estimate, worker, `editbay plan`); `check_supported` turns a
plan the engine cannot honour into `UnsupportedEdit`, per the strict / non-strict policy.

Time convention of a *normalised* plan: each time operation's times are relative to the stream
as it enters that operation (trim first, on the input; a cut after a trim is shifted; a freeze
after a speed change is scaled). Text, overlays and fades come after all time operations, so
their times are on the output timeline.
"""

from __future__ import annotations

from collections.abc import Sequence

from editbay.engine import _plan_media, _plan_merge, vision
from editbay.engine.catalogue import capabilities_text
from editbay.engine.errors import UnsupportedEdit
from editbay.engine.ops import EditPlan, MediaInfo, Operation
from editbay.engine.parse import parse

__all__ = ["ORDER", "check_supported", "normalize_plan", "plan_edit", "refusal_message"]

# Canonical order. Time first (fewer frames for everything after); geometry before colour and
# effects (grading a cropped/downscaled frame is cheaper, and a vignette or grain must sit on the
# final frame, not on pixels that a crop removes); overlays on the finished picture; fades last so
# that titles fade with the picture; audio at the end (its own chain).
ORDER: tuple[str, ...] = (
    # Vision operations first: their analysis is of the input's frames on the input's clock (masks
    # and crop paths are per input frame), so they run before anything moves or retimes frames.
    "face_blur",
    "background",
    "stabilize",
    "reframe",
    "scenes",
    "trim",
    "cut",
    "speed",
    "freeze",
    "reverse",
    "boomerang",
    "loop",
    "frame_rate",
    "rotate",
    "flip",
    "aspect",
    "zoom",
    "resize",
    "color_match",
    "invert",
    "lut",
    "grade",
    "temperature",
    "tone",
    "denoise",
    "sharpen",
    "blur",
    "glow",
    "pixelate",
    "grain",
    "vignette",
    "letterbox",  # after colour and effects: the bars stay black; titles may sit on them
    "overlay",
    "text",
    "fade",
    "mute",
    "volume",
    "normalize",
    "audio_fade",
    "extend",  # black added around the finished edit
)
_RANK = {name: i for i, name in enumerate(ORDER)}


def normalize_plan(plan: EditPlan, media: MediaInfo | None = None) -> EditPlan:
    """Merge duplicates, resolve conflicts, order, clamp and compute output properties."""
    notes = list(plan.notes)
    unsupported = list(plan.unsupported)
    # Shots named in words become trims/cuts here when the input can be read (exact duration), and
    # so do shares of the clip ("the first half"): from here on they are times like any other.
    ops = vision.resolve_scenes(list(plan.operations), media, notes, unsupported)
    ops = _plan_media.resolve_portions(ops, media, notes, unsupported)
    ops, merge_notes = _plan_merge.merge(ops)
    notes += merge_notes
    ops = sorted(ops, key=lambda op: _RANK[op.op])  # stable: parse order within a kind
    ops = _plan_media.resolve_fit(ops, media, notes, unsupported)  # "speed it up to fit 10 s"
    ops, time_notes = _plan_merge.to_pipeline_times(ops)
    notes += time_notes
    result = _plan_media.apply_media(ops, media, notes, unsupported)
    return EditPlan(
        instruction=plan.instruction,
        operations=result.operations,
        unsupported=unsupported,
        output_width=result.width,
        output_height=result.height,
        output_duration=result.duration,
        has_audio=result.has_audio,
        notes=notes,
    )


def refusal_message(plan: EditPlan) -> str:
    """The user-facing reason a plan cannot run: the clause(s), why, and what the engine can do."""
    if plan.unsupported:
        parts = [f'"{u.clause}" ({u.reason})' for u in plan.unsupported]
        head = "Cannot do " + "; ".join(parts) + "."
    else:
        head = "The instruction asks for no edit the engine can make."
    return f"{head} {capabilities_text()}"


def check_supported(plan: EditPlan, strict: bool = True) -> None:
    """Raise `UnsupportedEdit` unless the plan may run.

    An empty plan never runs (a job must not return a copy of its input). With ``strict`` any
    unsupported clause fails the whole plan; without it the supported part runs and
    ``plan.unsupported`` is the report of what was skipped.
    """
    clauses = [u.clause for u in plan.unsupported]
    if not plan.operations or (strict and plan.unsupported):
        raise UnsupportedEdit(refusal_message(plan), clauses=clauses)


def plan_edit(
    instruction: str,
    *,
    images: Sequence[str] = (),
    keep_original_sound: bool | None = None,
    aspect_ratio: str | None = None,
    media: MediaInfo | None = None,
    strict: bool = True,
    check: bool = True,
) -> EditPlan:
    """Parse and normalise an instruction; with ``check`` (default) refuse what cannot run.

    ``check=False`` returns the plan as is, unsupported clauses included (for dry runs that show
    the user what would happen).
    """
    plan = normalize_plan(
        parse(instruction, images=images, keep_original_sound=keep_original_sound, aspect_ratio=aspect_ratio),
        media,
    )
    if not strict and plan.unsupported and plan.operations:
        plan.notes.append("skipped (strict=false): " + "; ".join(u.clause for u in plan.unsupported))
    if check:
        check_supported(plan, strict)
    return plan


def operation_kinds(ops: Sequence[Operation]) -> list[str]:
    """The ``op`` names of a list of operations, in order (handy in tests and logs)."""
    return [op.op for op in ops]
