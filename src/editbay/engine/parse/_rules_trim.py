"""Trim rules: trim (keep a range, or a share of the clip) and cut (remove one)."""

from __future__ import annotations

import re

from editbay.engine.ops import Cut, Portion, Trim
from editbay.engine.parse._clause import Clause
from editbay.engine.parse._quantity import (
    NUM,
    TIME,
    TIME_ANY,
    ShareSpan,
    excepted,
    find_range,
    find_share,
    parse_time,
)
from editbay.engine.parse._vocab import STOPWORDS

HOW_LONG = 'say how long the video should be, e.g. "trim it to 5 seconds"'
NEEDS_SECONDS = 'say which seconds to cut, e.g. "cut the first 3 seconds" or "remove 0:02 to 0:05"'
KEEP_NEEDS_SECONDS = (
    'say which seconds to keep, e.g. "keep the first 5 seconds", "keep the middle third" or '
    '"keep 0:02 to 0:05"'
)



_REMOVE = (
    r"\b(?:remov\w*|delet\w*|drop\w*|skip\w*|cut(?:ting)?(?:\s+(?:out|off|away))?|chop(?:\s+off)?|trim(?:\s+off)?|"
    r"lose|get\s+rid\s+of|take\s+(?:out|off|away)|ditch|discard|exclude|eliminate|omit|lop\s+off|shave(?:\s+off)?|"
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


_HEAD_WORDS = ("beginning", "start", "front", "intro", "opening")


def _edges_by_amount(c: Clause) -> bool:
    """"trim 1 second from both ends", "trim the beginning by 1.5 s", "shorten the end by 2 s"."""
    both = c.search(
        rf"(?P<t>{TIME_ANY})\s+(?:off|from)\s+(?:both|each|either)\s+(?:ends?|sides?|edges?)\b|"
        rf"\b(?:both|each)\s+(?:ends?|sides?)\s+by\s+(?P<t2>{TIME_ANY})"
    )
    edge_by = c.search(
        rf"\b(?:the\s+)?(?P<w>beginning|start|front|intro|opening|end|ending|tail|outro)\s+by\s+(?P<t>{TIME_ANY})"
    )
    said = both or edge_by
    verb = c.search(_REMOVE + r"|\bshorten\w*") if said else None
    if said is None or verb is None:
        return False
    seconds = parse_time(said.group("t") or said.groupdict().get("t2") or "") or 0.0
    source = c.consume(verb, said)
    if both:
        start, end = seconds, -seconds
    elif said.group("w") in _HEAD_WORDS:
        start, end = seconds, None
    else:
        start, end = None, -seconds
    if seconds <= 0:
        return False
    c.emit(Trim(start=start, end=end, source=source, confidence=c.confidence()))
    return True


def trim_rule(c: Clause) -> None:
    length = c.search(
        rf"(?:make\s+it\s+|only\s+|just\s+)?(?P<t>{TIME_ANY})\s+long\b|\b(?:shorten|trim|cut)\s+"
        rf"(?:it\s+|everything\s+|all\s+of\s+it\s+)?(?:down\s+)?to\s+(?:fit\s+(?:in(?:to)?\s+)?)?(?P<u>{TIME_ANY})"
        rf"(?!\s*(?:-|to|until|till|through|thru)\s*\d)|"
        rf"\b(?:make|have|let)\s+(?:it|the\s+(?:video|clip))\s+last\s+(?:only\s+|just\s+)?(?P<l>{TIME_ANY})|"
        rf"\bmake\s+it\s+(?:exactly\s+|precisely\s+|only\s+|just\s+)?(?P<x>{TIME_ANY})\s*$"
    )
    if length and re.search(r"\bat\s+least\b", c.rest[: length.start() + 20]):
        c.consume(length, c.search(r"\bat\s+least\b"))
        c.refuse('making a video longer is done by a loop, a slower speed or a freeze: say which')
        return
    if length:
        seconds = parse_time(length.group("t") or length.group("u") or length.group("l") or length.group("x"))
        if seconds:
            c.emit(Trim(end=seconds, source=c.consume(length), confidence=c.confidence()))
            return
    if _edges_by_amount(c):
        return
    start_at = c.search(
        rf"(?<!\d )(?<!\ds )(?<!seconds )(?<!second )(?<!secs )(?<!sec )"  # not "for 2 s starting at 0:03"
        rf"\b(?:start|begin)\w*\s+(?:it\s+|the\s+(?:video|clip)\s+)?(?:at|from)\s+(?P<t>{TIME})"
        rf"(?![\d:.])(?!\s+for\s+{TIME_ANY})|"
        rf"\b(?:start|begin)\w*\s+(?:it\s+|the\s+(?:video|clip)\s+)?(?P<t2>{TIME_ANY})\s+in\b"  # "2 s in"
    )
    end_at = c.search(
        rf"\b(?:end|stop|finish)\w*\s+(?:it\s+|the\s+(?:video|clip)\s+)?(?:at|by|after)\s+(?P<t>{TIME})"
    )
    if start_at or end_at:
        c.emit(
            Trim(
                start=parse_time(start_at.group("t") or start_at.group("t2")) if start_at else None,
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
        elif c.search(r"\b(?:shorter|shorten)\b|\btoo\s+long\b"):
            c.consume(c.search(r"\b(?:shorter|shorten)\b|\btoo\s+long\b"))
            c.refuse(HOW_LONG)
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
