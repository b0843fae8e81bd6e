"""Instruction text → `EditPlan`: deterministic rules over normalised, clause-split text.

Pipeline: lift quoted text out → normalise (case, spelling, typos, numbers, set phrases) → split
into clauses → per clause: refuse vision/generative requests, note known limits, run the rule
families in priority order (each consumes the words it used) → settle what clauses say about each
other and add the structured inputs, which win over words when they conflict (`_resolve`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from editbay.engine.ops import EditPlan, Operation, Speed, Unsupported
from editbay.engine.parse import _rules_audio as audio
from editbay.engine.parse import _rules_color as color
from editbay.engine.parse import _rules_effects as effects
from editbay.engine.parse import _rules_fade as fade
from editbay.engine.parse import _rules_frame as frame
from editbay.engine.parse import _rules_overlay as overlay
from editbay.engine.parse import _rules_time as time
from editbay.engine.parse import _rules_trim as trim
from editbay.engine.parse import _rules_vision as vision
from editbay.engine.parse._clause import FILLER, Clause, Context, merge_attached, split_clauses
from editbay.engine.parse._negation import LIMIT_ONLY, apply_declined, split_declined
from editbay.engine.parse._normalize import normalize
from editbay.engine.parse._quantity import find_range, find_share
from editbay.engine.parse._refuse import (
    REMOVING,
    SEPARATE_MIX,
    SEPARATE_MIX_REASON,
    apply_limits,
    generative_reason,
    split_removals,
    vision_reason,
)
from editbay.engine.parse._resolve import (
    AUDIO_OPS,
    apply_structured,
    lower_zoom,
    reframe_ratio,
    resolve_fill,
    resolve_kept_parts,
    resolve_vague_keeps,
    structured_ratio,
)
from editbay.engine.parse._spans import PART_OF_CLIP, SPANNED, refuse_vague_part, window_picture
from editbay.engine.parse._vocab import KNOWN, STOPWORDS

__all__ = ["parse", "preload_embeddings", "NOT_UNDERSTOOD"]

NOT_UNDERSTOOD = "not understood as a video edit this engine can do"
ONLY_DECLINED = 'says only what not to do: say what to change (e.g. "make it black and white")'
SHARE_OF_CLIP = (
    "a part named by its share of the clip ('the first half', 'the middle 2 seconds') can be kept, cut, "
    "muted, made louder or quieter, or given a colour or an effect; for this edit give the times in seconds"
)

# Order matters: a rule consumes its words, so the more specific phrase must be read first
# ("fade the music out" before "fade out", "vertical flip" before "vertical", "darken the edges"
# before "darken", "mute the colours" is excluded from mute and read by tone).
RULES: tuple[Callable[[Clause], None], ...] = (
    overlay.text_rule,
    overlay.logo_rule,
    audio.audio_fade_rule,
    audio.mute_rule,
    audio.normalize_rule,
    audio.volume_rule,
    time.extend_rule,
    fade.fade_rule,
    time.frame_rate_rule,
    frame.letterbox_rule,
    frame.flip_rule,
    frame.fill_rule,
    frame.resize_rule,
    frame.aspect_rule,
    frame.rotate_rule,
    frame.zoom_rule,
    time.speed_rule,
    time.reverse_rule,
    time.loop_rule,
    time.freeze_rule,
    trim.trim_rule,
    effects.vignette_rule,
    effects.denoise_rule,
    effects.grain_rule,
    effects.pixelate_rule,
    effects.glow_rule,
    effects.sharpen_rule,
    effects.blur_rule,
    color.lut_rule,
    color.temperature_rule,
    color.invert_rule,
    color.grade_rule,
    color.tone_rule,
)

# Ops whose parameters can target part of the clip; others apply to the whole clip.
_RANGED = {"text", "overlay", "trim", "cut", "freeze", "fade", "audio_fade", "mute", "volume"}
_HARMLESS = re.compile(
    r"^(?:please\s+)?(?:keep|leave|preserve|retain|maintain|don'?t\s+(?:change|touch|alter))\b(?!.*\d)|"
    r"^(?:in\s+|with\s+|at\s+)?(?:high|good|best|great|max(?:imum)?|full|top)\s+quality$"
)
_PAD_WORDS = re.compile(frame.PAD_BLUR + "|" + frame.PAD_BLACK)
# A question about the video ("is this in 4k?", "how long is it?") asks for no edit. Polite requests
# phrased as questions ("can you …", "is it possible to …", "how about …") are not questions here.
_QUESTION = re.compile(
    r"^(?:is|are|was|were|does|did|has|have|what(?:'s|s)?|who(?:'s|m|se)?|where|when|why|which|"
    r"how(?:'s)?|do\s+(?:you|i|we|they)\b)\b"
    r"(?!\s+(?:it|there)\s+(?:possible|a\s+way|any\s+way)|\s+about\b|\s+not\b|\s+if\b|"
    r"\s+you\s+(?:think|mind)\b|(?<=do you)\s+(?:think|mind)\b)"
)
QUESTION = 'a question, not an edit instruction: say what to change (e.g. "make it black and white")'
# What `_phrases` makes of "not too dark", "don't overdo it": a limit on the strength of the edit before it
_STRENGTH_LIMIT = re.compile(r"\bnot too much\b")
STRENGTH_ONLY = (
    'limits how strong an edit should be ("not too much") but names no edit: say what to change, '
    'e.g. "darken it, but not too much"'
)


def _restore_quotes(text: str, quotes: Sequence[str]) -> str:
    return re.sub(r"«(\d+)»", lambda m: f'"{quotes[int(m.group(1))]}"', text)


def _with_quotes(op: Operation, quotes: Sequence[str]) -> Operation:
    """Show the user's quoted words in provenance instead of the placeholder."""
    return op.model_copy(update={"source": _restore_quotes(op.source, quotes)}) if "«" in op.source else op


