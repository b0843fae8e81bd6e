"""Negation: what an instruction says must NOT happen is taken out of a clause before any rule reads it.

"don't blur the faces", "without a vignette", "no music", "never speed it up", "avoid black bars",
"skip the fade", "sepia instead of black and white": the negated words run from the negator to the
end of the clause, or to the next request in it ("no vignette, just sepia", "don't blur it make it
sepia"). They yield no operation and are not reported as unsupported, since they ask for nothing;
what they said is kept (`Clause.declined`) for the requests it qualifies ("vertical, but don't
crop" pads instead of cropping). A clause that only sets a limit ("leave the sound alone", "keep
the colours as they are") asks for nothing either.

Not negations, and left to the rules: removing something the input has ("no sound", "without
audio", "I don't want any sound", "no colour", "no noise"), strength ("not too much", "don't overdo
it"), complaints ("not bright enough"), limits ("no longer than 10 s"), "not only … but also",
"don't forget to …", and "without the logo" (something in the picture: `_refuse.split_removals`
refuses it as a removal before negations are read).
"""

from __future__ import annotations

import re

from editbay.engine.ops import Aspect, Operation, Reframe, Unsupported
from editbay.engine.parse._normalize import CLAUSE_VERBS

__all__ = ["CROP", "LIMIT_ONLY", "apply_declined", "noun_phrase_end", "split_declined"]

# "don't …", "never …", "avoid …": a verb phrase follows
_NOT_DO = (
    r"don[’']?t|dont|do\s+not|does\s*n[’']?t|does\s+not|never|should\s*n[’']?t|should\s+not|must\s*n[’']?t|"
    r"must\s+not|won[’']?t|will\s+not|(?:there[’']?s\s+)?no\s+need\s+to|avoid(?:ing)?|refrain\s+from|"
    r"instead\s+of|rather\s+than"
)
# "no …", "without …": a noun phrase follows
_NO = r"(?:there[’']?s\s+)?no\s+need\s+for|without|with\s+no|no"
# "skip …", "leave out …": negations only of an edit ("skip the fade"), removals of a part of the clip
_SKIP = r"skip(?:ping)?|leave\s+out|leaving\s+out"
_NEGATOR = re.compile(rf"\b(?:(?P<do>{_NOT_DO})|(?P<no>{_NO})|(?P<not>not)|(?P<skip>{_SKIP}))\b")

# Words just before a negator that belong to it ("please don't", "I'd rather not", "make sure not to").
_LEAD_IN = re.compile(
    r"(?:\b(?:please|just|and|but|so|also|oh|i|we|you|i[’']?d|rather|prefer|would|let[’']?s|make\s+sure|"
    r"be\s+sure|try|to|that|it|really|can|could|ok|okay|and\s+also)\s+)+$"
)

# Things the input has: "no X" / "without X" removes them (the rules read it), unless X is an edit
# ("no audio fade", "without colour grading").
_REMOVABLE = (
    r"(?:more\s+)?(?:(?:any|the|its|all|of|their|that)\s+)*(?:sound|sounds|audio|volume|noise|noisiness|grain|"
    r"graininess|colou?rs?|saturation|shak\w*|jitter\w*|wobbl\w*|judder\w*|camera\s+(?:shake|movement|motion)|"
    r"silence|pauses?|dead\s+air|first|last|opening|intro|outro|ending|beginning|start|end|middle|shots?|"
    r"scenes?|\d)"
    r"(?!\w)(?!\s+(?:fades?|fading|effects?|filters?|grad\w*|correct\w*|chang\w*|adjust\w*|tweak\w*|boost\w*|"
    r"tint|transitions?|edit\w*|levels?|look|style))"
)
# "I don't want any sound", "we don't need the music": a removal, read by the mute rule
_UNWANTED = (
    r"(?:really\s+)?(?:want|need|like)\s+(?:to\s+(?:have|hear|keep)\s+)?(?:any\s+|the\s+|its\s+|this\s+|that\s+)?"
    r"(?:sound|sounds|audio|music|soundtrack|colou?rs?|noise|grain)\b"
)
# Something in the picture: "without the logo" asks to remove it (which the refusal checks name).
_IN_PICTURE = (
    r"(?:the|its|that|this|those|these)\s+(?:\w+\s+)?(?:logos?|watermarks?|text|titles?|captions?|subtitles?|"
    r"people|persons?|man|woman|guy|girl|kids?|cars?|objects?|things?|sky|background)\b"
)
_EXCEPT_AFTER = {
    "do": re.compile(rf"(?:(?:really|even|ever)\s+)?(?:forget|hesitate|overdo\w*)\b|{_UNWANTED}"),
    "no": re.compile(
        rf"(?:more|longer|less|shorter|later|earlier|bigger|smaller|louder|quieter|faster|slower)\s+than\b|"
        rf"(?:one|1|body|matter)\b|{_REMOVABLE}|{_IN_PICTURE}"
    ),
    "not": re.compile(
        r"(?:so|as|too|that|only|just|very|overly|super|quite|even|much|really|enough)\b|(?:\w+\s+){1,2}enough\b|"
        r"(?:grainy|noisy|shaky|jittery|wobbly|blurry|sharp)\b"
    ),
}
# What "skip" / "leave out" decline: an edit, not a part of the clip ("skip the intro" is a cut).
_EDIT = re.compile(
    r"(?:(?:the|any|all|that|this|a|an)\s+)*(?:\w+\s+)?(?:blur\w*|vignett\w*|grain|fades?|fading|transitions?|"
    r"music|soundtrack|text|titles?|captions?|subtitles?|watermarks?|logos?|overlays?|filters?|effects?|"
    r"zoom\w*|slowmo|timelapse|speed\w*|grad(?:e|ing)|colou?r\s+(?:grad\w*|correct\w*)|looks?|tint|sepia|"
    r"blackandwhite|black\s+bars|bars|letterbox\w*|padding|crop\w*|flip\w*|mirror\w*|rotat\w*|revers\w*|"
    r"loop\w*|boomerang|freez\w*|sharpen\w*|denois\w*|pixelat\w*|glow|bloom|lut|normali[sz]\w*|"
    r"stabili[sz]\w*|mut(?:e|ing))\b"
)
# Where the negated words stop: a contrast ("…, just …", "instead") or the next request ("no
# vignette add grain"): an edit verb after a content word. After "no …" only a word that cannot be
# a noun starts a request ("no audio fade", "no speed change" are one thing each).
_CONTRAST = re.compile(r"\s+(?:just|only|instead|rather(?!\s+than)|but|then|however|though)\b")
_VERB = re.compile(rf"(?<=\s)(?:{CLAUSE_VERBS})\b")
_PLAIN_VERB = re.compile(
    r"(?<=\s)(?:make|add|put|place|apply|give|convert|mute|remove|trim|rotate|reverse|sharpen|brighten|darken|"
    r"increase|decrease|reduce|raise|lower|delete|keep|insert|include|overlay|resize|scale|mirror|normali[sz]e|"
    r"desaturate|saturate|invert|silence)\b"
)
_FUNCTION_WORDS = frozenset(
    "the a an to of at in on it its or nor and any some with from for by too so this that i we you me "
    "not no never don't dont be is are was get".split()
)
# Declined words that are about cropping: a conversion to another ratio then pads instead.
CROP = re.compile(
    r"\bcrop\w*|\bcut\w*\s+(?:\w+\s+){0,3}?off\b|\b(?:lose|losing|cut|cutting)\s+(?:any(?:thing)?\s+)?(?:of\s+)?"
    r"(?:the\s+)?(?:sides|edges|picture|frame|image)\b"
)
# A clause that only says what must stay as it is.
LIMIT_ONLY = re.compile(
    r"^(?:(?:but|and|so|please|just|also|oh)\s+)*(?:keep|leave|preserve|retain|maintain)\b.*\b(?:alone|as\s+is|"
    r"as\s+it\s+is|unchanged|untouched|intact|unaltered)\b"
)


