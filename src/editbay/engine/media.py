"""Media facts and files: probe an input with PyAV, enforce limits, grab JPEG stills, find ffmpeg.

`probe()` is the one boundary where PyAV errors become `InvalidMedia` with a message a user can
act on (empty file, an HTML error page, a still image, audio only, a truncated upload, absurd
dimensions). Sizes are reported as displayed, i.e. after the rotation a phone recorded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from editbay.engine.errors import InvalidMedia, RenderFailed
from editbay.engine.ops import MediaInfo

MAX_DECLARED_SIDE = 16384  # refuse before decoding anything larger (decompression bombs)
MAX_IMAGE_SIDE = 8192
IMAGE_CODECS = {
    "png",
    "mjpeg",
    "jpegls",
    "webp",
    "bmp",
    "tiff",
    "gif",
    "apng",
    "jpeg2000",
    "jpegxl",
    "qoi",
    "pam",
    "ppm",
    "pgm",
    "pbm",
    "sgi",
    "targa",
    "dds",
    "exr",
    "hdr",
    "avif",
}
IMAGE_FORMATS = (
    "image2",
    "png_pipe",
    "jpeg_pipe",
    "webp_pipe",
    "bmp_pipe",
    "tiff_pipe",
    "gif",
    "jpegxl_pipe",
    "svg_pipe",
    "qoi_pipe",
)


class ProbedMedia(MediaInfo):
    """`MediaInfo` plus what only a probe knows (codecs, file size) — the renderer uses both."""

    path: str = ""
    size_bytes: int = 0
    container: str = ""
    video_codec: str = ""
    pix_fmt: str = ""
    audio_codec: str | None = None
    sample_rate: int | None = None
    channels: int | None = None


@dataclass(frozen=True)
class Limits:
    """Input limits (configurable through settings); ``None`` disables one."""

    max_duration: float | None = 600.0
    max_width: int | None = 3840
    max_height: int | None = 3840
    max_file_size: int | None = 2 * 1024**3
    max_buffer_bytes: int = 2 * 1024**3  # frames held in memory by reverse / loop / boomerang


def check_limits(info: MediaInfo, limits: Limits) -> None:
    """Raise `InvalidMedia` naming the first limit ``info`` breaks."""
    if limits.max_duration is not None and info.duration > limits.max_duration:
        raise InvalidMedia(f"video is {info.duration:.1f} s long; the limit is {limits.max_duration:g} s")
    long_side, short_side = max(info.width, info.height), min(info.width, info.height)
    max_long = max(limits.max_width or 0, limits.max_height or 0) or None
    max_short = min(limits.max_width or max_long or 0, limits.max_height or max_long or 0) or None
    if (max_long and long_side > max_long) or (max_short and short_side > max_short):
        raise InvalidMedia(
            f"video is {info.width}x{info.height}; the limit is "
            f"{limits.max_width}x{limits.max_height} (either orientation)"
        )
    size = getattr(info, "size_bytes", 0)
    if limits.max_file_size is not None and size > limits.max_file_size:
        raise InvalidMedia(f"file is {size / 1e6:.0f} MB; the limit is {limits.max_file_size / 1e6:.0f} MB")


def ffmpeg_exe() -> str:
    """The ffmpeg binary: ``EDITBAY_FFMPEG`` if set (a system ffmpeg, opt-in), else imageio-ffmpeg's."""
    configured = os.environ.get("EDITBAY_FFMPEG")
    if configured:
        found = shutil.which(configured) or (configured if os.path.isfile(configured) else None)
        if not found:
            raise RenderFailed(f"EDITBAY_FFMPEG={configured!r} is not an executable")
        return found
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def _sniff(path: Path, what: str = "the file", kind: str = "a video") -> None:
    """Refuse text documents that a failed download leaves behind (HTML pages, XML/JSON errors)."""
    with path.open("rb") as fh:
        head = fh.read(512).lstrip().lower()
    if b"<svg" in head:
        return
    if head.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body")) or b"<html" in head[:256]:
        raise InvalidMedia(f"{what} is a web page or XML document, not {kind}: the download URL "
                           "probably returned an error or a login page")
    if head.startswith((b"{", b"[")) and b'"' in head[:64]:
        raise InvalidMedia(f"{what} is JSON text, not {kind}")


