"""Planner step 1: merge duplicate operations, resolve conflicts, convert times to the pipeline's.

Each merge rule says how two requests of the same kind combine when a user repeats themselves
("faster … and even faster" multiplies, "rotate 90 … rotate 90 again" adds up, two Tone ops add
their changes) and which conflicting requests give way (the later words win, with a note).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from editbay.engine.ops import (
    AudioFade,
    Cut,
    Fade,
    Flip,
    Freeze,
    Grade,
    Loop,
    Mute,
    Operation,
    Pixelate,
    Portion,
    Rotate,
    Speed,
    Tone,
    Trim,
    Volume,
    Windowed,
    Zoom,
)

_CONFLICTING_GRADES = (
    {"warm", "cool"},
    {"vivid", "muted"},
    {"vivid", "black_white"},
    {"high_contrast", "faded"},
    {"teal_orange", "black_white"},
    {"warm", "black_white"},
    {"cool", "black_white"},
)
_Bound = float | None
_AUDIO_AFTER_MUTE = {"volume", "normalize", "audio_fade"}
_STRENGTH_OPS = {"blur", "sharpen", "denoise", "vignette", "grain", "glow"}
_SINGLETONS = {"temperature", "lut", "aspect", "resize", "normalize", "invert", "boomerang",
               "face_blur", "background", "color_match", "stabilize", "reframe", "frame_rate", "letterbox"}


def _join(*sources: str) -> str:
    seen: list[str] = []
    for s in sources:
        if s and s not in seen:
            seen.append(s)
    return "; ".join(seen)


def _conf(ops: Sequence[Operation]) -> float:
    return min(op.confidence for op in ops)


def _merge_tone(ops: list[Tone]) -> Tone:
    b = sum(o.brightness for o in ops)
    e = sum(o.exposure for o in ops)
    c = s = g = 1.0
    for o in ops:
        c, s, g = c * o.contrast, s * o.saturation, g * o.gamma
    return Tone(
        brightness=max(-1.0, min(1.0, b)),
        contrast=max(0.0, min(4.0, c)),
        saturation=max(0.0, min(4.0, s)),
        gamma=max(0.1, min(10.0, g)),
        exposure=max(-4.0, min(4.0, e)),
        source=_join(*(o.source for o in ops)),
        confidence=_conf(list(ops)),
    )


def _merge_grades(ops: list[Grade], notes: list[str]) -> list[Grade]:
    by_style: dict[str, Grade] = {}
    for op in ops:  # later words win a conflict
        for pair in _CONFLICTING_GRADES:
            if op.style in pair:
                for other in pair - {op.style}:
                    if other in by_style:
                        notes.append(
                            f"'{op.source}' ({op.style}) overrides '{by_style[other].source}' ({other})"
                        )
                        del by_style[other]
        if op.style in by_style:
            prev = by_style.pop(op.style)
            op = prev.model_copy(
                update={"strength": max(prev.strength, op.strength), "source": _join(prev.source, op.source)}
            )
        by_style[op.style] = op
    return list(by_style.values())


def _merge_same(kind: str, ops: list[Operation], notes: list[str]) -> list[Operation]:
    """Combine the operations of one kind (``ops`` all have ``op == kind``)."""
    # One kind per call, so the fields of that kind are present; Any spares a cast per branch.
    same: list[Any] = list(ops)
    if kind == "tone":
        tone = _merge_tone(same)
        if (tone.brightness, tone.contrast, tone.saturation, tone.gamma, tone.exposure) == (0, 1, 1, 1, 0):
            notes.append("the brightness, contrast and colour changes cancel out")
            return []
        return [tone]
    if kind == "grade":
        return list(_merge_grades(same, notes))
    if len(same) == 1:
        return ops
    src = _join(*(o.source for o in same))
    conf = _conf(ops)
    fits = [o for o in same if kind == "speed" and o.fit is not None]
    if fits:  # a length to reach decides the speed: other speed changes cannot also apply
        notes.append(f"'{fits[-1].source}' sets the speed from the length: other speed changes dropped")
        return [fits[-1]]
    if kind == "speed":
        factor = 1.0
        for o in same:
            factor *= o.factor
        if abs(factor - 1.0) < 1e-3:
            notes.append("the speed changes cancel out")
            return []
        return [Speed(factor=factor, source=src, confidence=conf)]
    if kind == "volume":  # whole-track changes add up in dB; timed ones each keep their span
        whole = [o for o in same if not o.timed]
        gain = sum(o.gain_db for o in whole)
        merged_gain: list[Operation] = (
            []
            if abs(gain) < 0.01
            else [
                Volume(
                    gain_db=max(-60.0, min(30.0, gain)),
                    source=_join(*(o.source for o in whole)),
                    confidence=_conf(whole),
                )
            ]
        )
        return merged_gain + _unique([o for o in same if o.timed])
    if kind == "mute":  # one whole-track mute removes the sound (timed ones then do nothing)
        whole_mutes = [o for o in same if not o.timed]
        return [whole_mutes[-1]] if whole_mutes else _unique(same)
    if kind == "rotate":
        degrees = sum(o.degrees for o in same) % 360
        if degrees == 0:
            notes.append("the rotations add up to a full turn")
            return []
        return [Rotate(degrees=degrees, source=src, confidence=conf)]
    if kind == "reverse":
        if len(same) % 2 == 0:
            notes.append("reversing twice plays forwards: both reverses dropped")
            return []
        return [ops[0]]
    if kind == "flip":
        kept: list[Operation] = []
        for direction in ("horizontal", "vertical"):
            count = sum(1 for o in same if o.direction == direction)
            if count % 2:
                kept.append(Flip(direction=direction, source=src, confidence=conf))  # type: ignore[arg-type]
            elif count:
                notes.append(f"two {direction} flips cancel out")
        return kept
    if kind in _STRENGTH_OPS:
        return [same[0].model_copy(update={"strength": max(o.strength for o in same), "source": src})]
    if kind == "pixelate":
        return [Pixelate(block=max(o.block for o in same), source=src, confidence=conf)]
    if kind == "zoom":
        return [
            Zoom(
                factor=max(o.factor for o in same),
                slow=any(o.slow for o in same),
                anchor=next((o.anchor for o in reversed(same) if o.anchor != "center"), "center"),
                source=src,
                confidence=conf,
            )
        ]
    if kind == "loop":
        return [Loop(count=max(o.count for o in same), source=src, confidence=conf)]
    if kind in ("fade", "audio_fade"):
        cls: Callable[..., Operation] = Fade if kind == "fade" else AudioFade
        merged: list[Operation] = []
        for direction in ("in", "out"):
            group = [o for o in same if o.direction == direction]
            if group:
                merged.append(
                    cls(
                        direction=direction,
                        duration=max(o.duration for o in group),
                        source=_join(*(o.source for o in group)),
                        confidence=_conf(group),
                    )
                )
        return merged
    if kind == "scenes":
        from editbay.engine.vision import combine_scenes

        return [combine_scenes(same)]
    if kind == "trim":
        return _merge_trims(same, notes)
    if kind == "cut":
        return _merge_cuts(same)
    if kind in ("text", "overlay", "freeze"):
        return _unique(ops)
    if kind == "extend":  # one stretch of black per end, the longest asked for
        return [
            max((o for o in same if o.where == where), key=lambda o: o.duration)
            for where in ("start", "end")
            if any(o.where == where for o in same)
        ]
    if kind in _SINGLETONS:
        last = ops[-1]
        if kind in ("aspect", "resize", "lut", "temperature", "normalize", "reframe", "background",
                    "frame_rate", "letterbox") and any(
            o != last for o in ops[:-1]
        ):
            notes.append(f"several {kind} requests: using the last one ('{last.source}')")
        return [last]
    return ops


def _unique(ops: Sequence[Operation]) -> list[Operation]:
    """The operations with identical parameters kept once (the first of each)."""
    unique: dict[str, Operation] = {}
    for o in ops:
        unique.setdefault(o.model_dump_json(exclude={"source", "confidence"}), o)
    return list(unique.values())


def _merge_trims(ops: list[Trim], notes: list[str]) -> list[Operation]:
    """Trims on the input timeline intersect; mixed-sign bounds and shares of the length (known only
    with the media) stay separate."""
    if any(o.portion is not None for o in ops):
        return list(ops)
    starts = [o.start for o in ops if o.start is not None]
    ends = [o.end for o in ops if o.end is not None]
    start = None
    end = None
    if starts:
        if all(s >= 0 for s in starts) or all(s < 0 for s in starts):
            start = max(starts)
        else:
            return list(ops)
    if ends:
        if all(e >= 0 for e in ends) or all(e < 0 for e in ends):
            end = min(ends)
        else:
            return list(ops)
    return [Trim(start=start, end=end, source=_join(*(o.source for o in ops)), confidence=_conf(list(ops)))]


def _merge_cuts(ops: list[Cut]) -> list[Operation]:
    shares: list[Operation] = [o for o in ops if o.portion is not None]  # known only with the media
    spans = sorted(((o.start or 0.0, o.end, o) for o in ops if o.portion is None), key=lambda t: t[0])
    merged: list[Cut] = []
    for start, end, op in spans:
        if merged and start >= 0 and merged[-1].end is not None and merged[-1].end >= start:
            prev = merged.pop()
            new_end = None if end is None or prev.end is None else max(prev.end, end)
            op = Cut(
                start=prev.start, end=new_end, source=_join(prev.source, op.source), confidence=op.confidence
            )
        merged.append(op)
    return [*merged, *shares]


def merge(ops: list[Operation]) -> tuple[list[Operation], list[str]]:
    """Combine repeated operations and resolve conflicts; keeps first-appearance order."""
    notes: list[str] = []
    groups: dict[str, list[Operation]] = defaultdict(list)
    # a colour or effect on part of the clip combines only with the same edit on the same part
    windowed: dict[tuple[str, _Bound, _Bound, Portion | None], list[Operation]] = defaultdict(list)
    for op in ops:
        if isinstance(op, Windowed) and op.timed and op.op not in ("mute", "volume"):
            windowed[(op.op, op.start, op.end, op.portion)].append(op)
        else:
            groups[op.op].append(op)
    if any(isinstance(op, Mute) and not op.timed for op in groups.get("mute", [])):
        dropped = sorted(k for k in groups if k in _AUDIO_AFTER_MUTE)
        if any(isinstance(op, Mute) and op.timed for op in groups["mute"]):
            dropped.append("timed mute")
        if dropped:
            notes.append(f"the audio is removed, so {', '.join(dropped)} do(es) nothing and was dropped")
        for k in dropped:
            groups.pop(k, None)
    result: list[Operation] = []
    for kind, same in groups.items():
        result.extend(_merge_same(kind, same, notes))
    for (kind, start, end, portion), same in windowed.items():
        span = {"start": start, "end": end, "portion": portion}
        result.extend(op.model_copy(update=span) for op in _merge_same(kind, same, notes))
    return result, notes


def to_pipeline_times(ops: list[Operation]) -> tuple[list[Operation], list[str]]:
    """Rewrite input-timeline times of cut/freeze into the times of the stream they will see.

    Only positive (from-the-start) times move; from-the-end times are unaffected by earlier trims
    and are scaled by an earlier speed change like everything else.
    """
    notes: list[str] = []
    offset = 0.0
    removed: list[tuple[float, float]] = []
    factor = 1.0
    out: list[Operation] = []
    for op in ops:
        if isinstance(op, Trim) and op.start is not None and op.start > 0:
            offset += op.start
        elif isinstance(op, Cut) and offset and op.start is not None and op.start >= 0:
            op = op.model_copy(
                update={
                    "start": max(0.0, op.start - offset),
                    # a from-the-end time is not moved by a trim of the start
                    "end": op.end if op.end is None or op.end < 0 else max(0.0, op.end - offset),
                }
            )
        if (
            isinstance(op, Cut)
            and op.start is not None
            and op.start >= 0
            and op.end is not None
            and op.end > 0
        ):
            span = (op.start, op.end)
            if removed:  # each cut sees the stream the cuts before it left (they are sorted)
                op = op.model_copy(
                    update={"start": _after_cuts(op.start, removed), "end": _after_cuts(op.end, removed)}
                )
            removed.append(span)
        elif isinstance(op, Cut) and removed and op.start is not None and op.start >= 0:
            # "… up to 2 s before the end": its start moves with the cuts before it; its end does not
            op = op.model_copy(update={"start": _after_cuts(op.start, removed)})
        elif isinstance(op, Speed):
            factor *= op.factor
        elif isinstance(op, Freeze):
            at = op.at
            if at >= 0:
                at = max(0.0, at - offset)
                at -= sum(min(e, at) - s for s, e in removed if s < at)
            op = op.model_copy(update={"at": round(at / factor, 4)})
        out.append(op)
    return out, notes


def _after_cuts(t: float, removed: list[tuple[float, float]]) -> float:
    """Time ``t`` (before any cut) on the stream left after the ``removed`` spans are cut out."""
    return round(t - sum(min(e, t) - s for s, e in removed if s < t), 4)
