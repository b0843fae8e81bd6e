"""What `compile()` needs besides the plan (`RenderInputs`) and the state threaded through it (`Ctx`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from editbay.engine.errors import InvalidMedia, UnsupportedEdit
from editbay.engine.render.fonts import FontSet
from editbay.engine.render.graph import Filter, GraphBuilder, Pipe, filter

DEFAULT_BUFFER_BYTES = 2 * 1024**3


@dataclass(frozen=True)
class RenderInputs:
    """Paths and encoder settings; everything `compile()` reads that is not in the plan or the probe."""

    input: Path
    output: Path
    images: tuple[Path, ...] = ()
    workdir: Path = Path(".")
    ffmpeg: str = "ffmpeg"
    fonts: FontSet = FontSet()
    crf: int = 20
    preset: str = "veryfast"
    threads: int = 0  # 0 = let ffmpeg/x264 decide
    audio_bitrate: str = "128k"
    max_buffer_bytes: int = DEFAULT_BUFFER_BYTES  # reverse/loop/boomerang keep frames in memory
    stills: tuple[Path, Path] | None = None  # thumbnail and poster JPEGs written by the same run
    still_index: int | None = None  # the stills' output frame (None: a third in, `still_frame`)
    faststart: bool = True  # index first (for streaming); off for intermediate files
    vision: object | None = None  # editbay.engine.vision.VisionData for vision operations


@dataclass
class Ctx:
    """Mutable compile state: the graph, the stream heads, and the current frame size and duration."""

    inputs: RenderInputs
    width: int
    height: int
    duration: float
    fps: float
    graph: GraphBuilder = field(default_factory=GraphBuilder)
    video: Pipe = field(init=False)
    audio: Pipe | None = field(init=False)
    has_audio: bool = True
    files: list[tuple[Path, str]] = field(default_factory=list)
    input_args: list[str] = field(default_factory=list)  # options placed before the main -i
    image_inputs: dict[int, int] = field(default_factory=dict)  # images[] index -> ffmpeg input index
    # x264 options an operation needs (grain: analysis that random noise cannot use is skipped)
    x264_params: dict[str, str] = field(default_factory=dict)
    video_touched: bool = False
    audio_touched: bool = False
    timeline_touched: bool = False

    def __post_init__(self) -> None:
        self.video = Pipe(self.graph, "0:v:0", "v")
        self.audio = Pipe(self.graph, "0:a:0", "a") if self.has_audio else None

    # ---- streams ----------------------------------------------------------------------------
    def vf(self, *filters: Filter) -> None:
        self.video.then(*filters)
        self.video_touched = True

    def af(self, *filters: Filter) -> None:
        if self.audio is not None:
            self.audio.then(*filters)
            self.audio_touched = True

    def drop_audio(self) -> None:
        self.audio = None
        self.has_audio = False

    # ---- helpers ----------------------------------------------------------------------------
    def time(self, t: float | None, default: float) -> float:
        """Resolve a plan time against the current duration (negative = from the end), clamped."""
        if t is None:
            return default
        value = self.duration + t if t < 0 else t
        return min(max(value, 0.0), self.duration)

    def enable(self, start: float | None, end: float | None) -> str | None:
        """ffmpeg's timeline expression for ``start``..``end`` (None: the whole stream)."""
        if start is None and end is None:
            return None
        s, e = self.time(start, 0.0), self.time(end, self.duration)
        if s <= 0 and e >= self.duration:
            return None
        return f"between(t,{s:.3f},{e:.3f})"

    def add_file(self, name: str, content: str) -> Path:
        path = self.inputs.workdir / name
        self.files.append((path, content))
        return path

    def image_label(self, index: int) -> str:
        """The filtergraph label of ``images[index]`` (added as an extra ``-i`` input once)."""
        if index >= len(self.inputs.images):
            raise UnsupportedEdit(
                f"the edit uses image {index + 1} but {len(self.inputs.images)} image(s) were given",
                [f"images[{index}]"],
            )
        if index not in self.image_inputs:
            self.image_inputs[index] = 1 + len(self.image_inputs)
        return f"{self.image_inputs[index]}:v"

    def check_buffer(self, what: str, copies: float = 1.0) -> None:
        """Refuse operations that would hold more decoded frames in memory than allowed."""
        frames = math.ceil(self.duration * self.fps) + 1
        need = frames * self.width * self.height * 1.5 * copies
        if need > self.inputs.max_buffer_bytes:
            limit_s = self.inputs.max_buffer_bytes / (self.width * self.height * 1.5 * copies * self.fps)
            raise InvalidMedia(
                f"{what} holds the whole clip in memory: at {self.width}x{self.height} it supports at most "
                f"{limit_s:.0f} s, the clip is {self.duration:.0f} s (trim it first)"
            )

    def even(self) -> None:
        """Make the frame size even (x264 with yuv420p needs it) by cropping at most one pixel."""
        w, h = self.width - self.width % 2, self.height - self.height % 2
        if (w, h) != (self.width, self.height):
            self.vf(filter("crop", w=w, h=h, x=0, y=0))
            self.width, self.height = w, h


def even(value: float) -> int:
    """Nearest even integer ≥ 2."""
    return max(2, int(round(value / 2.0)) * 2)
