"""Instruction-wide steps once every clause is read: requests that explain each other across
clauses, and the structured inputs (`aspect_ratio`, `keep_original_sound`), which are operations too
and win over words that disagree."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import get_args

from editbay.engine.ops import (
    Aspect,
    AspectRatio,
    Cut,
    Mute,
    Operation,
    Portion,
    Reframe,
    Speed,
    Trim,
    Unsupported,
    Zoom,
)
from editbay.engine.parse._quantity import by_level, factor, percent
from editbay.engine.parse._refuse import ZOOM_OUT
from editbay.engine.parse._rules_frame import ASPECT_NEEDS_RATIO, FILL_NEEDS_RATIO
from editbay.engine.parse._rules_trim import HOW_LONG, KEEP_NEEDS_SECONDS, NEEDS_SECONDS

__all__ = [
    "AUDIO_OPS",
    "apply_structured",
    "lower_zoom",
    "reframe_ratio",
    "resolve_fill",
    "resolve_kept_parts",
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


def _keeps_edge(ops: Sequence[Operation], head: bool) -> bool:
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
    # "it's too long, keep only the first 10 seconds": the length is what the trims or a fitted speed set
    for u in [u for u in unsupported if u.reason == HOW_LONG]:
        if any(isinstance(op, Trim | Cut) or (isinstance(op, Speed) and op.fit) for op in ops):
            unsupported.remove(u)
            notes.append(f"'{u.clause}': the trim sets the length")
    # "cut off the end, keep the first 5 seconds": the removal named without times is the one the
    # trim already makes (the trim stops short of that edge and nothing keeps it)
    for u in [u for u in unsupported if u.reason == NEEDS_SECONDS]:
        head, tail = _HEAD.search(u.clause), _TAIL.search(u.clause)
        trims = [op for op in ops if isinstance(op, Trim) and op.portion is None]
        if bool(head) != bool(tail) and trims and not _keeps_edge(trims, head=bool(head)):
            unsupported.remove(u)
            notes.append(f"'{u.clause}': the trim removes it")
    return ops


KEEP_PARTS = (
    'several parts can be kept when their times count from the start ("keep 0:02-0:04 and 0:06-0:08") '
    'and at most one is counted from the end ("keep the first 2 s and the last 2 s"), all in seconds '
    "or all as shares of the clip"
)
KEEPS_ALL = "the parts to keep cover the whole video: there is nothing to cut"

_Bound = float | None
_Span = tuple[_Bound, _Bound]


def _union(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Spans on one clock, sorted, with overlapping or touching ones joined."""
    out: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1] + 1e-6:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _second_spans(parts: list[Trim]) -> list[_Span] | None:
    """The kept parts in seconds, in order and joined where they meet; None when their order depends on
    the video's length. Only the last may count from the end (negative times, or ``None`` = the end);
    whether it meets the others is then settled by the planner, which knows the length."""
    head: list[tuple[float, float]] = []
    tail: list[_Span] = []
    for p in parts:
        if p.end is not None and p.end >= 0 and (p.start is None or p.start >= 0):
            head.append((p.start or 0.0, p.end))
        else:
            tail.append((p.start, p.end))
    if len(tail) > 1 or any(start is None for start, _ in tail):
        return None
    spans: list[_Span] = list(_union(head))
    if tail:
        t_start, t_end = tail[0]
        assert t_start is not None
        if t_start >= 0:  # "from 0:05 on": known start, so it must come after the others or join them
            if any(s >= t_start for s, _ in head):
                return None
            while spans and spans[-1][1] is not None and spans[-1][1] >= t_start - 1e-6:
                t_start = spans.pop()[0] or 0.0
        spans.append((t_start, t_end))
    return spans


def _joined_ops(spans: list[_Span], source: str, conf: float, shares: bool) -> list[Operation]:
    """One trim to the outer bounds of the kept parts and a cut for each gap between them."""
    start, end = spans[0][0] or 0.0, spans[-1][1]
    ops: list[Operation] = []
    if shares and (start > 0 or (end is not None and end < 1.0)):
        ops.append(Trim(portion=Portion(start=start, end=end or 1.0), source=source, confidence=conf))
    elif not shares and (start > 0 or end is not None):
        ops.append(Trim(start=start or None, end=end, source=source, confidence=conf))
    for (_, gap_start), (gap_end, _) in zip(spans, spans[1:], strict=False):
        assert gap_start is not None and gap_end is not None
        if shares:
            ops.append(Cut(portion=Portion(start=gap_start, end=gap_end), source=source, confidence=conf))
            continue
        if gap_end < 0 and end is not None and end < 0:
            gap_end -= end  # counted from the end of what the trim leaves
        ops.append(Cut(start=gap_start, end=gap_end, source=source, confidence=conf))
    return ops


