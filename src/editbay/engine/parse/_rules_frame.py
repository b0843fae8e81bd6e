"""Geometry rules: flip, rotate, aspect ratio (and filling the frame), resize, zoom."""

from __future__ import annotations

import re
from typing import Literal, get_args

from editbay.engine.ops import Aspect, AspectRatio, Flip, Letterbox, Resize, Rotate, Zoom, ZoomAnchor
from editbay.engine.parse._clause import Clause
from editbay.engine.parse._negation import CROP
from editbay.engine.parse._quantity import NUM, by_level, factor, percent

# ---- flip and rotate -------------------------------------------------------------------------


def flip_rule(c: Clause) -> None:
    m = c.search(
        r"\b(?:flip(?:ped|ping|s)?|mirror(?:ed|ing|s)?(?:\s+image)?|invert(?:ed)?(?=\s+(?:horizontal|vertical)))"
        r"(?:\s+(?:it|this|the\s+(?:video|clip|image|picture|footage|frame)))?(?!\s+(?:the\s+)?colou?rs?)"
    )
    if not m:
        return
    both = c.search(r"\b(?:both\s+ways|horizontally\s+and\s+vertically|vertically\s+and\s+horizontally)\b")
    vertical = c.search(
        r"\b(?:vertical(?:ly)?|upsidedown|top\s+to\s+bottom|bottom\s+to\s+top|up\s+and\s+down|"
        r"on\s+(?:its|the)\s+(?:head|x\s+axis)|along\s+the\s+horizontal\s+axis)\b"
    )
    horizontal = c.search(
        r"\b(?:horizontal(?:ly)?|left\s+to\s+right|right\s+to\s+left|side\s+to\s+side|sideways|"
        r"left\s+right|along\s+the\s+vertical\s+axis)\b"
    )
    if both:
        source = c.consume(m, both)
        c.emit(Flip(direction="horizontal", source=source, confidence=c.confidence()))
        c.emit(Flip(direction="vertical", source=source, confidence=c.confidence()))
        return
    direction: Literal["horizontal", "vertical"] = (
        "vertical"
        if vertical and not (horizontal and horizontal.start() < vertical.start())
        else "horizontal"
    )
    source = c.consume(m, vertical if direction == "vertical" else horizontal)
    c.emit(
        Flip(
            direction=direction,
            source=source,
            confidence=c.confidence(0.95 if (vertical or horizontal or "mirror" in source) else 0.85),
        )
    )


def rotate_rule(c: Clause) -> None:
    verb = c.search(r"\b(?:rotat\w*|spin|turn(?:ed)?|tilt(?![\s-]*shift))\b")
    upside = c.search(r"\bupsidedown\b")
    degrees_m = c.search(
        r"(?<![\d.:])(-?\d{1,3})\s*(?:degrees?|deg|°)?(?!\s*(?:x|%|times|seconds?|s\b|:|p\b))"
    )
    direction = c.search(
        r"\b(?:counter\s*clockwise|anti\s*clockwise|ccw|to\s+the\s+left|left(?:wards)?|"
        r"clockwise|cw|to\s+the\s+right|right(?:wards)?)\b"
    )
    quarter = c.search(r"\b(?:quarter|half)\s+(?:turn|rotation)\b|\bsideways\b|\bon\s+its\s+side\b")
    if not verb and not upside and not (quarter and quarter.group(0).endswith(("turn", "rotation"))):
        return
    if verb and not (degrees_m or direction or upside or quarter) and (
        verb.group(0) == "tilt" or c.search(r"\b(?:slightly|a\s+(?:little|bit|touch|few\s+degrees))\b")
    ):
        c.consume(verb)  # "tilt it slightly", "rotate it a little": a small angle
        c.refuse("rotation is by quarter turns only (90, 180 or 270 degrees)")
        return
    if (
        verb
        and verb.group(0).startswith(("turn", "tilt", "spin"))
        and not (degrees_m or direction or upside or quarter)
    ):
        return  # "turn up the volume", "turn it into …": not a rotation
    degrees = 90
    if upside or (quarter and quarter.group(0).startswith("half")):
        degrees = 180
    elif degrees_m:
        degrees = int(degrees_m.group(1)) % 360
        if degrees not in (90, 180, 270) and not (verb and verb.group(0).startswith("rotat")):
            return
        if degrees not in (90, 180, 270):
            c.consume(verb, degrees_m)
            c.refuse("rotation is by quarter turns only (90, 180 or 270 degrees)")
            return
    if direction and degrees != 180 and re.search(r"counter|anti|ccw|left", direction.group(0)):
        degrees = (360 - degrees) % 360
    source = c.consume(verb, upside, degrees_m, direction, quarter)
    c.emit(Rotate(degrees=degrees, source=source, confidence=c.confidence()))  # type: ignore[arg-type]


