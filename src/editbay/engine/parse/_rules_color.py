"""Colour and tone rules: named looks (grades), LUT presets, kelvin, invert and numeric tone changes."""

from __future__ import annotations

import re

from editbay.engine.ops import Grade, Invert, Lut, Temperature, Tone
from editbay.engine.parse._clause import Clause
from editbay.engine.parse._quantity import NUM, by_level, percent

_COLORS = r"colou?rs?|colou?ring|palette|hues?|tones?|chroma"

# (style, pattern) in priority order: the first style to match a phrase consumes it.
_GRADES: tuple[tuple[str, str], ...] = (
    (
        "teal_orange",
        r"\btealorange\b|\b(?:orange|warm|golden)\s+highlights?\s+with\s+(?:teal|blue|cyan|cool)\s+shadows?\b|"
        r"\b(?:teal|blue|cyan|cool)\s+shadows?\s+with\s+(?:orange|warm|golden)\s+highlights?\b|"
        r"\bteal\b(?:\s+(?:look|grade|tint))?",
    ),
    (
        "black_white",
        # not "the black and white footage": what the input is (adding colour to it is refused)
        r"(?<!the )(?<!this )(?<!my )(?<!our )(?<!your )\bblackandwhite\b|"
        r"\bblackandwhite\b(?!\s+(?:footage|video|clip|film|movie|photo|shot|scene|image|picture|recording)s?\b)|"
        r"\bgrayscale\b|\bmonochrom\w*|\bmono\b(?!\s+audio)|\bnoir\b|"
        r"\bdesaturat\w*\s+(?:it\s+|the\s+(?:video|clip|image)\s+)?(?:completely|fully|entirely|totally|"
        r"100\s*%|all\s+the\s+way)|\b(?:remov\w*|drain\w*|strip\w*|suck\w*|tak\w*\s+out|get\s+rid\s+of|no|"
        r"without|kill|zero|lose|los\w*|ditch|eliminat\w*|delet\w*)\s+(?:(?:all|every|each|bit|last|trace|drop|of|"
        r"the|any|its|it's|out)\s+){0,4}(?:colou?rs?|saturation|colou?r\s+information)\b(?!\s+(?:a\s+)?(?:bit|little|"
        r"slightly|some))|\b(?:take|suck|drain|strip)\s+(?:\w+\s+){0,2}colou?rs?\s+out\b|\bcolou?rless\b|"
        r"\bgray\s*(?:tones?|scale)?\b|\bshades\s+of\s+gray\b|\bgrayish\b|\bachromatic\b",
    ),
    (
        "sepia",
        r"\bsepia\w*|\bbrown(?:ish)?\s*(?:tint|tone|tones|hue|look|filter)?\b|\bold\s+photo(?:graph)?s?\b|"
        r"\bantique\b|\bdaguerreotype\b|\btintype\b|\bold\s*timey?\b|\bold\s+west\b|\bwestern\b|\btoned\s+brown\b",
    ),
    (
        "vintage",
        r"\bvintage(?:\s+film)?\b|\bretro(?:\s+film)?\b|\bold\s+(?:film|movie|school|footage|camera|video|tape|tv|television)s?\b|\bcrt\b|\bfilm\s+(?:look|style|"
        r"stock|emulation|feel)\b|\bfilmic\b|\banalog(?:ue)?\b|\bnostalgi\w*|\b(?:19)?[5-9]0s\b|\bseventies\b|"
        r"\beighties\b|\bnineties\b|\b(?:twenties|thirties|forties|fifties|sixties)\b|\bvhs\b|\bsuper\s*8\b|\b(?:8|16)\s*mm\b|\bpolaroid\b|\blomo\w*|"
        r"\bclassic\s+film\b|\baged\b|\b(?:look|feel|seem)\s+(?:\w+\s+){0,2}older\b|\b(?:age|aging|ageing)\s+(?=it\b|the\b)|\bhome\s+movie\b|\bthrowback\b|\bold\s+fashioned\b|\bold\b",
    ),
    (
        "faded",
        r"\bfaded\b|\bfade\s+(?:the\s+)?colou?rs\b|\bwashedout\b|\bwashed\b|\bmatte\b|\blifted\s+blacks\b|"
        r"\bflat\s+look\b|\bpastel\w*|\bbleached\b",
    ),
    (
        "high_contrast",
        r"\bhigh\s*contrast\b|\bpunch(?:y|ier)\b|\bcrushed\s+blacks\b|\bdramatic\s+look\b|\bgritty\b|\bmoody\b|"
        r"\blowkey\b|\bhard\s+look\b|\bharsh\b|(?<!less )(?<!not )(?<!not so )(?<!too )\bcontrasty\b|"
        r"\b(?:some|more|a|extra|real)\s+punch\b(?!\s+in)|"
        # moods read as looks: "make it more dramatic", "an edgy feel" (not "dramatic slow motion": an
        # adjective of words another rule already read, which leave a run of blanks behind)
        r"(?<!less )(?<!not )(?<!too )\b(?:more\s+)?(?:dramatic|edgy|intense)\b"
        r"(?!\s+(?:zoom|slow|music|sound|effects?|pause|entrance|colou?rs?))(?!\s{2,})",
    ),
    (
        "vivid",
        r"\bvivid\w*|\bvibran\w*|\bcolorful\b|\bmore\s+colorful\b|\b(?:make\s+)?(?:the\s+)?colou?rs?\s+pop\b|"
        r"\bpop(?:py|ping)?\b|\bsaturated\s+look\b|\b(?:rich(?:er)?|bright(?:er)?|bold(?:er)?|intense|stronger|strong|"
        r"deep(?:er)?|lush(?:er)?|juicy|juicier|vibrant|brilliant|more\s+intense)\s+colou?rs?\b|"
        r"\bricher\b(?!\s+(?:sound|audio|bass|blacks|shadows))|\btechnicolor\b|\bhdr\b|\bboost\s+(?:the\s+)?colou?rs?\b|\bcolou?rs?\s+boost\w*|"
        r"\bsuper\s*saturated\b|\boversaturat\w*|\bjuicy\b|\blush\b|"
        r"\b(?:happy|happier|cheerful|joyful|joyous|upbeat|lively|playful|fun|festive)\b(?:\s+(?:look|feel|vibes?|mood))?|"
        r"\b(?:bring\s+back|restore|revive|recover)\s+(?:the\s+|its\s+|some\s+)?colou?rs?\b",
    ),
    (
        "muted",
        r"\bmuted\b(?:\s+(?:colou?rs?|tones?|look|palette))?|\bsubdued\b|\bunderstated\b|\bdull\w*|"
        r"\bdesaturated\s+look\b|\bpale\b|\bdrab\b|\bearthy\b|\b(?:soft|calm|quiet|gentle)\s+colou?rs?\b|\bbleak\b|"
        r"\b(?:sad|sadder|melanchol\w*|somber|sombre|depressing|dreary|mournful|lonely)\b(?:\s+(?:look|feel|vibes?|mood))?",
    ),
    (
        "warm",
        r"\bmore\s+(?:orange|yellow|amber)\b|\bless\s+(?:blue|cold|cool)\b|\bwarm\w*|\bgolden(?:\s+hour)?\b|\bsunny\b|\bsunset\s+(?:look|tones?|vibe|feel|glow|colou?rs?)\b|"
        r"\bamber\b|\b(?:orange|yellow)(?:ish)?\s*(?:tint|tone|hue|cast|look|filter)\b|\b(?:warm|golden|sunny|amber)\s+glow\b|\borangey\b|\byellowish\b|\bcozy\b|\bcosy\b|"
        r"\bsummery\b|\bsummer\s+(?:look|vibes?|feel)\b|\bhotter\b|\bromantic\b(?:\s+(?:look|feel|vibes?|mood))?|"
        r"\b(?:towards?|to|into)\s+(?:the\s+)?(?:orange|yellow|amber|warm(?:er)?|red)(?:\s+side)?\b",
    ),
    (
        "cool",
        r"\bmore\s+blue\b|\bless\s+(?:orange|yellow|warm\w*)\b|\bcool(?:er|ing|est)?\b|\bcold(?:er)?\b|\bchill(?:y|ier)\b|\bicy\b|\bfrost(?:y|ier)\b|"
        r"\bblu(?:e|ish|er)\s*(?:tint|tone|tones|hue|cast|look|filter)\b|\bbluish\b|\bbluer\b|\bwint(?:ry|ery)\b|"
        r"\bwinter\s+(?:look|vibes?|feel)\b|\barctic\b|\bmoonlight\b|\bmake\s+it\s+blue\b|\bsteely\b|"
        r"\b(?:spooky|creepy|eerie|horror|haunted|haunting|scary|ghostly|sinister|halloween)\b(?:\s+(?:look|feel|"
        r"vibes?|mood|movie|film|style))?|"
        r"\b(?:towards?|to|into)\s+(?:the\s+)?(?:blue|cyan|cool(?:er)?|cold(?:er)?)(?:\s+side)?\b",
    ),
    (
        "cinematic",
        r"\bcinematic\w*|\bcinema\b|\bmovie\s+(?:look|style|feel|like)\b|\bfilm\s+grade\b|\bhollywood\b|"
        r"\bblockbuster\b|\bcolou?r\s+grad(?:e|ed|ing)\b|\bgrad(?:e|ed|ing)\b|\blike\s+a\s+(?:movie|film)\b|"
        r"\bepic\b|\bfilm\s*like\b|\btheatrical\b|\bmovie\s+colou?rs?\b",
    ),
)
# Phrases for the LUT presets named in the catalogue (the renderer ships one `.cube` per name).
LUT_PATTERNS: dict[str, str] = {
    "bleach_bypass": r"\bbleach(?:ed)?\s*(?:bypass|by\s*pass)\b|\bskip\s+bleach\b|\bsilver\s+retention\b",
    "day_for_night": r"\bday\s+for\s+night\b|"
    r"\b(?:look|looks|feel)\s+like\s+(?:it\s+is\s+|it'?s\s+)?(?:at\s+)?night\b|"
    r"\bnight\s*time\s+look\b|\bnight\s+look\b|\bmoonlit\b|\bfake\s+night\b|"
    r"\b(?:shot|filmed|recorded|taken|set|happening)\s+(?:at|during\s+the)\s+night\b|\b(?:turn|make)\s+"
    r"(?:the\s+)?day\s+(?:into|to)\s+night\b|\bnight\s*time\s+(?:version|feel|vibe)\b",
    "cross_process": r"\bcross\s*-?\s*process\w*|\bx\s*pro\b",
    "portra": r"\b(?:kodak\s+)?portra(?:\s+\d+)?\b",
    "matrix": r"\b(?:the\s+)?matrix\b",
    "kodachrome": r"\bkodachrome\b|\bkodak\b",
    "fuji": r"\bfuji\s*(?:film)?\b|\bfujifilm\b|\bvelvia\b",
}
_GRADE_RES = [(style, re.compile(pattern)) for style, pattern in _GRADES]


