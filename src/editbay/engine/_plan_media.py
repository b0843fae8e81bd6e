"""Planner step 2: with the input's `MediaInfo`, pin times, validate ranges, compute output props.

Works without media too: then only what can be known from the operations is filled in (an
explicit resize gives the size; a mute says there is no audio), and spans named by a share of the
clip's length ("the first half") stay shares until the duration is known.

`MediaInfo.width`/`height` are taken as the *displayed* size (rotation metadata already applied).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeVar

from editbay.engine._plan_merge import to_pipeline_times
from editbay.engine.ops import (
    Aspect,
    AudioFade,
    Boomerang,
    Cut,
    Extend,
    Fade,
    Freeze,
    Loop,
    MediaInfo,
    Mute,
    Operation,
    Overlay,
    Portion,
    Reframe,
    Resize,
    Rotate,
    Scenes,
    Speed,
    Text,
    Trim,
    Unsupported,
    Windowed,
)

W = TypeVar("W", bound=Windowed)
_AUDIO_ONLY = ("volume", "normalize", "audio_fade")
_PORTRAIT = {"9:16", "4:5", "3:4"}
_SHORT_SIDE = re.compile(r"\d\s*p\b|\b(?:hd|fhd|uhd|qhd|sd|4\s*k|2\s*k|full hd)\b")


@dataclass
class MediaResult:
    operations: list[Operation]
    width: int | None
    height: int | None
    duration: float | None
    has_audio: bool | None


def _even(value: float) -> int:
    """Nearest even integer ≥ 2 (as the renderer rounds every intermediate size)."""
    return max(2, int(round(value / 2.0)) * 2)


def _ratio(text: str) -> float:
    a, b = text.split(":")
    return int(a) / int(b)


def _short_side_resize(op: Resize, portrait: bool) -> Resize:
    """ "720p" names the short side: on a portrait frame it is the width."""
    if portrait and op.height and not op.width and _SHORT_SIDE.search(op.source):
        return op.model_copy(update={"width": op.height, "height": None})
    return op


def _share_seconds(
    clause: str, portion: Portion, length: float, what: str, unsupported: list[Unsupported]
) -> tuple[float, float] | None:
    """``portion`` of the ``length``-second ``what`` in seconds, or None (recorded) when it cannot fit."""
    start, end = portion.resolve(length)
    if portion.seconds is not None and (start < -1e-6 or end > length + 1e-6):
        whole = portion.start == 0.0 and portion.end == 1.0
        where = f"the {what} is" if whole else "that part of it is"
        available = (portion.end - portion.start) * length
        reason = f"asks for the middle {portion.seconds:g} s, but {where} only {available:.2f} s long"
        unsupported.append(Unsupported(clause=clause, reason=reason))
        return None
    return max(0.0, start), min(length, end)


def resolve_portions(
    ops: list[Operation], media: MediaInfo | None, notes: list[str], unsupported: list[Unsupported]
) -> list[Operation]:
    """Trims and cuts named by a share of the input's length ("keep the first half", "cut the middle
    2 seconds") become times in seconds on the input's timeline, as the parser writes other times."""
    if media is None:
        return ops
    length = media.duration
    out: list[Operation] = []
    for op in ops:
        if isinstance(op, Trim | Cut) and op.portion is not None:
            span = _share_seconds(op.source or op.op, op.portion, length, "video", unsupported)
            if span is None:
                continue
            start, end = round(span[0], 3), round(span[1], 3)
            if isinstance(op, Trim) and start <= 0 and end >= length:
                notes.append(f"'{op.source}' keeps the whole video: nothing to trim")
                continue
            verb = "keeps" if isinstance(op, Trim) else "removes"
            notes.append(f"'{op.source}' {verb} {start:.2f}-{end:.2f} s of the {length:.2f} s video")
            op = op.model_copy(update={"start": start or None, "end": end, "portion": None})
        out.append(op)
    return out


