"""Camera motion: per-frame global motion, a smoothed camera path, and the stabilising crop.

Motion between consecutive frames is measured on small luma frames: corners (Shi-Tomasi) tracked
with pyramidal Lucas-Kanade, then a rotation + scale + translation fitted with RANSAC, so moving
subjects are outliers; frames with too little texture fall back to phase correlation. Summed, the
motions give the camera path; a Gaussian-smoothed path is the steady camera wanted, and the
difference is the correction each frame needs. The render applies it as a crop window that moves
against the shake (plus a small rotation when the shake rolls), scaled back to the input size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from editbay.engine.vision.faces import cv2_module

MOTION_WIDTH = 320  # analysis width (px) for motion estimation
MAX_ZOOM = 1.2  # never zoom in more than this to hide the moving borders
ROLL_NOISE_DEG = 0.08  # per-frame rotation jitter below this (std) is measurement noise


def gaussian_smooth(values: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian filter along axis 0 with edge values held (no numpy/scipy dependency beyond numpy)."""
    if sigma < 0.5 or len(values) < 3:
        return values.copy()
    radius = int(3 * sigma)
    x = np.arange(-radius, radius + 1)
    kernel = np.exp(-0.5 * (x / sigma) ** 2)
    kernel /= kernel.sum()
    pad = np.concatenate([np.repeat(values[:1], radius, 0), values, np.repeat(values[-1:], radius, 0)])
    if values.ndim == 1:
        return np.convolve(pad, kernel, mode="valid")
    return np.stack([np.convolve(pad[:, j], kernel, mode="valid") for j in range(values.shape[1])], 1)


class MotionAnalyser:
    """Feed every frame's luma; ``finish()`` returns per-frame motion (dx, dy as fractions, da rad)."""

    def __init__(self) -> None:
        self._prev: np.ndarray | None = None
        self._window: np.ndarray | None = None
        self.motion: list[tuple[float, float, float]] = []

    def feed(self, gray: np.ndarray) -> None:
        cv2 = cv2_module()
        h, w = gray.shape[:2]
        scale = min(1.0, MOTION_WIDTH / w)
        small = (
            cv2.resize(gray, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA)
            if scale < 1
            else gray
        )
        if self._prev is None:
            self.motion.append((0.0, 0.0, 0.0))
        else:
            self.motion.append(self._estimate(self._prev, small))
        self._prev = small

    def _estimate(self, prev: np.ndarray, cur: np.ndarray) -> tuple[float, float, float]:
        cv2 = cv2_module()
        h, w = cur.shape[:2]
        pts = cv2.goodFeaturesToTrack(prev, maxCorners=200, qualityLevel=0.01, minDistance=8, blockSize=7)
        if pts is not None and len(pts) >= 12:
            nxt, status, _ = cv2.calcOpticalFlowPyrLK(prev, cur, pts, None, winSize=(21, 21), maxLevel=3)
            good = status.reshape(-1) == 1
            if good.sum() >= 12:
                m, inliers = cv2.estimateAffinePartial2D(
                    pts[good], nxt[good], method=cv2.RANSAC, ransacReprojThreshold=1.0
                )
                if m is not None and inliers is not None and inliers.sum() >= 10:
                    cx, cy = w / 2, h / 2  # motion of the frame centre, rotation about it
                    mx = m[0, 0] * cx + m[0, 1] * cy + m[0, 2] - cx
                    my = m[1, 0] * cx + m[1, 1] * cy + m[1, 2] - cy
                    return float(mx / w), float(my / h), float(math.atan2(m[1, 0], m[0, 0]))
        if self._window is None or self._window.shape != prev.shape:
            self._window = cv2.createHanningWindow((w, h), cv2.CV_32F)
        (dx, dy), response = cv2.phaseCorrelate(prev.astype(np.float32), cur.astype(np.float32), self._window)
        if response < 0.05:
            return 0.0, 0.0, 0.0
        return float(dx / w), float(dy / h), 0.0


@dataclass(frozen=True)
class StabilisePath:
    """Per-frame correction of the stabilising crop (fractions of the frame, radians) and its zoom."""

    dx: np.ndarray
    dy: np.ndarray
    da: np.ndarray
    zoom: float

    @property
    def rotates(self) -> bool:
        return bool(len(self.da)) and float(np.abs(self.da).max()) > math.radians(0.15)

    def shake(self) -> float:
        """Mean per-frame correction magnitude (fraction of the width): how shaky the input was."""
        return float(np.hypot(np.diff(self.dx), np.diff(self.dy)).mean()) if len(self.dx) > 1 else 0.0


def stabilise_path(
    motion: list[tuple[float, float, float]], fps: float, strength: float, aspect: float
) -> StabilisePath:
    """Corrections that move each frame from the shaky camera path to the smoothed one."""
    steps = np.array(motion or [(0.0, 0.0, 0.0)], np.float64)
    if math.degrees(float(steps[:, 2].std())) < ROLL_NOISE_DEG:
        steps[:, 2] = 0.0  # estimation noise, not roll: summed up it would only drift (and cost a rotate)
    path = np.cumsum(steps, axis=0)
    sigma = (0.25 + 1.5 * strength) * fps  # 0.25 s (light) .. 1.75 s (locked-off look)
    corr = gaussian_smooth(path, sigma) - path
    # How far the window must be able to move; rare spikes beyond the 99th percentile are clipped.
    reach_x = float(np.percentile(np.abs(corr[:, 0]), 99))
    reach_y = float(np.percentile(np.abs(corr[:, 1]), 99))
    reach_a = float(np.percentile(np.abs(corr[:, 2]), 99))
    zoom = 1.0 + 2.0 * max(reach_x, reach_y) + 2.0 * reach_a * max(aspect, 1.0 / aspect)
    zoom = min(MAX_ZOOM, max(1.0, zoom * 1.02))
    room = (1.0 - 1.0 / zoom) / 2.0
    dx = np.clip(corr[:, 0], -room, room)
    dy = np.clip(corr[:, 1], -room, room)
    return StabilisePath(dx, dy, corr[:, 2], zoom)
