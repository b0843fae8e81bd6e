"""Time rules: speed, reverse, boomerang, loop and freeze frame (trims and cuts: `_rules_trim`)."""

from __future__ import annotations

import re
from typing import Literal

from editbay.engine.ops import Boomerang, Extend, FrameRate, Freeze, Loop, Reverse, Speed
from editbay.engine.parse._clause import Clause
from editbay.engine.parse._quantity import (
    NUM,
    TIME,
    TIME_ANY,
    by_level,
    parse_time,
)

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
# "cut the first 2 seconds quickly", "blur the faces fast": said after an edit verb, with nothing
# about motion in between and nothing after it, the adverb is about the edit too ("make it fast",
# "play it quickly", "zoom in quickly" keep their speed: those verbs are not in this list)
_EDIT_BEHIND = re.compile(
    r"\b(?:cut|trim|chop|snip|lop|shave|add|remov|delet|drop|put|apply|crop|mute|rotate|flip|mirror|blur|"
    r"sharpen|resiz|scale|insert|overlay|caption|grade|colou?r|lower|raise|boost|increas|decreas|reduc|"
    r"shorten|throw|tweak|adjust|clean|tidy|crank|convert|fix|edit|bright|dark)\w*\b"
)
_MOTION = re.compile(
    r"\b(?:play\w*|run\w*|go|goes|going|move\w*|motion|pace|speed\w*|happen\w*|roll\w*|flow\w*|zip\w*|"
    r"fly|flies|pass\w*|feel\w*|look\w*|seem\w*|unfold\w*|progress\w*|tempo|action|movement)\b"
)
_CLAUSE_END = re.compile(r"\s*(?:,?\s*(?:please|thanks|thank\s+you|if\s+you\s+can)\b)?\s*[.!?]*\s*$")
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
    # "1/4 speed", "3/4 of the speed": the fraction is the speed
    fraction = c.search(
        r"(?<![\d.])(?P<a>\d+)\s*/\s*(?P<b>\d+)\s*(?:of\s+(?:the\s+)?(?:original\s+|normal\s+)?)?"
        r"(?:speed|pace|tempo|rate)\b"
    )
    if fraction and int(fraction.group("b")) > 0 and int(fraction.group("a")) > 0:
        return int(fraction.group("a")) / int(fraction.group("b")), [fraction]
    # "slow it down by a third" (normalised to "by 0.333"): a third slower, not a third of the speed
    by_share = c.search(r"\bby\s+(?P<f>0?\.\d+)\b(?!\s*(?:%|x\b|times|s\b|secs?|seconds?|minutes?))")
    if by_share and direction in ("fast", "slow"):
        share = float(by_share.group("f"))
        return (1 + share if direction == "fast" else 1 - share), [by_share]
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


def _said_of_edit_before(text: str, m: re.Match[str]) -> bool:
    """Whether "quickly"/"fast" ends the clause after an edit verb, with no word of motion between."""
    if m.group(0) == "quick" or not _CLAUSE_END.fullmatch(text, m.end()):
        return False
    verbs = list(_EDIT_BEHIND.finditer(text, 0, m.start()))
    return bool(verbs) and not _MOTION.search(text, verbs[-1].end(), m.start())


def _fast_word(c: Clause) -> re.Match[str] | None:
    """The first word asking for more speed, skipping "quick/fast" said of an edit verb (read in the
    whole clause: the verb may already be consumed, as in "quickly add the title …")."""
    for m in c.finditer(_FAST):
        if m.group(0) in ("quick", "quickly", "fast") and (
            _EDIT_AHEAD.match(c.text, m.end()) or _said_of_edit_before(c.text, m)
        ):
            continue
        return m
    return None


