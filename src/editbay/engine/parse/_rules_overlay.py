"""Overlay rules: text (titles, captions, text watermarks) and images from ``images[]`` (logos)."""

from __future__ import annotations

import re

from editbay.engine.ops import Overlay, Position, Text
from editbay.engine.parse._clause import Clause
from editbay.engine.parse._quantity import NUM, find_range, percent

_TEXT_NOUNS = (
    r"text|titles?|captions?|subtitles?|headings?|headlines?|labels?|words?|lowerthird|banner|tagline|"
    r"slogan|message|quote|credits?|name|intro\s+card|title\s+card|overlay\s+text|watermark"
)
# An adjective before "title"/"text" that is not itself a setting (size, colour, opacity).
_PLAIN_ADJECTIVE = (
    r"\b(?!(?:semitransparent|transparent|translucent|faint|big|large|huge|giant|small|tiny|bold|medium|"
    r"intro|opening|outro|closing|end|ending|final|"
    r"white|black|red|green|blue|yellow|orange|purple|pink|gray|cyan|magenta|gold|golden)\b)[a-z]+"
)
_TEXT_VERBS = r"add|put|write|display|show|overlay|type|print|stamp|place|insert|include|caption|title|say"
COLOR_NAMES = (
    r"white|black|red|green|blue|yellow|orange|purple|pink|gray|cyan|magenta|gold|golden|silver|brown|"
    r"violet|navy|teal|beige|maroon|lime|olive|turquoise"
)

_POSITION = re.compile(
    r"(?:\b(?:at|in|on|to|towards|along|across|near|into)\s+)?(?:the\s+)?(?:very\s+)?"
    r"(?P<p>(?:top|upper|bottom|lower)\s*(?:left|right)|(?:left|right)\s*(?:top|upper|bottom|lower)|"
    r"top|upper|bottom|lower(?!third)|center|centre|middle|left|right|corner|header|footer|lowerthird)\b"
    r"(?:\s+(?:hand\s+)?(?:corner|side|edge|part|third|area|of\s+the\s+(?:screen|frame|video|picture|image)))?"
)


def _position(word: str, default: Position) -> Position:
    word = re.sub(r"\s+", " ", word)
    vertical = (
        "top"
        if re.search(r"top|upper|header", word)
        else "bottom"
        if re.search(r"bottom|lower|footer", word)
        else ""
    )
    horizontal = "left" if "left" in word else "right" if "right" in word else ""
    if vertical and horizontal:
        return f"{vertical}_{horizontal}"  # type: ignore[return-value]
    if vertical:
        return vertical  # type: ignore[return-value]
    if horizontal:
        return horizontal  # type: ignore[return-value]
    if word in ("center", "centre", "middle"):
        return "center"
    if word == "corner":
        return "bottom_right"
    return default


def _take_position(c: Clause, default: Position) -> Position:
    m = c.search(_POSITION)
    if not m:
        return default
    c.consume(m)
    return _position(m.group("p"), default)


def _take_opacity(c: Clause, default: float) -> float:
    m = c.search(rf"({NUM})\s*%\s*(opacity|opaque|visible|transparen\w*)")
    if m:
        value = float(m.group(1)) / 100.0
        c.consume(m)
        return round(1.0 - value if m.group(2).startswith("transparen") else value, 3)
    m = c.search(r"\bopacity\s*(?:of|to|at|=)?\s*(0?\.\d+|1(?:\.0)?)\b")
    if m:
        c.consume(m)
        return float(m.group(1))
    m = c.search(r"\b(?:semitransparent|translucent|half\s+transparent|transparent|see\s+through)\b")
    if m:
        c.consume(m)
        return 0.5
    m = c.search(r"\b(?:faint\w*|subtle|subtly|ghost\w*|barely\s+visible|light)\b")
    if m:
        c.consume(m)
        return 0.35
    return default


