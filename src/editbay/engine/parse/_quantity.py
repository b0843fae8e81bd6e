"""Quantities in normalised clause text: numbers, percentages, times, time ranges and strength words.

Everything here reads text that `_normalize` already rewrote (lower case, number words as digits,
"between 2 and 4" as "from 2 to 4"), so the patterns stay small.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

NUM = r"\d+(?:\.\d+)?|\.\d+"

# A time value: "0:02", "1:02:03", "3s", "3 seconds", "1.5 sec", "2 minutes", "1 min 30 s", "500 ms".
_CLOCK = r"(?P<c1>\d{1,2}):(?P<c2>\d{1,2}(?:\.\d+)?)(?::(?P<c3>\d{1,2}(?:\.\d+)?))?"
_SECONDS = rf"(?P<s>{NUM})\s*(?:seconds?|secs?|sec\.|s)\b"
_MINUTES = rf"(?P<m>{NUM})\s*(?:minutes?|mins?|m)\b(?:\s*(?:and\s+)?(?P<ms>{NUM})\s*(?:seconds?|secs?|s)\b)?"
_MILLIS = rf"(?P<ml>{NUM})\s*(?:ms|milliseconds?)\b"
TIME = rf"(?:{_CLOCK}|{_MILLIS}|{_MINUTES}|{_SECONDS})"
_TIME_RE = re.compile(TIME)
# The same shape without named groups, for patterns that embed more than one time.
TIME_ANY = re.sub(r"\(\?P<\w+>", "(?:", TIME)

# A range between two times; the unit may be given once ("from 2 to 4 seconds", "2-4s").
_BARE = rf"(?:{NUM})"
_RANGE_SEP = r"\s*(?:to|-|–|—|until|till|through|thru)\s*"
# An edge may be counted from the end: "from 3 s to 1 s before the end"
_BEFORE_END = r"\s+(?:before|from)\s+(?:the\s+)?(?:very\s+)?end\b"
_RANGE_RE = re.compile(
    rf"(?:from\s+|between\s+)?(?P<a>{TIME_ANY}|{_BARE}|start|the start|the beginning|beginning)"
    rf"(?P<ae>{_BEFORE_END})?"
    rf"{_RANGE_SEP}(?P<b>{TIME_ANY}|{_BARE}|end|the end)(?P<be>{_BEFORE_END})?"
)

_STRENGTH_WORDS: tuple[tuple[int, str], ...] = (
    (
        2,
        r"extremely|extreme|massively|hugely|insanely|maximum|max(?:imum)?|crazy|ultra|"
        r"as much as possible|super duper|really really|very very|tons?|way way",
    ),
    (
        -1,
        r"not (?:too|very|overly|so|that|super) "
        r"(?:strong|much|heavy|intense|dark|obvious|extreme|hard|harsh)|"
        r"don'?t overdo it|not overdone|"
        r"slight(?:ly)?|a (?:tiny |little )?bit|a little|a tad|a touch|touch of|hint of|a hint|"
        r"somewhat|subtle|subtly|gentle|gently|mild(?:ly)?|lightly|a smidge|marginally|barely|"
        r"just a bit|kind of|sort of|softly|faint(?:ly)?",
    ),
    (
        1,
        r"very|much|a lot|lots|really|strong(?:ly)?|heavy|heavily|way|super|seriously|dramatic(?:ally)?|"
        r"significantly|considerably|intense(?:ly)?|noticeabl[ey]|loads|severe(?:ly)?|"
        r"more and more|plenty|so much|too much|a ton|a great deal|big time",
    ),
)
_STRENGTH_RES = [(level, re.compile(rf"\b(?:{words})\b")) for level, words in _STRENGTH_WORDS]


def strength_level(text: str) -> int:
    """-1 slight, 0 normal, 1 strong, 2 extreme; the first (most extreme) category found wins."""
    for level, pattern in _STRENGTH_RES:
        if pattern.search(text):
            return level
    return 0


def by_level(text: str, slight: float, normal: float, strong: float, extreme: float | None = None) -> float:
    """Pick one of four values by the strength words in ``text``."""
    level = strength_level(text)
    if level == 2:
        return extreme if extreme is not None else strong
    return {-1: slight, 0: normal, 1: strong}[level]


@dataclass(frozen=True)
class Span:
    """A time range in seconds; ``None`` means open, negative means "from the end"."""

    start: float | None
    end: float | None
    text: str
    pos: tuple[int, int]


def time_value(match: re.Match[str]) -> float:
    """Seconds from a `TIME` match (named groups as defined above)."""
    g = match.groupdict()
    if g.get("c1") is not None:
        if g.get("c3") is not None:
            return float(g["c1"]) * 3600 + float(g["c2"]) * 60 + float(g["c3"])
        return float(g["c1"]) * 60 + float(g["c2"])
    if g.get("ml") is not None:
        return float(g["ml"]) / 1000.0
    if g.get("m") is not None:
        return float(g["m"]) * 60 + float(g.get("ms") or 0.0)
    return float(g["s"])


def parse_time(text: str) -> float | None:
    """Seconds of the first time expression in ``text``; a bare number counts as seconds."""
    m = _TIME_RE.search(text)
    if m:
        return time_value(m)
    m2 = re.fullmatch(rf"\s*({NUM})\s*", text)
    return float(m2.group(1)) if m2 else None


def find_time(text: str) -> tuple[float, tuple[int, int]] | None:
    m = _TIME_RE.search(text)
    return (time_value(m), m.span()) if m else None


# A length from a start: "for 2 seconds starting at 0:03", "from 0:03 for 2 seconds"
_FOR_FROM_RE = re.compile(
    rf"(?:\bfor\s+)?(?:the\s+next\s+)?(?<![\d.:])(?P<d>{TIME_ANY})\s+(?:starting|beginning|from)\s+(?:at\s+|from\s+)?"
    rf"(?:the\s+)?(?P<t>{TIME_ANY})|"
    rf"\b(?:(?:starting|beginning)\s+)?(?:at|from)\s+(?:the\s+)?(?P<t2>{TIME_ANY})(?:\s+mark)?\s+for\s+"
    rf"(?:the\s+next\s+)?(?P<d2>{TIME_ANY})"
)


def find_range(text: str) -> Span | None:
    """The first time range in ``text``: explicit ranges, "first/last N s", "after/until T",
    "for N s starting at T"."""
    lasting = _FOR_FROM_RE.search(text)
    if lasting:
        start = parse_time(lasting.group("t") or lasting.group("t2"))
        length = parse_time(lasting.group("d") or lasting.group("d2"))
        if start is not None and length:
            return Span(start or None, start + length, lasting.group(0), lasting.span())
    for m in _RANGE_RE.finditer(text):
        a_txt, b_txt = m.group("a"), m.group("b")
        has_unit = bool(_TIME_RE.search(a_txt) or _TIME_RE.search(b_txt))
        # Avoid reading "16:9" or "1-2 times" as a range: a unit must appear, or words around it.
        if not has_unit and not re.search(
            r"\b(?:seconds?|secs?|from|between)\b", text[max(0, m.start() - 10) : m.end() + 9]
        ):
            continue
        a = 0.0 if "start" in a_txt or "beginning" in a_txt else parse_time(a_txt)
        b = None if "end" in b_txt else parse_time(b_txt)
        if a is None or (b is None and m.group("be")):
            continue
        if m.group("ae"):  # counted back from the end: negative, as "the last N s" is
            a = -a
        if b is not None and m.group("be"):
            b = -b
        if b is not None and (a < 0) == (b < 0) and b <= a:
            continue
        if a < 0 and b is not None and b >= 0:
            continue  # "from 2 s before the end to 0:03": which comes first depends on the length
        return Span(a if a != 0 else None, b if b != 0 or a >= 0 else None, m.group(0), m.span())
    off = re.search(
        rf"(?P<t>{TIME_ANY})\s+(?:off|from|at)\s+(?:the\s+)?(?:very\s+)?(?P<w>start|beginning|front|head|end|"
        rf"ending|back|tail)\b",
        text,
    )
    if off:
        seconds = parse_time(off.group("t")) or 0.0
        if off.group("w") in ("start", "beginning", "front", "head"):
            return Span(None, seconds, off.group(0), off.span())
        return Span(-seconds, None, off.group(0), off.span())
    edge = re.search(
        rf"\b(?:the\s+)?(?P<w>first|opening|initial|last|final|closing|ending|end|start|beginning)\s+"
        rf"(?:(?P<t>{TIME})|(?P<n>{NUM})\b(?!\s*(?:x|times|%|percent|per\s+cent|/|{_SHARE_UNITS})))",
        text,
    )
    if not edge:
        edge = re.search(
            r"\b(?:the\s+)?(?P<w>first|opening|initial|last|final|closing)\s+(?P<u>second|minute)\b", text
        )
    if edge:
        if "u" in edge.groupdict():
            seconds = 60.0 if edge.group("u") == "minute" else 1.0
        else:
            seconds = time_value(edge) if edge.group("t") else float(edge.group("n"))
        if edge.group("w") in ("first", "opening", "initial", "start", "beginning"):
            return Span(None, seconds, edge.group(0), edge.span())
        return Span(-seconds, None, edge.group(0), edge.span())
    open_end = re.search(
        rf"\b(?:after|from|starting (?:at|from)|beyond|past|onwards? from)\s+(?:the\s+)?({TIME})"
        rf"(?:\s+(?:on|onwards?|mark))?",
        text,
    )
    if open_end:
        t = parse_time(open_end.group(1))
        if t is not None:
            return Span(t, None, open_end.group(0), open_end.span())
    open_start = re.search(rf"\b(?:until|till|up to|before|upto|to)\s+(?:the\s+)?({TIME})(?:\s+mark)?", text)
    if open_start:
        t = parse_time(open_start.group(1))
        if t is not None:
            return Span(None, t, open_start.group(0), open_start.span())
    return None


# ---- spans given as a share of the clip's length ("the first half", "the middle 2 seconds") ----------

_SHARE_UNITS = r"halves|half|thirds?|quarters?|fifths?|tenths?"
_PARTS = {"hal": 2, "thi": 3, "qua": 4, "fif": 5, "ten": 10}
_ORDINALS = {"second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5, "5th": 5}
_FROM_START = ("first", "1st", "opening", "initial", "beginning", "front", "early", "earlier")
_FROM_END = ("last", "final", "closing", "ending", "end", "back", "latter", "later")
_MIDDLE = r"middle|center|central|mid"
_SHARE = (
    rf"(?:(?P<k>\d+)\s+)?(?P<u>{_SHARE_UNITS})\b|(?P<p>{NUM})\s*(?:%|percent|per\s+cent)|"
    r"(?P<a>\d+)\s*/\s*(?P<b>\d+)\b"
)
_OF_CLIP = (
    r"(?:\s+(?:part|portion|section|bit|segment))?(?:\s+of\s+(?:it|this|the\s+(?:whole\s+|entire\s+)?"
    r"(?:video|clip|footage|film|recording|thing|audio|sound|track)))?"
)
_POSITION = "|".join((*_FROM_START, *_FROM_END, *_ORDINALS, _MIDDLE))
_SHARE_RE = re.compile(rf"\b(?:the\s+)?(?:very\s+)?(?P<w>{_POSITION})\s+(?:{_SHARE}){_OF_CLIP}")
_MIDDLE_SECONDS_RE = re.compile(
    rf"\b(?:the\s+)?(?:very\s+)?(?:{_MIDDLE})\s+(?:(?P<t>{TIME_ANY})|(?P<n>{NUM})\b(?!\s*(?:x|times|%|percent|/))|"
    r"(?P<one>second|minute)\b)"
    rf"{_OF_CLIP}|\b(?P<u>{TIME_ANY})\s+(?:in|from|at|of|around|out\s+of)\s+the\s+(?:very\s+)?(?:middle|center)"
    r"(?:\s+of\s+(?:it|the\s+(?:video|clip|footage)))?"
)
_HALFWAY = (
    r"(?:the\s+)?(?:halfway|half\s+way|midway|mid\s*point)(?:\s+(?:point|mark|through))?|"
    r"(?:the\s+)?middle\s+(?:point|mark|of\s+the\s+(?:video|clip))"
)
_AFTER_HALFWAY_RE = re.compile(
    rf"\b(?:from|after|starting\s+(?:at|from)|past|beyond|onwards?\s+from)\s+(?:{_HALFWAY})"
    r"(?:\s+(?:on|onwards?|to\s+the\s+end|until\s+the\s+end))?|"
    r"\bfrom\s+the\s+middle\s+(?:on(?:wards?)?|to\s+the\s+end|until\s+the\s+end)\b"
)
_BEFORE_HALFWAY_RE = re.compile(
    rf"\b(?:until|till|up\s+to|upto|before)\s+(?:{_HALFWAY})|\b(?:until|till|up\s+to)\s+the\s+middle\b"
)


@dataclass(frozen=True)
class ShareSpan:
    """A span given as a share of the clip's length (`editbay.engine.ops.Portion` once parsed)."""

    start: float
    end: float
    seconds: float | None
    text: str
    pos: tuple[int, int]