# The length the speed change must reach: "speed it up to fit 10 seconds", "slow it down so it lasts
# 20 s", "squeeze it into 15 seconds" ("make it 15 seconds long" alone is a trim)
_FIT_VERBS = r"fit|fitting|squeez\w*|compress\w*|cram\w*|condens\w*|shrink\w*"
_FIT = re.compile(
    r"\b(?:to|so(?:\s+that)?\s+it|and|until\s+it)\s+(?:fits?|lasts?|runs?|takes?|is|becomes?|ends?\s+up|"
    r"plays?\s+(?:in|for))\s+(?:(?:in(?:to)?|at|for|exactly|just|only|about|under)\s+)*"
    r"(?P<t>" + TIME_ANY + r")(?:\s+long)?(?![\d:.])|"
    r"\b(?:speed\w*|timelapse|slow\w*)\s+(?:it\s+|this\s+|the\s+(?:whole\s+)?(?:video|clip|footage)\s+)?"
    r"(?:up\s+|down\s+)?to\s+(?P<w>" + TIME_ANY + r")(?![\d:.])|"
    r"\b(?:" + _FIT_VERBS + r")\s+(?:it\s+|this\s+|everything\s+|"
    r"the\s+(?:whole\s+)?(?:video|clip|footage|thing)\s+)?(?:down\s+)?(?:in(?:to)?|to|within)\s+"
    r"(?P<u>" + TIME_ANY + r")(?![\d:.])|"
    r"\b(?P<v>" + TIME_ANY + r")\s+long\s+by\s+(?:speeding|slowing)\b"
)
_FIT_VERB = re.compile(rf"\b(?:{_FIT_VERBS})\b")


def _fit_rule(c: Clause) -> bool:
    """A speed set by the length to reach; the planner, which knows the duration, sets the factor."""
    fit = c.search(_FIT)
    if fit is None:
        return False
    speed_words = _fast_word(c) or c.search(_SLOW) or c.search(_NEUTRAL) or c.search(r"\btimelapse\b")
    if speed_words is None and not _FIT_VERB.match(fit.group(0)) and fit.group("v") is None:
        return False  # "make it so it lasts 10 s": no word of speed
    seconds = parse_time(fit.group("t") or fit.group("u") or fit.group("v") or fit.group("w"))
    if not seconds:
        return False
    _, words = _speed_value(c, "neutral")
    source = c.consume(speed_words, fit, *words)
    c.emit(Speed(factor=1.0, fit=seconds, source=source, confidence=c.confidence()))
    return True


# "24 fps", "reduce the frame rate to 24", "60 frames per second"; not the source described ("shot at
# 60fps, make it slow motion")
_FPS = re.compile(
    rf"(?<!shot at )(?<!filmed at )(?<!recorded at )(?<!shot in )(?<!filmed in )(?<!recorded in )(?<!is )"
    rf"(?<!was )(?<!are )(?<!currently )(?<!native )(?<!source )(?<!original )"
    rf"(?<![\d.])(?P<n>{NUM})\s*(?:fps|f/s|frames?\s+(?:per|a|/)\s*(?:second|sec|s)\b)|"
    rf"\bframe\s*rate\s+(?:(?:down|up)\s+)?(?:to|of|at|=|:)?\s*(?P<m>{NUM})\b(?:\s*(?:fps|f/s))?"
)
_FPS_WORDS = (
    r"\b(?:(?:change|set|convert|reduce|lower|drop|increase|raise|bump|make|turn|put|conform)\w*\s+)?"
    r"(?:(?:it|the\s+(?:video|clip))\s+)?(?:the\s+)?(?:frame\s*rate|fps)(?:\s+(?:down|up))?\b"
)


