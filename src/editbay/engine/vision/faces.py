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
from dataclasses import dataclass, field

import numpy as np

Box = tuple[float, float, float, float]

_LOCAL = threading.local()  # CascadeClassifier is not thread-safe: one instance per thread
_LOCK = threading.Lock()
MIN_FACE_PX = 20  # smallest face searched for, in analysis pixels


def cv2_module():  # noqa: ANN201 - cv2 has no usable type stubs
    """Import OpenCV once (its first import is not thread-safe)."""
    with _LOCK:
        import cv2
        import cv2.data  # noqa: F401

    return cv2


def _cascade(name: str):  # noqa: ANN202
    cascades = _LOCAL.__dict__.setdefault("cascades", {})
    if name not in cascades:
        cv2 = cv2_module()
        classifier = cv2.CascadeClassifier(cv2.data.haarcascades + name)
        if classifier.empty():
            raise RuntimeError(f"OpenCV cascade {name} is missing (opencv-python-headless 4.x ships it)")
        cascades[name] = classifier
    return cascades[name]


def detect_faces(gray: np.ndarray, min_px: int = MIN_FACE_PX) -> list[tuple[int, int, int, int]]:
    """Frontal faces in a luma image, as pixel boxes (x, y, w, h)."""
    cv2 = cv2_module()
    eq = cv2.equalizeHist(gray)
    found = _cascade("haarcascade_frontalface_default.xml").detectMultiScale(
        eq, scaleFactor=1.15, minNeighbors=5, minSize=(min_px, min_px)
    )
    return [(int(x), int(y), int(w), int(h)) for x, y, w, h in (found.tolist() if len(found) else [])]


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

    def __post_init__(self) -> None:
        self._keys = [np.array(sorted(t.hits)) for t in self.tracks]

    def boxes(self, index: int) -> list[Box]:
        """Every face box on frame ``index`` (interpolated; held ``step`` frames past the ends)."""
        out: list[Box] = []
        for track, keys in zip(self.tracks, self._keys, strict=True):
            first, last = int(keys[0]), int(keys[-1])
            if index < first - self.step or index > last + self.step:
                continue
            if index <= first or index >= last:
                out.append(track.hits[first if index <= first else last])
                continue
            pos = int(np.searchsorted(keys, index))
            k0, k1 = int(keys[pos - 1]), int(keys[pos])
            a, b = track.hits[k0], track.hits[k1]
            u = (index - k0) / (k1 - k0)
            out.append(
                (
                    a[0] + (b[0] - a[0]) * u,
                    a[1] + (b[1] - a[1]) * u,
                    a[2] + (b[2] - a[2]) * u,
                    a[3] + (b[3] - a[3]) * u,
                )
            )
        return out

    def max_width(self) -> float:
        """A typical large face width (fraction of the frame width): the 90th percentile."""
        widths = [b[2] for t in self.tracks for b in t.hits.values()]
        return float(np.percentile(widths, 90)) if widths else 0.0

    def __len__(self) -> int:
        return len(self.tracks)