# ---- aspect ratio ----------------------------------------------------------------------------

_RATIOS: dict[str, float] = {r: int(r.split(":")[0]) / int(r.split(":")[1]) for r in get_args(AspectRatio)}
_PLATFORMS: tuple[tuple[str, AspectRatio], ...] = (
    (
        r"\b(?:instagram|insta|ig)\s+(?:reels?|stor(?:y|ies))\b|\byoutube\s+shorts?\b|\btiktoks?\b|\breels?\b|"
        r"\bshorts\b|\b(?:for|as|into|to|fit)\s+(?:an?\s+|my\s+|the\s+|our\s+)?(?:(?:fb|facebook|snapchat|whatsapp)\s+)?"
        r"stor(?:y|ies)\b|\bstor(?:y|ies)\s+(?:format|size|sized|ratio|mode|dimensions?|post|video)\b|\bsnapchat\b|\bvertical\b|\bportrait\s+(?:mode|video|format|orientation)\b|"
        r"\bphone\s+screen\b|\bmobile\b|\bupright\b|\bportrait\b(?!\s+post)",
        "9:16",
    ),
    (r"\bportrait\s+(?:post|feed)\b|\b(?:instagram|insta|ig)\s+portrait\b|\bfeed\s+portrait\b", "4:5"),
    (
        r"\bsquare\w*\b|\b(?:instagram|insta|ig)\s+(?:post|feed)\b|\bfor\s+(?:instagram|insta|ig)\b|\binstagram\b",
        "1:1",
    ),
    (
        r"\b(?:cinemascope|ultra\s*wide|anamorphic|scope|letterboxed\s+cinema\w*|cinematic\s+(?:bars|aspect|ratio|"
        r"crop|format|widescreen|letterbox)|movie\s+bars|2\.39|2\.35|2\.4)\b",
        "21:9",
    ),
    (
        r"\b(?:to|in|into|for|as|make\s+it|go|be)\s+(?:a\s+)?(?:landscape|horizontal)\b|"
        r"\b(?:landscape|horizontal)\s+(?:mode|format|orientation|aspect|version|video|ratio|frame|crop)\b|"
        r"^(?:landscape|horizontal)$|\b(?:widescreen|wide\s+screen|youtube|desktop|tv\s+format)\b",
        "16:9",
    ),
    (r"\b(?:old\s+tv|standard\s+definition|classic\s+tv|4\s*by\s*3)\b", "4:3"),
)
PAD_BLUR = (
    r"(?:\bblur(?:red|ry)?\s+(?:background|backdrop|bg|bars|sides|edges|fill|padding|borders|version)\b|"
    r"\bblur\s+the\s+(?:left-and-right\s+|top-and-bottom\s+)?(?:bars|sides|edges|padding|borders|"
    r"empty\s+(?:space|area)s?)\b|"
    r"\bpad(?:ded|ding)?\s+(?:it\s+)?(?:with|using)\s+(?:an?\s+)?blur(?:red|ry)?(?:\s+(?:background|bars|fill))?\b|"
    r"\b(?:background|bars|sides|padding|borders|fill)\s+(?:blurred|blurry)\b|\bblur\s+fill\b|"
    r"\bfill\w*\s+(?:in\s+)?(?:the\s+)?(?:black\s+)?(?:sides|bars|edges|gaps?|space|background|borders)\s+with\s+(?:an?\s+)?"
    r"blur(?:red|ry)?(?:\s+(?:background|version|copy))?\b)"
    r"(?:\s+(?:on|at|to|along)\s+(?:the\s+|both\s+)?(?:sides|edges|top-and-bottom|left-and-right))?"
)
PAD_BLACK = (
    r"\b(?:letterbox\w*|pillarbox\w*|black\s+(?:bars|borders|padding|background|sides)|pad(?:ded|ding)?|"
    r"fit(?:\s+it)?(?:\s+inside)?|without\s+cropping|no\s+crop\w*|don'?t\s+crop|not\s+crop\w*|uncropped|"
    r"keep(?:ing)?\s+(?:the\s+)?(?:whole|entire|full)\s+(?:frame|picture|image|video)|bars|"
    r"(?:the\s+)?(?:whole|entire|full)\s+(?:frame|picture|image|video|shot)\s+(?:visible|showing|shown|in\s+view)|"
    r"(?:everything|all\s+of\s+it)\s+(?:visible|in\s+view|in\s+frame)|nothing\s+(?:cut\s+off|cropped|lost))\b"
)