def _rotation(container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> int:
    """Rotation recorded by the camera (display matrix), normalised to 0/90/180/270; -1 = undecodable."""
    for frame in container.decode(stream):
        return int(round(-(getattr(frame, "rotation", 0) or 0) / 90.0)) % 4 * 90
    return -1


def _video_end(path: Path, declared: float) -> float | None:
    """End time of the last video packet that has data (None when there is none near the end).

    Reads only the last ~2 s of packets. It catches truncated uploads (the index promises packets
    the file no longer holds) and corrects containers whose duration covers a longer audio track.
    """
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        tb = float(stream.time_base or 0) or 1 / 90000
        start = (stream.start_time or 0) * tb
        end: float | None = None
        try:
            if declared > 2.0:
                c.seek(int((declared - 2.0 + start) / tb), stream=stream, any_frame=True, backward=True)
            for packet in c.demux(stream):
                if packet.pts is not None and packet.size:
                    t = (packet.pts + (packet.duration or 0)) * tb - start
                    end = t if end is None else max(end, t)
        except (av.FFmpegError, OSError):
            return None
    return end if end is not None and end >= declared - 2.5 else None


def probe(path: str | os.PathLike[str]) -> ProbedMedia:
    """Describe a video file, or raise `InvalidMedia` saying what is wrong with it."""
    p = Path(path)
    if not p.is_file():
        raise InvalidMedia(f"input file not found: {p.name}")
    size = p.stat().st_size
    if size == 0:
        raise InvalidMedia("the file is empty (0 bytes)")
    _sniff(p)
    try:
        container = av.open(str(p))
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise InvalidMedia(f"not a readable video file ({_reason(exc)})") from exc
    with container:
        fmt = container.format.name or ""
        video = container.streams.video[0] if container.streams.video else None
        audio = container.streams.audio[0] if container.streams.audio else None
        if video is None:
            raise InvalidMedia("the file has audio but no video" if audio else "the file has no video stream")
        cc = video.codec_context
        width, height = cc.width or 0, cc.height or 0
        if width <= 0 or height <= 0:
            raise InvalidMedia("the video stream has no picture size (corrupt or unsupported)")
        if width > MAX_DECLARED_SIDE or height > MAX_DECLARED_SIDE or width * height > 8192 * 8192:
            raise InvalidMedia(f"the video declares an implausible size {width}x{height}")
        codec = cc.name or ""
        duration = _duration(container, video)
        if fmt.startswith(IMAGE_FORMATS) or (
            codec in IMAGE_CODECS and (video.frames or 0) <= 1 and duration <= 0.1
        ):
            raise InvalidMedia(f"the file is a still image ({codec}), not a video")
        if duration <= 0:
            raise InvalidMedia("the video has no duration (empty or corrupt)")
        try:
            rotation = _rotation(container, video)
        except (av.FFmpegError, ValueError) as exc:
            raise InvalidMedia(f"the video cannot be decoded ({_reason(exc)})") from exc
        if rotation < 0:
            raise InvalidMedia("no video frame could be decoded (truncated or corrupt file)")
        fps = float(video.average_rate or video.guessed_rate or 30)
        info = ProbedMedia(
            width=height if rotation in (90, 270) else width,
            height=width if rotation in (90, 270) else height,
            duration=round(duration, 3),
            fps=round(fps, 3) if 1 <= fps <= 240 else 30.0,
            has_audio=audio is not None,
            rotation=rotation,
            path=str(p),
            size_bytes=size,
            container=fmt,
            video_codec=codec,
            pix_fmt=cc.format.name if cc.format else "",
            audio_codec=audio.codec_context.name if audio else None,
            sample_rate=audio.codec_context.sample_rate if audio else None,
            channels=audio.codec_context.channels if audio else None,
        )
    end = _video_end(p, duration)
    if end is None:
        raise InvalidMedia(f"the file is truncated: it declares {duration:.1f} s but the end cannot be read")
    if 0.5 * duration < end < duration - 0.02:
        info = info.model_copy(update={"duration": round(end, 3)})
    return info


def check_image(path: str | os.PathLike[str], name: str = "image") -> tuple[int, int]:
    """Width and height of a still image (logo, watermark), or `InvalidMedia` saying what is wrong."""
    p = Path(path)
    if not p.is_file() or p.stat().st_size == 0:
        raise InvalidMedia(f"{name} is missing or empty")
    _sniff(p, name, "an image")
    try:
        with av.open(str(p)) as container:
            if not container.streams.video:
                raise InvalidMedia(f"{name} is not an image")
            cc = container.streams.video[0].codec_context
            width, height = cc.width or 0, cc.height or 0
            if not 0 < width <= MAX_IMAGE_SIDE or not 0 < height <= MAX_IMAGE_SIDE:
                raise InvalidMedia(f"{name} has an unusable size {width}x{height}")
            next(container.decode(video=0))
    except (av.FFmpegError, StopIteration, ValueError) as exc:
        raise InvalidMedia(f"{name} is not a readable image ({_reason(exc)})") from exc
    return width, height


def describe(path: str | os.PathLike[str]) -> MediaInfo:
    """Container-level facts without decoding, for files the engine wrote itself (no rotation tag)."""
    try:
        with av.open(str(path)) as container:
            video = container.streams.video[0]
            return MediaInfo(
                width=video.codec_context.width,
                height=video.codec_context.height,
                duration=round(_duration(container, video), 3),
                fps=round(float(video.average_rate or 30), 3),
                has_audio=bool(container.streams.audio),
            )
    except (av.FFmpegError, IndexError, ValueError) as exc:
        raise InvalidMedia(f"unreadable output ({_reason(exc)})") from exc


def _duration(container: av.container.InputContainer, video: av.video.stream.VideoStream) -> float:
    if video.duration is not None and video.time_base is not None:
        d = float(video.duration * video.time_base)
        if d > 0:
            return d
    if container.duration is not None:
        return container.duration / av.time_base
    if video.frames and video.average_rate:
        return float(Fraction(video.frames) / video.average_rate)
    return 0.0


def _reason(exc: BaseException) -> str:
    """The decoder's reason, never the (server-side, temporary) file name it was reading."""
    strerror = getattr(exc, "strerror", None)
    if isinstance(strerror, str) and strerror.strip():
        return strerror.strip()[:200]
    text = str(exc).strip() or type(exc).__name__
    if "Errno" in text:  # "[Errno N] reason: '/tmp/…/input'"
        text = text.split("]", 1)[-1].rsplit(": '", 1)[0].strip()
    return text[:200]


def _still(
    video: str | os.PathLike[str],
    out_jpg: str | os.PathLike[str],
    at: float,
    max_width: int,
    ffmpeg: str | None,
) -> Path:
    from editbay.engine.render.graph import filter  # the renderer package imports this module

    out = Path(out_jpg)
    scale = filter("scale", w=f"min(iw,{max_width})", h=-2).render()
    argv = [
        ffmpeg or ffmpeg_exe(),
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-y",
        "-ss",
        f"{max(at, 0.0):.3f}",
        "-i",
        str(video),
        "-frames:v",
        "1",
        "-vf",
        scale,
        "-q:v",
        "3",
        "-f",
        "image2",
        "-update",
        "1",
        str(out),
    ]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    if proc.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        raise RenderFailed("could not extract a still image", argv, proc.stderr[-2000:])
    return out


def thumbnail(
    video: str | os.PathLike[str],
    out_jpg: str | os.PathLike[str],
    at: float = 1.0,
    width: int = 320,
    ffmpeg: str | None = None,
) -> Path:
    """A small JPEG (at most ``width`` px wide) of the frame at ``at`` seconds (one ffmpeg call)."""
    return _still(video, out_jpg, at, width, ffmpeg)


def poster(
    video: str | os.PathLike[str],
    out_jpg: str | os.PathLike[str],
    at: float = 1.0,
    max_width: int = 1280,
    ffmpeg: str | None = None,
) -> Path:
    """A full-size JPEG (at most ``max_width`` px wide) of the frame at ``at`` seconds."""
    return _still(video, out_jpg, at, max_width, ffmpeg)