def _nested(parts: list[Trim]) -> bool:
    """Whether one kept part lies inside another (times from the start, or shares of the clip)."""
    spans = [
        (p.portion.start, p.portion.end)
        if p.portion is not None and p.portion.seconds is None
        else (p.start or 0.0, p.end)
        if p.portion is None and p.end is not None and p.end >= 0 and (p.start or 0.0) >= 0
        else None
        for p in parts
    ]
    known = [(i, s) for i, s in enumerate(spans) if s is not None]
    return any(
        i != j and a[0] <= b[0] and b[1] <= a[1] and (parts[i].portion is None) == (parts[j].portion is None)
        for i, a in known
        for j, b in known
    )


def resolve_kept_parts(
    ops: list[Operation], kept: list[Operation], unsupported: list[Unsupported], notes: list[str]
) -> list[Operation]:
    """Several parts to keep are kept together: what lies between them is cut.

    "keep the first 2 seconds and the last 2 seconds" keeps both edges, so it is a cut from 2 s to
    2 s before the end (the planner, which knows the length, finds when the two meet: then nothing is
    cut); "keep 0:02-0:04 and 0:06-0:08" is a trim to 2-8 s and a cut of 4-6 s. Trims that remove an
    edge ("cut the first 2 s") are not in ``kept`` and still narrow the video as before.
    """
    parts = [op for op in ops if isinstance(op, Trim) and any(op is k for k in kept)]
    if len(parts) < 2:
        return ops
    if _nested(parts):
        return ops  # "trim it to 0:01-0:08, keep 0:02-0:04" narrows: the planner intersects the trims
    at = next(i for i, op in enumerate(ops) if op is parts[0])
    rest = [op for op in ops if not any(op is p for p in parts)]
    source = "; ".join(dict.fromkeys(p.source for p in parts))
    conf = min(p.confidence for p in parts)
    spans: list[_Span] | None
    if all(p.portion is not None and p.portion.seconds is None for p in parts):
        spans = list(_union([(p.portion.start, p.portion.end) for p in parts if p.portion is not None]))
    elif all(p.portion is None for p in parts):
        spans = _second_spans(parts)
    else:
        spans = None
    if spans is None:
        unsupported.append(Unsupported(clause=source, reason=KEEP_PARTS))
        return rest
    shares = parts[0].portion is not None
    joined = _joined_ops(spans, source, conf, shares)
    if not joined:
        if rest:
            notes.append(f"'{source}': {KEEPS_ALL}")
        else:
            unsupported.append(Unsupported(clause=source, reason=KEEPS_ALL))
        return rest
    if len(spans) > 1:
        notes.append(f"'{source}': the parts kept are joined, what lies between them is cut")
    return rest[:at] + joined + rest[at:]


ZOOM_UNDONE = (
    "this zoom out undoes the zoom in before it (nothing wider than the original frame exists): "
    "say how far to zoom in"
)


def lower_zoom(ops: list[Operation], refused: list[Unsupported], notes: list[str]) -> list[Unsupported]:
    """A zoom out after a zoom in lowers that zoom ("zoom in 2x, then zoom out a bit"); ``refused`` is
    what the clause just read could not do, returned without the zoom outs that were absorbed.

    A zoom out that reaches the original frame or goes past it takes the zoom in away and is reported
    (nothing wider than the original frame exists); with no zoom in before it, it stays refused.
    """
    left: list[Unsupported] = []
    for u in refused:
        at = next((i for i in range(len(ops) - 1, -1, -1) if isinstance(ops[i], Zoom)), None)
        if u.reason != ZOOM_OUT or at is None:
            left.append(u)
            continue
        zoom = ops[at]
        assert isinstance(zoom, Zoom)
        pct = percent(u.clause)
        step = factor(u.clause) or (1 + pct if pct is not None else by_level(u.clause, 1.15, 1.3, 1.6, 2.0))
        lowered = round(zoom.factor / step, 4) if step > 1 else zoom.factor
        if lowered > 1.0 + 1e-3:
            ops[at] = zoom.model_copy(update={"factor": lowered, "source": f"{zoom.source}; {u.clause}"})
            notes.append(f"'{u.clause}': lowers the zoom in to x{lowered:g}")
        else:
            del ops[at]
            left.append(Unsupported(clause=u.clause, reason=ZOOM_UNDONE))
    return left