# "fill the frame", "zoom to fill", "scale it up to fill the screen": scale and crop so that the picture
# covers the output frame with no bars, which is what an aspect conversion by cropping does. The
# output frame is the input's unless a new ratio is asked for, so the ratio comes from the rest of
# the instruction or the `aspect_ratio` input (resolved once every clause is read), else it is refused.
_FILL = (
    r"\b(?:(?:make|get|have)\s+(?:it|the\s+(?:video|clip|picture|image|footage))\s+|so\s+(?:that\s+)?it\s+|"
    r"(?:zoom\w*|scal\w*|crop\w*|stretch\w*|enlarg\w*|resiz\w*|blow\s+it\s+up)\s+"
    r"(?:it\s+|the\s+(?:video|clip|picture|image|footage)\s+)?(?:in\s+|up\s+)?(?:to\s+|so\s+(?:that\s+)?it\s+|and\s+)?)?"
    r"(?<!blur\s)(?<!blurred\s)(?<!blurry\s)\bfill(?:s|ing)?\b(?!\s+(?:in|blurred|blurry)\b)"
    r"(?:\s+(?:up\s+)?(?:the\s+|my\s+|your\s+|a\s+)?(?:whole\s+|entire\s+|full\s+)?"
    r"(?:frame|screen|canvas|display|view|picture|output)\b)?"
)
FILL_NEEDS_RATIO = (
    "filling the frame means cropping to a new aspect ratio, and the video already fills its own frame: "
    "say which ratio (9:16, 1:1, 4:5, 16:9 …) or platform to fill"
)


def fill_rule(c: Clause) -> None:
    """Read (before resize and zoom take "scale" or "zoom") a request to fill the frame."""
    m = c.search(_FILL)
    if m and not c.search(PAD_BLUR):  # "a blurred background to fill the frame" pads
        c.consume(m)
        c.refuse(FILL_NEEDS_RATIO)


ASPECT_NEEDS_RATIO = (
    "say which aspect ratio (16:9, 9:16, 1:1, 4:5, 4:3, 3:4, 21:9) or a platform (TikTok, YouTube …)"
)


def nearest_ratio(value: float) -> tuple[AspectRatio, float]:
    """The supported ratio closest to ``value`` and the relative error."""
    best = min(_RATIOS, key=lambda r: abs(_RATIOS[r] - value) / _RATIOS[r])
    return best, abs(_RATIOS[best] - value) / _RATIOS[best]  # type: ignore[return-value]


