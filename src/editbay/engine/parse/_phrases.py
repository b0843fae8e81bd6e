"""Set phrases: multi-word names become one token and wordings are rewritten to the form the rules read.

Run on normalised text before clause splitting (and again after typo and number fixes), so "black and
white" or "between 2 and 4" never split at their "and", complaints ("too warm") become the edit they
ask for, and decades ("the 80s") are not read as seconds.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# "it's grainy", "the footage looks really soft": the state of the input (not "make it look grainy")
_DESCRIBED = (
    r"(?<!make )(?<!make it )\b(?:it'?s|it\s+is|it\s+looks|(?:the\s+)?(?:footage|video|clip|image|picture)\s+"
    r"(?:is|looks))\s+(?:(?:really|so|very|a\s+bit|kinda|kind\s+of|quite|pretty|too|super)\s+)*"
)
# ... and a bare "so dark", "sooo loud" opening a clause
_DESCRIBED_OR_SO = (
    r"(?:" + _DESCRIBED + r"|(?:^|(?<=[,;.!?] ))(?:so+|really|super|way\s+too)\s+)(?:(?:very|so|really)\s+)*"
)
_DECADE_NAMES = "twenties thirties forties fifties sixties seventies eighties nineties".split()
_DECADES = dict(zip("23456789", _DECADE_NAMES, strict=True))


def _decade(m: re.Match[str]) -> str:
    digit = next(g for g in m.groups() if g)
    return _DECADES[digit]


# States an instruction complains about (each has a "too …" reading: the opposite edit).
_STATES = (
    r"(dark|dim|gloomy|murky|bright|loud|quiet|warm|orange|yellow|hot|cold|cool|blue|saturated|colorful|"
    r"vivid|garish|intense|dull|pale|muted|gray|drab|bland|harsh|contrasty|flat|washedout|fast|quick|rushed|"
    r"slow|blurry|fuzzy|noisy|grainy|shaky|jittery|wobbly)\b"
)

# (pattern, replacement): multi-word names become one token, and "and" that does not separate two
# edits ("black and white", "between 2 and 4", "fade in and out") is rewritten before splitting.
_PHRASES: tuple[tuple[str, str | Callable[[re.Match[str]], str]], ...] = (
    # "too dark and grainy": the "too" holds for both states
    (rf"\btoo\s+{_STATES}\s*(?:,|and|&)\s*(?:too\s+)?(?={_STATES})", r"too \1 and too "),
    (
        r"\bb\s*(?:&|/|n|and)\s*w\b|\bblack\s*(?:&|and|n|'n'|/|\+|-)?\s*(?:white|wht|whte|whit)\b|\bbnw\b|\bbw\b",
        "blackandwhite",
    ),
    (
        r"\b(?:teal|cyan)\s*(?:&|and|/|\+|-|n)\s*orange\b|\borange\s*(?:&|and|/|\+|-|n)\s*(?:teal|cyan)\b",
        "tealorange",
    ),
    # "darken it, but not too dark", "louder but not too loud", "don't overdo it": a limit on how strong
    # the edit before it is, never an edit of its own ("too dark" alone asks to brighten). One phrase
    # the strength words read as "slight", glued to that edit (the comma or "but" before it dropped).
    (
        r"(?:\s*[,;]\s*|\s+)?(?:(?:but|though|yet|and)\s+)?(?:(?:just|only|please)\s+)?"
        r"(?:not\s+(?:too|overly|excessively)\s+(?:much\b(?:\s+(?:of\s+)?(?:it|that))?|\w+)|"
        r"(?:don'?t|do\s+not)\s+(?:overdo\s+it|make\s+it\s+too\s+\w+|go\s+overboard)|without\s+overdoing\s+it|"
        r"not\s+overdone|not\s+over\s+the\s+top)\b",
        " not too much",
    ),
    # "teal in the shadows, orange in the highlights": one split-tone look, said in two halves
    (
        r"\b(?:teal|cyan|blue)\s+(?:in\s+|for\s+|on\s+)?(?:the\s+)?shadows?\s*(?:[,;&+]|and|with)?\s*(?:and\s+)?"
        r"(?:an?\s+)?orange\s+(?:in\s+|for\s+|on\s+)?(?:the\s+)?highlights?\b|"
        r"\borange\s+(?:in\s+|for\s+|on\s+)?(?:the\s+)?highlights?\s*(?:[,;&+]|and|with)?\s*(?:and\s+)?"
        r"(?:an?\s+)?(?:teal|cyan|blue)\s+(?:in\s+|for\s+|on\s+)?(?:the\s+)?shadows?\b",
        "tealorange",
    ),
    (r"\b(highlights?|shadows?)\s+(?:&|and)\s+", r"\1 with "),
    # "fade in the audio and the video": both, which a picture fade does (the sound follows it)
    (
        r"\b(?:the\s+)?(?:audio|sound)\s+(?:&|and|\+)\s+(?:the\s+)?(?:video|picture|image)\b|"
        r"\b(?:the\s+)?(?:video|picture|image)\s+(?:&|and|\+)\s+(?:the\s+)?(?:audio|sound)\b",
        "everything",
    ),
    # "black bars top and bottom": one place, not two clauses
    (r"\btop\s+(?:&|and)\s+(?:the\s+)?bottom\b", "top-and-bottom"),
    (r"\babove\s+(?:&|and)\s+below\b", "above-and-below"),
    (r"\bleft\s+(?:&|and)\s+(?:the\s+)?right\s+(?=(?:sides?|edges?|bars?)\b)", "left-and-right "),
    (r"\bbetween\s+([\d.:]+\s*[a-z]*)\s+(?:and|&)\s+([\d.:]+)", r"from \1 to \2"),
    (
        r"\bfade\s+((?:the\s+)?(?:audio|sound|music|volume|video|picture|image|clip)\s+)?in\s*(?:and|&|/|\+)\s*"
        r"(?:fade\s+)?(?:it\s+)?out\b",
        r"fade \1in , fade \1out",
    ),
    (r"\bfade\s*-?\s*ins?\s*(?:and|&|/|\+)\s*(?:fade\s*-?\s*)?outs?\b", "fade in , fade out"),
    # "fade in at the start and out at the end": the second verb is understood
    (
        r"\bfade\s+((?:the\s+)?(?:audio|sound|music|volume|video|picture|image|clip)\s+)?in\s+"
        r"((?:at|over|for|during|across|within)\s+[^,;]{1,40}?)\s*(?:and|&)\s+(?:then\s+)?(?:fade\s+)?"
        r"(?:it\s+)?out\b",
        r"fade \1in \2 , fade \1out",
    ),
    # "bottom corner right": the corner's name in the usual order
    (r"\b(top|bottom|upper|lower)\s+corner\s+(left|right)\b", r"\1 \2 corner"),
    # platform names written as two words
    (r"\btik\s*-?\s*tok(s?)\b", r"tiktok\1"),
    (r"\byou\s*-?\s*tube\b", "youtube"),
    (r"\binsta\s*-?\s*gram\b", "instagram"),
    (
        r"\bfad(?:e|es|ing)\s+(?:at\s+|in\s+)?(?:the\s+)?(?:very\s+)?(?:beginning|start)\s+(?:and|&)\s+(?:at\s+)?"
        r"(?:the\s+)?(?:very\s+)?end(?:ing)?\b",
        "fade in , fade out",
    ),
    (
        r"\b(?:forwards?\s+(?:and|then|&|,)\s+(?:then\s+)?(?:back(?:wards?)?|reversed?|in\s+reverse)|"
        r"back\s+and\s+forth|there\s+and\s+back|ping\s*-?\s*pong|yo\s*-?\s*yo)\b",
        "pingpong",
    ),
    (r"\bsalt\s+(?:and|&)\s+pepper\b", "grain"),
    # the shadows to teal and the highlights to orange (either order): one look
    (
        r"\b(?:the\s+)?shadows?\s+(?:to|in|into|towards?)\s+(?:teal|blue|cyan)\s+(?:and|&|with)\s+(?:the\s+)?"
        r"highlights?\s+(?:to|in|into|towards?)\s+(?:orange|warm|golden|amber)\b|"
        r"\b(?:the\s+)?highlights?\s+(?:to|in|into|towards?)\s+(?:orange|warm|golden|amber)\s+(?:and|&|with)\s+"
        r"(?:the\s+)?shadows?\s+(?:to|in|into|towards?)\s+(?:teal|blue|cyan)\b",
        "tealorange",
    ),
    # "mute all but the last 2 seconds", "mute it but not the first half": an exception, not a new
    # clause (the rules then act on the rest of the clip)
    (
        r"\b(everything|all|anything|the\s+whole\s+(?:video|clip|thing))\s+but\s+(?=(?:for\s+|during\s+)?"
        r"(?:the\s+)?(?:very\s+)?(?:first|last|final|opening|closing|middle|second|\d))",
        r"\1 except ",
    ),
    (
        r"\bbut\s+not\s+(?=(?:for\s+|during\s+|in\s+)?(?:the\s+)?(?:very\s+)?(?:first|last|final|opening|"
        r"closing|middle|second\s+half|\d))",
        "except ",
    ),
    # "remove the first and last 2 seconds / quarter": both edges, each with the length
    (
        r"\b(?:the\s+)?(first|opening)\s+(?:and|&)\s+(?:the\s+)?(last|final)\s+((?:\d+(?:\.\d+)?\s*)?"
        r"(?:seconds?|secs?|s|minutes?|mins?|frames?|half|thirds?|quarters?|fifths?|%|percent)(?!\w))",
        r"the \1 \3 and the \2 \3",
    ),
    (r"\bby\s+(?:a\s+|one\s+)?half\b", "by 50%"),
    (r"\b(?:by\s+)?a\s+factor\s+of\s+(\d+(?:\.\d+)?)\b", r"\1x"),
    # "the intro 2 seconds", "the last bit 3 s": an edge of the clip with a length
    (
        r"\b(?:the\s+)?(?:intro|opening|beginning|start)\s+(\d+(?:\.\d+)?\s*(?:s|secs?|seconds?)\b)",
        r"the first \1",
    ),
    (r"\b(?:the\s+)?(?:outro|ending|end)\s+(\d+(?:\.\d+)?\s*(?:s|secs?|seconds?)\b)", r"the last \1"),
    (
        r"(?<!make )(?<!make the )(?<!make all the )"
        r"\b(?:the\s+)?(?:colou?rs?|image|picture|video|footage|it)\s+(?:looks?|is|are|seems?)\s+"
        r"(?:(?:really|so|very|a\s+bit|kinda|quite|pretty|too|super|all)\s+)*"
        r"(?:washedout|flat|dull|faded|pale|drab|lifeless|muddy)\b",
        "more vivid",
    ),
    (r"\btoo\s+much\s+(contrast|saturation|colou?rs?|brightness|grain|noise|blur|glow|zoom)\b", r"less \1"),
    (r"\bpixel\s*art\b", "pixelated"),
    # a description of the input is a request to fix it: "it's grainy" → denoise, "it's blurry" → sharpen
    (
        _DESCRIBED + r"(?:grainy|noisy)\b",
        "denoise",
    ),
    (
        _DESCRIBED + r"(?:blurry|out\s+of\s+focus|soft|fuzzy)\b",
        "sharpen",
    ),
    (_DESCRIBED_OR_SO + r"(?:dark|dim|gloomy|murky)\b", "brighter"),
    (_DESCRIBED_OR_SO + r"(?:bright|blown\s+out|glaring)\b", "darker"),
    (_DESCRIBED_OR_SO + r"loud\b", "quieter"),
    (_DESCRIBED_OR_SO + r"quiet\b", "louder"),
    (r"\bby\s+(?:a|one)\s+quarter\b", "by 25%"),
    # decades are looks, not times: "the 80s" is not 80 seconds
    (r"\b19([2-9])0s\b|(?<=the\s)([2-9])0s\b(?!\s*(?:to|-|of|mark))|['’]([2-9])0s\b", _decade),
    (
        r"\b([2-9])0s(?=\s+(?:look|style|vibe|feel|film|vhs|aesthetic|era|retro|vintage|colou?rs?|tones?|music))",
        _decade,
    ),
    (
        r"\bcolou?rs?\s+(?:are|is|look|looks|seem|feel)\s+(?:way\s+|a\s+bit\s+|far\s+|much\s+)?too\s+"
        r"(?:strong|intense|loud|bright|much|saturated|vivid)\b",
        "less saturated",
    ),
    (r"\bslow\s*-?\s*(?:mo|motion|mo-?tion)\b|\bslo\s*-?\s*mo(?:tion)?\b", "slowmo"),
    (r"\btime\s*-?\s*lapse[ds]?\b|\bhyper\s*-?\s*lapse\b", "timelapse"),
    (r"\bupside\s*-?\s*down\b", "upsidedown"),
    (r"\bfast\s*-?\s*forward(?:ed)?\b", "fastforward"),
    (r"\bken\s*-?\s*burns?\b", "kenburns"),
    (r"\bpicture\s*-?\s*in\s*-?\s*picture\b", "pictureinpicture"),
    (r"\bde\s*-?\s*nois(?:e|ed|ing)\b", "denoise"),
    (r"\bgray\s*-?\s*scale\b", "grayscale"),
    (r"\bsemi\s*-?\s*(?:transparent|opaque|see\s*-?\s*through)\b", "semitransparent"),
    (r"\bsee\s*-?\s*through\b", "semitransparent"),
    (r"\bsoft\s*-?\s*focus\b", "softfocus"),
    (r"\bwashed\s*-?\s*out\b", "washedout"),
    (r"\blow\s*-?\s*key\b", "lowkey"),
    (r"\bhigh\s*-?\s*key\b", "highkey"),
    (r"\blower\s+thirds?\b", "lowerthird"),
    (r"(?<=\d)\s*(?:&|and)\s*(?=\d+\s*(?:sec|s\b))", " to "),
    # A state it should not have is a complaint: "it shouldn't be this dark", "I want it to not be so
    # loud" say "too dark", "too loud" (read below and by the rules), never "darker" or "louder".
    (
        r"\b(?:(?:should|must|would|could)\s*n[’']?t|(?:should|must)\s+not|not)\s+(?:be|look|sound|seem|feel)\s+"
        rf"(?:(?:so|this|that|as)\s+)?{_STATES}|"
        rf"\bdon[’']?t\s+want\s+it\s+(?:to\s+(?:be|look|sound)\s+)?(?:so|this|that|as)\s+{_STATES}",
        lambda m: f"too {m.group(1) or m.group(2)}",
    ),
    # Complaints ask for the opposite: "it's too warm" is a request to cool it down. ("too dark",
    # "too bright", "too loud", "too quiet" are read by the tone and volume rules.)
    (r"\b(?:way\s+|a\s+bit\s+|slightly\s+|far\s+|much\s+)?too\s+(?:warm|orange|yellow|hot)\b", "cooler"),
    (r"\b(?:way\s+|a\s+bit\s+|slightly\s+|far\s+|much\s+)?too\s+(?:cold|cool|blue)\b", "warmer"),
    (
        r"\b(?:way\s+|a\s+bit\s+|slightly\s+|far\s+|much\s+)?too\s+(?:saturated|colorful|vivid|garish|intense)\b",
        "less saturated",
    ),
    (
        r"\b(?:way\s+|a\s+bit\s+|slightly\s+|far\s+|much\s+)?too\s+(?:dull|pale|muted|gray|drab|bland)\b",
        "more saturated",
    ),
    (r"\b(?:way\s+|a\s+bit\s+|slightly\s+|far\s+|much\s+)?too\s+(?:harsh|contrasty)\b", "less contrast"),
    (r"\b(?:way\s+|a\s+bit\s+|slightly\s+|far\s+|much\s+)?too\s+(?:flat|washedout)\b", "more contrast"),
    (r"\b(?:way\s+|a\s+bit\s+|slightly\s+|far\s+|much\s+)?too\s+(?:fast|quick|rushed)\b", "slower"),
    (r"\b(?:way\s+|a\s+bit\s+|slightly\s+|far\s+|much\s+)?too\s+slow\b", "faster"),
    (r"\b(?:way\s+|a\s+bit\s+|slightly\s+|far\s+|much\s+)?too\s+(?:blurry|soft|fuzzy)\b", "sharper"),
    (r"\b(?:way\s+|a\s+bit\s+|slightly\s+|far\s+|much\s+)?too\s+(?:noisy|grainy)\b", "denoise"),
    (r"\s&\s", " and "),
)
_PHRASES_RE = [(re.compile(p), r) for p, r in _PHRASES]


def set_phrases(text: str) -> str:
    for pattern, replacement in _PHRASES_RE:
        text = pattern.sub(replacement, text)
    return text
