"""Per-frame masks as a small lossless video that the render reads with ffmpeg's ``movie`` source.

A mask frame is 0 where the picture stays as it is and 255 where the effect replaces it; soft
values blend. The file is FFV1 in NUT at the analysis size, yuv420p with the mask in all three
planes (so ``maskedmerge`` weights chroma like luma), one frame per input frame, each stamped
just before its video frame's time on the render's clock so the two streams pair exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from editbay.engine.vision.faces import Box, cv2_module

TIME_BASE = Fraction(1, 90000)


def write_mask_video(
    path: Path, size: tuple[int, int], times: Sequence[float], masks: Iterable[np.ndarray]
) -> Path:
    """Encode ``masks`` (uint8 (h, w), one per entry of ``times``) into ``path``."""
    cv2 = cv2_module()
    w, h = size
    with av.open(str(path), "w", format="nut") as out:
        stream = out.add_stream("ffv1", rate=30)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.time_base = TIME_BASE
        stream.codec_context.time_base = TIME_BASE
        last = -1
        for t, mask in zip(times, masks, strict=False):
            chroma = cv2.resize(mask, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
            planes = np.concatenate([mask.ravel(), chroma.ravel(), chroma.ravel()]).reshape(-1, w)
            frame = av.VideoFrame.from_ndarray(planes, format="yuv420p")
            pts = max(last + 1, int(round(t * TIME_BASE.denominator)) - 45)  # 0.5 ms early
            frame.pts, frame.time_base = pts, TIME_BASE
            last = pts
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def ellipse_mask(
    size: tuple[int, int],
    boxes: Sequence[Box],
    *,
    grow: float = 1.0,
    soft: float = 0.15,
    shape: str = "ellipse",
) -> np.ndarray:
    """A mask covering each face box: an ellipse over face, hair and ears (or the box itself).

    ``grow`` scales the covered area; ``soft`` feathers its edge (fraction of the face width).
    """
    cv2 = cv2_module()
    w, h = size
    mask = np.zeros((h, w), np.uint8)
    feather = 0.0
    for bx, by, bw, bh in boxes:
        pw, ph = bw * w, bh * h
        cx, cy = (bx + bw / 2) * w, (by + bh / 2) * h
        if shape == "box":
            x0, y0 = int(cx - 0.6 * grow * pw), int(cy - 0.7 * grow * ph)
            cv2.rectangle(mask, (x0, y0), (int(cx + 0.6 * grow * pw), int(cy + 0.75 * grow * ph)), 255, -1)
            continue
        axes = (max(1, int(0.68 * grow * pw)), max(1, int(0.88 * grow * ph)))
        cv2.ellipse(mask, (int(cx), int(cy - 0.06 * ph)), axes, 0, 0, 360, 255, -1)
        feather = max(feather, soft * pw)
    if feather >= 1.0:
        mask = cv2.GaussianBlur(mask, (0, 0), feather / 2)
    return mask


def mask_frames(count: int, make: Callable[[int], np.ndarray]) -> Iterable[np.ndarray]:
    """``make(i)`` for every frame index (a generator, so masks are never all in memory)."""
    for index in range(count):
        yield make(index)
