"""Time rules: speed, reverse, boomerang, loop, freeze frame, trim (keep a range) and cut (remove one)."""

from __future__ import annotations

import re

from editbay.engine.ops import Boomerang, Cut, Freeze, Loop, Portion, Reverse, Speed, Trim
from editbay.engine.parse._clause import Clause
from editbay.engine.parse._quantity import (
    NUM,
    TIME,
    TIME_ANY,
    ShareSpan,
    by_level,
    excepted,
    find_range,
    find_share,
    parse_time,
)
from editbay.engine.parse._vocab import STOPWORDS

# Freeze "the last frame": just before the end (the planner pins it to the last frame when it
# knows the frame rate).
FREEZE_LAST = -0.05

# "quickly cut the first 2 s", "a quick trim": the adverb says how soon to edit, not how fast to play
_EDIT_AHEAD = re.compile(
    r"\s+(?:(?:just|please|go\s+and)\s+)*(?:cut|trim|chop|snip|lop|shave|add|make|remove|delet|drop|put|"
    r"apply|crop|mute|rotate|flip|turn|change|fix|edit|do|give|convert|bright|dark|blur|sharpen|fade|zoom|"
    r"resiz|scale|revers|loop|freez|mirror|insert|overlay|caption|grade|colou?r|lower|raise|boost|increas|"
    r"decreas|reduc|set|shorten|take|get|throw|tweak|adjust|clean|tidy|crank)\w*\b"
)
_FAST = (
    r"\bspe+d(?:ed|ing|s)?\s*(?:it\s+|this\s+|that\s+|things\s+|everything\s+|the\s+(?:whole\s+)?(?:video|clip|"
    r"footage|playback|thing)\s+)?up\b|\bsped\s+up\b|\bfaster\b|\bquicker\b|\bfast\b|\bquick(?:ly)?\b|"
    r"\baccelerat\w*|\bfastforward\b|\bhurry\b|\brush\b|\bspeedier\b|\bspeedy\b|\bdouble\s+time\b"
)
_SLOW = (
    r"\bslow(?:ed|ing|s)?\s*(?:it\s+|this\s+|that\s+|things\s+|everything\s+|the\s+(?:whole\s+)?(?:video|clip|"
    r"footage|playback|thing)\s+)?down\b|\bslower\b|\bslowmo\b|\bdecelerat\w*|\bslow(?:ly)?\b|\bleisurely\b"
)
_NEUTRAL = r"\b(?:speed|playback\s+rate|play(?:back)?\s+(?:it\s+)?at|rate|tempo|pace)\b"


