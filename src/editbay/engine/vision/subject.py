"""Subject tracking for reframing: where the crop window should be centred on every frame.

The subject is the tracked faces when the instruction names a person (the most present face,
plus the others that fit in the window with it), otherwise - or when no face is visible - the
centre of what moves against the background (frame differences after removing the camera's own
motion, measured by phase correlation). Gaps are bridged, the path is smoothed with a Gaussian
(no jerks, no lag: the whole clip is known) and clamped so the window stays inside the frame.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from editbay.engine.vision.faces import Box, FaceTracks, cv2_module
from editbay.engine.vision.motion import gaussian_smooth

SALIENCY_WIDTH = 160


class MotionCentre:
    """Per-frame centre (fractions) of the moving foreground, or None when little moves."""

    def __init__(self) -> None:
        self._prev: np.ndarray | None = None
        self._window: np.ndarray | None = None
        self.centres: list[tuple[float, float] | None] = []

    def feed(self, gray: np.ndarray) -> None:
        cv2 = cv2_module()
        h, w = gray.shape[:2]
        sw = min(SALIENCY_WIDTH, w)
        small = cv2.resize(gray, (sw, max(2, int(h * sw / w))), interpolation=cv2.INTER_AREA).astype(
            np.float32
        )
        if self._prev is None:
            self.centres.append(None)
            self._prev = small
            return
        if self._window is None or self._window.shape != small.shape:
            self._window = cv2.createHanningWindow((small.shape[1], small.shape[0]), cv2.CV_32F)
        (dx, dy), _ = cv2.phaseCorrelate(self._prev, small, self._window)
        shift = np.array([[1, 0, dx], [0, 1, dy]], np.float32)
        aligned = cv2.warpAffine(
            self._prev, shift, (small.shape[1], small.shape[0]), borderMode=cv2.BORDER_REPLICATE
        )
        diff = cv2.GaussianBlur(np.abs(small - aligned), (0, 0), 1.5)
        diff[diff < 12] = 0
        total = float(diff.sum())
        if total < 0.004 * diff.size * 40:
            self.centres.append(None)
        else:
            ys, xs = np.indices(diff.shape)
            self.centres.append(
                (
                    float((diff * xs).sum() / total) / diff.shape[1],
                    float((diff * ys).sum() / total) / diff.shape[0],
                )
            )
        self._prev = small


def _face_target(boxes: Sequence[Box], primary: Box | None, span: float, axis: int) -> float | None:
    """Centre (along ``axis``) of the primary face and the other faces that fit in ``span`` with it."""
    if not boxes:
        return None
    main = primary if primary is not None else max(boxes, key=lambda b: b[2] * b[3])
    lo, hi = main[axis], main[axis] + main[axis + 2]
    for b in sorted(boxes, key=lambda b: -b[2] * b[3]):
        nlo, nhi = min(lo, b[axis]), max(hi, b[axis] + b[axis + 2])
        if nhi - nlo <= span * 0.8:
            lo, hi = nlo, nhi
    return (lo + hi) / 2


def _primary_track(tracks: FaceTracks) -> int | None:
    """Index of the face with the most presence (detections x size)."""
    if not tracks.tracks:
        return None
    scores = [sum(b[2] * b[3] for b in t.hits.values()) for t in tracks.tracks]
    return int(np.argmax(scores))


def subject_path(
    count: int,
    fps: float,
    span: float,
    axis: int,
    tracks: FaceTracks | None,
    motion: Sequence[tuple[float, float] | None],
    smooth_s: float = 0.5,
) -> np.ndarray | None:
    """Smoothed window centre (fraction along ``axis``: 0 = x, 1 = y) per frame, or None if no subject.

    ``span`` is the window's size along the axis as a fraction of the frame.
    """
    targets: list[float | None] = []
    primary = _primary_track(tracks) if tracks is not None else None
    alone = (
        FaceTracks([tracks.tracks[primary]], tracks.step, tracks.frames)
        if tracks is not None and primary is not None
        else None
    )
    for i in range(count):
        target = None
        if tracks is not None and len(tracks):
            mine = alone.boxes(i) if alone is not None else []
            target = _face_target(tracks.boxes(i), mine[0] if mine else None, span, axis)
        if target is None and i < len(motion) and motion[i] is not None:
            target = motion[i][axis]  # type: ignore[index]
        targets.append(target)
    known = [i for i, t in enumerate(targets) if t is not None]
    if len(known) < max(2, count // 20):
        return None
    values = np.interp(np.arange(count), known, [float(targets[i] or 0.0) for i in known])
    values = gaussian_smooth(values, smooth_s * fps)
    half = span / 2
    return np.clip(values, half, 1.0 - half)
