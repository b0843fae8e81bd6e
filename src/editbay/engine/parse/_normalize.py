"""Text normalisation before matching: quotes out, lower case, US spelling, typos, numbers, set phrases.

Quoted (and "saying ...") text is lifted out first and replaced with a placeholder «N», so that
user text never takes part in splitting, spelling fixes or matching, and keeps its original case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from editbay.engine.parse._phrases import set_phrases
from editbay.engine.parse._vocab import KEYWORDS, KNOWN, NOT_TYPOS

PLACEHOLDER = r"«(\d+)»"

# ---- quoted and "saying ..." text ------------------------------------------------------------

_QUOTE_PATTERNS = (
    re.compile(r"«([^»]+?)»"),  # first: the placeholders written below look like guillemets
    re.compile(r'"([^"]+?)"'),
    re.compile(r"“([^”]+?)”"),
    re.compile(r"‘([^’]+?)’"),
    # A straight single quote opens only after a space/colon/bracket, so apostrophes stay ("don't").
    re.compile(r"(?:(?<=[\s:(\[])|^)'([^']+?)'(?=[\s,.;:!?)\]]|$)"),
)

# Verbs that start a new edit clause; unquoted caption text stops before "and <verb>".
CLAUSE_VERBS = (
    r"make|add|put|place|apply|give|turn|convert|change|set|mute|remove|cut|trim|speed|slow|flip|"
    r"rotate|crop|zoom|fade|reverse|loop|blur|sharpen|brighten|darken|increase|decrease|reduce|raise|"
    r"lower|boost|drop|delete|keep|insert|include|overlay|play|use|resize|scale|mirror|normalize|"
    r"normalise|then|also|finish|end|start|silence|desaturate|saturate|warm|cool|invert|freeze"
)
_TEXT_STOP = (
    r"(?=\s*[,;!?](?:\s|$)|\s*\.(?:\s|$)|\s+(?:and\s+then|then|and\s+also|also|plus)\b|"
    rf"\s+and\s+(?:{CLAUSE_VERBS})\b|"
    r"\s+(?:at|in|on|across|along|near|for|during|from|between|until|over|under|with|to)\s+(?:the\s+)?"
    r"(?:very\s+)?(?:top|bottom|upper|lower|center|centre|middle|left|right|corner|start|beginning|end|"
    r"first|last|whole|entire|screen|frame|\d)|"
    r"\s+in\s+(?:big|large|huge|small|tiny|bold|white|black|red|green|blue|yellow|orange|purple|pink|"
    r"gr[ae]y|gold|golden|cyan|magenta)\b|\s*$)"
)
_SAYING = re.compile(
    r"\b(?:saying|that\s+says|which\s+says|it\s+says|says|that\s+reads|which\s+reads|reads|reading|"
    r"with\s+the\s+words?|with\s+the\s+text|titled|entitled|captioned|labell?ed|"
    r"(?:add|put|show|display|overlay|write|type|print)\s+(?:the\s+)?words?\b(?!\s*:?\s*«)|"
    r"(?:text|title|caption|subtitle|words?)\s*:)\s*:?\s*(?P<t>\S.*?)" + _TEXT_STOP,
    re.IGNORECASE,
)
# "write Happy Birthday at the top": unquoted words after a writing verb are the text when a
# place on the frame follows them ("write me a poem" names no place and is not a caption)
_WRITE = re.compile(
    r"\b(?:write|type|print)\s+(?!(?:it|that|this|them|the|a|an|some|me|us|text|title|caption|subtitle|words?)\b)"
    r"(?P<t>[^,;.!?«»]{1,60}?)(?=\s+(?:at|in|on|across|along|near)\s+(?:the\s+)?(?:very\s+)?(?:top|bottom|upper|"
    r"lower|center|centre|middle|left|right|corner|screen|frame|video|clip)\b)",
    re.IGNORECASE,
)


# "add the text Hello World in red": unquoted words right after a text noun are the text, up to a
# place, colour, time or the next clause ("add a title at the top" names no words: nothing is taken)
_TEXT_NAMED = re.compile(
    r"\b(?:add|put|show|display|overlay|insert|place|stamp)\s+(?:the\s+|a\s+|an\s+|some\s+)?(?:text|caption|title|"
    r"headline|subtitle)\s+(?!(?:to|in|at|on|onto|over|across|along|near|that|which|with|for|from|of|and|or|saying|"
    r"says|reading|reads|card|cards|screen|sequence|overlay|overlays|box|banner|bar|animation|effect|style|font|"
    r"here|there|somewhere|please|too|as|into|during|until|by|it|this|the|a|an|some)\b)"
    r"(?P<t>[^,;.!?«»]{1,60}?)" + _TEXT_STOP,
    re.IGNORECASE,
)


def extract_quotes(text: str) -> tuple[str, list[str]]:
    """Replace quoted and "saying ..." text with «N» placeholders; return the texts by index."""
    found: list[str] = []

    def keep(m: re.Match[str]) -> str:
        found.append(m.group(1).strip())
        return f" «{len(found) - 1}» "

    for pattern in _QUOTE_PATTERNS:
        text = pattern.sub(keep, text)

    def keep_saying(m: re.Match[str]) -> str:
        said = m.group("t").strip()
        if re.search(r"«\d+»", said):  # 'caption: "We did it!" bottom': the quotes hold the text
            return m.group(0)
        found.append(said)
        return m.group(0)[: m.start("t") - m.start()] + f"«{len(found) - 1}»"

    text = _SAYING.sub(keep_saying, text)
    text = _WRITE.sub(keep_saying, text)
    text = _TEXT_NAMED.sub(keep_saying, text)
    return text, found


# ---- spelling --------------------------------------------------------------------------------

_BRITISH = {
    "colour": "color",
    "colours": "colors",
    "coloured": "colored",
    "colourful": "colorful",
    "colourless": "colorless",
    "colouring": "coloring",
    "discoloured": "discolored",
    "grey": "gray",
    "greys": "grays",
    "greyscale": "grayscale",
    "greyish": "grayish",
    "centre": "center",
    "centred": "centered",
    "centres": "centers",
    "favourite": "favorite",
    "theatre": "theater",
    "metre": "meter",
    "programme": "program",
    "mirrour": "mirror",
    "saturatd": "saturated",
    "gray-scale": "grayscale",
    "gray scale": "grayscale",
}
_ISE_ROOTS = r"normal|stabil|pixel|optim|anonym|color|colour|equal|minim|maxim|styl|desatur|satur|visual"
_ISE = re.compile(rf"\b({_ISE_ROOTS})is(e|ed|es|ing|ation|ations|er)\b")


def americanize(text: str) -> str:
    text = _ISE.sub(lambda m: f"{m.group(1)}iz{m.group(2)}", text)
    return re.sub(r"\b[a-z]+\b", lambda m: _BRITISH.get(m.group(0), m.group(0)), text)


# ---- typos -----------------------------------------------------------------------------------


def _osa_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment edit distance (adjacent swaps cost 1), stopping early past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


# Typos are corrected towards the editing keywords and the words that place an edit in time
_TYPO_TARGETS = KEYWORDS | {"first", "last", "beginning", "ending", "final"}
_KEYWORDS_BY_LETTER: dict[str, list[str]] = {}
for _kw in sorted(_TYPO_TARGETS):
    _KEYWORDS_BY_LETTER.setdefault(_kw[0], []).append(_kw)


_SUFFIXES = ("ing", "ed", "es", "s", "ly", "er", "est", "ness", "y", "ish", "ion", "ions")


def _is_inflection(word: str) -> bool:
    """ "rotating", "faded", "blurry": a known word plus a suffix is not a typo."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            if (
                stem in KNOWN
                or stem + "e" in KNOWN
                or (len(stem) > 3 and stem[-1] == stem[-2] and stem[:-1] in KNOWN)
            ):
                return True
    return False