def aspect_mode(c: Clause) -> str:
    """Crop (default) or pad with a blurred/black background, from the clause's words (consumed)."""
    blur = c.search(PAD_BLUR)
    if blur:
        c.consume(blur)
        c.consume(c.search(r"\bwith\s+(?:an?\s+)?(?=\s)"))
        return "pad_blur"
    black = c.search(PAD_BLACK)
    if black or any(CROP.search(d) for d in c.declined):  # "… without cropping" pads
        c.consume(black)
        return "pad_black"
    crop = c.search(r"\bcrop(?:ped|ping)?\b|\bfill(?:\s+the\s+(?:frame|screen))?\b")
    if crop:
        c.consume(crop)
    return "crop"


# Cinematic bars drawn over the picture, the frame size kept ("add letterboxing", "cinematic bars",
# "black bars top and bottom", "letterbox it to 2.35:1"); with a new frame shape named ("vertical
# with black bars") the bars are the padding of that conversion, read by `aspect_rule`.
_LETTERBOX = re.compile(
    r"\b(?:letterbox\w*|(?:cinematic|movie|film|cinema|widescreen|scope|cinemascope|anamorphic)\s+(?:black\s+)?bars|"
    r"(?:black\s+)?bars\s+(?:on\s+|at\s+|to\s+)?(?:the\s+)?(?:top-and-bottom|above-and-below)|"
    r"(?:top-and-bottom|horizontal)\s+(?:black\s+)?bars|"
    r"(?:black\s+)?bars(?=\s+(?:for|to\s+get|to\s+give\s+(?:it\s+)?)\s+(?:an?\s+)?(?:more\s+)?(?:cinematic|movie|film)))\b"
)
_NEW_SHAPE = (
    r"\b(?:vertical|portrait|tiktok|reels?|shorts|stories|square|instagram|snapchat)\b|"
    r"(?<![\d.])(?:9\s*:\s*16|1\s*:\s*1|4\s*:\s*5|4\s*:\s*3|3\s*:\s*4|16\s*:\s*9)(?![\d])"
)
_BAR_RATIO = (
    r"(?<![\d.:])(?P<a>[12](?:\.\d+)?)\s*(?::|x|to)\s*1\b(?![\d.])|(?P<w>21\s*:\s*9|cinemascope|scope|anamorphic|"
    r"ultra\s*wide)\b|(?<![\d.:])(?P<b>1\.85|2\.35|2\.39|2\.4|2\.55|2\.76)\b(?!\s*(?:x|times|s\b|sec))"
)


_UNBAR_REASON = 'bars in the picture are removed by cropping to the picture\'s own ratio, e.g. "crop to 21:9"'
_UNBAR = (
    r"\b(?:remov\w*|crop\w*(?:\s+out)?|get\s+rid\s+of|delet\w*|cut\s+(?:out|off)|without|no|lose|ditch|"
    r"take\s+(?:out|off|away))"
)


def letterbox_rule(c: Clause) -> None:
    m = c.search(_LETTERBOX)
    if not m or c.ctx.aspect_ratio or c.search(_NEW_SHAPE):
        return
    before = c.rest[: m.start()]
    if re.search(_UNBAR + r"\s+(?:the\s+|those\s+|these\s+|its\s+)?(?:\w+\s+)?$", before):
        c.consume(m, c.search(_UNBAR))  # "remove the black bars": bars already in the picture
        c.refuse(_UNBAR_REASON)
        return
    ratio = 2.39
    said = c.search(_BAR_RATIO)
    if said and (said.group("a") or said.group("b")):
        ratio = float(said.group("a") or said.group("b"))
    if not 1.0 <= ratio <= 4.0:
        c.consume(m, said)
        c.refuse("cinematic bars need a ratio wider than the picture is tall, e.g. 2.39:1 or 1.85:1")
        return
    look = c.search(
        r"\b(?:for\s+|to\s+get\s+|to\s+give\s+(?:it\s+)?)?(?:an?\s+)?(?:more\s+)?(?:cinematic|movie|film)"
        r"(?:\s+(?:look|feel|vibe|style|effect))?\b"
    )
    c.emit(Letterbox(ratio=ratio, source=c.consume(m, said, look), confidence=c.confidence()))


