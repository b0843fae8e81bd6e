"""Clause splitting (with modifiers glued back and filler recognised) and the `Clause` work area that
rules read from and consume.

A rule finds a phrase, builds an operation and *consumes* the phrase (it is blanked out of the
clause's working text), so a later rule cannot read the same words twice: "with a blurred
background" is taken by the aspect rule and never reaches the blur rule.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from editbay.engine.ops import Operation, Unsupported
from editbay.engine.parse._negation import split_declined

_SEPARATORS = re.compile(
    r"\s*[;,!?]\s*|\s*\.(?=\s|$)\s*|\s+/\s+|\s+\+\s+|\s*\n+\s*|"
    r"\s+(?:and\s+then|and\s+also|and\s+finally|and\s+lastly|and\s+after\s+that|then|also|plus|"
    r"as\s+well\s+as|after\s+that|afterwards|followed\s+by|finally|lastly|and|but|while|"
    r"together\s+with|in\s+addition\s+to)\s+|"
    # "pan along with her" follows a subject: not two clauses
    r"(?<!\bpan)(?<!\bpans)(?<!\bpanning)(?<!\bmove)(?<!\bmoves)(?<!\bfollow)(?<!\btrack)\s+along\s+with\s+"
)
_LEADING_FILLER = re.compile(r"^(?:and|then|also|plus|but|so|next|finally|lastly|after that|please)\s+")
# "remove the first second and the last second": the second clause has no verb of its own and
# borrows the previous clause's, or it would read as "keep the last second".
_TIME_VERB = re.compile(
    r"^(?:(?:(?:please|just|only|simply)\s+)*(?:remove|cut(?:\s+out|\s+off)?|trim(?:\s+off)?|drop|delete|chop(?:\s+off)?|"
    r"lose|skip|get\s+rid\s+of|keep|mute|silence|blur|speed\s+up|slow\s+down|freeze))\b"
)
_BARE_TIME = re.compile(
    r"^(?:the\s+)?(?:first|last|final|opening|closing|ending|initial|middle|second|third)\s+"
    r"(?:\d+(?:\.\d+)?\s*|(?:a|one|two|three|four|five|six|seven|eight|nine|ten|half\s+a|few)\s+)?"
    r"(?:seconds?|secs?|s|frames?|minutes?|mins?|bit|part|half|thirds?|quarters?|fifths?|percent\b|%)"
    r"(?:\b|(?<=%))"
)
# "cut out 1-2 s and 3-4 s": a range alone borrows the verb of the clause before (and lends it its
# unit when that one had none: "remove 1 to 2 and 4 to 5 seconds")
_NUM_ = r"\d+(?:\.\d+)?"
_BARE_RANGE = re.compile(
    rf"^(?:from\s+)?(?:{_NUM_}|\d+:\d+(?:\.\d+)?)\s*(?:s|secs?|seconds?)?\s*(?:-|to|until|till|through)\s*"
    rf"(?:{_NUM_}|\d+:\d+(?:\.\d+)?)\s*(?P<unit>s|secs?|seconds?)?(?:\s+(?:too|as\s+well|also))?$"
)
_UNITLESS_RANGE_END = re.compile(rf"(?<![\d:.]){_NUM_}\s*(?:-|to|until|till|through)\s*{_NUM_}$")
# A clause that only modifies the one before it: "…, with a blurred background", "…, strong"
_ATTACHING = re.compile(
    r"^(?:with|without|using|in|at|on|for|from|over|until|till|during|to|into|by|as)\b|"
    r"^(?:(?:very|really|quite|fairly|pretty|super|extra|not\s+too|just)\s+)*"
    r"(?:strong(?:er|ly)?|heavy|heavily|subtle|subtly|slight(?:ly)?|light(?:ly)?|intense|extreme(?:ly)?|"
    r"gentle|gently|mild(?:ly)?|hard|big|bigger|small|smaller|a\s+(?:little\s+)?bit|a\s+lot|a\s+little|"
    r"much|more|less|semitransparent|transparent|large|tiny|huge|fast|slow|quick(?:ly)?|"
    r"horizontal(?:ly)?|vertical(?:ly)?|clockwise|counter\s*clockwise|anti\s*clockwise|cent(?:er|r)ed)"
    r"(?:\s+please)?$|"
    r"^(?:blur(?:red|ry)?\s+(?:background|backdrop|bars|sides|edges|fill|padding|borders)|"
    r"black\s+bars|letterbox\w*|pillarbox\w*|padded|no\s+crop\w*|without\s+cropping)$"
)
# Clauses that ask for nothing: politeness, enumerations, "can you fix that"
FILLER = re.compile(
    r"^(?:please|pls|plz|thanks|thank you|thx|ty|ok|okay|hey|hi|hello|cheers|lol|asap|now|"
    r"(?:can|could|would|will) you|i want|i'd like|i would like|do it|that's it|that is all|"
    r"(?:just\s+)?go\s+ahead|"
    # enumerations ("first, trim …. second, …") and requests to act on what was just said
    r"first(?:ly)?|second(?:ly)?|third(?:ly)?|next|step\s+\d+|\d[.):]|"
    r"(?:(?:can|could|would|will)\s+you\s+|please\s+)?(?:fix|sort|do|change|correct|lower|reduce|decrease|tame)\s+"
    r"(?:that|this|it|them)"
    r"(?:\s+(?:out|please|for\s+me))*|"
    r"(?:i\s+)?(?:want|need)\s+(?:that|this|it)\s+(?:fixed|sorted|changed|done))$"
)


def split_clauses(text: str) -> list[tuple[str, str]]:
    """Split normalised text into clauses; each comes with the separator that preceded it."""
    parts: list[tuple[str, str]] = []
    pos, sep = 0, ""
    for m in _SEPARATORS.finditer(text):
        chunk = text[pos : m.start()].strip()
        if chunk:
            parts.append((chunk, sep))
        sep = m.group(0).strip() or " "
        pos = m.end()
    tail = text[pos:].strip()
    if tail:
        parts.append((tail, sep))
    cleaned: list[tuple[str, str]] = []
    for chunk, s in parts:
        while True:
            stripped = _LEADING_FILLER.sub("", chunk)
            if stripped == chunk:
                break
            chunk = stripped
        chunk = chunk.strip(" .").rstrip("-").strip()
        if not chunk:
            continue
        bare_range = _BARE_RANGE.match(chunk)
        if cleaned and (_BARE_TIME.match(chunk) or bare_range):
            verb = _TIME_VERB.match(cleaned[-1][0])
            if verb:
                chunk = f"{verb.group(0)} {chunk}"
                unit = bare_range.group("unit") if bare_range else None
                if unit and _UNITLESS_RANGE_END.search(cleaned[-1][0]):
                    cleaned[-1] = (f"{cleaned[-1][0]} {unit}", cleaned[-1][1])
        cleaned.append((chunk, s))
    return cleaned


def merge_attached(parts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Glue modifier clauses ("…, with a blurred background", "…, at the top") to the clause before,
    unless that one only said what not to do ("not in slow motion, in reverse")."""
    merged: list[tuple[str, str]] = []
    for text, sep in parts:
        if merged and _ATTACHING.match(text) and sep in (",", ";", " ") and split_declined(merged[-1][0])[0]:
            prev_text, prev_sep = merged[-1]
            merged[-1] = (f"{prev_text} {text}", prev_sep)
        else:
            merged.append((text, sep))
    return merged