def correct_word(word: str) -> str | None:
    """The keyword ``word`` is most likely a typo of, or None.

    Conservative on purpose: the first letter must match (people rarely mistype it), short words
    allow one edit only towards longer keywords or as a swap, and ties are not guessed.
    """
    if len(word) < 4 or word in KNOWN or word in NOT_TYPOS or not word.isalpha() or _is_inflection(word):
        return None
    limit = 1 if len(word) <= 7 else 2
    best: list[tuple[int, str]] = []
    for kw in _KEYWORDS_BY_LETTER.get(word[0], ()):
        if len(word) == 4 and len(kw) == 4 and sorted(kw) != sorted(word):
            continue  # 4-letter words only as a swapped pair ("mtue"), "cute" is not "mute"
        d = _osa_distance(word, kw, limit)
        if d <= limit:
            best.append((d, kw))
    if not best:
        return None
    best.sort()
    if len(best) > 1 and best[0][0] == best[1][0]:
        return None
    return best[0][1]


def _squeeze(m: re.Match[str]) -> str:
    """Stretched words ("slowww", "pleeease"): letter runs of three or more cut to a known word."""
    word = m.group(0)
    double = re.sub(r"([a-z])\1{2,}", r"\1\1", word)
    single = re.sub(r"([a-z])\1{2,}", r"\1", word)
    return single if single in KNOWN and double not in KNOWN else double