def _speed_value(c: Clause, direction: str) -> tuple[float | None, list[re.Match[str] | None]]:
    """The factor the clause asks for, and the words that said it."""
    named = c.search(
        r"(?<!times the )(?<!times )(?<!x the )"
        r"\b(?P<w>half|halve|quarter|double|triple|quadruple|normal|real)\s+(?:the\s+)?"
        r"(?:speed|time|pace|rate|tempo)\b|\b(?P<v>half|quarter)\s+as\s+fast\b|"
        r"\b(?:slow(?:ed)?\s+(?:it\s+)?down\s+(?:to\s+|by\s+)?)(?P<s>half|a\s+half|a\s+quarter|a\s+third)\b"
    )
    if named:
        word = named.group("w") or named.group("v") or named.group("s")
        value = {
            "half": 0.5,
            "halve": 0.5,
            "a half": 0.5,
            "quarter": 0.25,
            "a quarter": 0.25,
            "a third": 1 / 3,
            "double": 2.0,
            "triple": 3.0,
            "quadruple": 4.0,
            "normal": 1.0,
            "real": 1.0,
        }[word]
        return value, [named]
    mult = c.search(
        rf"(?:\bx\s*(?P<a>{NUM})\b|(?P<b>{NUM})\s*(?:x\b|times\b|fold\b)|\bfactor\s+of\s+(?P<c>{NUM})\b|(?<![\d.])(?P<c2>0?\.\d+|[1-8](?:\.\d+)?)\s+(?:of\s+the\s+)?(?:speed|pace)\b)(?:\s+(?:as\s+)?(?:the\s+)?"
        r"(?:fast|quick|slow|speed|faster|slower|quicker|the\s+speed|normal\s+speed))?"
    )
    pct = c.search(
        rf"(?P<p>{NUM})\s*(?:%|percent|per\s+cent)(?:\s+(?:speed|faster|slower|quicker|of\s+the\s+speed))?"
    )
    if mult:
        f = float(mult.group("a") or mult.group("b") or mult.group("c") or mult.group("c2"))
        if f <= 0:
            return None, []
        if direction == "slow" and f > 1:
            f = 1 / f
        return f, [mult]
    if pct:
        p = float(pct.group("p")) / 100.0
        said = pct.group(0)
        if said.endswith("speed") and not re.search(r"\bby\s*$", c.rest[: pct.start()]) and p > 0:
            return p, [pct]  # "slow motion at 25 % speed": the speed itself, not a change by 25 %
        if direction == "fast" and not re.search(r"\b(?:to|at)\s*$", c.rest[: pct.start()]):
            return 1 + p, [pct]
        if direction == "slow" and not re.search(r"\b(?:to|at)\s*$", c.rest[: pct.start()]):
            return max(0.05, 1 - p) if p < 1 else 1 / p, [pct]
        if "speed" in said or re.search(r"\b(?:to|at)\s*$", c.rest[: pct.start()]) or direction == "neutral":
            return p, [pct]
    bare = c.search(
        rf"\b(?:to|at|of|by|speed|rate)\s*(?:=|:)?\s*(?P<n>{NUM})\b(?!\s*(?:seconds?|secs?|s\b|%|:))"
    )
    if bare and direction == "neutral":
        return float(bare.group("n")), [bare]
    return None, []


NEEDS_SECONDS = 'say which seconds to cut, e.g. "cut the first 3 seconds" or "remove 0:02 to 0:05"'
KEEP_NEEDS_SECONDS = (
    'say which seconds to keep, e.g. "keep the first 5 seconds", "keep the middle third" or '
    '"keep 0:02 to 0:05"'
)


def _fast_word(c: Clause) -> re.Match[str] | None:
    """The first word asking for more speed, skipping "quick/fast" said of an edit verb (read in the
    whole clause: the verb may already be consumed, as in "quickly add the title …")."""
    for m in c.finditer(_FAST):
        if m.group(0) in ("quick", "quickly", "fast") and _EDIT_AHEAD.match(c.text, m.end()):
            continue
        return m
    return None


def speed_rule(c: Clause) -> None:
    if c.search(r"\btimelapse\b"):
        m = c.search(r"\btimelapse\b")
        value, words = _speed_value(c, "fast")
        c.emit(
            Speed(
                factor=value or by_level(c.text, 3.0, 4.0, 8.0, 10.0),
                source=c.consume(m, *words),
                confidence=c.confidence(),
            )
        )
        return
    fast, slow = _fast_word(c), c.search(_SLOW)
    neutral = c.search(_NEUTRAL)
    named_only = c.search(
        r"\b(?:half|quarter|double|triple|quadruple)\s+(?:speed|time)\b|\b(?:half|quarter)\s+as\s+fast\b"
    )
    if not (fast or slow or neutral or named_only):
        # A bare multiplier that is the whole clause ("x2", "0.5x", "mute + reverse + 2x") is a speed.
        bare = c.search(
            r"^\s*(?:(?:go|run|play|make\s+it|set\s+it\s+to|put\s+it\s+(?:on|at))\s+(?:it\s+)?)?(?:at\s+)?"
            rf"(?:x\s*(?P<a>{NUM})|(?P<b>{NUM})\s*x)\s*$"
        )
        if bare:
            value = float(bare.group("a") or bare.group("b"))
            if 0 < value <= 100 and abs(value - 1.0) > 1e-6:
                c.emit(Speed(factor=value, source=c.consume(bare), confidence=c.confidence(0.8)))
        return
    if fast and slow:
        # "slow motion, twice as fast" is rare; "as fast as" in a slow clause is not. Trust the first.
        fast, slow = (fast, None) if fast.start() < slow.start() else (None, slow)
    direction = "fast" if fast else "slow" if slow else "neutral"
    value, words = _speed_value(c, direction)
    if value is None:
        if direction == "neutral":
            return  # "speed" alone: nothing to do, let the clause fall through
        if direction == "fast":
            value = by_level(c.text, 1.25, 2.0, 3.0, 4.0)
        else:
            slowmo = (slow.group(0) if slow else "") == "slowmo"
            value = by_level(c.text, 0.75, 0.5, 0.25 if slowmo else 1 / 3, 0.25)
    if abs(value - 1.0) < 1e-6:
        c.consume(fast or slow or neutral, *words)
        return
    source = c.consume(fast or slow or neutral, *words)
    c.emit(Speed(factor=round(min(100.0, max(0.01, value)), 4), source=source, confidence=c.confidence()))


