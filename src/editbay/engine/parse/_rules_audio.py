"""Audio rules: mute, volume in dB (on the whole track or during a span), loudness normalisation,
audio fade in/out."""

from __future__ import annotations

import re
from typing import Literal

from editbay.engine.ops import AudioFade, Mute, Normalize, Volume
from editbay.engine.parse._clause import Clause
from editbay.engine.parse._quantity import NUM, by_level, db_from_ratio, find_time
from editbay.engine.parse._spans import take_spans

_AUDIO = r"audio|sound|sounds|music|soundtrack|volume|track|song|voices?"
_NOT_COLOR = r"(?!\s+(?:the\s+)?(?:colou?rs?|tones?|palette|hues?|look|grade|saturation|shades))"


# "bring the volume up gradually at the start", "slowly lower the sound at the end": a ramp is a fade
_RAMP = re.compile(
    rf"\b(?:(?:gradually|slowly|smoothly|gently)\s+)?(?P<verb>bring|turn|raise|ramp|lower|take|fade|ease)\w*\s+"
    rf"(?:the\s+)?(?:{_AUDIO})\s+(?P<dir>up|in|down|out)\s+(?:gradually|slowly|smoothly|gently)\b|"
    rf"\b(?:gradually|slowly|smoothly|gently)\s+(?P<verb2>bring|turn|raise|ramp|lower|take|ease)\w*\s+"
    rf"(?:(?:up|down|in|out)\s+)?(?:the\s+)?(?:{_AUDIO})(?:\s+(?P<dir2>up|in|down|out))?\b"
)


def _ramp(c: Clause) -> bool:
    m = c.search(_RAMP)
    if not m:
        return False
    lowering = (m.group("verb2") or "").startswith("lower")
    word = m.group("dir") or m.group("dir2") or ("down" if lowering else "up")
    direction: Literal["in", "out"] = "in" if word in ("up", "in") else "out"
    where = c.search(r"\b(?:at|in|towards?|near)\s+(?:the\s+)?(?:very\s+)?(?:start|beginning|end|ending)\b")
    duration, said = _fade_length(c)
    source = c.consume(m, where, said)
    c.emit(AudioFade(direction=direction, duration=duration, source=source, confidence=c.confidence(0.85)))
    return True


def _fade_length(c: Clause) -> tuple[float, re.Match[str] | None]:
    """An audio fade's length: the time said ("over 3 seconds") and its words, else by strength words."""
    found = find_time(c.rest)
    if not found:
        return by_level(c.text, 0.6, 1.0, 2.0, 3.0), None
    said = c.search(rf"(?:over|for|of|in)?\s*{re.escape(c.rest[found[1][0] : found[1][1]])}")
    return max(0.1, min(30.0, found[0])), said


def audio_fade_rule(c: Clause) -> None:
    if not c.search(rf"\b(?:{_AUDIO})\b") or _ramp(c):
        return
    fade = c.search(r"\bfad(?:e|es|ed|ing)\b")
    if not fade:
        return
    after = c.rest[fade.end() :]
    before = c.rest[: fade.start()]
    fade_in = re.search(
        r"^\s*(?:(?:the\s+)?(?:\w+\s+)?(?:in|up)\b|\s*in\b)|^\s*(?:the\s+)?(?:audio|sound|music)\s+in\b|"
        r"from\s+silence|at\s+the\s+(?:start|beginning)",
        after,
    ) or re.search(r"\bin\s*$", before)
    fade_out = re.search(
        r"^\s*(?:(?:the\s+)?(?:\w+\s+)?(?:out|down|away)\b)|to\s+silence|at\s+the\s+end", after
    )
    words = [fade, c.search(rf"\b(?:the\s+)?(?:{_AUDIO})\b"), c.search(r"\b(?:in|out|up|down|away)\b")]
    duration, said = _fade_length(c)
    source = c.consume(*words, said)
    directions: list[Literal["in", "out"]] = []
    if fade_in:
        directions.append("in")
    if fade_out or not fade_in:
        directions.append("out")
    for direction in directions:
        c.emit(
            AudioFade(
                direction=direction,
                duration=duration,
                source=source,
                confidence=c.confidence(0.95 if (fade_in or fade_out) else 0.7),
            )
        )


