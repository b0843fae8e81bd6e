"""The operation catalogue: typed, immutable edit operations and the `EditPlan` that holds them.

This module is the single source of truth read by the parser, the planner, the renderer, the docs
and `GET /v1/models`. Every operation is a frozen Pydantic model with an ``op`` discriminator, the
words of the instruction that produced it (``source``) and a ``confidence`` in 0..1.

Times are seconds. A negative time counts from the end of the input (``-3.0`` = 3 s before the end).
In the parser's output, trim/cut/freeze times are on the input's timeline and text/overlay/fade and
timed mute/volume/colour/effect times on the output's. A span given as a share of the clip's length
("the first half", "the middle 2 seconds") is a `Portion`, which the planner turns into seconds once
it knows the duration. In a plan normalised by `editbay.engine.plan` (what the renderer receives),
each time operation's times are relative to the stream *as it enters that operation* in plan
order (a cut after a trim is shifted, a freeze after a speed change is scaled), and with a known
`MediaInfo` negative times are resolved to absolute ones.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Portion(BaseModel):
    """A span given as a share of the clip's length: "the first half" is 0..0.5, "the last third"
    0.667..1, "the middle 50 %" 0.25..0.75. With ``seconds``, the span is the middle that many seconds
    of ``start``..``end`` ("the middle 2 seconds" = 0..1 with 2 s).

    Parser output only: the planner, which knows the duration, replaces it by times in seconds.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: float = Field(default=0.0, ge=0.0, le=1.0, description="Start, as a share of the length.")
    end: float = Field(default=1.0, ge=0.0, le=1.0, description="End, as a share of the length.")
    seconds: float | None = Field(default=None, gt=0.0, description="The middle this many seconds of it.")

    @model_validator(mode="after")
    def _ordered(self) -> Portion:
        if self.end <= self.start:
            raise ValueError("a portion must end after it starts")
        return self

    def resolve(self, duration: float) -> tuple[float, float]:
        """The span in seconds on a clip of ``duration`` (may exceed it when ``seconds`` does not fit)."""
        start, end = self.start * duration, self.end * duration
        if self.seconds is None:
            return start, end
        middle = (start + end) / 2
        return middle - self.seconds / 2, middle + self.seconds / 2


class _Op(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(default="", description="Words of the instruction this operation came from.")
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)


class Windowed(_Op):
    """An edit of the picture on the whole clip, or only during ``start``..``end`` / ``portion``.

    Times are on the output's timeline (colour and effects come after every time operation), as for
    titles: ``None`` = from the beginning / to the end, negatives from the end; ``portion`` is a share
    of the output's length (parser output; the planner turns it into seconds).
    """

    start: float | None = None
    end: float | None = None
    portion: Portion | None = None

    @property
    def timed(self) -> bool:
        """Whether the operation applies to part of the clip only."""
        return self.start is not None or self.end is not None or self.portion is not None


# ---- colour and tone -------------------------------------------------------------------------

GradeStyle = Literal[
    "teal_orange",  # cinematic teal-and-orange
    "cinematic",  # alias family: a gentle teal-orange with contrast
    "warm",
    "cool",
    "sepia",
    "black_white",
    "vintage",
    "faded",
    "high_contrast",
    "vivid",
    "muted",
]


class Grade(Windowed):
    """A named look; ``strength`` 0..1 scales it (0.5 = "a bit", 1.0 = "very")."""

    op: Literal["grade"] = "grade"
    style: GradeStyle
    strength: float = Field(default=0.8, ge=0.0, le=1.0)


class Tone(Windowed):
    """Numeric tone adjustments; neutral values change nothing."""

    op: Literal["tone"] = "tone"
    brightness: float = Field(default=0.0, ge=-1.0, le=1.0, description="Added to luma, -1..1.")
    contrast: float = Field(default=1.0, ge=0.0, le=4.0, description="Multiplier around mid grey.")
    saturation: float = Field(default=1.0, ge=0.0, le=4.0, description="Chroma multiplier.")
    gamma: float = Field(default=1.0, ge=0.1, le=10.0)
    exposure: float = Field(default=0.0, ge=-4.0, le=4.0, description="Stops (+1 = twice the light).")