def resolve_fit(
    ops: list[Operation], media: MediaInfo | None, notes: list[str], unsupported: list[Unsupported]
) -> list[Operation]:
    """A speed given as the length to reach ("speed it up to fit 10 seconds") becomes a factor.

    ``ops`` are in plan order with the parser's times. The output's length is ``a / f + b`` in the
    factor ``f`` (what comes before the speed is divided by it, a freeze after it adds, boomerang and
    loop multiply), so two trial lengths give ``a`` and ``b`` and the factor follows.
    """
    at = next((i for i, op in enumerate(ops) if isinstance(op, Speed) and op.fit is not None), None)
    if at is None or media is None:
        return ops
    speed = ops[at]
    assert isinstance(speed, Speed) and speed.fit is not None

    def length(factor: float) -> float:
        trial = [*ops[:at], speed.model_copy(update={"factor": factor, "fit": None}), *ops[at + 1 :]]
        piped, _ = to_pipeline_times(trial)
        return _time_ops(piped, media, [], [])[1]

    one, two = length(1.0), length(2.0)
    a, rest = 2 * (one - two), 2 * two - one
    clause = speed.source or "speed"
    if a <= 1e-6 or speed.fit <= rest + 1e-3:
        reason = f"the other edits alone make it {rest:.2f} s: no speed gives {speed.fit:g} s"
        unsupported.append(Unsupported(clause=clause, reason=reason))
        return ops[:at] + ops[at + 1 :]
    factor = a / (speed.fit - rest)
    if not 0.01 <= factor <= 100:
        reason = f"{speed.fit:g} s from {one:.2f} s needs a speed of x{factor:.3g} (0.01 to 100 are possible)"
        unsupported.append(Unsupported(clause=clause, reason=reason))
        return ops[:at] + ops[at + 1 :]
    if abs(factor - 1.0) < 1e-3:
        notes.append(f"'{clause}': the output is already {one:.2f} s long: no speed change")
        return ops[:at] + ops[at + 1 :]
    notes.append(f"'{clause}': x{factor:.3f} makes the {one:.2f} s output {speed.fit:g} s long")
    return [*ops[:at], speed.model_copy(update={"factor": round(factor, 4), "fit": None}), *ops[at + 1 :]]


def _on_clip(start: float | None, end: float | None, length: float) -> tuple[float, float]:
    """``start``..``end`` in seconds from the start of a ``length``-second clip (None: its beginning /
    end; negatives count from the end)."""
    at = 0.0 if start is None else (max(0.0, length + start) if start < 0 else start)
    return at, length if end is None else (length + end if end < 0 else end)


def _time_ops(
    ops: list[Operation], media: MediaInfo, notes: list[str], unsupported: list[Unsupported]
) -> tuple[list[Operation], float]:
    length = media.duration
    frame = 1.0 / media.fps if media.fps > 0 else 1 / 30
    out: list[Operation] = []
    for op in ops:
        if isinstance(op, (Trim, Cut)):
            start, end = _on_clip(op.start, op.end, length)
            if end > length + 1e-6:
                notes.append(f"'{op.source}' ends after the video ({length:.2f} s): clamped")
                end = length
            if (
                start >= end - 1e-6
                and isinstance(op, Cut)
                and (op.start or 0.0) >= 0
                and op.end is not None
                and op.end < 0
            ):
                # "from 2 s to 2 s before the end" (both edges kept) on a clip too short to leave a gap
                notes.append(f"'{op.source}': nothing lies between those times in {length:.2f} s: no cut")
                continue
            if start >= end - 1e-6:
                unsupported.append(
                    Unsupported(
                        clause=op.source, reason=f"the time range is outside the video ({length:.2f} s long)"
                    )
                )
                continue
            if isinstance(op, Trim):
                op = op.model_copy(
                    update={
                        "start": round(start, 4) or None,
                        "end": None if end >= length - 1e-6 else round(end, 4),
                    }
                )
                length = end - start
            else:
                if start <= 1e-6 and end >= length - 1e-6:
                    unsupported.append(Unsupported(clause=op.source, reason="this would cut the whole video"))
                    continue
                op = op.model_copy(update={"start": round(start, 4), "end": round(end, 4)})
                length -= end - start
        elif isinstance(op, Speed):
            length /= op.factor
        elif isinstance(op, Freeze):
            # A tiny negative time is the parser's "last frame": pin it to the last frame exactly.
            at = op.at if op.at >= 0 else (length - frame if op.at > -0.1 else length + op.at)
            at = min(max(0.0, at), max(0.0, length - frame))
            op = op.model_copy(update={"at": round(at, 4)})
            length += op.duration
        elif isinstance(op, Scenes):
            notes.append(f"'{op.source}': the output is shorter by the shots removed (found when rendering)")
        elif isinstance(op, Boomerang):
            length *= 2
        elif isinstance(op, Loop):
            length *= op.count
        out.append(op)
    return out, length