def reverse_rule(c: Clause) -> None:
    m = c.search(
        r"\b(?:boomerang\w*|pingpong|bounc\w*|yoyo|rewind\s+and\s+(?:replay|play)|loop\s+back\s+and\s+forth)"
        r"\b(?:\s+(?:loop\w*|effect|style|playback|mode|clip|video|thing)){0,2}"
    )
    if m:
        c.emit(Boomerang(source=c.consume(m), confidence=c.confidence()))
        return
    m = c.search(
        r"\b(?:revers\w*(?!\s+(?:the\s+)?colou?rs)|backwards?|rewind\w*|back\s+to\s+front|play\s+it\s+back|"
        r"inverse\s+playback|run\s+backwards|in\s+reverse)\b(?:\s+playback)?"
    )
    if m:
        c.emit(Reverse(source=c.consume(m), confidence=c.confidence()))


def loop_rule(c: Clause) -> None:
    m = c.search(
        r"\b(?:loop(?:ed|ing|s)?|repeat(?:ed|ing|s)?|replay\w*|on\s+repeat|over\s+and\s+over|"
        rf"play(?:ed)?\s+(?:it\s+|this\s+|the\s+(?:video|clip)\s+)?(?:{NUM})\s*(?:times|x)|"
        rf"(?:{NUM})\s*times\s+in\s+a\s+row|play\s+(?:it\s+)?again)\b"
    )
    if not m:
        return
    count_m = c.search(rf"(?P<n>{NUM})\s*(?:times|x)\b") or c.search(rf"(?<=play it )(?P<n>{NUM})\b")
    count = 2
    if count_m:
        count = int(round(float(count_m.group("n"))))
    elif c.search(r"\bover\s+and\s+over\b"):
        count = 4
    row = c.search(r"\bin\s+a\s+row\b")
    source = c.consume(m, count_m, row)
    if count < 2:
        count = 2
    c.emit(Loop(count=min(count, 50), source=source, confidence=c.confidence(0.95 if count_m else 0.8)))


def freeze_rule(c: Clause) -> None:
    m = c.search(r"\b(?:freez\w*|frozen|hold|holding|pause\w*|still\s+frame|stop\s+motion\s+on)\b")
    if not m:
        return
    words: list[re.Match[str] | None] = [m]
    at = FREEZE_LAST
    at_m = c.search(rf"\b(?:at|on|from)\s+(?:the\s+)?(?P<t>{TIME})")
    first = c.search(r"\b(?:first|opening|initial|start(?:ing)?|beginning)\s*(?:frame)?\b")
    last = c.search(r"\b(?:last|final|ending|end|closing)\s*(?:frame)?\b")
    if at_m:
        at = parse_time(at_m.group("t")) or 0.0
        words.append(at_m)
    elif first:
        at = 0.0
        words.append(first)
    elif last:
        words.append(last)
    elif c.search(r"\b(?:middle|halfway|midway|center|centre)\b"):
        c.consume(m, c.search(r"\b(?:middle|halfway|midway|center|centre)\b"))
        c.refuse('say when to freeze, e.g. "freeze at 0:03 for 2 seconds" (default: the last frame)')
        return
    dur_m = c.search(rf"\b(?:for|lasting|of)\s+(?P<t>{TIME})") or c.search(rf"(?P<t>{TIME})")
    duration = 2.0
    if dur_m:
        duration = parse_time(dur_m.group("t")) or 2.0
        words.append(dur_m)
    words.append(c.search(r"\b(?:the\s+)?(?:frame|picture|image|shot)\b"))
    c.emit(
        Freeze(
            at=at,
            duration=max(0.1, min(60.0, duration)),
            source=c.consume(*words),
            confidence=c.confidence(0.9),
        )
    )


