"""Vision-assisted edit rules: faces, background, colour match, stabilise, reframe, shots.

These run before the whole-frame rules (a vision phrase contains words those rules would misread:
"blur the faces" is not a whole-frame blur, "skip the intro shot" is not a trim) and consume what
they read. What is left of the clause is then checked like any other clause, so "just the middle
shot, with a flying saucer" keeps the shot selection and refuses the saucer.
"""

from __future__ import annotations

import re
from typing import Literal

from editbay.engine.ops import Background, ColorMatch, FaceBlur, Reframe, Scenes, ShotRef, Stabilize
from editbay.engine.parse._clause import Clause
from editbay.engine.parse._quantity import by_level

PERSON = (
    r"(?:him|her|them|he|she|they|everyone|everybody|someone|somebody|people|person|persons|man|woman|men|"
    r"women|guy|girl|boy|kids?|child|children|baby|actor|actress|speaker|presenter|subject|astronaut|"
    r"dancer|singer|skater|skateboarder|runner|player|host|interviewee|model|face|faces|talent|vlogger|"
    r"bystanders?|passers?\s*by|pedestrians?|crowd|audience|students?|customers?|staff|employees?|patients?|"
    r"participants?|guests?|attendees?|fans?|people\s+in\s+the\s+(?:video|clip|footage|shot|frame))"
)
_OF_PEOPLE = r"(?:(?:the|all|every|each|any|their|his|her|its|of|people'?s?|persons?'?s?|everyone'?s?|" \
    r"everybody'?s?|bystanders'?|passers?\s*by'?s?|the\s+people'?s?|visible|other|all\s+the)\s+)*"
_FACES = rf"{_OF_PEOPLE}(?:faces?|heads?|identit(?:y|ies))\b"
_HIDE = (
    r"blur\w*|pixel\w*|mosaic\w*|obscur\w*|hid(?:e|ing)|mask\w*|censor\w*|cover\w*|anonymi[sz]\w*|"
    r"redact\w*|conceal\w*|black\s+out|blot\s+out|blank\s+out|grey\s+out|gray\s+out|fuzz\w*|scrambl\w*|"
    r"smudg\w*|disguis\w*|obfuscat\w*|protect\w*|sensor\w*|distort\w*|soften\w*"
)


def _consume(c: Clause, *spans: re.Match[str] | None) -> str:
    """Consume the spans; the provenance reads in the order of the instruction."""
    found = sorted((m for m in spans if m is not None), key=lambda m: m.start())
    return c.consume(*found)


def _strength(c: Clause, slight: float, normal: float, strong: float) -> float:
    return by_level(c.text, slight, normal, strong, 1.0)


# ---- faces -------------------------------------------------------------------------------------