def mute_rule(c: Clause) -> None:
    m = c.search(
        r"\b(?:mut(?:e|ed|ing)|silenc\w*|silent|soundless|no\s+(?:sound|audio|music)|"
        r"(?:don'?t|do\s+not|doesn'?t)\s+(?:want|need)\s+(?:any\s+|the\s+)?(?:sound|audio|music)|"
        r"no\s+need\s+for\s+(?:any\s+|the\s+)?(?:sound|audio|music)|"
        r"(?:take|get|strip|cut|pull|leave)\s+(?:all\s+)?(?:of\s+)?(?:the\s+|its\s+)?(?:sound|audio|music)\s+out|"
        r"without\s+(?:any\s+)?(?:the\s+)?(?:sound|audio|music)|"
        r"(?:remov\w*|strip\w*|drop\w*|kill|cut|lose|delet\w*|take\s+(?:out|away|off)|get\s+rid\s+of|"
        r"turn\s+off|switch\s+off|disable|ditch|eliminate|nuke)\s+(?:all\s+)?(?:of\s+)?(?:the\s+|its\s+|any\s+)?"
        r"(?:original\s+)?(?:audio|sound|sounds|soundtrack|music|volume)(?:\s+track)?|"
        r"(?:replace|swap|substitute)\s+(?:all\s+)?(?:the\s+|its\s+)?(?:original\s+)?(?:audio|sound|sounds|"
        r"soundtrack|music)(?:\s+track)?\s+(?:with|for|by)\s+(?:total\s+|complete\s+|pure\s+)?(?:silence|"
        r"nothing|no\s+sound)|"
        r"(?:sound|audio|volume)\s+off|turn\s+(?:the\s+)?(?:sound|audio|volume)\s+(?:all\s+the\s+way\s+)?(?:off|down\s+to"
        r"\s+(?:0|zero))|volume\s+(?:to\s+)?(?:0|zero)\b)(?:\s+(?:the\s+)?(?:audio|sound|track|clip|video|it))?\b"
        + _NOT_COLOR
    )
    if m:
        conf = 0.8 if "music" in m.group(0) else 0.95
        source = c.consume(m, c.search(r"\b(?:the\s+)?(?:audio|sound)(?:\s+track)?\b"))
        spans, said = take_spans(c)
        words = " ".join(filter(None, (source, said)))
        for start, end, portion in spans or ([] if spans is None else [(None, None, None)]):
            c.emit(Mute(start=start, end=end, portion=portion, source=words, confidence=c.confidence(conf)))


def _db_amount(c: Clause, up: bool) -> tuple[float, list[re.Match[str] | None]]:
    db = c.search(rf"(?P<v>[+-]?\s*(?:{NUM}))\s*(?:db|decibels?|dbs)\b")
    if db:
        value = abs(float(db.group("v").replace(" ", "")))
        if db.group("v").strip().startswith("-"):
            up = False
        return (value if up else -value), [db]
    named = c.search(r"\b(?P<w>double|twice|triple|half|halve|quarter)\b")
    if named:
        ratio = {"double": 2.0, "twice": 2.0, "triple": 3.0, "half": 0.5, "halve": 0.5, "quarter": 0.25}[
            named.group("w")
        ]
        return db_from_ratio(ratio), [named]
    mult = c.search(rf"(?P<v>{NUM})\s*(?:x|times)\b")
    if mult:
        ratio = float(mult.group("v"))
        return db_from_ratio(ratio if up else 1 / ratio if ratio > 1 else ratio), [mult]
    pct = c.search(rf"(?P<to>\b(?:to|at)\s+)?(?P<v>{NUM})\s*(?:%|percent)")
    if pct:
        p = float(pct.group("v")) / 100.0
        if pct.group("to") or re.search(r"volume\s*$", c.rest[: pct.start()]):
            return db_from_ratio(p), [pct]
        return db_from_ratio(1 + p if up else max(0.01, 1 - p)), [pct]
    level = by_level(c.text, 3.0, 6.0, 12.0, 18.0) if not up else by_level(c.text, 3.0, 6.0, 10.0, 15.0)
    return (level if up else -level), []


