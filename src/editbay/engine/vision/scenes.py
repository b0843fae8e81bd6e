"""Shot (scene) cut detection and the selection of shots named by an instruction.

A cut is a frame that differs sharply from the one before *and* much more than its neighbours
differ from each other (an adaptive threshold, so fast motion inside a shot does not count).
Difference = colour-histogram distance (Bhattacharyya, 8x8x8 bins) blended with the mean absolute
difference of 32x18 thumbnails. Hard cuts only: fades and dissolves are not detected as cuts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from editbay.engine.ops import Cut, Operation, Scenes, ShotRef, Trim, Unsupported
from editbay.engine.vision.faces import cv2_module

MIN_SHOT_S = 0.4


class CutDetector:
    """Feed every frame's RGB (small is fine); ``scores`` holds each frame's difference to the last."""

    def __init__(self) -> None:
        self._prev: tuple[np.ndarray, np.ndarray] | None = None
        self.scores: list[float] = []
        self.times: list[float] = []

    def feed(self, time: float, rgb: np.ndarray) -> None:
        cv2 = cv2_module()
        thumb = cv2.resize(rgb, (32, 18), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
        hist = cv2.calcHist([rgb], [0, 1, 2], None, [8, 8, 8], [0, 256, 0, 256, 0, 256])
        hist = cv2.normalize(hist, hist).flatten()
        if self._prev is None:
            self.scores.append(0.0)
        else:
            h = float(cv2.compareHist(self._prev[1], hist, cv2.HISTCMP_BHATTACHARYYA))
            d = float(np.abs(thumb - self._prev[0]).mean())
            self.scores.append(0.5 * h + 0.5 * min(1.0, 4.0 * d))
        self.times.append(time)
        self._prev = (thumb, hist)

    def cuts(self, fps: float, threshold: float = 0.3) -> list[int]:
        """Frame indices where a new shot starts (excluding 0)."""
        s = np.array(self.scores)
        radius = max(2, int(round(fps / 4)))
        min_gap = max(1, int(round(MIN_SHOT_S * fps)))
        found: list[int] = []
        for i in range(1, len(s)):
            around = np.concatenate([s[max(1, i - radius) : i], s[i + 1 : i + 1 + radius]])
            base = float(np.median(around)) if len(around) else 0.0
            if s[i] > threshold and s[i] > 2.5 * base + 0.1 and (not found or i - found[-1] >= min_gap):
                found.append(i)
        return found


@dataclass(frozen=True)
class Shots:
    """Shot boundaries as times on the input's timeline: shot k runs ``starts[k]``..``starts[k+1]``."""

    starts: tuple[float, ...]
    duration: float

    @property
    def count(self) -> int:
        return len(self.starts)

    def span(self, k: int) -> tuple[float, float]:
        """Start and end (s) of 0-based shot ``k``."""
        end = self.starts[k + 1] if k + 1 < self.count else self.duration
        return self.starts[k], end


def shots_from(detector: CutDetector, fps: float, duration: float) -> Shots:
    """Shots from a finished detector; each boundary sits a quarter frame before the new shot's first
    frame, so a seek or trim there starts exactly on it."""
    quarter = 0.25 / max(fps, 1.0)
    starts = [0.0] + [max(0.0, detector.times[i] - quarter) for i in detector.cuts(fps)]
    return Shots(tuple(starts), duration)


def _resolve(ref: ShotRef, count: int) -> int | str:
    """0-based shot index, or an explanation of why ``ref`` names no shot."""
    if ref == "middle":
        return (count - 1) // 2 if count % 2 == 1 else f"{count} shots have no single middle one"
    assert isinstance(ref, int)
    k = ref - 1 if ref > 0 else count + ref
    return k if 0 <= k < count else f"there is no shot {ref if ref > 0 else ref} in {count} shot(s)"


def select(op: Scenes, shots: Shots) -> tuple[list[int], str | None]:
    """The 0-based shots ``op`` keeps, in order, or (``[]``, why not)."""
    n = shots.count
    chosen = set(range(n))
    if op.keep:
        chosen = set()
        for ref in op.keep:
            k = _resolve(ref, n)
            if isinstance(k, str):
                return [], k
            chosen.add(k)
    if op.start is not None or op.end is not None:
        lo = _resolve(op.start, n) if op.start is not None else 0
        hi = _resolve(op.end, n) if op.end is not None else n - 1
        for k in (lo, hi):
            if isinstance(k, str):
                return [], k
        chosen &= set(range(int(lo), int(hi) + 1))
    for ref in op.drop:
        k = _resolve(ref, n)
        if isinstance(k, str):
            return [], k
        chosen.discard(k)
    if not chosen:
        return [], f"nothing would be left of the {n} shot(s) found"
    if len(chosen) == n:
        return [], f"that keeps all {n} shot(s) found" if n > 1 else "no cut between shots was found"
    return sorted(chosen), None


def keep_ranges(kept: Sequence[int], shots: Shots) -> list[tuple[float, float]]:
    """Merged time ranges (s) covered by the kept shots."""
    ranges: list[tuple[float, float]] = []
    for k in kept:
        start, end = shots.span(k)
        if ranges and abs(ranges[-1][1] - start) < 1e-6:
            ranges[-1] = (ranges[-1][0], end)
        else:
            ranges.append((start, end))
    return ranges


def as_time_ops(
    ranges: Sequence[tuple[float, float]], duration: float, source: str, confidence: float
) -> list[Operation]:
    """Keep ``ranges`` (input timeline) with one Trim and a Cut per gap (parser time convention)."""
    ops: list[Operation] = []
    first, last = ranges[0][0], ranges[-1][1]
    if first > 1e-6 or last < duration - 1e-6:
        ops.append(
            Trim(
                start=round(first, 4) if first > 1e-6 else None,
                end=round(last, 4) if last < duration - 1e-6 else None,
                source=source,
                confidence=confidence,
            )
        )
    for (_, gap_start), (gap_end, _) in zip(ranges, ranges[1:], strict=False):
        ops.append(
            Cut(start=round(gap_start, 4), end=round(gap_end, 4), source=source, confidence=confidence)
        )
    return ops


def resolve(op: Scenes, shots: Shots) -> tuple[list[Operation], Unsupported | None, str]:
    """Time operations for ``op`` on these shots, or the reason it cannot be done; plus a note."""
    found = ", ".join(f"{s:.2f}" for s in shots.starts[1:]) or "none"
    note = f"'{op.source}': {shots.count} shot(s) found (cuts at {found} s)"
    kept, why = select(op, shots)
    if why:
        return [], Unsupported(clause=op.source or "shots", reason=why), note
    ranges = keep_ranges(kept, shots)
    spans = ", ".join(f"{a:.2f}-{b:.2f} s" for a, b in ranges)
    note += f"; keeping shot(s) {', '.join(str(k + 1) for k in kept)} ({spans})"
    return as_time_ops(ranges, shots.duration, op.source, op.confidence), None, note