def face_rule(c: Clause) -> None:
    """Blur / pixelate / black out faces, or anonymise people."""
    m = (
        c.search(rf"\b(?:{_HIDE})\b(?:\s+(?:out|up|over))?\s+(?:\S+\s+){{0,4}}?{_FACES}")
        or c.search(rf"{_FACES}\s+(?:\S+\s+){{0,3}}?(?:{_HIDE}|unrecogni[sz]able|unidentifiable|hidden)\b")
        or c.search(r"\bface\s*(?:blur\w*|pixel\w*|mosaic|anonymi[sz]\w*|redact\w*|mask\w*)\b")
        or c.search(r"(?:\b(?:put|place|add|draw|stick|apply)\s+)?(?:\ban?\s+|\bsome\s+)?\b(?:black\s+"
                    r"(?:bars?|boxes?|rectangles?|squares?)|blur|mosaic|pixelation|pixels)\s+(?:over|on|across)\s+"
                    rf"{_FACES}")
        or c.search(rf"\b(?:anonymi[sz]\w*|de\s*identif\w*)\b(?:\s+(?:\S+\s+){{0,2}}?{PERSON}\b)?")
        or c.search(rf"\b(?:blur|pixelate|obscure|censor|hide)\s+(?:out\s+)?(?:the\s+|all\s+|any\s+)?"
                    rf"{PERSON}\b(?!\s+(?:in|on|at)\b)")
    )
    extra = c.search(
        r"\bso\s+(?:that\s+)?(?:nobody|no\s+one|noone|no\s+1|none\s+of\s+them|they|people)\s+(?:can|could|will|"
        r"would)?\s*(?:be\s+)?(?:identif\w*|recogni[sz]\w*|seen|known)\b|\b(?:unrecogni[sz]able|unidentifiable)\b|"
        r"\b(?:for|to\s+protect)\s+(?:their\s+|people'?s\s+)?(?:privacy|anonymity|identit\w*)\b"
    )
    if not m:
        who = c.search(rf"\b(?:make|render|keep)\s+(?:\S+\s+){{0,3}}?{PERSON}\b") if extra else None
        if who is None:
            return
        m = who
    words = c.text
    style: Literal["blur", "pixelate", "box"] = "blur"
    if re.search(r"\b(?:pixel\w*|mosaic\w*|blocks?|blocky|8\s*bit|chunky|squares)\b", words):
        style = "pixelate"
    elif re.search(r"\bblack\s+(?:out|box\w*|bars?|rectangles?|squares?)\b|\bblacked\s+out\b|"
                   r"\bwith\s+black\b", words):
        style = "box"
    strength = 1.0 if re.search(r"\b(?:big|chunky|large|huge|heavy|heavily|strong\w*|completely)\b", words) \
        else _strength(c, 0.5, 0.8, 1.0)
    tail = c.search(rf"\b(?:of|on|for)\s+(?:the\s+|all\s+(?:the\s+)?|any\s+|every\s+)?(?:\w+\s+)?{PERSON}\b"
                    r"(?:\s+(?:in|on)\s+(?:the\s+)?(?:video|clip|footage|shot|frame|picture))?")
    why = c.search(r"\b(?:to\s+)?protect\s+(?:the\s+|their\s+)?(?:privacy|identit\w+|anonymity)(?:\s+of\s+"
                   rf"(?:the\s+)?(?:\w+\s+)?{PERSON})?(?:\s+by)?\b|\bfor\s+(?:their\s+)?(?:privacy|anonymity)\b")
    source = _consume(c, m, extra if extra is not m else None, why,
                      tail if tail is not None and tail.start() >= m.end() else None,
                      c.search(r"\b(?:with|using)\s+(?:an?\s+|some\s+)?(?:(?:big|large|chunky|small|heavy|strong|light|"
                               r"slight|soft|thick|gaussian)\s+)*(?:pixels?|pixelation|blocks?|mosaic|"
                               r"blur(?:ring)?|black\s+(?:boxes|bars|rectangles))\b"),
                      # "hide their identities by blurring their faces": the method restates the request
                      c.search(rf"\b(?:by|via|through|using)\s+(?:{_HIDE})\b(?:\s+(?:out|over))?"
                               rf"(?:\s+(?:\S+\s+){{0,2}}?{_FACES})?"))
    c.emit(FaceBlur(style=style, strength=strength, source=source, confidence=c.confidence(0.9)))


# ---- background ----------------------------------------------------------------------------------

_BG = (
    r"(?:background|backdrop|bg|backround|scenery|surroundings|environment|behind\s+(?:him|her|them|the\s+\w+)|"
    r"everything\s+(?:else|around\s+(?:him|her|them)|behind\s+(?:him|her|them))|the\s+rest(?:\s+of\s+the\s+"
    r"(?:frame|picture|image|shot|scene))?)"
)
_BLUR_WORDS = (
    r"blur\w*|out\s+of\s+focus|defocus\w*|unfocus\w*|soft\w*|bokeh|fuzzy|fuzz|smudg\w*|hazy|bokeh\w*|"
    r"less\s+sharp|not\s+sharp"
)
_GREY_WORDS = (
    r"black\s*and\s*white|blackandwhite|grayscale|greyscale|monochrome|desaturat\w*|colorless|gr[ae]y"
)
_DARK_WORDS = r"dark\w*|dim\w*|shad(?:e|ow)\w*"
_PAD_CONTEXT = (
    r"\b(?:vertical|portrait(?!\s+mode)|horizontal|landscape|square|\d+\s*:\s*\d+|pad\w*|fit|letterbox\w*|"
    r"pillarbox\w*|bars|sides|fill|tiktok|reels?|shorts|stories|story|instagram|youtube|aspect|ratio)\b"
)
KEEP_SUBJECT = (
    rf"^(?:and\s+|while\s+|but\s+)?(?:keep(?:ing)?\s+|leave\s+|leaving\s+)?(?:the\s+|her\s+|his\s+|their\s+)?"
    rf"(?:main\s+)?{PERSON}(?:'s\s+face)?\s+(?:stays?|remains?|is|are|kept|keeps|staying|remaining|"
    r"should\s+(?:stay|remain|be)|must\s+(?:stay|remain|be))?\s*(?:sharp|crisp|in\s+focus|clear|focused|"
    r"unblurred|untouched|as\s+is|the\s+same|detailed|intact|in\s+colou?r|colou?red)(?:\s+please)?$"
)