def _share_value(m: re.Match[str]) -> tuple[int, int] | float | None:
    """``(count, parts)`` for "2 thirds", or a fraction for "25 %" / "1/3"; None if impossible."""
    if m.group("u"):
        return int(m.group("k") or 1), _PARTS[m.group("u")[:3]]
    if m.group("p"):
        value = float(m.group("p")) / 100.0
    else:
        b = int(m.group("b"))
        value = int(m.group("a")) / b if b else 0.0
    return value if 0.0 < value <= 1.0 else None


_SHARE_OFF_EDGE = re.compile(
    rf"(?P<p>{NUM})\s*(?:%|percent|per\s+cent)\s+(?:off|from)\s+(?:the\s+)?(?:very\s+)?"
    r"(?P<w>start|beginning|front|head|end|ending|back|tail)\b"
)


def find_share(text: str) -> ShareSpan | None:
    """The first span named as a share of the length: "the first half", "the last 25 %", "the second
    third", "the middle 50 %", "the middle 2 seconds", "from the halfway point", "until halfway",
    "20 % from the end"."""
    edge = _SHARE_OFF_EDGE.search(text)
    if edge and 0 < float(edge.group("p")) < 100:
        share = float(edge.group("p")) / 100.0
        if edge.group("w") in ("start", "beginning", "front", "head"):
            return ShareSpan(0.0, share, None, edge.group(0), edge.span())
        return ShareSpan(1.0 - share, 1.0, None, edge.group(0), edge.span())
    for m in _SHARE_RE.finditer(text):
        where, value = m.group("w"), _share_value(m)
        if value is None:
            continue
        if isinstance(value, tuple):
            count, parts = value
            if where in _ORDINALS:
                nth = _ORDINALS[where]
                if count != 1 or nth > parts:
                    continue  # "the fifth quarter" is no part of anything
                return ShareSpan((nth - 1) / parts, nth / parts, None, m.group(0), m.span())
            value = count / parts
            if value > 1.0:
                continue
        elif where in _ORDINALS:
            continue  # "the second 20 %": not a way people name a part
        if where in _FROM_START:
            return ShareSpan(0.0, value, None, m.group(0), m.span())
        if where in _FROM_END:
            return ShareSpan(1.0 - value, 1.0, None, m.group(0), m.span())
        return ShareSpan((1.0 - value) / 2, (1.0 + value) / 2, None, m.group(0), m.span())
    middle = _MIDDLE_SECONDS_RE.search(text)
    if middle:
        said = middle.group("t") or middle.group("u")
        if middle.group("one"):
            seconds: float | None = 60.0 if middle.group("one") == "minute" else 1.0
        else:
            seconds = parse_time(said) if said else float(middle.group("n"))
        if seconds:
            return ShareSpan(0.0, 1.0, seconds, middle.group(0), middle.span())
    after = _AFTER_HALFWAY_RE.search(text)
    if after:
        return ShareSpan(0.5, 1.0, None, after.group(0), after.span())
    before = _BEFORE_HALFWAY_RE.search(text)
    if before:
        return ShareSpan(0.0, 0.5, None, before.group(0), before.span())
    return None