def lut_rule(c: Clause) -> None:
    # Pattern order matters ("kodak portra" before "kodak"); the catalogue test checks the names.
    for name, pattern in LUT_PATTERNS.items():
        m = c.search(pattern)
        if m:
            c.emit(
                Lut(
                    preset=name,
                    source=c.consume(
                        m,
                        c.search(
                            r"\b(?:film\s+)?(?:emulation|simulation|stock|look|lut|effect|preset|style)\b|\bfilm\b"
                        ),
                    ),
                    confidence=c.confidence(),
                )
            )
            return


def temperature_rule(c: Clause) -> None:
    m = c.search(rf"(?P<v>{NUM})\s*(?:k|kelvin|°k)\b")
    if not m:
        return
    kelvin = float(m.group("v"))
    relative = c.search(r"\b(?:warmer|cooler|colder|bluer)\s+by\b|\bby\s*$")
    if relative or kelvin < 1000:
        kelvin = 6500 - kelvin if c.has(r"\bwarm\w*") else 6500 + kelvin
    words = [
        m,
        c.search(r"\b(?:colou?r\s+)?temperature\b|\bwhite\s+balance\b"),
        c.search(r"\b(?:warm\w*|cool\w*|cold\w*)\s*(?:by)?\b"),
    ]
    c.emit(
        Temperature(
            kelvin=max(1000.0, min(40000.0, kelvin)), source=c.consume(*words), confidence=c.confidence()
        )
    )