def background_rule(c: Clause) -> None:
    """Portrait mode: blur (or grey, or darken) what is behind the person."""
    text = c.rest
    verb_first = c.search(rf"\b(?:{_BLUR_WORDS}|{_GREY_WORDS}|{_DARK_WORDS})\b(?:\s+\S+){{0,4}}?\s+{_BG}\b")
    obj_first = c.search(rf"\b{_BG}\s+(?:\S+\s+){{0,4}}?(?:{_BLUR_WORDS}|{_GREY_WORDS}|{_DARK_WORDS})\b")
    named = c.search(
        r"\bportrait\s+(?:mode|effect|look|blur)\b|\bbokeh(?:\s+(?:effect|look|background))?\b|\bshallow\s+"
        r"(?:depth\s+of\s+field|focus|dof)\b|\bdepth\s+of\s+field(?:\s+effect)?\b|\bcolou?r\s*(?:splash|pop)\b|"
        rf"\b(?:blur\w*|soften)\s+(?:everything|all)\s+(?:but|except|apart\s+from|other\s+than|around)\s+"
        rf"(?:the\s+)?{PERSON}\b|\bkeep\s+(?:only\s+)?(?:the\s+)?{PERSON}\s+in\s+colou?r\b"
    )
    m = verb_first or obj_first or named
    if not m:
        return
    if (re.search(_PAD_CONTEXT, c.text) or c.ctx.aspect_ratio) and not re.search(
        rf"\bbehind\b|\bportrait\s+mode\b|\bbokeh\b|\bdepth\b|\bfocus\b|{PERSON}", c.text
    ):
        return  # "9:16 with a blurred background" is padding: the aspect rule reads it
    phrase = m.group(0)
    effect: Literal["blur", "black_white", "darken"]
    if re.search(rf"\b(?:{_GREY_WORDS})\b|splash|pop|in\s+colou?r", phrase):
        effect = "black_white"
    elif re.search(rf"\b(?:{_DARK_WORDS})\b", phrase) and not re.search(rf"\b(?:{_BLUR_WORDS})\b", phrase):
        effect = "darken"
    else:
        effect = "blur"
    keep = c.search(KEEP_SUBJECT.replace("^", r"\b").replace("$", r"\b")) if effect else None
    behind = c.search(rf"\bbehind\s+(?:him|her|them|the\s+\w+)\b|\b(?:so|while|and)\s+(?:that\s+)?"
                      rf"(?:the\s+)?{PERSON}\s+(?:pops?|stands?\s+out|stays?\s+(?:sharp|crisp))\b")
    source = _consume(c, m, keep, behind if behind is not None and behind.start() >= m.end() else None,
                      c.search(r"^\s*(?:put|make|throw|turn|get|have|set|give)\b"))
    c.emit(Background(effect=effect, strength=_strength(c, 0.35, 0.6, 0.9), source=source or text.strip(),
                      confidence=c.confidence(0.9)))


# ---- colour match --------------------------------------------------------------------------------

_REF = (
    r"(?:image|photo|photograph|picture|pic|still|reference|ref|screenshot|snapshot|frame\s+i|jpe?g|png|"
    r"one\s+i\s+(?:sent|shared|uploaded|attached|gave)|upload|attachment)"
)
_COLOUR = (
    r"(?:(?:colou?r\s+)?(?:grade|grading|palette|scheme|tones?|look|mood|tint|hues?|balance)|colou?rs?|"
    r"lighting|white\s+balance)"
)
_ORDINAL_IMAGE = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3}


