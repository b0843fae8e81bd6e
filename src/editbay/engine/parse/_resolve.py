"""Instruction-wide steps once every clause is read: requests that explain each other across
clauses, and the structured inputs (`aspect_ratio`, `keep_original_sound`), which are operations too
and win over words that disagree."""

from __future__ import annotations

import re
from typing import get_args

from editbay.engine.ops import Aspect, AspectRatio, Cut, Mute, Operation, Reframe, Trim, Unsupported
from editbay.engine.parse._rules_frame import ASPECT_NEEDS_RATIO, FILL_NEEDS_RATIO
from editbay.engine.parse._rules_time import KEEP_NEEDS_SECONDS

__all__ = [
    "AUDIO_OPS",
    "apply_structured",
    "reframe_ratio",
    "resolve_fill",
    "resolve_vague_keeps",
    "structured_ratio",
]

AUDIO_OPS = {"volume", "normalize", "audio_fade"}


def structured_ratio(aspect_ratio: str | None) -> str | None:
    """The `aspect_ratio` input as "W:H", or None for absent/"auto"/unknown values."""
    if not aspect_ratio or aspect_ratio.strip().lower() in ("auto", "original", "none", ""):
        return None
    ratio = aspect_ratio.strip().replace("/", ":").replace("x", ":")
    return ratio if ratio in get_args(AspectRatio) else None  # type: ignore[attr-defined]


def apply_structured(
    ops: list[Operation],
    keep_original_sound: bool | None,
    aspect_ratio: str | None,
    unsupported: list[Unsupported],
) -> tuple[list[Operation], list[str]]:
    """Add the structured inputs as operations; they win over words that disagree."""
    notes: list[str] = []
    if aspect_ratio and aspect_ratio.strip().lower() not in ("auto", "original", "none", ""):
        ratio = aspect_ratio.strip().replace("/", ":").replace("x", ":")
        if ratio not in get_args(AspectRatio):  # type: ignore[attr-defined]
            unsupported.append(
                Unsupported(
                    clause=f"aspect_ratio={aspect_ratio}",
                    reason=f"supported aspect ratios: {', '.join(get_args(AspectRatio))}",
                )
            )
        else:
            unsupported[:] = [u for u in unsupported if u.reason != ASPECT_NEEDS_RATIO]
            worded = [op for op in ops if isinstance(op, Aspect)]
            mode = worded[0].mode if worded else "crop"
            if any(op.ratio != ratio for op in worded):
                notes.append(f"aspect_ratio={ratio} (input) overrides the ratio in the words")
            ops = [op for op in ops if not isinstance(op, Aspect)]
            if not any(isinstance(op, Reframe) for op in ops):  # a reframe already has this ratio
                ops.append(Aspect(ratio=ratio, mode=mode, source=f"aspect_ratio={ratio}"))  # type: ignore[arg-type]
    if keep_original_sound is False:
        dropped = [op.op for op in ops if op.op in AUDIO_OPS]
        if dropped:
            notes.append(
                f"keep_original_sound=false removes the audio; ignored: {', '.join(sorted(set(dropped)))}"
            )
        ops = [op for op in ops if op.op not in AUDIO_OPS and not isinstance(op, Mute)]
        ops.append(Mute(source="keep_original_sound=false"))
    elif keep_original_sound is True and any(isinstance(op, Mute) and not op.timed for op in ops):
        # a timed mute silences a span and keeps the track: it does not conflict
        notes.append("keep_original_sound=true (input) overrides the request to mute")
        ops = [op for op in ops if not (isinstance(op, Mute) and not op.timed)]
    return ops, notes


