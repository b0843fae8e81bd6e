"""Generated footage for the vision tests, with the ground truth each test measures against.

Built from images that ship with scikit-image (no download): the astronaut photo (a real face) and
its textures. Every clip is small and short so a render takes a second or two; the generator knows
where everything is on every frame, so tests compare regions exactly.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from editbay.engine.media import ffmpeg_exe

W, H, FPS = 480, 270, 25


def _astronaut() -> np.ndarray:
    from skimage import data

    return data.astronaut()


def _texture(w: int = W, h: int = H, seed: int = 7) -> np.ndarray:
    """Detailed, colourful background: tiled brick photo tinted in bands plus fine noise."""
    from skimage import data

    brick = data.brick().astype(np.float32) / 255.0
    tiled = np.tile(brick, (h // brick.shape[0] + 1, w // brick.shape[1] + 1))[:h, :w]
    band = (np.arange(w)[None, :] // 30) % 3
    tint = np.stack(
        [np.where(band == 0, 1.1, 0.7), np.where(band == 1, 1.05, 0.75), np.where(band == 2, 1.1, 0.7)], -1
    )
    noise = np.random.default_rng(seed).uniform(-0.08, 0.08, (h, w, 1))
    return np.clip((0.25 + 0.6 * tiled[:, :, None]) * tint + noise, 0, 1) * 255


def _resize(img: np.ndarray, w: int, h: int) -> np.ndarray:
    import cv2

    return cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA)


def encode(
    path: Path, frames: int, make: Callable[[int], np.ndarray], fps: int = FPS, audio: bool = True
) -> Path:
    """H.264 (+ AAC tone) from RGB frames, via the engine's ffmpeg."""
    h, w = make(0).shape[:2]
    cmd = [
        ffmpeg_exe(),
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        f"{w}x{h}",
        "-r",
        str(fps),
        "-i",
        "-",
    ]
    if audio:
        cmd += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={frames / fps}"]
    cmd += ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "10", "-pix_fmt", "yuv420p", "-g", "25"]
    cmd += ["-c:a", "aac", "-shortest"] if audio else []
    proc = subprocess.Popen([*cmd, str(path)], stdin=subprocess.PIPE)
    assert proc.stdin is not None
    for n in range(frames):
        proc.stdin.write(np.ascontiguousarray(make(n).astype(np.uint8)).tobytes())
    proc.stdin.close()
    assert proc.wait() == 0
    return path


@dataclass(frozen=True)
class FaceClip:
    """Two faces (the astronaut's, and its mirror image) drifting in opposite directions."""

    path: Path
    frames: int
    boxes: Callable[[int], list[tuple[int, int, int, int]]]  # face boxes (x, y, w, h) per frame


def face_clip(path: Path, frames: int = 40) -> FaceClip:
    face = _resize(_astronaut()[30:210, 150:300], 110, 132)  # the head, ~2/3 of it the face
    bg = _texture()
    face_in_patch = (18, 26, 72, 72)  # where a face detector puts the face inside the patch

    def xa(n: int) -> int:
        return 20 + 3 * n

    def xb(n: int) -> int:
        return 340 - 3 * n

    def make(n: int) -> np.ndarray:
        img = bg.copy()
        img[8:140, xa(n) : xa(n) + 110] = face
        img[135:267, xb(n) : xb(n) + 110] = face[:, ::-1]
        return img

    def boxes(n: int) -> list[tuple[int, int, int, int]]:
        fx, fy, fw, fh = face_in_patch
        return [(xa(n) + fx, 8 + fy, fw, fh), (xb(n) + 110 - fx - fw, 135 + fy, fw, fh)]

    return FaceClip(encode(path, frames, make), frames, boxes)


@dataclass(frozen=True)
class PersonClip:
    """The astronaut's upper body panning left to right over the texture."""

    path: Path
    frames: int
    rect: Callable[[int], tuple[int, int, int, int]]  # the person's rectangle (x, y, w, h)
    core: Callable[[int], list[tuple[int, int, int, int]]]  # surely-person regions (face, torso)
    face: Callable[[int], tuple[int, int, int, int]]


def person_clip(path: Path, frames: int = 50) -> PersonClip:
    person = _resize(_astronaut()[0:512, 20:380], 160, 228)
    bg = _texture()

    def x(n: int) -> int:
        return 10 + (300 * n) // (frames - 1)

    def make(n: int) -> np.ndarray:
        img = bg.copy()
        img[42:270, x(n) : x(n) + 160] = person
        return img

    return PersonClip(
        encode(path, frames, make),
        frames,
        rect=lambda n: (x(n), 42, 160, 228),
        core=lambda n: [(x(n) + 74, 42 + 36, 28, 28), (x(n) + 30, 42 + 120, 100, 100)],
        face=lambda n: (x(n) + 66, 42 + 26, 44, 44),
    )


@dataclass(frozen=True)
class ShakyClip:
    path: Path
    frames: int
    shift: Callable[[int], tuple[int, int]]


def shaky_clip(path: Path, frames: int = 50) -> ShakyClip:
    """A still, detailed scene seen through a camera jittering by up to ±6 px per frame."""
    rng = np.random.default_rng(3)
    jitter = rng.integers(-6, 7, size=(frames, 2))
    canvas = _texture(W + 16, H + 16, seed=11)

    def make(n: int) -> np.ndarray:
        dx, dy = jitter[n]
        return canvas[8 + dy : 8 + dy + H, 8 + dx : 8 + dx + W]

    return ShakyClip(encode(path, frames, make), frames, lambda n: (int(jitter[n][0]), int(jitter[n][1])))


SHOT_COLOURS = ((220, 60, 40), (40, 190, 70), (50, 80, 220))


def scenes_clip(path: Path, shot_frames: int = 20) -> Path:
    """Three hard-cut shots: red, green, blue, each with its own moving pattern."""

    def make(n: int) -> np.ndarray:
        shot, k = min(2, n // shot_frames), n % shot_frames
        yy, xx = np.mgrid[0:H, 0:W]
        base = np.array(SHOT_COLOURS[shot], np.float32)
        stripes = ((xx + yy * (shot - 1) + 6 * k) // 24) % 2
        img = base * (0.75 + 0.25 * stripes[:, :, None])
        return np.clip(img, 0, 255)

    return encode(path, 3 * shot_frames, make)


def warm_reference(path: Path) -> Path:
    """A warm orange gradient PNG (the colour-match reference)."""
    yy, xx = np.mgrid[0:90, 0:160].astype(np.float32)
    img = np.stack([250 - 40 * xx / 160, 150 - 50 * yy / 90, 40 + 10 * xx / 160], -1)
    subprocess.run(
        [
            ffmpeg_exe(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-s",
            "160x90",
            "-i",
            "-",
            "-frames:v",
            "1",
            str(path),
        ],
        input=np.clip(img, 0, 255).astype(np.uint8).tobytes(),
        check=True,
    )
    return path
