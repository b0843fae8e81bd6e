"""Face detection (OpenCV Haar cascades shipped in opencv-python-headless) and face tracks.

Detection runs on keyframes only (every ``step`` frames, on the downscaled luma); detections are
linked into tracks by position, a new track is confirmed by a second cascade on its region (cheap,
and it removes most of the false positives the first cascade finds on textures), and a track's box
on the frames between keyframes is interpolated. Tracks are held a little before their first and
after their last detection, so a face is covered from the moment it appears rather than from the
next keyframe (over-covering is the safe side of anonymisation).

Boxes are ``(x, y, w, h)`` as fractions of the frame's width and height, so they apply to any size.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

Box = tuple[float, float, float, float]

_CASCADES: dict[str, object] = {}
_LOCK = threading.Lock()
MIN_FACE_PX = 20  # smallest face searched for, in analysis pixels


def cv2_module():  # noqa: ANN201 - cv2 has no usable type stubs
    """Import OpenCV once (its first import is not thread-safe)."""
    with _LOCK:
        import cv2
        import cv2.data  # noqa: F401

    return cv2


def _cascade(name: str):  # noqa: ANN202
    cv2 = cv2_module()
    with _LOCK:
        if name not in _CASCADES:
            classifier = cv2.CascadeClassifier(cv2.data.haarcascades + name)
            if classifier.empty():
                raise RuntimeError(f"OpenCV cascade {name} is missing (opencv-python-headless 4.x ships it)")
            _CASCADES[name] = classifier
        return _CASCADES[name]


def detect_faces(gray: np.ndarray, min_px: int = MIN_FACE_PX) -> list[tuple[int, int, int, int]]:
    """Frontal faces in a luma image, as pixel boxes (x, y, w, h)."""
    cv2 = cv2_module()
    eq = cv2.equalizeHist(gray)
    found = _cascade("haarcascade_frontalface_default.xml").detectMultiScale(
        eq, scaleFactor=1.15, minNeighbors=5, minSize=(min_px, min_px)
    )
    return [tuple(int(v) for v in b) for b in (found.tolist() if len(found) else [])]


def confirm_face(gray: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    """A second, differently trained cascade also sees a face around ``box``."""
    cv2 = cv2_module()
    x, y, w, h = box
    pad = w // 2
    y0, y1 = max(0, y - pad), min(gray.shape[0], y + h + pad)
    x0, x1 = max(0, x - pad), min(gray.shape[1], x + w + pad)
    roi = cv2.equalizeHist(np.ascontiguousarray(gray[y0:y1, x0:x1]))
    size = max(MIN_FACE_PX, int(w * 0.7))
    found = _cascade("haarcascade_frontalface_alt2.xml").detectMultiScale(
        roi, scaleFactor=1.1, minNeighbors=3, minSize=(size, size), maxSize=(int(w * 1.5), int(w * 1.5))
    )
    return len(found) > 0


@dataclass
class Track:
    """One face over time: detections at keyframes, interpolated in between."""

    hits: dict[int, Box] = field(default_factory=dict)
    confirmed: bool = False
    misses: int = 0

    @property
    def first(self) -> int:
        return min(self.hits)

    @property
    def last(self) -> int:
        return max(self.hits)

    def predict(self, index: int) -> Box:
        """Position at ``index`` extrapolated from the last two detections."""
        keys = sorted(self.hits)
        last = self.hits[keys[-1]]
        if len(keys) < 2 or index <= keys[-1]:
            return last
        prev = self.hits[keys[-2]]
        k = (index - keys[-1]) / max(1, keys[-1] - keys[-2])
        return (last[0] + (last[0] - prev[0]) * k, last[1] + (last[1] - prev[1]) * k, last[2], last[3])


def _centre_distance(a: Box, b: Box) -> float:
    """Distance between centres in units of the larger box width (aspect-corrected by height)."""
    dx = (a[0] + a[2] / 2) - (b[0] + b[2] / 2)
    dy = (a[1] + a[3] / 2) - (b[1] + b[3] / 2)
    return float(np.hypot(dx / max(a[2], b[2]), dy / max(a[3], b[3])))


@dataclass
class FaceTracks:
    """Faces of a whole clip, ready to be queried per frame."""

    tracks: list[Track]
    step: int
    frames: int

    def boxes(self, index: int) -> list[Box]:
        """Every face box on frame ``index`` (interpolated; held ``step`` frames past the ends)."""
        out = []
        for track in self.tracks:
            keys = sorted(track.hits)
            if index < keys[0] - self.step or index > keys[-1] + self.step:
                continue
            if index <= keys[0]:
                out.append(track.hits[keys[0]])
                continue
            if index >= keys[-1]:
                out.append(track.hits[keys[-1]])
                continue
            pos = int(np.searchsorted(keys, index))
            k0, k1 = keys[pos - 1], keys[pos]
            a, b = track.hits[k0], track.hits[k1]
            u = (index - k0) / (k1 - k0)
            out.append(tuple(a[i] + (b[i] - a[i]) * u for i in range(4)))  # type: ignore[misc]
        return out

    def max_width(self) -> float:
        """A typical large face width (fraction of the frame width): the 90th percentile."""
        widths = [b[2] for t in self.tracks for b in t.hits.values()]
        return float(np.percentile(widths, 90)) if widths else 0.0

    def __len__(self) -> int:
        return len(self.tracks)


class FaceAnalyser:
    """Feed keyframes (luma at the analysis size); ``finish()`` returns the `FaceTracks`.

    Detection runs on a small thread pool so it overlaps decoding (OpenCV releases the GIL).
    """

    def __init__(self, step: int, max_gap: int, workers: int = 2) -> None:
        self.step, self.max_gap = max(1, step), max(1, max_gap)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="editbay-faces")
        self._pending: list[tuple[int, np.ndarray, Future[list[tuple[int, int, int, int]]]]] = []
        self._tracks: list[Track] = []
        self._done: list[Track] = []
        self._frames = 0

    def wants(self, index: int) -> bool:
        return index % self.step == 0

    def feed(self, index: int, gray: np.ndarray) -> None:
        self._frames = max(self._frames, index + 1)
        if not self.wants(index):
            return
        self._pending.append((index, gray, self._pool.submit(detect_faces, gray)))
        while len(self._pending) > 4:
            self._link(*self._pop())

    def _pop(self) -> tuple[int, np.ndarray, list[tuple[int, int, int, int]]]:
        index, gray, future = self._pending.pop(0)
        return index, gray, future.result()

    def _link(self, index: int, gray: np.ndarray, found: Sequence[tuple[int, int, int, int]]) -> None:
        """Attach detections to live tracks (nearest predicted position), start confirmed new ones."""
        h, w = gray.shape[:2]
        boxes = [(x / w, y / h, bw / w, bh / h) for x, y, bw, bh in found]
        unmatched = list(range(len(boxes)))
        for track in sorted(self._tracks, key=lambda t: -len(t.hits)):
            guess = track.predict(index)
            best = min(unmatched, key=lambda i: _centre_distance(guess, boxes[i]), default=None)
            if best is not None and _centre_distance(guess, boxes[best]) < 0.8:
                track.hits[index] = boxes[best]
                track.misses = 0
                if not track.confirmed:
                    track.confirmed = confirm_face(gray, found[best])
                unmatched.remove(best)
            else:
                track.misses += 1
        for i in unmatched:
            track = Track(hits={index: boxes[i]}, confirmed=confirm_face(gray, found[i]))
            self._tracks.append(track)
        alive = []
        for track in self._tracks:
            (alive if track.misses * self.step <= self.max_gap else self._done).append(track)
        self._tracks = alive

    def finish(self) -> FaceTracks:
        while self._pending:
            self._link(*self._pop())
        self._pool.shutdown(wait=True)
        tracks = self._done + self._tracks
        # A face is seen by both cascades at least once; texture that fools one cascade rarely
        # fools the other. Box sizes are smoothed (Haar sizes jitter by ~5 %).
        kept = [_smooth_sizes(t) for t in tracks if t.confirmed]
        return FaceTracks(kept, self.step, self._frames)


def _smooth_sizes(track: Track, radius: int = 2) -> Track:
    keys = sorted(track.hits)
    ws = np.array([track.hits[k][2] for k in keys])
    hs = np.array([track.hits[k][3] for k in keys])
    hits = {}
    for i, k in enumerate(keys):
        lo, hi = max(0, i - radius), min(len(keys), i + radius + 1)
        x, y, w, h = track.hits[k]
        sw, sh = float(np.median(ws[lo:hi])), float(np.median(hs[lo:hi]))
        hits[k] = (x + (w - sw) / 2, y + (h - sh) / 2, sw, sh)
    return Track(hits=hits, confirmed=track.confirmed)
