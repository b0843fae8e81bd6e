"""Colour match to a reference image: Reinhard mean/std transfer in CIE Lab, baked into a 3D LUT.

The clip's colour statistics (mean and standard deviation of L*, a*, b*) are measured on frames
sampled across it, the reference image's on the image; each Lab channel is then mapped
``(v - mean_clip) * std_ref / std_clip + mean_ref`` (std ratios clamped so that a flat reference
cannot crush the picture's structure), blended with the identity by ``strength``, and evaluated on
an RGB lattice. The lattice is written as a ``.cube`` file that ffmpeg's ``lut3d`` applies in the
single render pass. One transfer for the whole clip: no flicker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from editbay.engine.errors import InvalidMedia

LUT_SIZE = 33
STD_RATIO = (0.35, 2.5)  # clamp of std_ref / std_clip per channel
_M = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
_WHITE = np.array([0.95047, 1.0, 1.08883])


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB in 0..1, shape (..., 3) → CIE Lab (D65)."""
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = lin @ _M.T / _WHITE
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1)


def lab_to_srgb(lab: np.ndarray) -> np.ndarray:
    """CIE Lab (D65) → sRGB in 0..1 (clipped)."""
    fy = (lab[..., 0] + 16) / 116
    f = np.stack([fy + lab[..., 1] / 500, fy, fy - lab[..., 2] / 200], -1)
    xyz = np.where(f > 0.206893, f**3, (f - 16 / 116) / 7.787) * _WHITE
    lin = np.clip(xyz @ np.linalg.inv(_M).T, 0.0, 1.0)
    return np.clip(np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055), 0.0, 1.0)


@dataclass(frozen=True)
class LabStats:
    mean: np.ndarray
    std: np.ndarray


def lab_stats(images: Sequence[np.ndarray]) -> LabStats:
    """Mean and std of Lab over uint8 RGB images (pooled)."""
    lab = np.concatenate([srgb_to_lab(im.reshape(-1, 3).astype(np.float64) / 255.0) for im in images])
    return LabStats(lab.mean(0), lab.std(0))


def load_image_rgb(path: str | Path, max_side: int = 256) -> np.ndarray:
    """An image file (any format ffmpeg reads) as a small uint8 RGB array."""
    try:
        with av.open(str(path)) as container:
            frame = next(container.decode(video=0))
    except (av.FFmpegError, OSError, StopIteration) as exc:
        raise InvalidMedia(f"the colour reference image could not be read: {exc}") from exc
    scale = min(1.0, max_side / max(frame.width, frame.height))
    w, h = max(2, int(frame.width * scale)), max(2, int(frame.height * scale))
    return frame.reformat(width=w, height=h, format="rgb24").to_ndarray()


def transfer(lab: np.ndarray, src: LabStats, ref: LabStats, strength: float) -> np.ndarray:
    """Reinhard transfer of Lab values from ``src`` statistics towards ``ref``."""
    ratio = np.clip(ref.std / np.maximum(src.std, 1e-6), *STD_RATIO)
    moved = (lab - src.mean) * ratio + ref.mean
    return lab + (moved - lab) * strength


def build_cube(src: LabStats, ref: LabStats, strength: float, size: int = LUT_SIZE) -> str:
    """The transfer as a ``.cube`` 3D LUT (red varies fastest, as the format requires)."""
    axis = np.linspace(0.0, 1.0, size)
    b, g, r = np.meshgrid(axis, axis, axis, indexing="ij")
    rgb = np.stack([r, g, b], -1).reshape(-1, 3)
    out = lab_to_srgb(transfer(srgb_to_lab(rgb), src, ref, strength))
    lines = ['TITLE "editbay colour match"', f"LUT_3D_SIZE {size}"]
    lines += [f"{x:.5f} {y:.5f} {z:.5f}" for x, y, z in out]
    return "\n".join(lines) + "\n"


class ColourSampler:
    """Collects a few small RGB frames spread over the clip for the source statistics."""

    def __init__(self, every: int) -> None:
        self.every = max(1, every)
        self.samples: list[np.ndarray] = []

    def wants(self, index: int) -> bool:
        return index % self.every == 0

    def feed(self, rgb: np.ndarray) -> None:
        step = max(1, rgb.shape[1] // 96)
        self.samples.append(np.ascontiguousarray(rgb[::step, ::step]))