class Temperature(Windowed):
    """Colour temperature of the look in kelvin (lower = warmer/orange, higher = cooler/blue)."""

    op: Literal["temperature"] = "temperature"
    kelvin: float = Field(ge=1000.0, le=40000.0)


class Invert(Windowed):
    op: Literal["invert"] = "invert"


class Lut(Windowed):
    """A named LUT preset shipped with the engine (generated `.cube` files)."""

    op: Literal["lut"] = "lut"
    preset: str


# ---- effects ---------------------------------------------------------------------------------

class Blur(Windowed):
    op: Literal["blur"] = "blur"
    strength: float = Field(default=0.5, ge=0.0, le=1.0)


class Sharpen(Windowed):
    op: Literal["sharpen"] = "sharpen"
    strength: float = Field(default=0.5, ge=0.0, le=1.0)


class Denoise(Windowed):
    op: Literal["denoise"] = "denoise"
    strength: float = Field(default=0.5, ge=0.0, le=1.0)


class Vignette(Windowed):
    op: Literal["vignette"] = "vignette"
    strength: float = Field(default=0.5, ge=0.0, le=1.0)


class Grain(Windowed):
    op: Literal["grain"] = "grain"
    strength: float = Field(default=0.5, ge=0.0, le=1.0)


class Pixelate(Windowed):
    op: Literal["pixelate"] = "pixelate"
    block: int = Field(default=16, ge=2, le=256, description="Block size in output pixels.")


class Glow(Windowed):
    """Soft focus / bloom."""

    op: Literal["glow"] = "glow"
    strength: float = Field(default=0.5, ge=0.0, le=1.0)


# ---- time ------------------------------------------------------------------------------------

class Trim(_Op):
    """Keep ``start``..``end`` (``None`` = from the beginning / to the end; negatives from the end),
    or the ``portion`` of the input's length (parser output; the planner turns it into seconds)."""

    op: Literal["trim"] = "trim"
    start: float | None = None
    end: float | None = None
    portion: Portion | None = None


class Cut(_Op):
    """Remove ``start``..``end`` (or the ``portion`` of the input's length) and join what is left."""

    op: Literal["cut"] = "cut"
    start: float | None = None
    end: float | None = None
    portion: Portion | None = None


class Speed(_Op):
    """Playback speed factor (2.0 = twice as fast); audio follows with pitch kept.

    With ``fit``, the speed that makes the output that many seconds long ("speed it up to fit 10
    seconds"): parser output, ``factor`` 1.0 until the planner, which knows the duration, sets it.
    """

    op: Literal["speed"] = "speed"
    factor: float = Field(gt=0.0, le=100.0)
    fit: float | None = Field(default=None, gt=0.0, description="Output length to reach, in seconds.")


class Reverse(_Op):
    op: Literal["reverse"] = "reverse"


class Loop(_Op):
    """Play the clip ``count`` times in total."""

    op: Literal["loop"] = "loop"
    count: int = Field(default=2, ge=2, le=50)


class Boomerang(_Op):
    """Forward then backward."""

    op: Literal["boomerang"] = "boomerang"


class Freeze(_Op):
    """Hold the frame at ``at`` for ``duration`` seconds.

    ``at`` slightly below zero (the parser writes -0.05 for "the last frame") means the last frame;
    the planner pins it to ``duration - 1/fps`` when it knows the media.
    """

    op: Literal["freeze"] = "freeze"
    at: float = 0.0
    duration: float = Field(default=2.0, gt=0.0, le=60.0)


class Extend(_Op):
    """Black frames (and silence) added before or after the video: "add 2 seconds of black at the end".

    Added last, around the finished edit: fades, titles and timed edits keep their place in the
    edited video; the output is ``duration`` seconds longer.
    """

    op: Literal["extend"] = "extend"
    where: Literal["start", "end"] = "end"
    duration: float = Field(default=1.0, gt=0.0, le=30.0)


class FrameRate(_Op):
    """Resample to ``fps`` frames per second: frames are dropped or repeated (no motion interpolation),
    the duration is kept."""

    op: Literal["frame_rate"] = "frame_rate"
    fps: float = Field(ge=1.0, le=120.0)