def reframe_ratio(
    ops: list[Operation], structured: str | None, unsupported: list[Unsupported], notes: list[str]
) -> list[Operation]:
    """Give a "follow the subject" request its ratio: the structured input, else a worded crop.

    "make it vertical and keep the person in frame" reads as two clauses (an aspect crop and a
    reframe); together they are one subject-following crop to 9:16.
    """
    reframes = [op for op in ops if isinstance(op, Reframe)]
    if not reframes:
        return ops
    crops = [op for op in ops if isinstance(op, Aspect) and op.mode == "crop"]
    pads = [op for op in ops if isinstance(op, Aspect) and op.mode != "crop"]
    ratio = structured or (crops[-1].ratio if crops else None) or reframes[-1].ratio
    rest: list[Operation] = [op for op in ops if not isinstance(op, Reframe) and op not in crops]
    if ratio is None:
        if pads:
            notes.append("the padded frame keeps the whole picture, so there is nothing to follow")
            return rest
        unsupported.append(
            Unsupported(
                clause=reframes[-1].source,
                reason="following a subject (vision-assisted reframing) is a crop to a new aspect ratio: "
                "say which (9:16, 1:1, 4:5 …)",
            )
        )
        return rest
    last = reframes[-1]
    source = "; ".join(dict.fromkeys(o.source for o in [*crops, *reframes] if o.source))
    merged = last.model_copy(update={"ratio": ratio, "source": source})
    return [merged, *[op for op in rest if not (isinstance(op, Aspect) and op.mode == "crop")]]


def resolve_fill(ops: list[Operation], unsupported: list[Unsupported], notes: list[str]) -> list[Operation]:
    """Give "fill the frame" the ratio asked for elsewhere (words or `aspect_ratio`).

    "make it 9:16 and zoom to fill": the conversion crops, which fills the new frame. A padded
    conversion leaves bars, so filling turns it into a crop. With no new ratio there is nothing to fill
    and the clause stays refused (`FILL_NEEDS_RATIO`).
    """
    fills = [u for u in unsupported if u.reason == FILL_NEEDS_RATIO]
    if not fills or not any(isinstance(op, Aspect | Reframe) for op in ops):
        return ops
    unsupported[:] = [u for u in unsupported if u.reason != FILL_NEEDS_RATIO]
    out: list[Operation] = []
    for op in ops:
        if isinstance(op, Aspect) and op.mode != "crop":
            notes.append(f"'{fills[-1].clause}': {op.ratio} by cropping to fill the frame instead of padding")
            op = op.model_copy(update={"mode": "crop"})
        out.append(op)
    return out


_HEAD = re.compile(r"\b(?:intro|opening|beginning|start)\b")
_TAIL = re.compile(r"\b(?:outro|ending|end|closing)\b")


def _keeps_edge(ops: list[Operation], head: bool) -> bool:
    """Whether the plan has trims or cuts and all of them leave that edge of the clip in."""
    times = [op for op in ops if isinstance(op, Trim | Cut)]
    for op in times:
        share = op.portion
        if share is not None and share.seconds:  # "the middle 2 seconds": neither edge
            at_head = at_tail = False
        elif share is not None:
            at_head, at_tail = share.start == 0.0, share.end == 1.0
        else:
            at_head, at_tail = op.start in (None, 0.0), op.end is None
        reaches = at_head if head else at_tail
        if reaches != isinstance(op, Trim):  # a trim that stops short of it, or a cut that takes it
            return False
    return bool(times)


def resolve_vague_keeps(
    ops: list[Operation], unsupported: list[Unsupported], notes: list[str]
) -> list[Operation]:
    """A part to keep named without times is a limit when the plan's trims and cuts already keep it.

    "cut the first 2 seconds but keep the ending" is one trim; "keep the first 10 seconds, keep the
    middle part" stays refused, asking for the times (which seconds is the middle?).
    """
    for u in [u for u in unsupported if u.reason == KEEP_NEEDS_SECONDS]:
        head, tail = _HEAD.search(u.clause), _TAIL.search(u.clause)
        if bool(head) != bool(tail) and _keeps_edge(ops, head=bool(head)):
            unsupported.remove(u)
            notes.append(f"'{u.clause}': the trim keeps it")
    return ops