@dataclass
class Context:
    """What the parser knows besides the words: the structured inputs."""

    images: Sequence[str] = ()
    quotes: Sequence[str] = ()
    typos: int = 0
    aspect_ratio: str | None = None  # the structured input, when it names a ratio
    shots: bool = False  # the instruction talks about shots/scenes ("keep the opening" is a shot)


@dataclass
class Clause:
    """One clause under analysis: the normalised words and what rules have made of them so far."""

    text: str
    ctx: Context
    ops: list[Operation] = field(default_factory=list)
    unsupported: list[Unsupported] = field(default_factory=list)
    declined: list[str] = field(default_factory=list)  # what it said NOT to do (taken out of ``text``)
    # Trims that keep a part the words named ("keep 2 to 4 s"), as opposed to trims that remove an
    # edge ("cut the first 2 s"): two kept parts are joined, not intersected (`_resolve`).
    keeps: list[Operation] = field(default_factory=list)
    _work: str = ""

    def __post_init__(self) -> None:
        self._work = self.text

    @property
    def rest(self) -> str:
        """The words no rule has consumed yet."""
        return self._work

    def search(self, pattern: str | re.Pattern[str]) -> re.Match[str] | None:
        return re.search(pattern, self._work)

    def finditer(self, pattern: str | re.Pattern[str]) -> list[re.Match[str]]:
        return list(re.finditer(pattern, self._work))

    def has(self, pattern: str) -> bool:
        """Whether ``pattern`` occurs anywhere in the clause, consumed or not (for modifiers)."""
        return re.search(pattern, self.text) is not None

    def consume(self, *spans: re.Match[str] | tuple[int, int] | None) -> str:
        """Blank out the given spans; returns their words joined (the provenance of an op)."""
        words: list[str] = []
        for span in spans:
            if span is None:
                continue
            start, end = span.span() if isinstance(span, re.Match) else span
            words.append(self._work[start:end].strip())
            self._work = self._work[:start] + " " * (end - start) + self._work[end:]
        return " ".join(w for w in words if w)

    def confidence(self, base: float = 0.95) -> float:
        """Lower confidence when words had to be corrected for typos."""
        return round(max(0.3, base - 0.1 * min(self.ctx.typos, 3)), 2)

    def emit(self, op: Operation) -> None:
        self.ops.append(op)

    def refuse(self, reason: str) -> None:
        self.unsupported.append(Unsupported(clause=self.text, reason=reason))

    def kinds(self) -> set[str]:
        return {op.op for op in self.ops}