def color_match_rule(c: Clause) -> None:
    """Grade the clip towards the colours of a reference image (``images[]``)."""
    m = (
        c.search(rf"\b(?:colou?r\s*match\w*|match\w*\s+(?:\S+\s+){{0,3}}?{_COLOUR})\b(?:.{{0,40}}?\b{_REF}\b)?")
        or c.search(r"\b(?:match|borrow|copy|steal|transfer|take|use|grab|apply|sample|mimic|emulate|"
                    rf"replicate|adopt|bring\s+over|lift)\w*\b.{{0,40}}?\b{_COLOUR}\b.{{0,50}}?\b{_REF}\b")
        or c.search(rf"\b{_COLOUR}\s+(?:of|from|like|in|as\s+in|matching)\s+(?:the|this|that|my|an?|our)?\s*"
                    rf"(?:\S+\s+){{0,2}}?{_REF}\b")
        or c.search(r"\b(?:match|grade|colou?r)\s+(?:it|this|the\s+(?:video|clip|footage))\s+"
                    rf"(?:to|like|after)\s+(?:the|this|that|my|an?)?\s*(?:\S+\s+){{0,2}}?{_REF}\b")
        or c.search(rf"\b{_COLOUR}\s+match\w*\s+(?:to\s+|with\s+)?(?:the|this|that|my|an?)?\s*"
                    rf"(?:\S+\s+){{0,2}}?{_REF}\b")
        or c.search(rf"\b(?:use|apply|take|borrow|copy|steal|match)\w*\s+(?:the\s+|this\s+|my\s+)?(?:\S+\s+)?"
                    rf"{_REF}(?:'s|s')?\s+(?:\S+\s+)?{_COLOUR}\b")
        or c.search(rf"\b(?:same|similar|matching)\s+{_COLOUR}\s+(?:as|like|to)\s+"
                    rf"(?:the|this|that|my|an?)?\s*(?:\S+\s+){{0,2}}?{_REF}\b")
        or c.search(r"\b(?:look|looks|feel)\s+like\s+(?:the|this|that|my)\s+(?:\S+\s+){0,2}?"
                    r"(?:reference|ref|uploaded|attached|photo|image|picture|still)\b")
    )
    if not m:
        return
    if not c.ctx.images and re.search(
        r"\b(?:old|older|vintage|antique|retro|classic|aged|faded|polaroid|historic\w*|sepia)\s+(?:\S+\s+)?"
        r"(?:photo\w*|pictures?|pics?|images?|stills?|snapshots?)\b",
        m.group(0),
    ):
        return  # "make it look like an old photograph" is a look (sepia), not a reference image
    if not c.ctx.images and re.search(
        r"\b(?:like|as)\s+an?\s+(?:(?!uploaded|attached|reference|ref\b)\S+\s+){0,3}?"
        r"(?:photo\w*|pictures?|pics?|images?|stills?|snapshots?)\b",
        m.group(0),
    ):
        # "look like a brownish 1920s photograph", "like a photo negative": an indefinite picture
        # describes a look for the colour rules; a reference is "the/this/my image" or an upload
        return
    index = 0
    which = re.search(r"\b(first|1st|second|2nd|third|3rd|fourth|4th|last)\s+(?:image|photo|picture|pic|"
                      r"still|reference)\b|\b(?:image|photo|picture|reference)\s*(?:number\s*|#\s*)?(\d)\b",
                      c.text)
    if which and which.group(1):
        index = len(c.ctx.images) - 1 if which.group(1) == "last" else _ORDINAL_IMAGE[which.group(1)]
    elif which and which.group(2):
        index = max(0, int(which.group(2)) - 1)
    source = _consume(c, m, which)
    if not c.ctx.images:
        c.refuse("matching colours (vision-assisted) needs the reference image in images[]")
        return
    if index >= len(c.ctx.images):
        c.refuse(f"matching colours to image {index + 1}, but {len(c.ctx.images)} image(s) were given")
        return
    c.emit(ColorMatch(image_index=max(0, index), strength=_strength(c, 0.5, 1.0, 1.0), source=source,
                      confidence=c.confidence(0.9)))


# ---- stabilise -----------------------------------------------------------------------------------

_SHAKE = (
    r"(?:shak\w*|jitter\w*|wobbl\w*|jerk\w*|judder\w*|jolt\w*|tremor\w*|vibrat\w*|bounc\w*|unsteady|bumpy)"
)