def _unquote_style_words(text: str, quotes: Sequence[str]) -> str:
    """`make it "cinematic"`: a quoted edit word with no text noun is emphasis, not a caption."""
    if re.search(
        r"\b(?:text|title|caption|subtitle|words?|say\w*|reads?|label|write|display|heading|watermark|"
        r"banner|add|put|show|overlay|type)\b",
        text,
    ):
        return text

    def swap(m: re.Match[str]) -> str:
        words = quotes[int(m.group(1))].lower().split()
        return " ".join(words) if words and all(w in KNOWN for w in words) else m.group(0)

    return re.sub(r"«(\d+)»", swap, text)


def _analyse(text: str, ctx: Context) -> Clause:
    # "sepia without the watermark": the removal is refused on its own, the rest is read
    text, removals = split_removals(text)
    kept, declined = split_declined(text)  # "don't blur the faces": asks for nothing, read by nothing
    clause = Clause(text=kept, ctx=ctx, declined=declined)
    if kept:
        analyse_clause(clause)
    clause.unsupported.extend(Unsupported(clause=r, reason=REMOVING) for r in removals)
    return clause


def analyse_clause(c: Clause) -> None:
    """Refuse or run the rules on one clause; fills ``c.ops`` / ``c.unsupported``."""
    if _QUESTION.match(c.text):
        c.refuse(QUESTION)
        return
    vision.vision_rules(c)  # first: they consume "blur the faces", "skip the intro shot" …
    if not c.ops and not c.unsupported and vision.is_continuation(c):
        return  # "… while the astronaut stays crisp": the other half of a portrait-mode request
    if not c.ops and not c.unsupported and LIMIT_ONLY.search(c.text):
        return  # "leave the sound alone, just …": a limit on the edit, not an edit
    rest = " ".join(c.rest.split())
    probe = c if not c.ops and not c.unsupported else Clause(text=rest, ctx=c.ctx)
    reason = (vision_reason(probe) or generative_reason(probe)) if probe.text else None
    if reason:
        if probe is c:
            c.refuse(reason)
        else:  # keep what the vision rules read; refuse only the rest of the clause
            c.unsupported.append(Unsupported(clause=rest, reason=reason))
        return
    if c.unsupported and not c.ops:
        return
    apply_limits(c)
    for rule in RULES:
        rule(c)
    window_picture(c)
    refuse_vague_part(c)
    leftover = find_range(c.rest)
    if leftover and c.ops and not (c.kinds() & _RANGED):
        c.consume(leftover.pos)
        if leftover.start is not None or leftover.end is not None:  # "from start to end" is all of it
            c.refuse(PART_OF_CLIP)
    share = find_share(c.rest)
    if share and c.ops:  # the rules that understand a share of the clip consumed theirs
        c.consume(share.pos)
        c.refuse(SHARE_OF_CLIP)
    if not c.ops and not c.unsupported:
        if _HARMLESS.search(c.text):
            return  # "keep the original sound": asks for nothing to change
        if _STRENGTH_LIMIT.search(c.rest):
            c.refuse(STRENGTH_ONLY)  # "not too dark" with no edit before it to limit
            return
        # Only pure filler ("please", "thanks", "can you") is dropped silently; any other word
        # that led to no operation is reported, so that nothing asked for is skipped unseen.
        words = re.findall(r"[a-z']+", c.rest)
        if any(w not in STOPWORDS for w in words) or re.search(r"\d", c.rest):
            c.refuse(NOT_UNDERSTOOD)


