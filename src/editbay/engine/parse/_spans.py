"""Spans of the output an edit applies to: "mute the first 3 seconds", "black and white from 2 to 4 s",
"quieter during the second half", "blur everything except the last 2 s"."""

from __future__ import annotations

import re

from editbay.engine.ops import Portion, Trim
from editbay.engine.parse._clause import Clause
from editbay.engine.parse._quantity import excepted, find_range, find_share

# Verbs that give a time range to a trim or cut: "keep the first 5 s with no sound" mutes the whole
# of what is kept, while "mute the first 5 s" (or "only mute …") silences those seconds.
_TRIM_VERBS = (
    r"\b(?:keep(?:ing)?|trim\w*|cut\w*|clip|shorten\w*|remov\w*|delet\w*|drop\w*|skip\w*|chop\w*|lose|"
    r"get\s+rid\s+of|take\s+(?:out|off))\b"
)
_SPAN_LEAD = r"(?:\b(?:for|during|in|over|on|at|from|throughout|across|within)\s+)?$"
Span = tuple[float | None, float | None, Portion | None]  # start, end, share of the length


def _rest_of(start: float | None, end: float | None) -> list[Span]:
    """What is left of the clip around ``start``..``end`` (None = its beginning / end; negatives from it)."""
    rest: list[Span] = []
    if start is not None and start != 0:
        rest.append((None, start, None))
    if end is not None:
        rest.append((end, None, None))
    return rest


def take_spans(c: Clause) -> tuple[list[Span] | None, str]:
    """The parts of the clip an edit applies to ("mute the first 3 seconds", "quieter during the second
    half", "mute all except the last 2 s", "black and white for the first 3 s") and their words,
    consumed: an empty list for the whole clip, None when they cannot be said in spans (refused)."""
    if c.search(_TRIM_VERBS):
        return [], ""
    span, share = find_range(c.rest), None
    if span is None:
        share = find_share(c.rest)
        if share is None:
            return [], ""
    pos = span.pos if span is not None else share.pos  # type: ignore[union-attr]
    but = excepted(c.rest, pos[0])  # "except (for) the last 2 s", "apart from the first second"
    lead = but or re.search(_SPAN_LEAD, c.rest[: pos[0]])
    said = c.consume((lead.start() if lead else pos[0], pos[1]))
    if span is not None:
        return (_rest_of(span.start, span.end) if but else [(span.start, span.end, None)]), said
    assert share is not None
    if not but:
        portion = Portion(start=round(share.start, 4), end=round(share.end, 4), seconds=share.seconds)
        return [(None, None, portion)], said
    if share.seconds is not None:
        c.refuse('all but the middle seconds is two parts of the clip: name them ("the first 2 seconds")')
        return None, said
    rest = [Portion(start=0.0, end=round(share.start, 4))] if share.start > 0 else []
    rest += [Portion(start=round(share.end, 4), end=1.0)] if share.end < 1 else []
    return [(None, None, portion) for portion in rest], said


# Colour and effects on the picture can be limited to part of the output ("black and white for the
# first 3 seconds", "blur the last 2 s"); geometry cannot (one frame size for the whole video).
PICTURE_KINDS = frozenset(
    {"grade", "tone", "temperature", "invert", "lut", "blur", "sharpen", "denoise", "vignette", "grain",
     "pixelate", "glow"}
)