_REMOVE = (
    r"\b(?:remov\w*|delet\w*|drop\w*|skip\w*|cut(?:ting)?(?:\s+(?:out|off|away))?|chop(?:\s+off)?|trim(?:\s+off)?|"
    r"lose|get\s+rid\s+of|take\s+(?:out|off|away)|ditch|discard|exclude|eliminate|omit|lop\s+off|shave\s+off|"
    r"snip|throw\s+away|strip)\b"
)
# "only the first 5 s" keeps them, but "just/only" in front of a verb is an adverb of that verb:
# "just trim the first 2 s" removes them, as "trim the first 2 s" does.
_NOT_BEFORE_A_REMOVAL = (
    r"(?!\s+(?:(?:simply|quickly|go\s+ahead\s+and|please|(?:want|need)\s+(?:you\s+)?to)\s+)*" + _REMOVE + r")"
)
_KEEP = (
    r"\b(?:keep(?:ing)?|(?:only|just)" + _NOT_BEFORE_A_REMOVAL + r"|"
    r"(?:trim|cut|clip|crop|shorten|reduce|limit|chop)(?:\s+(?:it|this|the\s+(?:video|clip)))?"
    r"(?:\s+down)?\s+to|use|leave)\b"
)

# A part of the clip named without times, as what to keep ("keep the middle part", "just the ending").
_PART_NOUN = (
    r"(?:intro|outro|opening|beginning|start|ending|end|middle|parts?|bits?|sections?|portions?|segments?)"
)
_VAGUE_KEEP = (
    r"\b(?:keep(?:ing)?|only|just)\s+(?:only\s+|just\s+)?(?:the\s+|its\s+|that\s+|this\s+)?(?:very\s+)?"
    rf"(?:[a-z]+\s+){{0,2}}?{_PART_NOUN}\b"
)
# The same words when a range in the clause gives the times ("the part between 2 and 4 s")
_PART = r"\b(?:the\s+)?(?:(?:middle|central|main|good|best)\s+)?(?:part|bit|section|portion|segment)\b"


# A verb whose object is followed by "out" removes it ("cut 2 s to 4 s out", "take 0:02-0:04 out")
_OUT_VERB = (
    r"\b(?:take|taking|cut(?:ting)?|chop(?:ping)?|snip|trim(?:ming)?|edit|leave|leaving|clip|slice|carve|"
    r"pull|get|strip)\b"
)
_OUT_AFTER = re.compile(
    r"\s*(?:(?:of\s+(?:it|this|that|the\s+(?:video|clip|footage))|please|entirely|completely|altogether)\s+)*"
    r"out(?:\s+of\s+(?:it|this|that|the\s+(?:video|clip|footage)))?\b(?!\s+of\b)"
)