def invert_rule(c: Clause) -> None:
    m = c.search(
        r"\b(?:invert\w*(?:\s+(?:the\s+)?colou?rs?)?|negative|(?:turn\s+)?(?:the\s+)?colou?rs?\s+inside\s+out|(?:reverse|inverse|opposite|flip)\s+(?:the\s+)?"
        r"colou?rs?|x\s*ray|photo\s+negative)\b(?:\s+colou?rs?|\s+(?:effect|look|filter))?"
    )
    if m:
        c.emit(Invert(source=c.consume(m), confidence=c.confidence()))


def grade_rule(c: Clause) -> None:
    for style, pattern in _GRADE_RES:
        m = c.search(pattern)
        if not m:
            continue
        if (
            style == "cool"
            and c.has(
                r"\blook(?:s|ing)?\s+cool\b|\bcool\s+(?:effects?|video|edits?|stuff|things?|ideas?|with)\b|"
                r"\b(?:something|anything|stuff|things?)\s+(?:\w+\s+)?cool\b"
            )
            and not c.has(r"\bcooler|tone|tint|colou?r")
        ):
            continue  # "make it look cool" is praise, not a colour temperature
        negated = re.search(
            r"\b(?:(?:less|not\s+(?:so|as|too))\s+|(?:remov\w*|fix\w*|correct\w*|get\s+rid\s+of|reduc\w*|neutrali[sz]\w*|"
            r"cancel\w*(?:\s+out)?|kill|take\s+out|tone\s+down|counteract\w*|balance\s+out)\s+"
            r"(?:the\s+|that\s+|this\s+|its\s+|any\s+)?(?:\w+\s+)?)$",
            c.rest[: m.start()],
        )
        if negated and not re.search(r"\b(?:less|not)\b", negated.group(0)) and not re.search(
            r"\b(?:tint|tone|tones|hue|cast|look|filter)\b|ish\b", c.rest[m.start() : m.end() + 8]
        ):
            negated = None  # "fix the blue cast" is the opposite colour; "fix it, warm" is not
        if negated and style in _OPPOSITE:
            c.consume(negated.span(), m)  # "less colourful" is muted, "less warm" is cool
            style = _OPPOSITE[style]
            c.emit(
                Grade(
                    style=style,  # type: ignore[arg-type]
                    strength=by_level(c.text, 0.4, 0.8, 1.0),
                    source=m.group(0),
                    confidence=c.confidence(0.85),
                )
            )
            continue
        generic = style == "cinematic" and re.fullmatch(r"(?:colou?r\s+)?grad\w+", m.group(0)) is not None
        if generic and any(op.op == "grade" for op in c.ops):
            c.consume(m)  # "colour grade it warm": the grade is the warm one
            continue
        source = c.consume(m, c.search(rf"\b(?:look|feel|vibe|style|filter|tint|grade|effect|{_COLORS})\b"))
        if style == "black_white":
            strength = by_level(c.text, 0.6, 1.0, 1.0)
        else:
            # a "slight" look must still be visible: at 0.4 a vintage or faded grade barely shows
            strength = by_level(c.text, 0.5, 0.8, 1.0)
        conf = 0.6 if generic else 0.9
        c.emit(Grade(style=style, strength=strength, source=source, confidence=c.confidence(conf)))  # type: ignore[arg-type]


