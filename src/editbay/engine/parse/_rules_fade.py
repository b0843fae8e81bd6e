"""Transition rules: fades from and to black (audio fades are read by the audio rules first)."""

from __future__ import annotations

import re
from typing import Literal

from editbay.engine.ops import Fade
from editbay.engine.parse._clause import Clause
from editbay.engine.parse._quantity import by_level, find_time

_FADE_IN = (
    r"\bfade[ds]?\s*(?:it\s+|the\s+(?:video|clip)\s+)?(?:in|up)\b(?:\s+from\s+black)?|"
    r"\bfade[ds]?\s+(?:up\s+)?from\s+black\b|"
    r"\b(?:start|open|begin)\w*\s+(?:from|with|in|on|out\s+of)\s+(?:an?\s+)?(?:black|darkness|fade)\b|"
    r"\bfrom\s+(?:a\s+|the\s+)?(?:black|darkness)(?:\s+(?:screen|frame))?\b|\bfade\w*\s+at\s+the\s+(?:start|beginning)\b|"
    r"\bout\s+of\s+(?:a\s+|the\s+)?(?:black|darkness)(?:\s+(?:screen|frame))?\b"
)
_FADE_OUT = (
    r"\bfade[ds]?\s*(?:it\s+|the\s+(?:video|clip)\s+)?(?:out|away|down)\b(?:\s+to\s+black)?|"
    r"\bfade[ds]?\s+(?:in)?to\s+black\b|\bfade\s+into\s+(?:black|darkness)\b|"
    r"\b(?:end|finish|close|conclude)\w*\s+(?:with|on|in)\s+(?:an?\s+)?(?:fade|black)\w*|"
    r"\bto\s+(?:a\s+)?black(?:\s+(?:screen|frame))?\b|\bfade\w*\s+at\s+the\s+end\b|\bblack\s+at\s+the\s+end\b"
)


def _fade_duration(c: Clause) -> float:
    found = find_time(c.rest)
    if found:
        c.consume(found[1])
        c.consume(c.search(r"\b(?:over|for|of|lasting|taking|in)\s+(?=\s)"))
        return max(0.1, min(30.0, found[0]))
    pace = c.search(
        r"\b(?:slow(?:ly)?|gradual(?:ly)?|gentle|gently|long|quick(?:ly)?|fast|short|brief|sudden)\b"
    )
    if pace:
        c.consume(pace)
        return 2.0 if re.match(r"slow|gradual|gentl|long", pace.group(0)) else 0.5
    return by_level(c.text, 0.6, 1.0, 2.0, 3.0)


def fade_rule(c: Clause) -> None:
    fin, fout = c.search(_FADE_IN), c.search(_FADE_OUT)
    if not fin and not fout:
        bare = c.search(r"\b(?:fade|fades|fading)\b(?!\s+(?:the\s+)?colou?rs)")
        if bare:  # "add a fade": in and out, at lower confidence
            source = c.consume(bare)
            duration = _fade_duration(c)
            for direction in ("in", "out"):
                c.emit(
                    Fade(direction=direction, duration=duration, source=source, confidence=c.confidence(0.6))
                )
        return
    source = c.consume(fin, fout)
    duration = _fade_duration(c)
    pairs: tuple[tuple[re.Match[str] | None, Literal["in", "out"]], ...] = ((fin, "in"), (fout, "out"))
    for found, direction in pairs:
        if found:
            c.emit(
                Fade(
                    direction=direction,
                    duration=duration,
                    source=source,
                    confidence=c.confidence(),
                )
            )
