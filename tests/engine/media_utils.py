"""Test media: generate tiny clips with ffmpeg's lavfi sources, and measure outputs with PyAV + numpy.

Everything a render test needs to assert a *measured* property: frames as float RGB, duration,
size, audio loudness, saturation, luma, channel balance, split tone, Laplacian energy, vignette
ratio, blockiness, and a changed-region map. Reusable by any test (API, worker, CLI).
"""

from __future__ import annotations

import math
import subprocess
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from editbay.engine.media import ffmpeg_exe


def ffmpeg(*args: str) -> None:
    """Run the engine's ffmpeg quietly; raise with stderr on failure."""
    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args],
                          capture_output=True, text=True, timeout=120)
    if proc.returncode:
        raise RuntimeError(proc.stderr)


def make_clip(path: Path, *, width: int = 320, height: int = 180, duration: float = 2.0, fps: int = 30,
              audio: bool = True, source: str = "testsrc2", freq: int = 440, rotate: int | None = None,
              audio_codec: str = "aac", vf: str | None = None) -> Path:
    """An H.264 clip from a lavfi ``source`` (testsrc2, smptebars, color=c=gray …) with a sine tone."""
    src = source if "=" in source else f"{source}=size={width}x{height}:rate={fps}"
    if source.startswith("color"):
        src = f"{source}:size={width}x{height}:rate={fps}"
    args = ["-f", "lavfi", "-i", f"{src}:duration={duration}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency={freq}:sample_rate=48000:duration={duration}"]
    if vf:
        args += ["-vf", vf]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "12", "-pix_fmt", "yuv420p", "-g", "15"]
    if audio:
        args += ["-c:a", audio_codec, "-shortest"]
    tmp = path if rotate is None else path.with_name("unrotated_" + path.name)
    ffmpeg(*args, str(tmp))
    if rotate is not None:
        ffmpeg("-display_rotation:v:0", str(rotate), "-i", str(tmp), "-c", "copy", str(path))
        tmp.unlink()
    return path


def make_image(path: Path, *, width: int = 64, height: int = 48, color: str = "0x2040FF") -> Path:
    ffmpeg("-f", "lavfi", "-i", f"color=c={color}:size={width}x{height}", "-frames:v", "1", str(path))
    return path


# ---- reading ----------------------------------------------------------------------------------

@dataclass
class Video:
    width: int
    height: int
    duration: float
    frames: list[np.ndarray]  # float32 RGB in 0..1
    times: list[float]
    has_audio: bool
    audio: np.ndarray | None  # mono float32 at 48 kHz


def load(path: Path, *, every: int = 1) -> Video:
    """Decode a file (every ``every``-th frame kept) and its audio."""
    frames, times = [], []
    with av.open(str(path)) as c:
        vs = c.streams.video[0]
        for i, fr in enumerate(c.decode(vs)):
            if i % every == 0:
                frames.append(fr.to_ndarray(format="rgb24").astype(np.float32) / 255.0)
            times.append(float(fr.time or 0.0))
        has_audio = bool(c.streams.audio)
    fps = len(times) / max(times[-1] - times[0], 1e-6) if len(times) > 1 else 30.0
    duration = times[-1] - times[0] + 1.0 / round(fps) if times else 0.0
    h, w = frames[0].shape[:2]
    return Video(w, h, duration, frames, times, has_audio, read_audio(path) if has_audio else None)


def read_audio(path: Path) -> np.ndarray:
    chunks = []
    with av.open(str(path)) as c:
        rs = av.AudioResampler(format="flt", layout="mono", rate=48000)
        for fr in c.decode(c.streams.audio[0]):
            chunks += [o.to_ndarray().reshape(-1) for o in rs.resample(fr)]
        chunks += [o.to_ndarray().reshape(-1) for o in rs.resample(None)]
    return np.concatenate(chunks) if chunks else np.zeros(0, np.float32)


def audio_duration(path: Path) -> float:
    return len(read_audio(path)) / 48000.0


# ---- measurements -----------------------------------------------------------------------------

def rms_db(x: np.ndarray | None) -> float:
    if x is None or len(x) == 0:
        return -120.0
    return 20 * math.log10(max(float(np.sqrt(np.mean(np.square(x.astype(np.float64))))), 1e-6))


def luma(rgb: np.ndarray) -> np.ndarray:
    return 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]


def saturation(rgb: np.ndarray) -> float:
    mx, mn = rgb.max(-1), rgb.min(-1)
    return float(np.where(mx > 1e-3, (mx - mn) / np.maximum(mx, 1e-3), 0.0).mean())


def mean_over(frames: list[np.ndarray], fn) -> float:  # noqa: ANN001
    return float(np.mean([fn(f) for f in frames]))


def channel_means(frames: list[np.ndarray]) -> np.ndarray:
    return np.mean([f.reshape(-1, 3).mean(0) for f in frames], 0)


def rb_ratio(frames: list[np.ndarray]) -> float:
    r, _, b = channel_means(frames)
    return float(r / max(b, 1e-3))


def split_tone(frames: list[np.ndarray]) -> float:
    """(R−B) in highlights minus (R−B) in shadows: grows with a teal-orange grade."""
    vals = []
    for f in frames:
        y = luma(f)
        lo, hi = y < 0.4, y > 0.6
        rb = f[..., 0] - f[..., 2]
        vals.append(float(rb[hi].mean() - rb[lo].mean()))
    return float(np.mean(vals))


def laplacian_energy(rgb: np.ndarray) -> float:
    g = luma(rgb)
    lap = 4 * g[1:-1, 1:-1] - g[:-2, 1:-1] - g[2:, 1:-1] - g[1:-1, :-2] - g[1:-1, 2:]
    return float(lap.var())


def vignette_ratio(rgb: np.ndarray) -> float:
    """Mean luma of the four corners over the centre's."""
    y = luma(rgb)
    h, w = y.shape
    ch, cw = max(2, h // 8), max(2, w // 8)
    corners = np.mean([y[:ch, :cw].mean(), y[:ch, -cw:].mean(), y[-ch:, :cw].mean(), y[-ch:, -cw:].mean()])
    return float(corners / max(y[h // 3:2 * h // 3, w // 3:2 * w // 3].mean(), 1e-3))


def blockiness(rgb: np.ndarray, block: int) -> float:
    """Mean |dx| on ``block`` boundaries over mean |dx| elsewhere (≫ 1 when pixelated)."""
    d = np.abs(np.diff(luma(rgb), axis=1)).mean(0)
    on = d[block - 1::block]
    mask = np.ones(len(d), bool)
    mask[block - 1::block] = False
    return float(on.mean() / max(d[mask].mean(), 1e-4))


def diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).mean())


def changed(a: np.ndarray, b: np.ndarray, thr: float = 0.15) -> np.ndarray:
    """Boolean map of pixels whose colour moved by more than ``thr``."""
    return np.abs(a - b).max(-1) > thr
