"""Person segmentation without a neural network: a face-anchored body prior refined by GrabCut.

Why not MediaPipe: its last release with offline models (0.10.21) pins numpy<2 and pulls
opencv-contrib-python, which clashes with opencv-python-headless (see docs/engine.md). The matte
here is built from what OpenCV-headless ships:

1. a *prior* from each face box: head, neck and a torso that widens to the shoulders and runs to
   the bottom of the frame (portrait framing), with a sure-foreground core and a sure-background
   zone far from it; with no face in the clip, a centred upright subject is assumed;
2. GrabCut (colour models of person and background) refines the silhouette inside the uncertain
   band, at a small size, on keyframes only;
3. between keyframes the two neighbouring keyframe mattes are moved with the faces (translation
   and scale of the tracked faces) and blended, then feathered.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from editbay.engine.vision.faces import Box, FaceTracks, cv2_module

SEG_SHORT_SIDE = 144  # GrabCut size (short side, px): ~10 ms per keyframe


def body_prior(size: tuple[int, int], faces: Sequence[Box]) -> tuple[np.ndarray, np.ndarray]:
    """(probable person, sure person) uint8 masks for the given face boxes (fractions)."""
    cv2 = cv2_module()
    w, h = size
    probable = np.zeros((h, w), np.uint8)
    sure = np.zeros((h, w), np.uint8)
    for bx, by, bw, bh in faces:
        fw, fh = bw * w, bh * h
        cx, top = (bx + bw / 2) * w, by * h
        cy = top + fh / 2
        cv2.ellipse(
            probable, (int(cx), int(cy - 0.08 * fh)), (int(0.66 * fw), int(0.86 * fh)), 0, 0, 360, 255, -1
        )
        body = np.array(
            [
                (cx - 0.42 * fw, top + 0.95 * fh),
                (cx + 0.42 * fw, top + 0.95 * fh),
                (cx + 1.35 * fw, top + 1.45 * fh),
                (cx + 1.7 * fw, top + 2.6 * fh),
                (cx + 1.75 * fw, h),
                (cx - 1.75 * fw, h),
                (cx - 1.7 * fw, top + 2.6 * fh),
                (cx - 1.35 * fw, top + 1.45 * fh),
            ],
            np.int32,
        )
        cv2.fillPoly(probable, [body], 255)
        cv2.ellipse(sure, (int(cx), int(cy)), (int(0.3 * fw), int(0.4 * fh)), 0, 0, 360, 255, -1)
        core = np.array(
            [
                (cx - 0.2 * fw, cy),
                (cx + 0.2 * fw, cy),
                (cx + 0.8 * fw, top + 2.2 * fh),
                (cx + 0.9 * fw, h),
                (cx - 0.9 * fw, h),
                (cx - 0.8 * fw, top + 2.2 * fh),
            ],
            np.int32,
        )
        cv2.fillPoly(sure, [core], 255)
    return probable, sure


def centre_prior(size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """A centred upright subject (no face to anchor on)."""
    cv2 = cv2_module()
    w, h = size
    probable = np.zeros((h, w), np.uint8)
    sure = np.zeros((h, w), np.uint8)
    cv2.ellipse(probable, (w // 2, int(h * 0.58)), (int(w * 0.24), int(h * 0.5)), 0, 0, 360, 255, -1)
    cv2.ellipse(sure, (w // 2, int(h * 0.6)), (int(w * 0.07), int(h * 0.25)), 0, 0, 360, 255, -1)
    return probable, sure


def person_matte(rgb: np.ndarray, faces: Sequence[Box], iterations: int = 3) -> np.ndarray:
    """Hard person mask (uint8 0/255) of ``rgb`` at its own size."""
    cv2 = cv2_module()
    h, w = rgb.shape[:2]
    probable, sure = body_prior((w, h), faces) if faces else centre_prior((w, h))
    reach = max(3, int(0.06 * max(w, h)))
    near = cv2.dilate(probable, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1)))
    gc = np.full((h, w), cv2.GC_BGD, np.uint8)
    gc[near > 0] = cv2.GC_PR_BGD
    gc[probable > 0] = cv2.GC_PR_FGD
    gc[sure > 0] = cv2.GC_FGD
    if (gc == cv2.GC_BGD).sum() < 50 or (gc == cv2.GC_FGD).sum() < 20:
        return probable
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    try:
        cv2.grabCut(
            np.ascontiguousarray(rgb[:, :, ::-1]), gc, None, bgd, fgd, iterations, cv2.GC_INIT_WITH_MASK
        )
    except cv2.error:
        return probable
    person = np.where((gc == cv2.GC_FGD) | (gc == cv2.GC_PR_FGD), 255, 0).astype(np.uint8)
    # GrabCut only decides the uncertain band; keep the parts connected to the sure core.
    person = cv2.morphologyEx(person, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    count, labels = cv2.connectedComponents(person)
    if count > 2:
        keep = np.unique(labels[(sure > 0) & (person > 0)])
        person = np.where(np.isin(labels, keep[keep > 0]), 255, 0).astype(np.uint8)
    return person


class MatteAnalyser:
    """Person mattes on keyframes during the analysis pass; per-frame mattes afterwards."""

    def __init__(self, step: int) -> None:
        self.step = max(1, step)
        self._keys: dict[int, tuple[bytes, tuple[Box, ...]]] = {}  # PNG-packed matte + its faces
        self._sorted: list[int] = []
        self.size: tuple[int, int] = (0, 0)

    def wants(self, index: int) -> bool:
        return index % self.step == 0

    def feed(self, index: int, rgb: np.ndarray, faces: Sequence[Box]) -> None:
        cv2 = cv2_module()
        h, w = rgb.shape[:2]
        scale = min(1.0, SEG_SHORT_SIDE / min(w, h))
        small = cv2.resize(
            rgb, (max(8, int(w * scale)), max(8, int(h * scale))), interpolation=cv2.INTER_AREA
        )
        self.size = (small.shape[1], small.shape[0])
        matte = person_matte(small, faces)
        ok, png = cv2.imencode(".png", matte)
        self._keys[index] = (png.tobytes() if ok else b"", tuple(faces))

    def matte(self, index: int, tracks: FaceTracks, size: tuple[int, int], soft: float = 0.02) -> np.ndarray:
        """Soft person matte (uint8) of frame ``index`` at ``size``."""
        cv2 = cv2_module()
        if len(self._sorted) != len(self._keys):
            self._sorted = sorted(self._keys)
        keys = self._sorted
        pos = int(np.searchsorted(keys, index, side="right"))
        k0 = keys[max(0, pos - 1)]
        k1 = keys[min(len(keys) - 1, pos)]
        now = tracks.boxes(index)
        a = self._moved(k0, now)
        if k1 == k0 or index <= k0:
            out = a
        else:
            u = (index - k0) / (k1 - k0)
            out = cv2.addWeighted(a, 1.0 - u, self._moved(k1, now), u, 0.0)
        sigma = soft * max(out.shape)  # feathered at the small size, then scaled up (cheap and smooth)
        if sigma >= 0.5:
            out = cv2.GaussianBlur(out, (0, 0), sigma)
        return cv2.resize(out, size, interpolation=cv2.INTER_LINEAR)

    def _moved(self, key: int, now: Sequence[Box]) -> np.ndarray:
        """Keyframe ``key``'s matte moved with its faces to where they are ``now``."""
        cv2 = cv2_module()
        png, then = self._keys[key]
        matte = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
        if matte is None:
            return np.zeros(self.size[::-1], np.uint8)
        if not then or not now:
            return matte
        pairs = [(a, _nearest(a, now)) for a in then]
        w, h = matte.shape[1], matte.shape[0]
        src = np.mean([((a[0] + a[2] / 2) * w, (a[1] + a[3] / 2) * h) for a, _ in pairs], axis=0)
        dst = np.mean([((b[0] + b[2] / 2) * w, (b[1] + b[3] / 2) * h) for _, b in pairs], axis=0)
        s = float(np.mean([b[2] / max(a[2], 1e-6) for a, b in pairs]))
        s = min(1.5, max(0.67, s))
        m = np.array([[s, 0, dst[0] - s * src[0]], [0, s, dst[1] - s * src[1]]], np.float32)
        return cv2.warpAffine(matte, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _nearest(box: Box, boxes: Sequence[Box]) -> Box:
    """The box of ``boxes`` whose corner is closest to ``box``'s."""
    return min(boxes, key=lambda b: abs(b[0] - box[0]) + abs(b[1] - box[1]))
