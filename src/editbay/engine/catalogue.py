"""The human catalogue of operations: one registry read by the parser's refusals, the docs and the API.

Each operation in `editbay.engine.ops` has one entry here (a test checks the two stay in step): its
family, a one-line description and a few example phrases the parser understands.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

from editbay.engine.ops import GradeStyle, Operation


@dataclass(frozen=True)
class OpInfo:
    """One operation as people see it."""

    op: str
    family: str
    summary: str
    examples: tuple[str, ...]


FAMILIES: tuple[str, ...] = (
    "colour", "effects", "time", "geometry", "transitions", "audio", "overlays", "vision"
)

_ENTRIES: tuple[OpInfo, ...] = (
    OpInfo(
        "grade",
        "colour",
        "a named look: " + ", ".join(get_args(GradeStyle)).replace("_", "-"),
        (
            "make it black and white",
            "teal and orange look",
            "warmer",
            "vintage film look",
            "make the colours pop",
            "black and white from 2 to 4 seconds",
        ),
    ),
    OpInfo(
        "tone",
        "colour",
        "brightness, contrast, saturation, gamma and exposure",
        ("brighten by 20%", "a little darker", "punch up the contrast", "desaturate slightly", "+1 stop"),
    ),
    OpInfo("temperature", "colour", "colour temperature in kelvin", ("set the colour temperature to 3200K",)),
    OpInfo("invert", "colour", "invert the colours (photo negative)", ("invert the colours", "negative")),
    OpInfo(
        "lut",
        "colour",
        "a shipped LUT preset: bleach bypass, day for night, cross process, kodachrome, fuji, portra, matrix",
        ("bleach bypass look", "day for night", "kodachrome LUT"),
    ),
    OpInfo(
        "blur",
        "effects",
        "blur the whole frame (on the whole clip or a span of it)",
        ("blur it", "strong gaussian blur", "out of focus", "blur the last 2 seconds"),
    ),
    OpInfo("sharpen", "effects", "sharpen the whole frame", ("sharpen", "make it crisper", "more detail")),
    OpInfo("denoise", "effects", "reduce video noise", ("denoise", "remove the grain", "clean up the noise")),
    OpInfo("vignette", "effects", "darken the corners", ("add a vignette", "darken the edges")),
    OpInfo("grain", "effects", "film grain / noise", ("add film grain", "grainy texture")),
    OpInfo(
        "pixelate", "effects", "pixelate (mosaic) the whole frame", ("pixelate it", "8-bit mosaic effect")
    ),
    OpInfo("glow", "effects", "soft focus / bloom", ("dreamy glow", "soft focus", "bloom")),
    OpInfo(
        "trim",
        "time",
        "keep a time range, in seconds or as a share of the length",
        (
            "keep only the first 5 seconds",
            "trim from 0:02 to 0:06",
            "drop the first 3 seconds",
            "remove the last 2 s",
            "keep only the first half",
            "trim it to the middle 50%",
        ),
    ),
    OpInfo(
        "cut",
        "time",
        "remove a time range from the middle",
        ("cut out 2s to 4s", "remove 0:03-0:05", "cut the middle 2 seconds", "delete the middle third"),
    ),
    OpInfo(
        "speed",
        "time",
        "speed up or slow down (audio pitch kept)",
        (
            "twice as fast",
            "half speed",
            "slow motion",
            "speed up 1.5x",
            "50% slower",
            "timelapse",
            "speed it up to fit 10 seconds",
        ),
    ),
    OpInfo(
        "reverse", "time", "play backwards (with the audio)", ("reverse it", "play it backwards", "rewind")
    ),
    OpInfo("loop", "time", "play the clip N times", ("loop it 3 times", "play it twice in a row")),
    OpInfo("boomerang", "time", "forward then backward", ("boomerang", "ping-pong", "forward and back")),
    OpInfo(
        "freeze",
        "time",
        "hold one frame for a while",
        ("freeze the last frame for 2 seconds", "freeze frame at 0:03"),
    ),
    OpInfo(
        "extend",
        "time",
        "black frames and silence added at the start or the end",
        ("add 2 seconds of black at the end", "start with a black screen"),
    ),
    OpInfo(
        "frame_rate",
        "time",
        "change the frame rate (frames dropped or repeated, the length kept)",
        ("24 fps", "reduce the frame rate to 25", "make it 60 frames per second"),
    ),
    OpInfo(
        "aspect",
        "geometry",
        "change the aspect ratio (16:9, 9:16, 1:1, 4:5, 4:3, 3:4, 21:9) by crop or pad",
        (
            "make it vertical for TikTok",
            "square for Instagram",
            "9:16 with a blurred background",
            "letterbox to 16:9",
            "cinemascope",
        ),
    ),
    OpInfo(
        "resize",
        "geometry",
        "change the resolution",
        ("resize to 720p", "scale to 1280 wide", "half the size"),
    ),
    OpInfo(
        "rotate",
        "geometry",
        "rotate by 90, 180 or 270 degrees",
        ("rotate 90 degrees clockwise", "upside down", "rotate left"),
    ),
    OpInfo("flip", "geometry", "mirror horizontally or vertically", ("mirror it", "flip vertically")),
    OpInfo(
        "zoom",
        "geometry",
        "zoom in (static) or a slow Ken Burns push-in",
        ("zoom in 1.5x", "slow zoom", "Ken Burns"),
    ),
    OpInfo(
        "letterbox",
        "geometry",
        "cinematic black bars over the picture (2.39:1 by default), the frame size kept",
        ("add cinematic bars", "black bars top and bottom", "letterbox it to 2.35:1"),
    ),
    OpInfo(
        "fade",
        "transitions",
        "fade in from black / fade out to black",
        ("fade in", "fade to black at the end", "fade in and out"),
    ),
    OpInfo(
        "mute",
        "audio",
        "remove the audio, or silence part of it",
        ("mute it", "remove the sound", "no audio", "mute the first 3 seconds", "silence from 0:05 to 0:08"),
    ),
    OpInfo(
        "volume",
        "audio",
        "change the volume (dB), on the whole track or during part of it",
        ("louder", "lower the volume by 6 dB", "double the volume", "quieter during the second half"),
    ),
    OpInfo(
        "normalize",
        "audio",
        "loudness normalisation (EBU R128)",
        ("normalise the audio", "even out the volume"),
    ),
    OpInfo(
        "audio_fade",
        "audio",
        "fade the audio in or out",
        ("fade the music out", "audio fade-in over 2 seconds"),
    ),
    OpInfo(
        "text",
        "overlays",
        "title, caption or text watermark with position, colour, size and time",
        ('add the title "Summer 2024" at the top', "caption saying Hello in yellow at the bottom"),
    ),
    OpInfo(
        "overlay",
        "overlays",
        "a logo or image from images[] with position, size and opacity",
        ("put the logo in the top right", "semi-transparent watermark bottom left"),
    ),
)

# Vision-assisted: the picture is analysed first (editbay.engine.vision), then rendered in one pass.
_ENTRIES += (
    OpInfo(
        "face_blur",
        "vision",
        "blur, pixelate or black out every face, followed as it moves",
        ("blur the faces", "pixelate everyone's face", "anonymise the people", "black out the faces"),
    ),
    OpInfo(
        "background",
        "vision",
        "blur (portrait mode), grey or darken the background behind the person",
        ("blur the background", "portrait mode", "make the background black and white"),
    ),
    OpInfo(
        "color_match",
        "vision",
        "grade the clip towards the colours of a reference image in images[]",
        ("match the colours of this photo", "use the look of the reference image"),
    ),
    OpInfo(
        "stabilize",
        "vision",
        "remove camera shake (crop window moved against the shake)",
        ("stabilise it", "remove the camera shake", "it's too shaky"),
    ),
    OpInfo(
        "reframe",
        "vision",
        "crop to a new aspect ratio with a window that follows the subject",
        ("make it vertical and keep the person in frame", "9:16 following the runner"),
    ),
    OpInfo(
        "scenes",
        "vision",
        "keep or remove whole shots, found by cut detection",
        ("remove the first scene", "only keep the last shot", "keep shots 1 and 3"),
    ),
)

CATALOGUE: dict[str, OpInfo] = {entry.op: entry for entry in _ENTRIES}

# LUT presets the parser can name; the renderer ships (or generates) one `.cube` per key.
LUT_PRESETS: dict[str, str] = {
    "bleach_bypass": "desaturated, high-contrast silver look",
    "day_for_night": "dark, blue, low-key night look",
    "cross_process": "cross-processed film: cyan shadows, yellow-green highlights",
    "kodachrome": "warm, saturated slide-film look",
    "fuji": "cool, green-leaning film look",
    "portra": "soft, warm portrait film look",
    "matrix": "green-tinted, desaturated sci-fi look",
}


def operation_names() -> list[str]:
    """Every ``op`` discriminator defined in `editbay.engine.ops`."""
    union = get_args(get_args(Operation)[0])
    return [get_args(model.model_fields["op"].annotation)[0] for model in union]


def capabilities_text() -> str:
    """A short paragraph listing what the engine can do, by family (used in refusal messages)."""
    lines = []
    for family in FAMILIES:
        summaries = [e.summary.split(": ")[0] for e in _ENTRIES if e.family == family]
        lines.append(f"{family}: {'; '.join(summaries)}")
    return "The engine can do — " + " | ".join(lines) + "."