# Words that place a title at one end of the clip, for 3 s: "at the start", "at the end", "an intro
# title card", "an end card", "the outro"
_EDGE_SPANS: tuple[tuple[str, tuple[float | None, float | None]], ...] = (
    (r"\b(?:at|in|during)\s+the\s+(?:very\s+)?(?:start|beginning|opening)\b", (None, 3.0)),
    (r"\b(?:at|in|during)\s+the\s+(?:very\s+)?(?:end|ending|finish|close)\b", (-3.0, None)),
    (r"\b(?:intro|opening)(?:\s+(?:title|card|screen))*\b", (None, 3.0)),
    (r"\b(?:end|outro|closing|final)\s+(?:title\s+)?(?:card|screen|slate)\b|\boutro\b", (-3.0, None)),
)


def _take_range(c: Clause) -> tuple[float | None, float | None]:
    span = find_range(c.rest)
    if span:
        c.consume(span.pos)
        return span.start, span.end
    lasting = c.search(rf"\bfor\s+({NUM})\s*(?:seconds?|secs?|s)\b")
    if lasting:
        c.consume(lasting)
        return None, float(lasting.group(1))
    for pattern, edge in _EDGE_SPANS:
        m = c.search(pattern)
        if m:
            c.consume(m)
            return edge
    return None, None


def _text_size(c: Clause) -> float:
    for pattern, size in (
        (r"\b(?:huge|giant|massive|enormous|very\s+(?:big|large))\b", 0.14),
        (r"\b(?:big|large|larger|bigger|bold|prominent)\b", 0.1),
        (r"\b(?:tiny|very\s+small)\b", 0.03),
        (r"\b(?:small|smaller|little)\b(?!\s+bit)", 0.04),
        (r"\b(?:medium|normal\s+size)\b", 0.06),
    ):
        m = c.search(pattern)
        if m:
            c.consume(m)
            return size
    return 0.06


def _text_color(c: Clause) -> str:
    m = c.search(r"#[0-9a-f]{6}\b")
    if m:
        c.consume(m)
        return m.group(0)
    m = c.search(
        rf"\b(?:in\s+|colou?red\s+)?(?P<c>{COLOR_NAMES})\b(?:\s+(?:text|font|letters|colou?r|colored))?"
    )
    if m:
        c.consume(m)
        return "gold" if m.group("c") == "golden" else m.group("c")
    return "white"


def text_rule(c: Clause) -> None:
    placeholders = c.finditer(r"«(\d+)»")
    if not placeholders:
        m = c.search(rf"\b(?:{_TEXT_VERBS})\b.*\b(?:{_TEXT_NOUNS})\b(?!\s+(?:bigger|smaller|larger))")
        if m and not re.search(r"\b(?:logo|image|picture|photo)\b", m.group(0)) and not c.ctx.images:
            if re.search(r"\bwatermark\b", m.group(0)):
                return  # the logo rule explains that an image is needed
            c.consume(m)
            c.refuse('a title or caption needs its text: put the words in quotes, e.g. add the title "Hello"')
        return
    is_watermark = c.search(r"\bwatermark\b") is not None and not c.ctx.images
    for ph in placeholders:
        words = c.ctx.quotes[int(ph.group(1))]
        if not words.strip():
            continue
        noun = c.search(
            rf"(?:\b(?:{_TEXT_VERBS})\b\s+)?(?:(?:an?|the|some|my|this)\s+)?(?:{_PLAIN_ADJECTIVE}\s+)?"
            rf"\b(?:{_TEXT_NOUNS})\b(?:\s+(?:saying|that\s+says|reading|with))?"
        )
        source = c.consume(noun, ph)
        box = c.search(
            r"\b(?:on|with|in)\s+(?:an?\s+)?(?:\w+\s+)?(?:box|banner|backing|bar|strip|background)\b"
        )
        if box:
            c.consume(box)
        color = _text_color(c)
        size = _text_size(c)
        position = _take_position(c, "bottom_right" if is_watermark else "bottom")
        opacity = _take_opacity(c, 0.6 if is_watermark else 1.0)
        start, end = _take_range(c)
        c.emit(
            Text(
                text=words[:500],
                position=position,
                size=size,
                color=color,
                opacity=opacity,
                box=box is not None,
                start=start,
                end=end,
                source=source or words,
                confidence=c.confidence(),
            )
        )