_SOUND = r"\b(?:audio|sound|volume|levels?|loudness|music)\b"
_PICTURE = rf"{_SHAKE}|\b(?:camera|shot|footage|video|picture|image|gimbal|tripod)\b"


def about_sound(text: str) -> bool:
    """Whether "steady / even" words in ``text`` are said of the sound, with nothing about the picture."""
    return bool(re.search(_SOUND, text)) and not re.search(_PICTURE, text)


def stabilize_rule(c: Clause) -> None:
    """Remove camera shake; also reads complaints ("it's so shaky", "the picture keeps wobbling")."""
    if about_sound(c.text):
        return  # "steadier volume", "keep the audio steady": the sound's level, not the camera
    adding = c.search(rf"\b(?:add|give|apply|put|make\s+it|create|simulate)\b.{{0,20}}\b{_SHAKE}")
    if adding and not re.search(r"\b(?:less|fewer|not|no|never)\b", adding.group(0)):
        return  # adding shake is not stabilising (the refusal checks say so); "make it less shaky" is
    m = (
        c.search(r"\b(?:stab[ai]li[sz]\w*|de\s*shak\w*|anti\s*shake|steady\w*|steadie\w*|stead(?:y|ier)\s+cam\w*|"
                 r"gimbal|tripod|lock(?:ed)?\s+(?:it\s+|the\s+(?:camera|shot)\s+)?off|rock\s+solid)\b"
                 )
        or c.search(r"\b(?:remov|reduc|fix|eliminat|get\s+rid\s+of|cut\s+down|minimi[sz]|less|lower|"
                    rf"smooth\w*|calm|tame|kill|stop|correct|dampen|counteract|no\s+more|without)\w*\s+(?:out\s+)?"
                    rf"(?:\S+\s+){{0,3}}?(?:{_SHAKE}|camera\s+(?:movement|motion)|hand\s*held\s+(?:movement|motion|"
                    rf"look)|(?:movement|motion)(?!\s+blur))\b")
        or c.search(rf"\b(?:was|were|is|are|got|gets|looks?)\s+(?:\S+\s+)?{_SHAKE}")
        or c.search(rf"\b(?:too|so|very|really|a\s+bit|quite|super|way\s+too|kind\s+of|pretty)\s+{_SHAKE}|"
                    rf"\bkeeps?\s+(?:on\s+)?(?:shaking|wobbling|jittering|bouncing|jumping|juddering|vibrating)\b|"
                    rf"\b(?:shaky|shakey|jittery|wobbly|jerky|juddery|unsteady|bumpy)\b(?:\s+(?:footage|video|"
                    rf"camera|clip|shot|image|picture|handheld|hand\s*held))?")
    )
    if not m:
        return
    strong = c.search(r"\b(?:gimbal|tripod|lock\w*\s+off|rock\s+solid|completely|totally|fully|perfectly)\b")
    strength = 1.0 if strong else _strength(c, 0.3, 0.6, 0.9)
    rest = c.search(r"\b(?:the\s+)?(?:(?:shaky|shakey|jittery|wobbly|jerky|unsteady|bumpy|hand\s*held)\s+)*"
                    r"(?:camera\s+)?(?:footage|movement|motion|camera|video|clip|picture|image|shot)\b")
    fix = c.search(r"\b(?:smooth\w*(?:\s+out)?|fix|correct|steady)\s+(?:it|this|that|things)(?:\s+out)?\b")
    source = _consume(c, m, strong, rest, fix)
    c.emit(Stabilize(strength=strength, source=source, confidence=c.confidence(0.9)))


# ---- reframe -------------------------------------------------------------------------------------

_WHOLE = r"(?:whole|entire|everything|all\s+of\s+it|full)"