_OPPOSITE = {"vivid": "muted", "muted": "vivid", "warm": "cool", "cool": "warm"}

_UP = (
    r"increas\w*|rais\w*|boost\w*|more|higher|up|add\w*|pump\w*|push\w*|punch\w*|stronger|amp\w*|enhanc\w*|crank\w*|"
    r"bump\w*|lift\w*|heighten\w*|maximi[sz]e|deepen|intensif\w*|extra"
)
_DOWN = (
    r"decreas\w*|reduc\w*|lower\w*|less|down|soften\w*|flatten\w*|weaker|cut\w*|drop\w*|tone\s+down|dial\s+back|"
    r"minimi[sz]e|mute|muting|tame|calm|lessen\w*|remov\w*\s+some"
)


def _direction(c: Clause, noun: str) -> int:
    """+1 / -1 / 0 for a verb or adjective of change next to ``noun``."""
    if c.has(
        rf"\b(?:{_DOWN})\b(?:\s+\w+){{0,3}}\s+(?:{noun})|(?:{noun})\s+(?:\w+\s+){{0,2}}(?:{_DOWN})\b|"
        rf"\b(?:low|lower|less|reduced)\s+(?:{noun})"
    ):
        return -1
    if c.has(
        rf"\b(?:{_UP})\b(?:\s+\w+){{0,3}}\s+(?:{noun})|(?:{noun})\s+(?:\w+\s+){{0,2}}(?:{_UP})\b|"
        rf"\b(?:high|higher|more|boosted)\s+(?:{noun})"
    ):
        return 1
    return 0