class FaceAnalyser:
    """Feed frames (luma at the analysis size); ``finish()`` returns the `FaceTracks`.

    Every ``step``-th frame is a keyframe. A full-frame scan runs every ``full_every`` keyframes (and
    whenever no face is being followed); the keyframes in between only search a small region around
    each followed face, at sizes close to its own, which costs a few percent of a full scan. A face
    that appears between two full scans is found by the next one and followed back through the
    keyframes in between (the last few are kept for that).
    """

    def __init__(self, step: int, max_gap: int, full_every: int = 5) -> None:
        self.step, self.max_gap, self.full_every = max(1, step), max(1, max_gap), max(1, full_every)
        self._tracks: list[Track] = []
        self._done: list[Track] = []
        self._frames = 0
        self._keyframes = 0
        self._recent: list[tuple[int, np.ndarray]] = []  # keyframes since the last full scan

    def wants(self, index: int) -> bool:
        return index % self.step == 0

    def feed(self, index: int, gray: np.ndarray) -> None:
        self._frames = max(self._frames, index + 1)
        if not self.wants(index):
            return
        full = self._keyframes % self.full_every == 0
        self._keyframes += 1
        if full:
            found = detect_faces(gray)
        else:
            found = []
            for track in self._tracks:
                found += _search_near(gray, track.predict(index))
        self._link(index, gray, found, full)
        self._recent = [(index, gray)] if full else [*self._recent, (index, gray)]

    def _link(
        self, index: int, gray: np.ndarray, found: Sequence[tuple[int, int, int, int]], full: bool
    ) -> None:
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
                unmatched.remove(best)
                if not track.confirmed:
                    track.confirmed = confirm_face(gray, found[best])
            else:
                track.misses += 1
        for i in unmatched if full else ():
            track = Track(hits={index: boxes[i]}, confirmed=confirm_face(gray, found[i]))
            self._track_back(track)
            self._tracks.append(track)
        alive: list[Track] = []
        for track in self._tracks:
            (alive if track.misses * self.step <= self.max_gap else self._done).append(track)
        self._tracks = alive

    def _track_back(self, track: Track) -> None:
        """A face first found now may have been there since the last full scan: follow it back
        through the keyframes in between (kept for this), as long as it is found."""
        for index, gray in reversed(self._recent):
            h, w = gray.shape[:2]
            earliest = track.hits[track.first]
            near = _search_near(gray, earliest)
            if not near:
                break
            guess = ((earliest[0] + earliest[2] / 2) * w, (earliest[1] + earliest[3] / 2) * h)
            x, y, bw, bh = min(
                near, key=lambda b: abs(b[0] + b[2] / 2 - guess[0]) + abs(b[1] + b[3] / 2 - guess[1])
            )
            track.hits[index] = (x / w, y / h, bw / w, bh / h)

    def live_boxes(self, index: int) -> list[Box]:
        """Where the confirmed faces being followed are on frame ``index`` (detected or predicted)."""
        return [t.hits.get(index) or t.predict(index) for t in self._tracks if t.confirmed]

    def finish(self) -> FaceTracks:
        tracks = self._done + self._tracks
        # A face is seen by both cascades at least once; texture that fools one cascade rarely
        # fools the other. Box sizes are smoothed (Haar sizes jitter by ~5 %).
        kept = [_smooth_sizes(t) for t in tracks if t.confirmed]
        return FaceTracks(kept, self.step, self._frames)


def _search_near(gray: np.ndarray, guess: Box) -> list[tuple[int, int, int, int]]:
    """Faces of about the size of ``guess`` in a region around it (pixel boxes in ``gray``)."""
    cv2 = cv2_module()
    h, w = gray.shape[:2]
    bx, by, bw, bh = guess[0] * w, guess[1] * h, guess[2] * w, guess[3] * h
    x0, y0 = max(0, int(bx - 0.8 * bw)), max(0, int(by - 0.8 * bh))
    x1, y1 = min(w, int(bx + 1.8 * bw)), min(h, int(by + 1.8 * bh))
    if x1 - x0 < MIN_FACE_PX or y1 - y0 < MIN_FACE_PX:
        return []
    roi = cv2.equalizeHist(np.ascontiguousarray(gray[y0:y1, x0:x1]))
    lo, hi = max(MIN_FACE_PX, int(bw * 0.7)), max(MIN_FACE_PX + 1, int(bw * 1.45))
    found = _cascade("haarcascade_frontalface_default.xml").detectMultiScale(
        roi, scaleFactor=1.08, minNeighbors=3, minSize=(lo, lo), maxSize=(hi, hi)
    )
    return [
        (int(x) + x0, int(y) + y0, int(a), int(b)) for x, y, a, b in (found.tolist() if len(found) else [])
    ]


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