def reframe_rule(c: Clause) -> None:
    """A crop window that follows the subject (the ratio comes from this or another clause)."""
    m = (
        c.search(rf"\b(?:follow\w*|track\w*|pan\w*\s+(?:along\s+)?with|chas\w*)\s+(?:\S+\s+){{0,2}}?"
                 rf"(?:{PERSON}|the\s+\w+|it)\b(?:\s+as\s+(?:he|she|they|it)\s+(?:moves?|walks?|runs?|goes))?")
        or c.search(rf"\bkeep(?:ing|s)?\s+(?:(?!{_WHOLE})\S+\s+){{1,3}}?(?:in\s+(?:the\s+)?(?:frame|shot|"
                    r"view|picture|center|centre|middle)|centered|centred|framed|in\s+frame)\b")
        or c.search(rf"\b(?:{PERSON}|subject)\s+(?:stays?|remains?)\s+(?:in\s+)?(?:frame|shot|view|"
                    r"the\s+frame|centered|centred)\b")
        or c.search(r"\b(?:auto\w*|smart|intelligent|content\s*aware)\s*(?:re\s*frame\w*|crop\w*|framing|"
                    r"pan)\b|\bre\s*frame\w*\b")
        or c.search(rf"\b(?:crop|center|centre|frame)\s+(?:it\s+)?(?:around|on)\s+(?:the\s+)?{PERSON}\b")
    )
    if not m or c.search(r"\b(?:audio|sound|music)\s+track\b|\btrack\s+(?:\d|one|two)\b|\bfollow\s+up\b"):
        return
    moves = c.search(r"\bas\s+(?:he|she|they|it)\s+(?:moves?|walks?|runs?|goes)\b|\bwherever\s+\w+\s+goes\b")
    again = c.search(r"\b(?:auto\w*\s*|smart\s+|intelligent\s+)?re\s*frame\w*\b")
    person = re.search(rf"\b{PERSON}\b", m.group(0)) is not None
    overlaps = again is not None and again.start() < m.end() and again.end() > m.start()
    c.emit(Reframe(subject="person" if person else "any",
                   source=_consume(c, m, moves, None if overlaps else again), confidence=c.confidence(0.85)))


# ---- shots ---------------------------------------------------------------------------------------

_NOUN = r"(?:shots?|scenes?)"
_ORD = {
    "first": 1, "1st": 1, "opening": 1, "intro": 1, "initial": 1, "beginning": 1, "start": 1, "starting": 1,
    "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5, "5th": 5,
    "last": -1, "final": -1, "ending": -1, "closing": -1, "outro": -1, "end": -1, "credits": -1,
    "penultimate": -2, "middle": "middle", "center": "middle", "centre": "middle",
}
_ORD_RE = r"(?:second\s+to\s+last|second\s+last|" + "|".join(sorted(_ORD, key=len, reverse=True)) + r")"
_DROP = (
    r"remov\w*|drop\w*|delet\w*|cut(?:\s+out)?|skip\w*|take\s+out|get\s+rid\s+of|lose|ditch|trim\s+off|omit|"
    r"exclud\w*|throw\s+away|chop(?:\s+off)?|leave\s+out|without|no|lose|kill|nix|scrap"
)
# "cut to just the second shot", "trim it down to the last scene": the shots named are what is left
_KEEP = (
    r"(?:cut|trim|narrow|shorten|edit)\s+(?:it\s+|this\s+|the\s+(?:video|clip)\s+)?(?:down\s+)?to|"
    r"keep|only|just|retain|preserve|save|leave\s+only|use\s+only|show\s+only|nothing\s+but"
)
_EXCEPT = r"except(?:\s+for)?|but|apart\s+from|other\s+than|besides|save\s+for|aside\s+from"


def _refs(text: str) -> list[ShotRef]:
    """Shot references in reading order: ordinals, "shots 1 and 3", "the last two"."""
    refs: list[ShotRef] = []
    pattern = (rf"\b(?:the\s+)?(?:(?P<o>{_ORD_RE})(?:\s+(?P<k>two|2|three|3))?|{_NOUN}\s*"
               r"(?:number\s*|no\.?\s*|#\s*)?(?P<n>\d+(?:\s*(?:,|and|&|\+|or)?\s*\d+)*))\b")
    for m in re.finditer(pattern, text):
        if m.group("n"):
            refs += [int(x) for x in re.findall(r"\d+", m.group("n"))]
            continue
        word = re.sub(r"\s+", " ", m.group("o"))
        ref: ShotRef = -2 if word in ("second to last", "second last") else _ORD[word]  # type: ignore[assignment]
        count = {"two": 2, "2": 2, "three": 3, "3": 3}.get(m.group("k") or "", 1)
        if count > 1 and ref in (1, -1):
            refs += list(range(1, count + 1)) if ref == 1 else list(range(-count, 0))
        else:
            refs.append(ref)
    return list(dict.fromkeys(refs))