def fix_typos(text: str) -> tuple[str, list[str]]:
    """Correct misspelled keywords word by word; returns the text and the corrected words."""
    changed: list[str] = []
    text = re.sub(r"\b[a-z]*([a-z])\1{2,}[a-z]*\b", _squeeze, text)

    def fix(m: re.Match[str]) -> str:
        fixed = correct_word(m.group(0))
        if fixed is None:
            return m.group(0)
        changed.append(fixed)
        return fixed

    return re.sub(r"\b[a-z]{4,}\b", fix, text), changed


# ---- numbers in words ------------------------------------------------------------------------

_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_NUMWORD = "|".join([*_UNITS, *_TENS, "hundred"])
_NUMBER_PHRASE = re.compile(
    rf"\b(?:{_NUMWORD})(?:(?:\s+|-)(?:{_NUMWORD}))*(?:\s+point\s+(?:{_NUMWORD})(?:\s+(?:{_NUMWORD}))*)?"
    rf"(?:\s+and\s+a\s+(?:half|quarter))?\b"
)


def _words_value(words: list[str]) -> float:
    if len(words) >= 2 and 1 <= _UNITS.get(words[0], 0) <= 9 and words[1] in _TENS:
        return 100 * _UNITS[words[0]] + _words_value(words[1:])  # "one eighty" = 180
    total = 0.0
    for w in words:
        if w == "hundred":
            total = max(total, 1.0) * 100
        else:
            total += _UNITS.get(w, _TENS.get(w, 0))
    return total


def _number_phrase_value(phrase: str) -> str:
    extra = 0.0
    if phrase.endswith("and a half"):
        extra, phrase = 0.5, phrase[: -len("and a half")].strip()
    elif phrase.endswith("and a quarter"):
        extra, phrase = 0.25, phrase[: -len("and a quarter")].strip()
    whole, _, frac = phrase.partition(" point ")
    value = _words_value(re.split(r"[\s-]+", whole)) + extra
    if frac:
        digits = "".join(str(_UNITS.get(w, 0)) for w in frac.split())
        value = float(f"{int(value)}.{digits}")
    return f"{value:g}"


# "the last two thirds" names a part of the clip: it stays "2 thirds", not a number of seconds
_PART_OF_CLIP = r"(?<!first )(?<!last )(?<!final )(?<!middle )(?<!opening )(?<!closing )(?<!initial )"