def _is_negation(kind: str, after: str) -> bool:
    if kind == "skip":
        return _EDIT.match(after) is not None
    exceptions = _EXCEPT_AFTER.get(kind)
    return exceptions is None or exceptions.match(after) is None


def _scope_end(text: str, start: int, verbs: re.Pattern[str]) -> int:
    """End of the words negated from ``start`` (just after the negator and the word it negates)."""
    first = re.match(r"\s*\S+", text[start:])
    search_from = start + (first.end() if first else 0)
    end = len(text)
    contrast = _CONTRAST.search(text, search_from)
    if contrast:
        end = contrast.start()
    for verb in verbs.finditer(text, search_from, end):
        before = text[: verb.start()].split()
        if before and before[-1] not in _FUNCTION_WORDS:
            return verb.start()
    return end


def noun_phrase_end(text: str, start: int) -> int:
    """End of the words a "no / without" ending at ``start`` governs: the clause's end, a contrast
    ("…, just …") or the next request in it ("without the logo make it sepia")."""
    return _scope_end(text, start, _PLAIN_VERB)


def split_declined(text: str) -> tuple[str, list[str]]:
    """``text`` without its negated phrases, and those phrases (in order)."""
    declined: list[str] = []
    kept: list[str] = []
    pos = 0
    for m in _NEGATOR.finditer(text):
        if m.start() < pos:
            continue  # inside a phrase already declined
        kind = m.lastgroup or ""
        if not _is_negation(kind, text[m.end() :].lstrip()):
            continue
        lead = _LEAD_IN.search(text, pos, m.start())
        start = lead.start() if lead else m.start()
        end = _scope_end(text, m.end(), _VERB if kind == "do" else _PLAIN_VERB)
        kept.append(text[pos:start])
        declined.append(text[start:end].strip())
        pos = end
    kept.append(text[pos:])
    return " ".join(" ".join(kept).split()), [d for d in declined if d]


def apply_declined(
    ops: list[Operation], declined: list[str], unsupported: list[Unsupported], notes: list[str]
) -> list[Operation]:
    """Let what the instruction declined qualify the requests it names in other clauses.

    "make it vertical, but don't crop the sides": a conversion to another ratio that may not crop
    pads with black bars instead. Following a subject is a crop by nature: refused, saying why.
    """
    crop = next((d for d in declined if CROP.search(d)), None)
    if crop is None:
        return ops
    out: list[Operation] = []
    for op in ops:
        if isinstance(op, Aspect) and op.mode == "crop":
            notes.append(f"'{crop}': {op.ratio} by padding with black bars instead of cropping")
            op = op.model_copy(update={"mode": "pad_black"})
        elif isinstance(op, Reframe):
            unsupported.append(
                Unsupported(
                    clause=crop,
                    reason="following the subject crops the frame to the new ratio; to keep the whole "
                    "picture say 'with black bars' or 'with a blurred background' instead of following it",
                )
            )
            continue
        out.append(op)
    return out