def trim_rule(c: Clause) -> None:
    length = c.search(
        rf"(?:make\s+it\s+|only\s+|just\s+)?(?P<t>{TIME_ANY})\s+long\b|\b(?:shorten|trim|cut)\s+"
        rf"(?:it\s+)?(?:down\s+)?to\s+(?P<u>{TIME_ANY})(?!\s*(?:-|to|until|till|through|thru)\s*\d)"
    )
    if length:
        seconds = parse_time(length.group("t") or length.group("u"))
        if seconds:
            c.emit(Trim(end=seconds, source=c.consume(length), confidence=c.confidence()))
            return
    start_at = c.search(
        rf"\b(?:start|begin)\w*\s+(?:it\s+|the\s+(?:video|clip)\s+)?(?:at|from)\s+(?P<t>{TIME})"
    )
    end_at = c.search(
        rf"\b(?:end|stop|finish)\w*\s+(?:it\s+|the\s+(?:video|clip)\s+)?(?:at|by|after)\s+(?P<t>{TIME})"
    )
    if start_at or end_at:
        c.emit(
            Trim(
                start=parse_time(start_at.group("t")) if start_at else None,
                end=parse_time(end_at.group("t")) if end_at else None,
                source=c.consume(start_at, end_at),
                confidence=c.confidence(),
            )
        )
        return
    if _shorten_by_share(c):
        return
    span = find_range(c.rest)
    keep, remove = c.search(_KEEP), c.search(_REMOVE)
    share = find_share(c.rest) if span is None else None
    if share is not None:
        _share_trim(c, share, keep, remove)
        return
    if span is None:
        if keep or remove:
            vague = c.search(r"\b(?:intro|outro|beginning|start|ending|end|middle|boring\s+parts?|shorter)\b")
            kept_part = c.search(_VAGUE_KEEP)
            if vague and (remove or c.search(r"\bshorter\b")):
                c.consume(keep, remove, vague)
                c.refuse(NEEDS_SECONDS)
            elif kept_part and not remove:
                # "keep the middle part": which seconds? (not "keep the original sound": nothing to do)
                c.consume(kept_part)
                c.refuse(KEEP_NEEDS_SECONDS)
        elif c.search(r"\b(?:shorter|shorten)\b"):
            c.consume(c.search(r"\b(?:shorter|shorten)\b"))
            c.refuse('say how long the video should be, e.g. "trim it to 5 seconds"')
        return
    # "cut 2 s to 4 s out", "take 0:02-0:04 out": the particle after the range makes the verb remove it
    out = _OUT_AFTER.match(c.rest, span.pos[1])
    taken_out = c.search(_OUT_VERB) if out else None
    if taken_out is not None and taken_out.start() < span.pos[0]:
        keep, remove = None, taken_out
    else:
        out = None
    if not (keep or remove):
        keep = c.search(r"\b(?:trim\w*|cut\w*|clip|crop|shorten)\b")
        others = (c.rest[: span.pos[0]] + " " + c.rest[span.pos[1] :]).split()
        if keep is None and (c.ops or not all(w in STOPWORDS for w in others)):
            return  # a time range for something else (or nothing we do): leave it to the caller
    is_edge = span.start is None or (span.start is not None and span.start < 0) or span.end is None
    cut_words = remove is not None and not (keep is not None and keep.start() < remove.start())
    if (
        keep is not None
        and remove is not None
        and "out" not in remove.group(0)
        and keep.group(0).endswith("to")
    ):
        cut_words = False
    but = excepted(c.rest, span.pos[0])
    if but:  # "remove everything except the last 2 s" keeps them, "keep all but the first 3 s" cuts them
        cut_words = not cut_words
    # "cut/trim the first 3 s" removes them; "cut 2 s to 4 s" with no "out" keeps the range.
    elif (
        cut_words
        and out is None
        and remove is not None
        and re.fullmatch(r"(?:cut(?:ting)?|trim)", remove.group(0))
        and not is_edge
    ):
        cut_words = False
    source = c.consume(keep, remove, (but.start() if but else span.pos[0], span.pos[1]), out)
    if is_edge:  # "trim off the ending, the last 1.5 s": the edge named in words is the one timed
        tail = span.end is None or (span.start is not None and span.start < 0)
        edge = r"(?:ending|end|outro)" if tail else r"(?:intro|beginning|start)"
        c.consume(c.search(rf"\b(?:the\s+)?{edge}\b"))
    c.consume(c.search(_PART))  # "keep the middle part, from 0:01.5 to 0:04": the range names the part
    conf = c.confidence()
    if not cut_words:
        kept = Trim(start=span.start, end=span.end, source=source, confidence=conf)
        c.emit(kept)
        c.keeps.append(kept)
    elif span.start is None:
        c.emit(Trim(start=span.end, source=source, confidence=conf))  # remove the head
    elif span.end is None:
        c.emit(Trim(end=span.start, source=source, confidence=conf))  # remove the tail (after/last N)
    else:
        c.emit(Cut(start=span.start, end=span.end, source=source, confidence=conf))