# A part of the clip named without times ("make the ending black and white", "mute the intro", "speed up
# the last part"): which seconds? Not "from start to end" or "until the end" (the whole clip), nor the
# middle of the frame.
_VAGUE_PART = re.compile(
    r"\b(?:at|in|during|for|over|towards?|near|by)\s+(?:the\s+)?(?:very\s+)?(?:start|beginning|end)\b|"
    r"(?<!until )(?<!till )(?<!to )(?<!through )(?<!from )(?<!and )"
    r"\bthe\s+(?:very\s+)?(?:intro|outro|opening|ending|beginning|start|end)\b(?!\s+to\b)|"
    r"\b(?:intro|outro)\b|"
    r"\bthe\s+(?:first|last|final|early|earlier|later|latter|closing|opening|end|ending|beginning|middle)\s+"
    r"(?:part|bit|section|portion|few\s+seconds|moments?)\b|"
    r"\b(?:the\s+)?middle\s+of\s+the\s+(?:video|clip|footage)\b|"
    r"\b(?:in|during|at|around|towards?)\s+the\s+middle\b(?!\s+of\s+the\s+(?:frame|screen|picture|image))|"
    r"\bthe\s+(?:boring|slow|dull|quiet|loud|best|good|important|interesting|exciting|fun|funny|action|key)\s+"
    r"(?:parts?|bits?|sections?|moments?|scenes?)\b|"
    r"\b(?:halfway|midway|part\s+way|partway)(?:\s+(?:through|point|mark))?\b|"
    r"\bthe\s+(?:rest|remainder|remaining\s+(?:part|bit|seconds|time))\b"
)
NEEDS_SECONDS = 'say which seconds, e.g. "for the last 3 seconds" or "from 0:02 to 0:05"'
PART_OF_CLIP = (
    "only trims, cuts, freezes, fades, mute, volume, colour, effects and text/logo overlays can target "
    "part of the clip; this edit would apply to the whole video"
)
# Edits that take a span (colour, effects, mute, volume) and those that apply to the whole clip only;
# trims, cuts, fades, freezes, titles and overlays read "the start / the end" themselves.
SPANNED = PICTURE_KINDS | {"mute", "volume"}
_WHOLE_ONLY = frozenset(
    {"speed", "reverse", "boomerang", "loop", "zoom", "rotate", "flip", "aspect", "resize", "normalize"}
)


def _only_span_of_picture(c: Clause) -> bool:
    """'make only the first 3 seconds black and white': "only" limits the look, it keeps no part of
    the clip. The trim read from the words becomes the span of the clause's colour and effects."""
    limits = [
        op for op in c.ops
        if isinstance(op, Trim) and any(op is k for k in c.keeps)
        and not re.search(r"\b(?:keep\w*|trim\w*|cut\w*|clip|crop\w*|shorten\w*|use|leave)\b", op.source)
    ]
    picture = [op for op in c.ops if op.op in PICTURE_KINDS]
    if len(limits) != 1 or not picture or len(limits) + len(picture) != len(c.ops):
        return False
    (limit,) = limits
    c.keeps[:] = [k for k in c.keeps if k is not limit]
    c.ops[:] = [
        op.model_copy(
            update={
                "start": limit.start,
                "end": limit.end,
                "portion": limit.portion,
                "source": " ".join((op.source, limit.source)),
            }
        )
        for op in picture
    ]
    return True


def window_picture(c: Clause) -> None:
    """Limit the clause's colour and effect operations to the span it names, if any: one operation per
    span ("everything except 0:02-0:04" is two). Clauses with other operations are left alone."""
    if c.ops and _only_span_of_picture(c):
        return
    if not c.ops or not c.kinds() <= PICTURE_KINDS:
        return
    spans, said = take_spans(c)
    if not spans:
        return  # no span named, or a trim verb has it, or refused: the clause says why
    c.ops[:] = [
        op.model_copy(
            update={"start": start, "end": end, "portion": portion, "source": " ".join((op.source, said))}
        )
        for op in c.ops
        for start, end, portion in spans
    ]


def refuse_vague_part(c: Clause) -> None:
    """A part of the clip named without times is refused, never given the whole clip: asking for the
    seconds when the edit can take a span, saying it cannot otherwise ("speed up the ending")."""
    kinds = c.kinds()
    if not c.ops or not kinds <= SPANNED | _WHOLE_ONLY or any(getattr(op, "timed", False) for op in c.ops):
        return
    if find_range(c.rest) is not None or find_share(c.rest) is not None:
        return
    vague = c.search(_VAGUE_PART)
    if vague:
        c.consume(vague)
        c.ops.clear()
        c.refuse(NEEDS_SECONDS if kinds <= SPANNED else PART_OF_CLIP)