def words_to_numbers(text: str) -> str:
    text = re.sub(
        r"\b(?:a|one)\s+third\b(?!\s+(?:image|picture|logo|clip|video|one|time|shot|scene))", "0.333", text
    )
    text = re.sub(rf"{_PART_OF_CLIP}\btwo\s+thirds\b", "0.667", text)
    text = re.sub(rf"{_PART_OF_CLIP}\bthree\s+quarters\b", "0.75", text)
    text = _NUMBER_PHRASE.sub(lambda m: _number_phrase_value(m.group(0)), text)
    text = re.sub(r"\b(\d+(?:\.\d+)?)\s+and\s+a\s+half\b", lambda m: f"{float(m.group(1)) + 0.5:g}", text)
    text = re.sub(r"\ba\s+(second|minute)\s+and\s+a\s+half\b", r"1.5 \1s", text)
    text = re.sub(r"\b(?:an?\s+)?half\s+(?:an?\s+)?(second|minute)s?\b", r"0.5 \1", text)
    text = re.sub(r"\b(?:a|one)\s+and\s+a\s+half\b", "1.5", text)
    text = re.sub(r"\ba\s+couple(?:\s+of)?\b", "2", text)
    text = re.sub(r"\ba\s+few\b", "3", text)
    text = re.sub(r"\btwice\b", "2 times", text)
    text = re.sub(r"\bthrice\b", "3 times", text)
    text = re.sub(
        r"\b(?:a|one)\s+(second|minute)\b(?!\s+(?:image|picture|logo|clip|video|one|time))", r"1 \1", text
    )
    return text


# ---- the whole pipeline ----------------------------------------------------------------------


@dataclass
class Normalized:
    """An instruction ready to split: placeholder-bearing text plus what was lifted out of it."""

    text: str
    quotes: list[str] = field(default_factory=list)
    typos: list[str] = field(default_factory=list)


def basic_clean(text: str) -> str:
    text = text.replace("\u00a0", " ").replace("×", "x").replace("–", "-").replace("—", " - ")
    text = text.lower()
    text = re.sub(r"(\d(?:\.\d+)?\s*(?:s|secs?|seconds?))\s*-\s*(?=\d)", r"\1 to ", text)  # "1s-2s"
    # Hyphens between words are spaces ("slow-motion", "t-shirt"); keep them in "2-4s" and "-3 db".
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)
    text = re.sub(r"(?<=[a-z])-(?=\d)|(?<=\d)-(?=[a-z])", " ", text)
    return text


def normalize(instruction: str) -> Normalized:
    text, quotes = extract_quotes(instruction)
    text = basic_clean(text)
    text = americanize(text)
    text = set_phrases(text)  # before typo fixing, so "b&w" etc. are not "corrected"
    text, typos = fix_typos(text)
    text = americanize(text)
    text = words_to_numbers(text)
    text = _time_marks(text)
    text = set_phrases(text)  # again: typo fixes and numbers can complete a phrase
    text = re.sub(r"\s+", " ", text).strip()
    return Normalized(text=text, quotes=quotes, typos=typos)


def _time_marks(text: str) -> str:
    """Times said around the number: "the 2 second mark" and "second 2" are "2 s"."""
    text = re.sub(r"\b(?:the\s+)?(\d+(?:\.\d+)?)\s*-?\s*(?:seconds?|secs?|s)\s+mark\b", r"\1 s", text)
    return re.sub(  # only after a word that starts or ends a time: not "the second one"
        r"\b((?:from|to|at|until|till|through|between|and|after|before)\s+)second\s+(\d+(?:\.\d+)?)\b"
        r"(?!\s*(?:s\b|secs?\b|seconds?\b|shots?|scenes?|times?|x\b))",
        lambda m: f"{m.group(1)}{m.group(2)} s",
        text,
    )