# "both for the first 3 seconds", "all of them during the last 2 s": a span for the edits said before
_FOR_THEM = re.compile(
    r"^(?:(?:both|all|each)(?:\s+of\s+them)?|(?:them|these|those)(?:\s+(?:both|all))?)\s+(?P<rest>.+)$"
)
_TAKES_A_SPAN = SPANNED | {"text", "overlay"}


def _time_earlier(text: str, clause: Clause, operations: list[Operation]) -> list[Operation] | None:
    """The operations with the span of a clause that only names one for "both" / "all of them", or
    None when the clause is not that (or nothing before it can take the span)."""
    m = _FOR_THEM.match(text)
    if m is None or clause.ops or not clause.unsupported:
        return None
    span = find_range(m.group("rest"))
    if span is None:
        return None
    left = (m.group("rest")[: span.pos[0]] + " " + m.group("rest")[span.pos[1] :]).split()
    if any(w not in STOPWORDS and w not in ("for", "during", "over", "in", "from", "shown") for w in left):
        return None
    targets = [
        i for i, op in enumerate(operations)
        if op.op in _TAKES_A_SPAN and getattr(op, "start", None) is None and getattr(op, "end", None) is None
        and getattr(op, "portion", None) is None
    ]
    if len(targets) < 2:
        return None
    out = list(operations)
    for i in targets:
        op = out[i]
        timing = {"start": span.start, "end": span.end, "source": f"{op.source}; {text}"}
        out[i] = op.model_copy(update=timing)
    return out


def preload_embeddings() -> bool:
    """Load the optional embedding model now (it is otherwise loaded on first need, once per process).

    Returns whether the fallback is available (the `embeddings` extra and the model are installed and
    ``EDITBAY_PARSE_EMBEDDINGS`` is not ``off``).
    """
    from editbay.engine.parse import _embed

    return _embed.preload()


def _embedding_fallback(c: Clause, notes: list[str]) -> None:
    """A clause the rules did not understand at all, offered to the optional embedding matcher."""
    if c.ops or [u.reason for u in c.unsupported] != [NOT_UNDERSTOOD] or "«" in c.text:
        return  # refusals with a reason (generative, vision, limits, questions) and quotes: never guessed
    from editbay.engine.parse import _embed

    _embed.read_clause(c, notes)


def _clause_typos(text: str, corrected: Sequence[str]) -> int:
    words = set(re.findall(r"[a-z]+", text))
    return sum(1 for w in corrected if w in words)