def aspect_rule(c: Clause) -> None:
    ratio: AspectRatio | None = None
    confidence = 0.95
    m = c.search(
        r"(?<![\d.:])(\d{1,2}(?:\.\d+)?)\s*(?::|by|x|/|×)\s*(\d{1,2})(?![\d:])(?!\s*(?:seconds?|s\b|speed))"
    )
    if m and not (m.group(0).count("/") and not c.has(r"aspect|ratio|format|crop|frame")):
        a, b = float(m.group(1)), float(m.group(2))
        if a > 0 and b > 0 and not ("x" in m.group(0) and (a > 32 or b > 32)):
            ratio, error = nearest_ratio(a / b)
            if error > 0.08:
                c.consume(m)
                c.refuse(
                    f"aspect ratio {m.group(1)}:{m.group(2)} is not supported; "
                    f"supported: {', '.join(_RATIOS)}"
                )
                return
            confidence = 0.95 if error < 0.01 else 0.75
    if ratio is None:
        for pattern, value in _PLATFORMS:
            m = c.search(pattern)
            if (
                m
                and (
                    re.search(r"\blike\s+(?:on\s+)?(?:an?\s+|the\s+)?$", c.rest[: m.start()])
                    or re.match(
                        r"\s+(?:look|style|vibe|filter|aesthetic|feel|effect|colou?rs?)\b",
                        c.rest[m.end() :],
                    )
                )
                and not c.has(_FORMAT_WORDS)
            ):
                if not re.match(r"(?:old|classic)\s+tv", m.group(0)):  # "old tv look": a vintage grade
                    c.consume(m)  # "boomerang like on instagram": the platform names the effect's style
                m = None
                continue
            if m:
                ratio = value
                confidence = 0.9 if value != "1:1" or "square" in m.group(0) else 0.8
                break
    if ratio is None and c.ctx.aspect_ratio and c.search(PAD_BLUR + "|" + PAD_BLACK):
        # "with a blurred background" plus aspect_ratio=9:16: the words give the mode.
        mode = aspect_mode(c)
        c.emit(Aspect(ratio=c.ctx.aspect_ratio, mode=mode, source=mode, confidence=c.confidence()))  # type: ignore[arg-type]
        return
    if ratio is None or m is None:
        vague = c.search(
            r"\b(?:reformat\w*|re\s*frame\w*|(?:change|convert|switch|adjust|fix)\s+(?:the\s+)?"
            r"(?:aspect(?:\s+ratio)?|ratio|format|orientation|framing|dimensions))\b|\baspect\s+ratio\b|"
            # "fill the bars with blur" without a ratio: which one?
            r"\bletterbox\w*|\bpillarbox\w*|\bpad\s+it\b|" + PAD_BLUR
        )
        if vague:
            c.consume(vague)
            c.refuse(ASPECT_NEEDS_RATIO)
        return
    mode = aspect_mode(c)  # first: "with the whole frame visible" names the mode, not the format
    words = c.consume(
        m,
        c.search(r"\b(?:aspect(?:\s+ratio)?|ratio|format|orientation|mode|version|frame)\b"),
        c.search(
            r"\b(?:make|convert|change|turn|reformat|crop|resize|switch)\s+(?:it\s+|this\s+|the\s+"
            r"(?:video|clip)\s+)?(?:to|into|for)?\b"
        ),
    )
    # The ratio is read once: the other platform or format words of the clause only restate it
    # ("4:3 like an old tv", "9:16 vertical for tiktok").
    for pattern, _ in _PLATFORMS:
        for extra in c.finditer(pattern):
            c.consume((max(0, extra.start() - len(_prefix_of(c.rest[: extra.start()]))), extra.end()))
    c.emit(Aspect(ratio=ratio, mode=mode, source=words, confidence=c.confidence(confidence)))  # type: ignore[arg-type]