def scenes_rule(c: Clause) -> None:
    """Keep or drop whole shots ("remove the first scene", "only keep the last shot", "shots 1 and 3")."""
    has_noun = c.search(rf"\b{_NOUN}\b") is not None
    if not (has_noun or (c.ctx.shots and c.search(rf"\b{_ORD_RE}\b"))):
        return
    if c.search(r"\d\s*(?:s|secs?|seconds?|minutes?|mins?)\b|\d:\d"):
        return  # times: a trim, not shots
    start = c.search(rf"\b(?:open\w*|start\w*|begin\w*)\s+(?:on|with|at|from)\s+(?:the\s+)?(?P<r>{_ORD_RE})"
                     rf"(?:\s+(?:1|one|{_NOUN}))?\b")
    end = c.search(rf"\b(?:end\w*|finish\w*|stop\w*)\s+(?:on|with|at|after)\s+(?:the\s+)?(?P<r>{_ORD_RE})"
                   rf"(?:\s+(?:1|one|{_NOUN}))?\b")
    op_start = _refs(start.group("r"))[0] if start else None
    op_end = _refs(end.group("r"))[0] if end else None
    spans = [start, end]
    text = c.rest
    for s in (start, end):
        if s:
            text = text[: s.start()] + " " * (s.end() - s.start()) + text[s.end():]
    keep: list[ShotRef] = []
    drop: list[ShotRef] = []
    exc = re.search(rf"\b(?:{_DROP}|everything|all)\b.*?\b(?:{_EXCEPT})\b(?P<rest>.*)$", text)
    verb = re.search(rf"\b(?:{_KEEP}|{_DROP})\b", text)
    refs = _refs(text)
    if exc and _refs(exc.group("rest")):
        keep = _refs(exc.group("rest"))
    elif verb and re.fullmatch(rf"(?:{_KEEP})", verb.group(0)) and refs:
        keep = refs
    elif verb and refs:
        drop = refs
    elif refs and not verb and has_noun and re.match(rf"^\s*(?:the\s+)?{_ORD_RE}\s+(?:1\s+|one\s+)?{_NOUN}\b",
                                                     text.strip()):
        keep = refs  # "the middle shot please"
    if not (keep or drop or op_start is not None or op_end is not None):
        return
    words = c.finditer(rf"\b(?:(?:{_KEEP}|{_DROP}|everything|all|{_EXCEPT})\b|(?:the\s+)?{_ORD_RE}\b"
                       rf"(?:\s+(?:two|2|three|3|1|one))?|{_NOUN}\b(?:\s*(?:number\s*|#\s*)?\d+(?:\s*(?:,|and|&|\+|or)?\s*\d+)*)?|"
                       rf"(?:in\s+)?the\s+middle\b|so\s+(?:that\s+)?the\s+(?:video|clip)\b|the\s+(?:video|clip)\s+"
                       r"(?:opens|starts|begins)\b|please\b)")
    source = _consume(c, *spans, *words)
    c.emit(Scenes(keep=tuple(keep), drop=tuple(drop), start=op_start, end=op_end, source=source,
                  confidence=c.confidence(0.85)))


VISION_RULES = (scenes_rule, face_rule, background_rule, color_match_rule, stabilize_rule, reframe_rule)


def vision_rules(c: Clause) -> None:
    """Run every vision rule on the clause (each consumes the words it read)."""
    for rule in VISION_RULES:
        rule(c)


_APPLY_BACK = (
    r"^(?:and\s+)?(?:then\s+)?(?:apply|use|put|transfer|copy)\s+(?:it|them|that|this|those|these)\s+"
    r"(?:to|on|onto)\s+(?:the\s+|my\s+|this\s+|our\s+)?(?:clip|video|footage|film|movie|it)(?:\s+please)?$"
)


def is_continuation(c: Clause) -> bool:
    """A clause that only completes a vision request split off by a separator and asks for nothing
    new: "… while the astronaut stays crisp", "… and apply them to the clip"."""
    return re.search(KEEP_SUBJECT, c.text) is not None or re.search(_APPLY_BACK, c.text) is not None
