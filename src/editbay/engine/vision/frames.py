"""Fast frame access for analysis: PyAV decode (frame threading) at a reduced size, on a thread.

Frames come out as numpy arrays (luma, or RGB on demand) in the *displayed* orientation (the
rotation a phone recorded is applied, as ffmpeg's autorotate does for the render), each with its
index and its time on the render's clock: seconds from the input's start time, which is what
``t`` means in the ffmpeg graph. Decoding and the scale to the analysis size run on a worker
thread (PyAV and swscale release the GIL), so the consumer's numpy/OpenCV work overlaps them.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from editbay.engine.errors import InvalidMedia

_END = object()


class Frame:
    """One analysis frame at the analysis size: ``gray`` (H, W) and ``rgb()`` (H, W, 3), uint8.

    Stored as the scaled I420 planes; the luma is a view and RGB is converted once, on demand.
    """

    __slots__ = ("index", "time", "_yuv", "_k", "_rgb")

    def __init__(self, index: int, time: float, yuv: np.ndarray, k: int = 0) -> None:
        self.index, self.time, self._yuv, self._k = index, time, yuv, k
        self._rgb: np.ndarray | None = None

    @property
    def gray(self) -> np.ndarray:
        luma = self._yuv[: self._yuv.shape[0] * 2 // 3]
        return np.ascontiguousarray(np.rot90(luma, self._k)) if self._k else luma

    def rgb(self) -> np.ndarray:
        if self._rgb is None:
            import cv2

            rgb = cv2.cvtColor(self._yuv, cv2.COLOR_YUV2RGB_I420)
            self._rgb = np.ascontiguousarray(np.rot90(rgb, self._k)) if self._k else rgb
        return self._rgb


@dataclass(frozen=True)
class StreamFacts:
    """What analysis needs to know about the video stream (display orientation)."""

    width: int
    height: int
    fps: float
    frames: int  # estimated count (container metadata or duration x fps)
    start: float  # first video frame time on the render's clock (s)


def analysis_size(width: int, height: int, short_side: int) -> tuple[int, int]:
    """Even size with the given short side (never larger than the source)."""
    scale = min(1.0, short_side / min(width, height))
    return max(2, int(round(width * scale / 2)) * 2), max(2, int(round(height * scale / 2)) * 2)


def _rotation_k(rotation: int) -> int:
    """np.rot90 turns for a clockwise display rotation in degrees."""
    return -(rotation // 90) % 4


class FrameReader:
    """Iterate the frames of a video at ``size`` (display orientation) with decode on a thread.

    ``every`` > 1 scales only every n-th frame (the others are still decoded, as the codec needs
    them, but skipped).
    """

    def __init__(
        self, path: str | Path, size: tuple[int, int], *, rotation: int = 0, every: int = 1, depth: int = 8
    ) -> None:
        self.path, self.size, self.every = str(path), size, max(1, every)
        self.k = _rotation_k(rotation)
        self._queue: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def __iter__(self) -> Iterator[Frame]:
        self._thread = threading.Thread(target=self._decode, name="editbay-vision-decode", daemon=True)
        self._thread.start()
        try:
            while True:
                item = self._queue.get()
                if item is _END:
                    break
                assert isinstance(item, Frame)
                yield item
        finally:
            self._stop.set()
            while self._thread.is_alive():  # unblock a producer waiting on a full queue
                try:
                    self._queue.get_nowait()
                except queue.Empty:
                    self._thread.join(0.05)
        if self._error is not None:
            raise InvalidMedia(f"could not decode the video for analysis: {self._error}") from self._error

    def _decode(self) -> None:
        # Scale in the stored orientation, then rotate the small frame.
        w, h = self.size if self.k % 2 == 0 else self.size[::-1]
        try:
            with av.open(self.path) as container:
                stream = container.streams.video[0]
                stream.thread_type = "AUTO"
                start = container.start_time / 1e6 if container.start_time is not None else 0.0
                for index, frame in enumerate(container.decode(stream)):
                    if self._stop.is_set():
                        return
                    if index % self.every:
                        continue
                    yuv = (
                        frame.reformat(width=w, height=h, format="yuv420p", interpolation="AREA")
                        .to_ndarray()
                        .copy()
                    )  # the buffer is reused
                    t = (frame.time if frame.time is not None else index / 30.0) - start
                    self._queue.put(Frame(index, t, yuv, self.k))
        except (av.FFmpegError, OSError, ValueError) as exc:
            self._error = exc
        finally:
            self._queue.put(_END)


def stream_facts(path: str | Path, rotation: int = 0) -> StreamFacts:
    """Display size, frame rate, frame count estimate and first-frame time of the video stream."""
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            rate = float(stream.average_rate or stream.guessed_rate or 30)
            start = container.start_time / 1e6 if container.start_time is not None else 0.0
            first = 0.0
            if stream.start_time is not None and stream.time_base is not None:
                first = float(stream.start_time * stream.time_base) - start
            duration = (container.duration or 0) / 1e6
            frames = stream.frames or int(round(duration * rate))
            w, h = stream.codec_context.width, stream.codec_context.height
    except (av.FFmpegError, OSError, IndexError) as exc:
        raise InvalidMedia(f"could not open the video for analysis: {exc}") from exc
    if _rotation_k(rotation) % 2:
        w, h = h, w
    return StreamFacts(w, h, rate, max(1, frames), max(0.0, first))