_FORMAT_WORDS = r"\b(?:format\w*|size|resiz\w*|crop\w*|ratio|aspect|fit|dimensions|orientation|shape)\b"


def _prefix_of(before: str) -> str:
    """The "like an" / "for" / "as on" just before a platform word (consumed with it)."""
    m = re.search(r"\b(?:like|for|as|on|in)\s+(?:on\s+|for\s+)?(?:an?\s+|the\s+|my\s+)?$", before)
    return m.group(0) if m else ""


# ---- resize ----------------------------------------------------------------------------------

_P_HEIGHTS = {
    "4k": 2160,
    "uhd": 2160,
    "2160p": 2160,
    "1440p": 1440,
    "2k": 1440,
    "qhd": 1440,
    "1080p": 1080,
    "full hd": 1080,
    "fhd": 1080,
    "720p": 720,
    "hd": 720,
    "576p": 576,
    "540p": 540,
    "480p": 480,
    "sd": 480,
    "360p": 360,
    "240p": 240,
    "144p": 144,
}


# Words around a named size that only restate it ("make it smaller, 480p", "downscale to 720p").
_SIZE_WORDS = (
    r"\b(?:smaller|bigger|larger|shrink\w*|downsiz\w*|downscal\w*|upscal\w*|upsiz\w*|resiz\w*|rescal\w*|"
    r"scale(?:\s+(?:it\s+)?(?:down|up))?|(?:reduce|lower|increase|raise)\s+(?:the\s+)?(?:size|resolution))\b"
)


def resize_rule(c: Clause) -> None:
    m = c.search(r"\b(?P<w>\d{3,4})\s*(?:x|by|×|\*)\s*(?P<h>\d{3,4})\b")
    if m:
        c.emit(
            Resize(
                width=int(m.group("w")),
                height=int(m.group("h")),
                source=c.consume(m, c.search(_SIZE_WORDS)),
                confidence=c.confidence(),
            )
        )
        return
    m = c.search(
        r"\b(?:(?:2160|1440|1080|720|576|540|480|360|240|144)\s*p|4\s*k|2\s*k|uhd|qhd|full\s+hd|fhd)\b|"
        r"\b(?:in|to|at)\s+(?:hd|sd)\b"
    )
    if m:
        key = re.sub(r"^(?:in|to|at)\s+", "", re.sub(r"\s+", " ", m.group(0)))
        key = key.replace(" p", "p").replace("4 k", "4k").replace("2 k", "2k")
        height = _P_HEIGHTS.get(key)
        if height:
            c.emit(
                Resize(height=height, source=c.consume(m, c.search(_SIZE_WORDS)), confidence=c.confidence())
            )
            return
    m = c.search(
        r"\b(?:width|wide)\s*(?:of|to|=|:)?\s*(\d{3,4})\b|\b(\d{3,4})\s*(?:px|pixels)?\s*(?:wide|width)\b"
    )
    if m:
        c.emit(
            Resize(
                width=int(m.group(1) or m.group(2)),
                source=c.consume(m, c.search(_SIZE_WORDS)),
                confidence=c.confidence(),
            )
        )
        return
    m = c.search(
        r"\b(?:height|tall)\s*(?:of|to|=|:)?\s*(\d{3,4})\b|\b(\d{3,4})\s*(?:px|pixels)?\s*(?:high|tall|height)\b"
    )
    if m:
        c.emit(
            Resize(
                height=int(m.group(1) or m.group(2)),
                source=c.consume(m, c.search(_SIZE_WORDS)),
                confidence=c.confidence(),
            )
        )
        return
    verb = c.search(
        r"\b(?:resiz\w*|rescal\w*|scale\w*|upscal\w*|downscal\w*|downsiz\w*|upsiz\w*|shrink\w*|enlarge|"
        r"(?:half|double|quarter|halve)\s+(?:the\s+)?(?:size|resolution|res|dimensions)|"
        r"(?:smaller|lower|higher|bigger)\s+(?:size|resolution|res|file))\b"
    )
    if not verb:
        return
    text = verb.group(0)
    scale = factor(c.rest) or (percent(c.rest) or 0.0) or None
    if re.search(r"\bhal(?:f|ve)\b", text):
        scale = 0.5
    elif "quarter" in text:
        scale = 0.25
    elif "double" in text:
        scale = 2.0
    if scale is None:
        scale = 2.0 if re.search(r"up|enlarge|higher|bigger|double", text) else 0.5
    elif re.search(r"down|shrink|smaller|lower", text) and scale > 1:
        scale = 1 / scale
    num = c.search(rf"(?:{NUM})\s*(?:x|times|%)?")
    c.emit(Resize(scale=min(8.0, scale), source=c.consume(verb, num), confidence=c.confidence(0.85)))


