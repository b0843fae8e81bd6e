"""Audio level operations and the fades, which are placed against the OUTPUT duration.

Fades (video and audio) are applied after every other operation, once the final duration is known,
so "fade out at the end" means the end of what the user receives. A video `Fade` fades the sound
in the same direction too, unless the plan has an `AudioFade` for that direction.
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


def apply_audio(ctx: Ctx, op: AudioOp) -> None:
    if isinstance(op, Mute):
        ctx.drop_audio()
    elif isinstance(op, Volume):
        ctx.af(filter("volume", volume=f"{n(op.gain_db)}dB"))
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