# ---- geometry --------------------------------------------------------------------------------

AspectRatio = Literal["16:9", "9:16", "1:1", "4:5", "4:3", "3:4", "21:9"]


class Aspect(_Op):
    """Change the frame's aspect ratio by cropping (centre) or padding (blurred or black bars)."""

    op: Literal["aspect"] = "aspect"
    ratio: AspectRatio
    mode: Literal["crop", "pad_blur", "pad_black"] = "crop"


class Resize(_Op):
    """Scale to a width and/or height (the other side keeps the aspect), or by ``scale``."""

    op: Literal["resize"] = "resize"
    width: int | None = Field(default=None, ge=16, le=7680)
    height: int | None = Field(default=None, ge=16, le=4320)
    scale: float | None = Field(default=None, gt=0.0, le=8.0)


class Rotate(_Op):
    """Clockwise rotation in degrees."""

    op: Literal["rotate"] = "rotate"
    degrees: Literal[90, 180, 270]


class Flip(_Op):
    op: Literal["flip"] = "flip"
    direction: Literal["horizontal", "vertical"]


ZoomAnchor = Literal[
    "center", "top", "bottom", "left", "right", "top_left", "top_right", "bottom_left", "bottom_right"
]


class Zoom(_Op):
    """Static zoom (``slow=False``) or a slow Ken Burns push-in to ``factor`` over the clip, towards
    the centre or a side / corner of the frame (``anchor``)."""

    op: Literal["zoom"] = "zoom"
    factor: float = Field(default=1.3, gt=1.0, le=4.0)
    slow: bool = False
    anchor: ZoomAnchor = "center"


class Letterbox(_Op):
    """Black bars over the picture so that what shows has the ``ratio`` (width / height) — cinematic
    bars top and bottom, or at the sides when the frame is wider than that. The frame size is kept."""

    op: Literal["letterbox"] = "letterbox"
    ratio: float = Field(default=2.39, ge=0.3, le=4.0)


# ---- transitions -----------------------------------------------------------------------------

class Fade(_Op):
    """Video fade from/to black (and the audio with it unless the plan also has AudioFade)."""

    op: Literal["fade"] = "fade"
    direction: Literal["in", "out"]
    duration: float = Field(default=1.0, gt=0.0, le=30.0)


# ---- audio -----------------------------------------------------------------------------------

class _Level(Windowed):
    """An audio level change on the whole track, or only during ``start``..``end`` / ``portion``
    (times on the output's timeline: audio operations come after every time operation)."""


class Mute(_Level):
    """Remove the audio; timed, silence that span and keep the rest of the sound."""

    op: Literal["mute"] = "mute"


class Volume(_Level):
    op: Literal["volume"] = "volume"
    gain_db: float = Field(ge=-60.0, le=30.0)


class Normalize(_Op):
    """Loudness normalisation (EBU R128) to ``target_lufs``."""

    op: Literal["normalize"] = "normalize"
    target_lufs: float = Field(default=-16.0, ge=-40.0, le=-5.0)


class AudioFade(_Op):
    op: Literal["audio_fade"] = "audio_fade"
    direction: Literal["in", "out"]
    duration: float = Field(default=1.0, gt=0.0, le=30.0)


# ---- overlays --------------------------------------------------------------------------------

Position = Literal[
    "top", "bottom", "center", "top_left", "top_right", "bottom_left", "bottom_right", "left", "right"
]


class Text(_Op):
    """A title, caption or text watermark. ``text`` is user text: never spliced into a graph raw."""

    op: Literal["text"] = "text"
    text: str = Field(min_length=1, max_length=500)
    position: Position = "bottom"
    size: float = Field(default=0.06, gt=0.0, le=0.5, description="Font height / frame height.")
    color: str = Field(default="white", pattern=r"^(#[0-9a-fA-F]{6}|[a-z]{3,20})$")
    opacity: float = Field(default=1.0, ge=0.0, le=1.0)
    box: bool = False
    start: float | None = None
    end: float | None = None