def _explicit(c: Clause, noun: str) -> float | None:
    m = c.search(rf"\b(?:{noun})\s*(?:to|of|at|=|:)?\s*(?P<v>[+-]?\s*(?:{NUM}))(?![\d.]|\s*(?:%|percent))")
    return float(m.group("v").replace(" ", "")) if m else None


_DARKS = r"(?:darks|shadows|blacks|dark\s+(?:parts|areas|bits|tones))"
_LIGHTS = r"(?:lights|highlights|whites|brights|bright\s+(?:parts|areas|bits))"


def tone_rule(c: Clause) -> None:
    values: dict[str, float] = {}
    words: list[re.Match[str] | None] = []
    pct = percent(c.rest)

    # "the darks darker and the lights lighter": pushing the ends apart (or together) is contrast,
    # read before brightness so the two halves do not cancel out as "darker" + "lighter".
    spread = c.finditer(
        rf"\b(?:the\s+)?{_DARKS}\s+(?:\w+\s+){{0,2}}(?:darker|deeper|blacker)\b|"
        rf"\b(?:the\s+)?{_LIGHTS}\s+(?:\w+\s+){{0,2}}(?:lighter|brighter|whiter)\b|"
        rf"\b(?:boost|brighten|raise|lift|push|pump|bump)\w*\s+(?:up\s+)?(?:the\s+)?{_LIGHTS}\b"
    )
    squeeze = c.finditer(
        rf"\b(?:the\s+)?{_DARKS}\s+(?:\w+\s+){{0,2}}(?:lighter|brighter)\b|"
        rf"\b(?:the\s+)?{_LIGHTS}\s+(?:\w+\s+){{0,2}}(?:darker|dimmer|less\s+bright)\b|"
        rf"\b(?:tame|dim|darken|pull\s+down|bring\s+down|recover|lower)\w*\s+(?:the\s+)?{_LIGHTS}\b"
    )
    if spread or squeeze:
        step = by_level(c.text, 1.1, 1.2, 1.35, 1.5)
        values["contrast"] = step ** (len(spread) - len(squeeze))
    ends = c.consume(*spread, *squeeze)

    # brightness: additive on 0..1 luma; "20 % brighter" ≈ +0.1 (20 % of mid grey).
    b_up = c.search(
        # "a glow around the bright parts": which parts, not a brightening
        r"\b(?:bright(?:en|er|ening|ness)?\w*(?<!bright)(?<!bright\s)|bright(?!\s+(?:parts?|areas?|spots?|bits?|"
        r"regions?|highlights|sky|lights?)\b)|lighten\w*|lighter|too\s+dark|more\s+light|illuminat\w*|"
        r"not\s+so\s+dark|less\s+dark|lift\s+(?:the\s+)?(?:image|picture)|"
        r"(?:fix|correct|repair|rescue|save)\w*\s+(?:the\s+|this\s+|my\s+)?(?:very\s+|really\s+)?dark(?:ness)?)\b"
    )
    # "denoise the dark footage": an adjective saying what the footage is, not an edit
    b_down = c.search(
        r"\b(?:dark(?!s\b)(?:en|er|ening|ness)?\w*(?<!\bdark)|dark(?!\s+(?:footage|video|clip|scenes?|shots?|"
        r"night|room|image|picture|frames?|recording|film)\b)|dim(?:mer|med)?|too\s+bright|less\s+bright|"
        r"moodier|less\s+light|gloomier|shadier|dimmer)\b"
    )
    if b_up or b_down:
        sign = -1 if (b_down and (not b_up or b_down.start() < b_up.start())) else 1
        if b_up and "brightness" in b_up.group(0):
            sign = _direction(c, "brightness") or 1
        explicit = _explicit(c, "brightness")
        if explicit is not None and abs(explicit) <= 1:
            amount = abs(explicit)
        elif pct is not None:
            amount = min(1.0, pct * 0.5)
        else:
            amount = by_level(c.text, 0.06, 0.12, 0.22, 0.35)
        values["brightness"] = sign * amount
        words += [b_up or b_down]

    if c.search(r"\bcontrast\w*\b"):
        m = c.search(
            r"\b(?:(?:punch|pump|crank|bump|boost|increase|raise|add|more|less|reduce|lower|decrease|soften|"
            r"flatten|high|low|higher|lower)\w*\s+(?:up\s+|in\s+)?(?:the\s+|some\s+)?)?contrast\w*\b"
        )
        sign = _direction(c, r"contrast\w*") or 1
        explicit = _explicit(c, r"contrast")
        if explicit is not None and 0 < explicit <= 4:
            values["contrast"] = explicit
        elif pct is not None:
            values["contrast"] = max(0.0, 1 + sign * pct)
        else:
            values["contrast"] = (
                by_level(c.text, 1.15, 1.3, 1.6, 2.0) if sign > 0 else by_level(c.text, 0.85, 0.75, 0.55, 0.4)
            )
        words.append(m)

    sat = c.search(
        rf"\b(?:saturat\w*|desaturat\w*|(?:{_UP}|{_DOWN})\s+(?:\w+\s+)?(?:the\s+)?(?:{_COLORS})|"
        rf"(?:{_COLORS})\s+(?:\w+\s+)?(?:{_UP}|{_DOWN}))\b"
    )
    if sat:
        if sat.group(0).startswith("desaturat"):
            sign = -1
        else:
            sign = _direction(c, rf"saturat\w*|{_COLORS}") or 1
        explicit = _explicit(c, r"saturation")
        if explicit is not None and 0 <= explicit <= 4:
            values["saturation"] = explicit
        elif (
            pct is not None
            and c.search(r"\bsaturation\s*(?:to|at|=|:)?\s*\d+(?:\.\d+)?\s*(?:%|percent)")
            and not re.search(
                r"\b(?:boost|increas|rais|up|more|add|reduc|decreas|lower|less|down|by|cut|drop|bump|crank|pump|"
                r"push|pull)\w*\b",
                c.text,
            )
        ):
            values["saturation"] = pct  # "saturation 200%", "saturation to 50 %": the level itself
        elif pct is not None:
            values["saturation"] = max(0.0, 1 + sign * pct)
        else:
            values["saturation"] = (
                by_level(c.text, 1.25, 1.4, 1.7, 2.0) if sign > 0 else by_level(c.text, 0.75, 0.6, 0.35, 0.15)
            )
        words.append(sat)

    gamma = c.search(
        r"\bgamma\b|\b(?:lift|raise|brighten|open\s+up|boost|push|bump\s+up|increase)\s+(?:the\s+)?"
        r"(?:shadows|midtones|mid\s*tones|mids|blacks)\b|"
        r"\b(?:deepen|crush|darken|lower)\s+(?:the\s+)?(?:shadows|midtones|mids|blacks|darks)\b"
    )
    if gamma:
        explicit = _explicit(c, "gamma")
        if explicit is not None and 0.1 <= explicit <= 10:
            values["gamma"] = explicit
        else:
            down = re.search(r"deepen|crush|darken|lower", gamma.group(0)) or _direction(c, "gamma") < 0
            values["gamma"] = by_level(c.text, 0.9, 0.8, 0.65) if down else by_level(c.text, 1.1, 1.25, 1.5)
        words.append(gamma)

    exposure = c.search(
        r"\b(?:exposure|expose|overexpos\w*|underexpos\w*)\b|\b[+-]?\s*\d+(?:\.\d+)?\s*(?:stops?|ev)\b"
    )
    if exposure:
        # "+1 stop", "exposure +1", "exposure -0.5 ev": stops, signed
        stops = c.search(rf"(?P<v>[+-]?\s*(?:{NUM}))\s*(?:stops?|ev)\b") or c.search(
            rf"\bexposure\s*(?:to|of|at|by|=|:)?\s*(?P<v>[+-]\s*(?:{NUM}))(?![\d.]|\s*(?:%|percent))"
        )
        down = (
            _direction(c, r"exposure|expos\w*") < 0
            or bool(re.search(r"underexpos", exposure.group(0)))
            or (
                bool(re.search(r"overexpos", exposure.group(0)))
                and c.has(r"\b(?:too|fix|correct|is|it's|less)\b")
            )
        )
        if "underexpos" in exposure.group(0) and c.has(r"\b(?:too|fix|correct|is|it's)\b"):
            down = False
        if stops:
            value = float(stops.group("v").replace(" ", ""))
            values["exposure"] = -abs(value) if down else value
            words.append(stops)
        else:
            values["exposure"] = (-1 if down else 1) * by_level(c.text, 0.25, 0.5, 1.0, 1.5)
        words.append(exposure)

    enhance = c.search(
        r"\b(?:enhanc\w*|improv\w*|auto\s+(?:enhance|color|colou?r\s+correct\w*)|colou?r\s+correct\w*|"
        r"fix\s+the\s+colou?rs?|look\s+better|nicer|better\s+colou?rs?|polish\w*|beautif\w*)\b"
    )
    if enhance and not values and not c.ops:
        values = {"contrast": 1.1, "saturation": 1.2, "brightness": 0.02}
        words.append(enhance)

    if values:
        clamp = {
            "brightness": (-1.0, 1.0),
            "contrast": (0.0, 4.0),
            "saturation": (0.0, 4.0),
            "gamma": (0.1, 10.0),
            "exposure": (-4.0, 4.0),
        }
        values = {k: round(min(clamp[k][1], max(clamp[k][0], v)), 4) for k, v in values.items()}
        conf = 0.6 if enhance and len(words) == 1 and words[0] is enhance else 0.9
        pct_m = c.search(rf"(?:by\s+)?(?:{NUM})\s*(?:%|percent)")
        source = " ".join(w for w in (ends, c.consume(*words, pct_m)) if w)
        tone = Tone(source=source, confidence=c.confidence(conf))
        c.emit(tone.model_copy(update=values))