# ---- zoom ------------------------------------------------------------------------------------


def zoom_rule(c: Clause) -> None:
    m = c.search(
        r"\b(?:zoom(?:ed|ing|s)?(?:\s+in(?:to)?)?|punch(?:ed|ing)?\s+in|push(?:ed|ing)?\s+in|"
        r"crop(?:ped)?\s+in(?:\s+tighter)?|tighter(?:\s+(?:framing|crop|shot))?|closer|magnif\w*|kenburns|"
        r"crop(?:\s+it)?(?:\s+a\s+(?:bit|little))?(?=\s*$)|crop\s+(?:the\s+)?edges)\b"
    )
    if not m:
        return
    slow = c.search(
        r"\b(?:slow(?:ly)?|gradual(?:ly)?|kenburns|over\s+time|smooth(?:ly)?|progressive(?:ly)?|creep\w*|"
        r"steadily|dolly|throughout|during\s+the\s+(?:clip|video)|push(?:ed|ing)?\s+in|animated|moving)\b"
    )
    amount = factor(c.rest)
    pct = percent(c.rest)
    if amount is None and pct is not None:
        amount = pct if pct > 1 else 1 + pct
    if amount is None:
        amount = by_level(c.text, 1.15, 1.3, 1.6, 2.0)
    if amount <= 1.0:
        return
    num = c.search(rf"(?:by\s+)?(?:{NUM})\s*(?:x|times|%|percent)?")
    anchor, where = _zoom_anchor(c)
    source = c.consume(m, slow, num, where)
    c.emit(
        Zoom(
            factor=min(4.0, amount),
            slow=bool(slow or "kenburns" in source),
            anchor=anchor,
            source=source,
            confidence=c.confidence(0.9 if "crop" not in m.group(0) or "in" in m.group(0) else 0.7),
        )
    )


# "zoom in on the top left", "punch in towards the right side": a side or corner of the frame
_ZOOM_WHERE = re.compile(
    r"\b(?:on|to|towards?|at|into|in\s+on)\s+(?:the\s+)?(?:(?P<v>top|upper|bottom|lower)[\s-]*(?P<h>left|right)?|"
    r"(?P<h2>left|right)|(?P<c>center|centre|middle))(?:\s+(?:side|half|part|corner|edge|area|of\s+the\s+"
    r"(?:frame|screen|picture|image|video|shot)))?\b"
)


def _zoom_anchor(c: Clause) -> tuple[ZoomAnchor, re.Match[str] | None]:
    where = c.search(_ZOOM_WHERE)
    if where is None or where.group("c"):
        return "center", where
    rows = {"top": "top", "upper": "top", "bottom": "bottom", "lower": "bottom"}
    vertical = rows.get(where.group("v") or "")
    horizontal = where.group("h") or where.group("h2")
    anchor = "_".join(part for part in (vertical, horizontal) if part)
    return anchor, where  # type: ignore[return-value]