_IMAGE_WORDS = r"logo|logos|watermark|sticker|icon|emblem|badge|brand\w*|graphic|png|overlay"
_ORDINALS = {
    "first": 0,
    "1st": 0,
    "second": 1,
    "2nd": 1,
    "third": 2,
    "3rd": 2,
    "fourth": 3,
    "4th": 3,
    "last": -1,
}


def _image_index(c: Clause) -> int:
    # Read the full clause: the trigger ("put the second image") may already be consumed.
    m = re.search(r"\b(?:image|picture|photo|logo|file)\s*(?:#|no\.?|number)?\s*(\d)\b", c.text)
    if m:
        c.consume(c.search(re.escape(m.group(0))))
        return max(0, int(m.group(1)) - 1)
    m = re.search(
        r"\b(first|1st|second|2nd|third|3rd|fourth|4th|last)\s+(?:image|picture|photo|logo|file)\b", c.text
    )
    if m:
        c.consume(c.search(rf"\b{m.group(1)}\b"))
        index = _ORDINALS[m.group(1)]
        return len(c.ctx.images) - 1 if index < 0 else index
    return 0


def logo_rule(c: Clause) -> None:
    trigger = c.search(
        rf"\b(?:{_IMAGE_WORDS})\b|\b(?:overlay|put|place|add|insert|stamp|paste|superimpose|"
        r"include|use)\s+(?:the\s+|my\s+|our\s+|this\s+|an?\s+)?(?:attached\s+|uploaded\s+|provided\s+|"
        r"given\s+|first\s+|second\s+|other\s+)?(?:image|picture|photo)\b|"
        r"\b(?:attached|uploaded|provided)\s+(?:image|picture|photo|file)\b"
    )
    if not trigger:
        return
    if trigger.group(0) == "overlay" and "text" in c.kinds():
        c.consume(trigger)  # 'overlay "Chapter 1" in white': the verb of the text just read
        return
    if not c.ctx.images:
        c.consume(trigger)
        c.refuse("a logo or image overlay needs the image: send it in images[] (no image was attached)")
        return
    is_watermark = "watermark" in trigger.group(0)
    source = c.consume(trigger)
    index = min(_image_index(c), len(c.ctx.images) - 1)
    position = _take_position(c, "bottom_right" if is_watermark else "top_right")
    scale = 0.15
    pct = c.search(rf"({NUM})\s*%\s*(?:of\s+the\s+)?(?:width|size|frame|screen|wide)?")
    size_word = c.search(r"\b(?:tiny|small|smaller|little|medium|big|bigger|large|larger|huge)\b(?!\s+bit)")
    if pct and percent(pct.group(0)) is not None and not c.search(r"opacity|opaque|transparen"):
        scale = min(1.0, max(0.02, float(pct.group(1)) / 100.0))
        c.consume(pct)
    elif size_word:
        scale = {
            "tiny": 0.07,
            "small": 0.1,
            "smaller": 0.1,
            "little": 0.1,
            "medium": 0.15,
            "big": 0.25,
            "bigger": 0.25,
            "large": 0.25,
            "larger": 0.25,
            "huge": 0.35,
        }[size_word.group(0)]
        c.consume(size_word)
    opacity = _take_opacity(c, 0.7 if is_watermark else 1.0)
    start, end = _take_range(c)
    c.emit(
        Overlay(
            image_index=index,
            position=position,
            scale=scale,
            opacity=opacity,
            start=start,
            end=end,
            source=source,
            confidence=c.confidence(),
        )
    )
