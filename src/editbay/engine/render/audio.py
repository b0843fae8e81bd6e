"""Audio level operations and the fades, which are placed against the OUTPUT duration.

A mute or volume change limited to a span ("mute the first 3 seconds") is a `volume` filter with
ffmpeg's timeline option (``enable=between(t,a,b)``) on the output's clock; only a whole-track mute
drops the audio stream. Fades (video and audio) are applied after every other operation, once the
final duration is known, so "fade out at the end" means the end of what the user receives. A video
`Fade` fades the sound in the same direction too, unless the plan has an `AudioFade` for that
direction.
"""

from __future__ import annotations

from collections.abc import Sequence

from editbay.engine.ops import AudioFade, Fade, Mute, Normalize, Volume
from editbay.engine.render.context import Ctx
from editbay.engine.render.graph import Filter, filter
from editbay.engine.render.graph import fmt_number as n

AudioOp = Mute | Volume | Normalize
AUDIO_OPS = (Mute, Volume, Normalize)
FADE_OPS = (Fade, AudioFade)


def level_filter(op: Mute | Volume, start: float | None = None, end: float | None = None) -> Filter:
    """The `volume` filter of a mute (gain 0) or volume change, only from ``start`` to ``end``
    (seconds on the stream's clock; None = from the beginning / to the end)."""
    gain = "0" if isinstance(op, Mute) else f"{n(op.gain_db)}dB"
    if start is not None and end is not None:
        enable: str | None = f"between(t,{n(start)},{n(end)})"
    elif start is not None:
        enable = f"gte(t,{n(start)})"  # to the end, however long the sound runs on
    elif end is not None:
        enable = f"lte(t,{n(end)})"
    else:
        enable = None
    return filter("volume", volume=gain, enable=enable)


def level_span(op: Mute | Volume, duration: float) -> tuple[float | None, float | None]:
    """The span of a mute / volume change on a ``duration``-second stream, None = open at that end
    (both None: the whole track). Times from the end need the duration (``duration > 0``)."""
    start, end = op.start, op.end
    if duration <= 0 and ((start is not None and start < 0) or (end is not None and end < 0)):
        raise ValueError(f"'{op.source or op.op}' counts from the end: the duration is needed")
    if start is not None and start < 0:
        start = duration + start
    if end is not None and end < 0:
        end = duration + end
    if start is not None and start <= 0:
        start = None
    if end is not None and 0 < duration <= end:
        end = None
    return start, end


def apply_audio(ctx: Ctx, op: AudioOp) -> None:
    if isinstance(op, Mute) and not op.timed:
        ctx.drop_audio()
    elif isinstance(op, Mute | Volume):
        ctx.af(level_filter(op, *level_span(op, ctx.duration)))
    elif isinstance(op, Normalize):
        # single-pass loudnorm resamples to 192 kHz internally: bring it back to 48 kHz
        ctx.af(filter("loudnorm", i=op.target_lufs, tp=-1.5, lra=11), filter("aresample", sample_rate=48000))


def _fade(name: str, direction: str, duration: float, total: float) -> Filter:
    d = min(duration, total)
    start = 0.0 if direction == "in" else max(0.0, total - d)
    return filter(name, t=direction, st=round(start, 3), d=round(d, 3))


def apply_fades(ctx: Ctx, fades: Sequence[Fade | AudioFade]) -> None:
    total = ctx.duration
    audio_dirs = {f.direction for f in fades if isinstance(f, AudioFade)}
    for f in fades:
        if isinstance(f, Fade):
            ctx.vf(_fade("fade", f.direction, f.duration, total))
            if f.direction not in audio_dirs:
                ctx.af(_fade("afade", f.direction, f.duration, total))
        else:
            ctx.af(_fade("afade", f.direction, f.duration, total))