class Overlay(_Op):
    """An image from ``images[index]`` (logo or watermark) placed on the frame."""

    op: Literal["overlay"] = "overlay"
    image_index: int = Field(default=0, ge=0, le=9)
    position: Position = "top_right"
    scale: float = Field(default=0.15, gt=0.0, le=1.0, description="Overlay width / frame width.")
    opacity: float = Field(default=1.0, ge=0.0, le=1.0)
    start: float | None = None
    end: float | None = None


# ---- vision-assisted (analysis of the picture first; see editbay.engine.vision) --------------

ShotRef = Union[int, Literal["middle"]]
"""A shot of the input: 1-based from the start, negative from the end (-1 = the last), or "middle"."""


class FaceBlur(_Op):
    """Blur, pixelate or black out every face, following the faces from frame to frame."""

    op: Literal["face_blur"] = "face_blur"
    style: Literal["blur", "pixelate", "box"] = "blur"
    strength: float = Field(default=0.8, ge=0.0, le=1.0)


class Background(_Op):
    """Blur (portrait mode), desaturate or darken what is behind the person; the person stays as is."""

    op: Literal["background"] = "background"
    effect: Literal["blur", "black_white", "darken"] = "blur"
    strength: float = Field(default=0.6, ge=0.0, le=1.0)


class ColorMatch(_Op):
    """Grade the clip towards the colours of ``images[image_index]`` (Lab mean/std transfer)."""

    op: Literal["color_match"] = "color_match"
    image_index: int = Field(default=0, ge=0, le=9)
    strength: float = Field(default=1.0, ge=0.0, le=1.0)


class Stabilize(_Op):
    """Remove camera shake; ``strength`` sets how much of the camera path is smoothed away."""

    op: Literal["stabilize"] = "stabilize"
    strength: float = Field(default=0.6, ge=0.0, le=1.0)


class Reframe(_Op):
    """Crop to ``ratio`` with a window that follows the subject (smoothed), instead of the centre.

    ``ratio=None`` (parser only) means "the ratio asked for elsewhere in the instruction".
    """

    op: Literal["reframe"] = "reframe"
    ratio: AspectRatio | None = None
    subject: Literal["person", "any"] = "person"


class Scenes(_Op):
    """Keep or drop whole shots, found by cut detection. ``start``/``end`` keep a run of shots."""

    op: Literal["scenes"] = "scenes"
    keep: tuple[ShotRef, ...] = ()
    drop: tuple[ShotRef, ...] = ()
    start: ShotRef | None = None
    end: ShotRef | None = None


Operation = Annotated[
    Union[
        Grade, Tone, Temperature, Invert, Lut,
        Blur, Sharpen, Denoise, Vignette, Grain, Pixelate, Glow,
        Trim, Cut, Speed, Reverse, Loop, Boomerang, Freeze, FrameRate, Extend,
        Aspect, Resize, Rotate, Flip, Zoom, Letterbox,
        Fade,
        Mute, Volume, Normalize, AudioFade,
        Text, Overlay,
        FaceBlur, Background, ColorMatch, Stabilize, Reframe, Scenes,
    ],
    Field(discriminator="op"),
]


class Unsupported(BaseModel):
    """A clause of the instruction that maps to no operation (generative, nonsense, out of scope)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    clause: str
    reason: str


class MediaInfo(BaseModel):
    """What the planner needs to know about the input (from a probe).

    ``width``/``height`` are the *displayed* size, i.e. after applying any rotation metadata.
    """

    model_config = ConfigDict(frozen=True)

    width: int
    height: int
    duration: float
    fps: float = 30.0
    has_audio: bool = True
    rotation: int = 0


class EditPlan(BaseModel):
    """The parsed, validated, ordered plan: what the render will do and what it will not."""

    model_config = ConfigDict(extra="forbid")

    instruction: str = ""
    operations: list[Operation] = Field(default_factory=list)
    unsupported: list[Unsupported] = Field(default_factory=list)
    output_width: int | None = None
    output_height: int | None = None
    output_duration: float | None = None
    has_audio: bool | None = None
    notes: list[str] = Field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.operations

    @property
    def is_fully_supported(self) -> bool:
        return bool(self.operations) and not self.unsupported