# "trim it to half its length", "shorten it by a third", "make it half as long": the start is kept,
# as with "trim it to 5 seconds".
_SHARE_WORD = (
    rf"(?P<h>half)|(?:a|one)\s+(?P<q>third|quarter|fifth|tenth)|(?P<p>{NUM})\s*(?:%|percent)|"
    r"(?P<f>0?\.\d+)(?!\s*(?:%|x\b|times|speed|s\b|secs?|seconds?|minutes?|mins?|ms))|(?P<a>\d+)\s*/\s*(?P<b>\d+)"
)
_LENGTH_WORDS = (
    r"(?:\s+of\s+)?(?:\s*(?:its|the)\s+(?:original\s+)?(?:length|duration|runtime|run\s+time|time))?"
)
_SHORTEN = (
    re.compile(
        r"\b(?:shorten\w*|trim\w*|cut|chop|reduce|cut\s+down|make)\s+(?:it|this|the\s+(?:video|clip))?\s*"
        rf"(?:down\s+)?(?P<d>to|by)\s+(?:{_SHARE_WORD}){_LENGTH_WORDS}\b"
    ),
    re.compile(rf"\b(?:make\s+it\s+|only\s+)?(?:{_SHARE_WORD})\s+as\s+long\b"),
)
_SHARES = {"half": 0.5, "third": 1 / 3, "quarter": 0.25, "fifth": 0.2, "tenth": 0.1}


def _shorten_by_share(c: Clause) -> bool:
    m = c.search(_SHORTEN[0]) or c.search(_SHORTEN[1])
    if not m:
        return False
    if m.group("h"):
        value = 0.5
    elif m.group("q"):
        value = _SHARES[m.group("q")]
    elif m.group("p") or m.group("f"):
        value = float(m.group("p")) / 100.0 if m.group("p") else float(m.group("f"))
    else:
        value = int(m.group("a")) / int(m.group("b")) if int(m.group("b")) else 0.0
    keep = 1.0 - value if m.groupdict().get("d") == "by" else value
    if not 0.0 < keep < 1.0:
        return False
    c.emit(Trim(portion=Portion(end=round(keep, 4)), source=c.consume(m), confidence=c.confidence(0.85)))
    return True


def _share_trim(
    c: Clause, share: ShareSpan, keep: re.Match[str] | None, remove: re.Match[str] | None
) -> None:
    """Keep or remove a part named by its share of the clip ("only the first half", "cut the middle 2 s")."""
    if not (keep or remove):
        keep = c.search(r"\b(?:trim\w*|cut\w*|clip|crop|shorten)\b")
        others = (c.rest[: share.pos[0]] + " " + c.rest[share.pos[1] :]).split()
        if keep is None and (c.ops or not all(w in STOPWORDS for w in others)):
            return  # a share of the clip for something else: left to the caller
    # "cut/trim the middle 2 seconds" removes them (as "cut the first 3 s" does); "trim it to …" keeps
    cut_words = remove is not None and not (
        keep is not None and (keep.start() < remove.start() or keep.group(0).endswith("to"))
    )
    but = excepted(c.rest, share.pos[0])
    if but:  # "cut everything but the first half" keeps it
        cut_words = not cut_words
    source = c.consume(keep, remove, (but.start() if but else share.pos[0], share.pos[1]))
    conf = c.confidence()
    start, end, seconds = round(share.start, 4), round(share.end, 4), share.seconds
    if not cut_words:
        kept = Trim(portion=Portion(start=start, end=end, seconds=seconds), source=source, confidence=conf)
        c.emit(kept)
        c.keeps.append(kept)
    elif seconds is None and start == 0.0:
        c.emit(Trim(portion=Portion(start=end, end=1.0), source=source, confidence=conf))  # remove the head
    elif seconds is None and end == 1.0:
        c.emit(Trim(portion=Portion(start=0.0, end=start), source=source, confidence=conf))  # remove the tail
    else:
        c.emit(Cut(portion=Portion(start=start, end=end, seconds=seconds), source=source, confidence=conf))