def parse(
    instruction: str,
    *,
    images: Sequence[str] = (),
    keep_original_sound: bool | None = None,
    aspect_ratio: str | None = None,
) -> EditPlan:
    """Parse an instruction (plus the structured inputs) into an unnormalised `EditPlan`.

    Never raises on odd text: what is not understood comes back in ``plan.unsupported``.
    """
    norm = normalize(instruction or "")
    operations: list[Operation] = []
    unsupported: list[Unsupported] = []
    notes: list[str] = []
    last_refused_whole = False
    prev_clause: Clause | None = None
    pending: tuple[str, Unsupported] | None = None  # the last clause, when it was not understood
    declined: list[str] = []  # what the instruction said not to do
    shots = re.search(r"\b(?:shots?|scenes?)\b", norm.text) is not None
    kept: list[Operation] = []  # the trims that keep a part named in words ("keep 2 to 4 s")

    def taken(cl: Clause) -> list[Operation]:
        """The clause's operations as the plan shows them, noting which of them keep a part."""
        shown = [_with_quotes(op, norm.quotes) for op in cl.ops]
        kept.extend(new for new, op in zip(shown, cl.ops, strict=True) if any(op is k for k in cl.keeps))
        return shown

    for text, sep in merge_attached(split_clauses(norm.text)):
        if FILLER.match(text):
            continue
        text = _unquote_style_words(text, norm.quotes)
        if prev_clause is not None and prev_clause.ops and prev_clause.kinds() <= _AUDIO_KINDS:
            # "normalise the audio and fade it out": the pronoun is the sound of the clause before
            text = re.sub(r"^(fade|fades|fading)\s+(?:it|that|them)\b", r"\1 the audio", text)
        if prev_clause is not None and prev_clause.kinds() & {"fade", "audio_fade"}:
            # "fade in over 2 s, then out at the end": the verb of the clause before is understood
            audio_only = "fade" not in prev_clause.kinds()
            text = re.sub(r"^(in|out)\b(?!\s+of\b)", rf"fade {'the audio ' if audio_only else ''}\1", text)
        ctx = Context(
            images=images,
            quotes=norm.quotes,
            typos=_clause_typos(text, norm.typos),
            aspect_ratio=structured_ratio(aspect_ratio),
            shots=shots,
        )
        clause = _analyse(text, ctx)
        timed = _time_earlier(text, clause, operations)
        if timed is not None:  # "… and a title "Hi", both for the first 3 seconds"
            operations[:] = timed
            continue
        declined += [d for d in clause.declined if d not in declined]
        restated = _restated(prev_clause, clause, sep)
        if prev_clause is not None and restated is not None:
            # "slow-mo, quarter speed", "rewind it, play it back to front": one request said twice
            del operations[len(operations) - len(prev_clause.ops) :]
            operations.extend(taken(restated))
            prev_clause = restated
            continue
        if (
            prev_clause is not None
            and prev_clause.ops
            and not prev_clause.unsupported
            and (
                (not clause.ops and clause.unsupported and clause.unsupported[0].reason == NOT_UNDERSTOOD)
                or (_PAD_WORDS.search(text) and any(op.op == "aspect" for op in prev_clause.ops))
            )
        ):
            # A modifier split off by a comma ("tiktok format, pad it", "blur, strong"): read it
            # together with the clause before when that explains it completely.
            joined = _analyse(f"{prev_clause.text} {text}", ctx)
            new_words = {w for w in re.findall(r"[a-z']+", text) if w not in STOPWORDS}
            if (
                joined.ops
                and not joined.unsupported
                and not new_words & set(re.findall(r"[a-z']+", joined.rest))
            ):
                del operations[len(operations) - len(prev_clause.ops) :]
                operations.extend(taken(joined))
                prev_clause = joined
                continue
        if (
            clause.ops
            and not clause.unsupported
            and pending is not None
            and unsupported
            and unsupported[-1] is pending[1]
        ):
            # "make it smaller, 480p": a clause not understood alone, explained by the one after it.
            verb = re.match(r"^\w+(?:\s+(?:off|out))?\s+", pending[0])
            said = text[verb.end() :] if verb and text.startswith(verb.group(0)) else text  # a borrowed verb
            joined = _analyse(f"{pending[0]} {said}", ctx)
            old_words = {w for w in re.findall(r"[a-z']+", pending[0]) if w not in STOPWORDS}
            if (
                joined.ops
                and not joined.unsupported
                and not old_words & set(re.findall(r"[a-z']+", joined.rest))
            ):
                unsupported.pop()
                clause = joined
        pending = None
        _embedding_fallback(clause, notes)
        operations.extend(taken(clause))
        prev_clause = clause
        shown = [
            Unsupported(clause=_restore_quotes(u.clause, norm.quotes), reason=u.reason)
            for u in clause.unsupported
        ]
        shown = lower_zoom(operations, shown, notes)  # "zoom in 2x, then zoom out a bit"
        refused_whole = not clause.ops and len(shown) == 1
        if (
            refused_whole
            and last_refused_whole
            and unsupported
            and (sep == "and" or shown[0].reason == NOT_UNDERSTOOD)
        ):
            # "erase the logo on the shirt and fill in the fabric": one request, one refusal.
            prev = unsupported.pop()
            shown = [
                Unsupported(
                    clause=f"{prev.clause} {sep} {shown[0].clause}".replace(" , ", ", "), reason=prev.reason
                )
            ]
        unsupported.extend(shown)
        last_refused_whole = refused_whole
        if refused_whole and shown[0].reason in (NOT_UNDERSTOOD, trim.NEEDS_SECONDS, trim.KEEP_NEEDS_SECONDS):
            pending = (text, shown[0])  # "trim off the ending, the last 1.5 s": said by the next clause
    if norm.typos:
        notes.append("corrected spelling: " + ", ".join(sorted(set(norm.typos))))
    operations = reframe_ratio(operations, structured_ratio(aspect_ratio), unsupported, notes)
    operations, structured_notes = apply_structured(
        operations, keep_original_sound, aspect_ratio, unsupported
    )
    notes.extend(structured_notes)
    mix = SEPARATE_MIX.search(norm.text)
    levels = any(op.op in ("mute", "volume") for op in operations)
    if mix and levels and mix.group("a")[:3] != mix.group("b")[:3]:
        unsupported.append(Unsupported(clause=mix.group(0), reason=SEPARATE_MIX_REASON))
    operations = resolve_fill(operations, unsupported, notes)
    operations = resolve_kept_parts(operations, kept, unsupported, notes)
    operations = resolve_vague_keeps(operations, unsupported, notes)
    operations = apply_declined(operations, declined, unsupported, notes)
    if images and not any(op.op in ("overlay", "color_match") for op in operations):
        notes.append(f"{len(images)} image(s) in images[] not used by the instruction")
    if not operations and not unsupported and instruction.strip():
        reason = ONLY_DECLINED if declined else NOT_UNDERSTOOD
        unsupported.append(Unsupported(clause=instruction.strip()[:200], reason=reason))
    return EditPlan(instruction=instruction, operations=operations, unsupported=unsupported, notes=notes)