def _size(ops: list[Operation], media: MediaInfo | None) -> tuple[list[Operation], int | None, int | None]:
    portrait_target = any(isinstance(op, Aspect | Reframe) and op.ratio in _PORTRAIT for op in ops)
    if media is None:
        out = [_short_side_resize(op, portrait_target) if isinstance(op, Resize) else op for op in ops]
        resize = [op for op in out if isinstance(op, Resize) and op.width and op.height]
        if resize:
            return out, _even(resize[-1].width or 0), _even(resize[-1].height or 0)
        return out, None, None
    # Mirrors the renderer's size rules (render/geometry.py): centred crop, a pad canvas whose
    # long side is the source's long side, even sides after every step.
    w, h = media.width - media.width % 2, media.height - media.height % 2
    out = []
    for op in ops:
        if isinstance(op, Rotate) and op.degrees in (90, 270):
            w, h = h, w
        elif isinstance(op, Reframe) and op.ratio and abs(w / h / _ratio(op.ratio) - 1) >= 0.01:
            r = _ratio(op.ratio)  # a crop window of the ratio, moving with the subject
            w, h = (_even(min(h * r, w)), h) if w / h > r else (w, _even(min(w / r, h)))
        elif isinstance(op, Aspect) and abs(w / h - _ratio(op.ratio)) / _ratio(op.ratio) >= 0.01:
            r = _ratio(op.ratio)
            if op.mode == "crop":
                w, h = (_even(min(h * r, w)), h) if w / h > r else (w, _even(min(w / r, h)))
            else:
                long_side = max(w, h)
                w, h = (
                    (_even(long_side), _even(long_side / r))
                    if r >= 1
                    else (_even(long_side * r), _even(long_side))
                )
        elif isinstance(op, Resize):
            op = _short_side_resize(op, h > w)
            if op.width and op.height:
                w, h = _even(op.width), _even(op.height)
            elif op.width:
                w, h = _even(op.width), _even(op.width * h / w)
            elif op.height:
                w, h = _even(op.height * w / h), _even(op.height)
            elif op.scale:
                w, h = _even(w * op.scale), _even(h * op.scale)
        out.append(op)
    return out, _even(w), _even(h)


def _timed_window(op: W, length: float, notes: list[str], unsupported: list[Unsupported]) -> W | None:
    """A mute, volume change, colour or effect during part of the output, with its times pinned
    (None: refused)."""
    clause = op.source or type(op).__name__.lower()
    if op.portion is not None:
        span = _share_seconds(clause, op.portion, length, "output", unsupported)
        if span is None:
            return None
        start, end = span
    else:
        start, end = _on_clip(op.start, op.end, length)
    end = min(end, length)
    if start >= length - 1e-6 or end <= start + 1e-6:
        reason = f"the time range is outside the output ({length:.2f} s)"
        unsupported.append(Unsupported(clause=clause, reason=reason))
        return None
    if start <= 1e-6 and end >= length - 1e-6:
        notes.append(f"'{op.source}' covers the whole output")
        return op.model_copy(update={"start": None, "end": None, "portion": None})
    pinned_end = None if end >= length - 1e-6 else round(end, 3)
    return op.model_copy(update={"start": round(start, 3), "end": pinned_end, "portion": None})


def _clamp_output_times(
    ops: list[Operation], length: float, notes: list[str], unsupported: list[Unsupported]
) -> list[Operation]:
    out: list[Operation] = []
    for op in ops:
        if isinstance(op, Windowed) and op.timed:
            timed = _timed_window(op, length, notes, unsupported)
            if timed is None:
                continue
            op = timed
        elif isinstance(op, (Fade, AudioFade)) and op.duration > length / 2:
            notes.append(f"'{op.source}': fade shortened to half the output ({length / 2:.2f} s)")
            op = op.model_copy(update={"duration": max(0.01, round(length / 2, 3))})
        elif isinstance(op, (Text, Overlay)) and (op.start is not None or op.end is not None):
            start = op.start if op.start is None or op.start >= 0 else max(0.0, length + op.start)
            end = op.end if op.end is None or op.end >= 0 else length + op.end
            if start is not None and start >= length:
                unsupported.append(
                    Unsupported(
                        clause=op.source, reason=f"starts after the end of the output ({length:.2f} s)"
                    )
                )
                continue
            if end is not None and end > length:
                end = None
            op = op.model_copy(update={"start": start, "end": end})
        out.append(op)
    return out


def apply_media(
    ops: list[Operation], media: MediaInfo | None, notes: list[str], unsupported: list[Unsupported]
) -> MediaResult:
    if media is not None and not media.has_audio:
        # a timed mute needs sound to silence part of it; removing all of it is harmless
        needs_sound = [op for op in ops if op.op in _AUDIO_ONLY or (isinstance(op, Mute) and op.timed)]
        for op in needs_sound:
            unsupported.append(Unsupported(clause=op.source, reason="the input video has no audio track"))
        ops = [op for op in ops if op not in needs_sound]
    duration: float | None = None
    if media is not None:
        ops, length = _time_ops(ops, media, notes, unsupported)
        ops = _clamp_output_times(ops, length, notes, unsupported)
        length += sum(op.duration for op in ops if isinstance(op, Extend))  # black around the edit
        duration = round(length, 3)
    muted = any(isinstance(op, Mute) and not op.timed for op in ops)
    has_audio: bool | None = False if muted else None
    if media is not None:
        has_audio = media.has_audio and not muted
    ops, width, height = _size(ops, media)
    return MediaResult(operations=ops, width=width, height=height, duration=duration, has_audio=has_audio)