_EXCEPT = re.compile(
    r"\b(?:except(?:\s+for)?|apart\s+from|other\s+than|save\s+for|aside\s+from|besides|excluding|but)\s+"
    r"(?:(?:for|during|in|over|from)\s+)?$"
)


def excepted(text: str, start: int) -> re.Match[str] | None:
    """The "except (for)" / "apart from" / "all but" just before ``start``: the words name what is
    left out ("mute everything except the last 2 seconds")."""
    return _EXCEPT.search(text[:start])


def find_number(text: str, pattern: str) -> float | None:
    """The number captured by group 1 of ``pattern`` (which should embed `NUM`)."""
    m = re.search(pattern, text)
    return float(m.group(1)) if m else None


def percent(text: str) -> float | None:
    """The first percentage in ``text`` as a fraction (20% → 0.2)."""
    m = re.search(rf"({NUM})\s*(?:%|percent|per cent|pct)", text)
    return float(m.group(1)) / 100.0 if m else None


def factor(text: str) -> float | None:
    """A multiplier: "2x", "x2", "1.5 times", "150%" (as 1.5) are all factors."""
    m = re.search(rf"(?:\bx\s*({NUM})\b|({NUM})\s*(?:x\b|×|times\b|fold\b))", text)
    if m:
        return float(m.group(1) or m.group(2))
    return None


def db_from_ratio(ratio: float) -> float:
    """Amplitude ratio → decibels (2.0 → +6.02 dB)."""
    return 20.0 * math.log10(max(ratio, 1e-3))