_AUDIO_KINDS = AUDIO_OPS | {"mute"}

# Words that make a repeated request cumulative ("faster, then even faster", "reverse it again").
_CUMULATIVE = re.compile(r"\b(?:again|even|more|further|another|additional|extra|too|twice\s+over)\b")


def _restated(prev: Clause | None, clause: Clause, sep: str) -> Clause | None:
    """The clause that replaces ``prev`` when ``clause`` only restates it, else None.

    A speed said twice ("timelapse it, four times as fast") is one speed, read from both clauses
    together; a reverse said twice ("rewind effect, play it back to front") is one reverse, not a
    reverse that undoes itself. Repeats marked as such ("… then even faster") still compound.
    """
    if prev is None or not prev.ops or prev.unsupported or not clause.ops or clause.unsupported:
        return None
    kinds = prev.kinds()
    if kinds != clause.kinds() or kinds not in ({"speed"}, {"reverse"}) or "then" in sep:
        return None
    if _CUMULATIVE.search(clause.text) or _CUMULATIVE.search(prev.text):
        return None
    if kinds == {"reverse"}:
        return prev
    before, after = (op for op in (prev.ops[0], clause.ops[0]) if isinstance(op, Speed))
    if (before.factor > 1) != (after.factor > 1):
        return None  # "faster, then slower" is not a restatement
    joined = _analyse(f"{prev.text} {clause.text}", clause.ctx)
    if len(joined.ops) == 1 and not joined.unsupported:
        return joined
    return None