def volume_rule(c: Clause) -> None:
    up = c.search(
        r"\b(?:louder|(?<!too )loud|too\s+(?:quiet|soft|low)|amplif\w*|"
        r"(?:turn|crank|pump|bump|jack|ramp)\s+(?:it\s+|the\s+(?:volume|sound|audio)\s+)?up"
        r"(?:\s+the\s+(?:volume|sound|audio))?|(?:increase|raise|boost|up|more|higher|enhance|push|lift)\s+(?:the\s+)?"
        rf"(?:{_AUDIO}|gain|levels?)|(?:volume|sound|audio|gain)\s+(?:up|higher|boost|increase)|double\s+the\s+volume)\b"
        + _NOT_COLOR
    )
    down = c.search(
        r"\b(?:quieter|(?<!too )quiet|softer|less\s+loud|too\s+loud|"
        r"(?:turn|bring|tone|dial|knock)\s+(?:it\s+|the\s+(?:volume|sound|audio)\s+)?"
        r"down(?:\s+the\s+(?:volume|sound|audio))?|(?:decrease|lower|reduce|drop|cut|lessen|dim|duck|attenuate)\s+"
        rf"(?:the\s+)?(?:{_AUDIO}|gain|levels?)|(?:volume|sound|audio|gain)\s+(?:down|lower|decrease|reduction)|"
        r"hal(?:f|ve)\s+the\s+volume)\b" + _NOT_COLOR
    )
    if not (up or down) and c.search(r"\b(?:volume|sound|audio|music|voices?|gain)\b"):
        # "turn the volume of the voice up": verb and particle around a longer object.
        up = c.search(r"\b(?:turn|crank|pump|bump|push)\s+(?:[a-z']+\s+){1,6}up\b")
        down = c.search(r"\b(?:turn|bring|tone|dial|knock)\s+(?:[a-z']+\s+){1,6}down\b")
    plain = c.search(r"\b(?:volume|gain)\b") or c.search(rf"[+-]?\s*(?:{NUM})\s*(?:db|decibels?)\b")
    if not (up or down or (plain and c.search(r"(?:\b|\d)db\b|\d\s*%|decibel"))):
        return
    if up and down:
        up, down = (up, None) if up.start() < down.start() else (None, down)
    said = (up or down or plain).group(0)  # type: ignore[union-attr]
    sound_words = rf"\b(?:{_AUDIO}|gain|levels?|loud\w*|quiet\w*|soft\w*|db|decibels?)\b"
    if not re.search(sound_words, said) and c.search(
        r"\b(?:contrast|saturation|brightness|exposure|colou?rs?|sharpness|warmth|speed|tempo|pace|zoom|grain|"
        r"blur|vignette|gamma|glow|lights?|shadows|highlights|blacks|tones?|heat|temperature)\b"
    ):
        return  # "bump up the contrast", "turn the saturation down": a picture change, read later
    is_up = bool(up) or (not down and not c.search(r"-\s*\d"))
    # the span first: "quieter during the first half" is not "half the volume"
    spans, said = take_spans(c)
    gain, words = _db_amount(c, is_up)
    if abs(gain) < 0.01 or spans is None:
        return
    source = " ".join(filter(None, (c.consume(up or down or plain, *words), said)))
    gain = round(max(-60.0, min(30.0, gain)), 2)
    for start, end, portion in spans or [(None, None, None)]:
        c.emit(
            Volume(
                gain_db=gain, start=start, end=end, portion=portion, source=source, confidence=c.confidence()
            )
        )


def normalize_rule(c: Clause) -> None:
    m = c.search(
        r"\b(?:normaliz\w*|loudness|lufs|ebu|r\s*128|even\s+out\s+(?:the\s+)?(?:audio|volume|sound|levels)|"
        r"level\s+(?:out\s+)?(?:the\s+)?(?:audio|sound|volume)|consistent\s+(?:volume|loudness|audio|levels)|"
        r"balance\s+(?:the\s+)?(?:audio|sound|levels|volume)|(?:audio|sound|volume)\s+level(?:l)?ing|"
        r"(?:audio|sound|volume|levels?|loudness)\s+(?:(?:is|are|more|less|a\s+bit|bit)\s+)*(?:even(?:er)?|"
        r"consistent|uniform|steady|steadier|balanced|un-?even|inconsistent|all\s+over\s+the\s+place)|"
        r"(?:even|evener|consistent|steady|steadier|uniform)\s+(?:audio|sound|volume|levels?|loudness))\b"
    )
    if not m or c.has(r"\bcolou?rs?\b"):
        return
    target = c.search(rf"(?P<v>-?\s*(?:{NUM}))\s*(?:lufs|lu)\b")
    value = -16.0
    if target:
        value = -abs(float(target.group("v").replace(" ", "")))
    elif c.has(r"\byoutube|spotify|streaming\b"):
        value = -14.0
    elif c.has(r"\bbroadcast|tv|ebu\b"):
        value = -23.0
    words = [
        m,
        target,
        c.search(r"\b(?:the\s+)?(?:audio|sound|volume|levels?)\b"),
        c.search(
            r"\b(?:for|like|on)\s+(?:youtube|spotify|streaming|broadcast|tv|podcasts?|instagram|tiktok)\b"
        ),
    ]
    c.emit(
        Normalize(
            target_lufs=max(-40.0, min(-5.0, value)), source=c.consume(*words), confidence=c.confidence()
        )
    )