# Black added before or after the video: "add 2 seconds of black at the end", "start with a black
# screen", "pad the end with 3 s of black" ("end on black", "fade to black" are fades)
_BLACK = r"(?:black(?:\s+(?:screen|frames?|card|slate|space|video))?|blackness|darkness)"
_EXTEND = re.compile(
    rf"(?:\b(?:add|append|prepend|insert|put|pad|tack\s+on|include|hold|stay|end|finish|start|begin|open)\w*"
    rf"(?:\s+(?:it|the\s+(?:video|clip)))?(?:\s+(?:on|with|in|for))?\s+)?"
    rf"(?:(?:an?|some|extra|another)\s+)?(?:(?P<d>{TIME_ANY})|(?:a\s+)?(?:second|moment|beat))\s+(?:of\s+)?{_BLACK}\b|"
    rf"\b(?:add|append|prepend|insert|put|tack\s+on|include)\w*\s+(?:an?\s+|some\s+|extra\s+)?"
    rf"(?:black\s+(?:screen|frames?|card|slate|space|video)|blackness)\b|"
    rf"\b(?:start|begin|open)\w*\s+(?:it\s+)?(?:with|on)\s+(?:an?\s+)?black\s+(?:screen|frames?|card|slate)\b|"
    rf"\bpad\w*\s+(?:the\s+)?(?P<w2>start|beginning|end|ending)\s+with\s+(?:(?P<d2>{TIME_ANY})\s+of\s+)?{_BLACK}\b|"
    rf"\b(?:hold|stay|rest|linger)\w*\s+on\s+(?:a\s+)?{_BLACK}\b"
)
_EXTEND_WHERE = re.compile(
    r"\b(?:at|to|on|onto)\s+(?:the\s+)?(?:very\s+)?(?P<w>start|beginning|front|end|ending|finish)\b|"
    r"\b(?P<b>before|after)\s+(?:it|the\s+(?:video|clip|footage))\b"
)


def extend_rule(c: Clause) -> None:
    m = c.search(_EXTEND)
    if not m or c.search(r"\b(?:fade|fading|dip)\w*\b"):
        return
    said = m.group(0)
    where_m = c.search(_EXTEND_WHERE)
    where: Literal["start", "end"] = "end"
    if m.group("w2"):
        where = "start" if m.group("w2") in ("start", "beginning") else "end"
    elif where_m:
        word = where_m.group("w") or where_m.group("b")
        where = "start" if word in ("start", "beginning", "front", "before") else "end"
    elif re.match(r"(?:prepend|start|begin|open)", said):
        where = "start"
    length_m = None if (m.group("d") or m.group("d2")) else c.search(rf"\bfor\s+(?P<t>{TIME_ANY})")
    text = m.group("d") or m.group("d2") or (length_m.group("t") if length_m else None)
    seconds = (parse_time(text) if text else None) or 1.0
    source = c.consume(m, where_m, length_m)
    if seconds > 30:
        c.refuse("up to 30 seconds of black can be added at the start or the end")
        return
    c.emit(Extend(where=where, duration=seconds, source=source, confidence=c.confidence()))


def frame_rate_rule(c: Clause) -> None:
    m = c.search(_FPS)
    if not m:
        return
    fps = float(m.group("n") or m.group("m"))
    source = c.consume(m, c.search(_FPS_WORDS))
    if not 1.0 <= fps <= 120.0:
        c.refuse("frame rates from 1 to 120 fps are supported")
        return
    c.emit(FrameRate(fps=fps, source=source, confidence=c.confidence()))


def speed_rule(c: Clause) -> None:
    if _fit_rule(c):
        return
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
    forever = c.search(r"\b(?:forever|endless(?:ly)?|infinite(?:ly)?|indefinitely|non\s*stop|for\s+ever)\b")
    if forever:
        c.consume(m, forever)
        c.refuse('a video file cannot loop forever: say how many times, e.g. "loop it 3 times" (up to 50)')
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
    m = c.search(
        r"\b(?:freez\w*|frozen|hold|holding|pause\w*|still\s+frame|stop\s+motion\s+on|"
        r"(?:extend|stretch|lengthen|prolong)\w*(?=\s+(?:the\s+)?(?:\w+\s+)?(?:frame|still)\b))\b"
    )
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
