"""Refusals: clauses the CPU engine must not force onto an operation.

Three kinds, checked before any rule runs:
- *vision* edits the vision rules (`_rules_vision`) did not read: what remains of a faces,
  background, shots, shake, subject or colour-reference request is something they cannot do
  (plates, changing a face, adding shake, editing inside one shot …);
- *generative* edits need new pixels (add an object, replace/turn X into Y, remove an object,
  change a person, restyle as anime/a painting);
- *limits*: things an editor could do but this engine does not (music, transitions, zoom out …).

The generative checks are general patterns rather than lists of objects: the object of "add",
"remove", "make the", "turn … into" is tested against the editing vocabulary (`_vocab.KNOWN`); an
object outside it ("a dragon", "the sky", "the car") is something in the scene.
"""

from __future__ import annotations

import re

from editbay.engine.parse._clause import Clause
from editbay.engine.parse._negation import noun_phrase_end
from editbay.engine.parse._rules_vision import about_sound
from editbay.engine.parse._vocab import STOPWORDS, content_words

VISION = "needs vision-assisted editing the engine does not do ({what})"
GENERATIVE = "needs a generative model ({what}); the engine only edits the whole frame, time and sound"
REMOVING = GENERATIVE.format(what="removing something from the picture")

_PERSON = (
    r"(?:him|her|them|he|she|they|everyone|everybody|someone|somebody|people|person|man|woman|men|women|"
    r"guy|girl|boy|kid|kids|child|children|baby|actor|actress|speaker|presenter|subject|astronaut)"
)
_PAD_CONTEXT = (
    r"\b(?:vertical|portrait|horizontal|landscape|square|\d+\s*:\s*\d+|pad\w*|fit|letterbox\w*|"
    r"pillarbox\w*|bars|sides|fill|tiktok|reels?|shorts|stories|story|instagram|youtube|aspect|ratio)\b"
)

_VISION_CHECKS: tuple[tuple[str, str], ...] = (
    # What is left of a clause after the vision rules (`_rules_vision`) read the supported part.
    (
        r"\b(?:license\s+plates?|licence\s+plates?|number\s+plates?|plates?|screens?|documents?|tattoos?)\b"
        r"(?=.*\b(?:blur\w*|pixel\w*|hide|obscure|censor\w*|redact\w*|mask\w*)\b)|"
        r"\b(?:blur\w*|pixel\w*|hide|obscure|censor\w*|redact\w*|mask\w*)\b.*\b(?:license|licence|number)\s+plates?\b",
        "finding number plates or objects: only faces can be found and obscured",
    ),
    (
        r"\b(?:faces?|heads?|identit\w*|identif\w*|anonymi[sz]\w*)\b",
        "editing a face other than blurring, pixelating or blacking it out",
    ),
    (
        r"\b(?:stabili[sz]\w*|steady|steadier|shaky|shake|shaking|jitter\w*|jerky|wobbl\w*|judder\w*|"
        r"hand\s*held|camera\s+movement|smooth\s+out\s+the\s+(?:motion|movement|camera))\b",
        "adding or changing camera movement: shake can be removed ('stabilise it'), not added",
    ),
    (
        r"\b(?:follow\w*|track\w*|pan\s+along|reframe\w*|keep\s+(?:\w+\s+){0,2}in\s+(?:the\s+)?(?:frame|shot|view)|"
        r"as\s+(?:he|she|they|it)\s+moves?|auto\s*crop)\b",
        "following a subject other than with a crop to a new aspect ratio ('vertical, follow the person')",
    ),
    (
        r"\b(?:match|borrow|copy|steal|transfer|take|use|grab|apply)\b.{0,40}\b(?:colou?rs?|tones?|look|grade|grading|"
        r"palette|style|mood)\b.{0,40}\b(?:image|photo|picture|still|reference|screenshot|uploaded|attached|frame\s+i)\b"
        r"|\b(?:colou?rs?|tones?|look|grade|palette)\s+(?:of|from|like|in)\s+(?:the|this|my|that)\s+(?:image|photo|"
        r"picture|still|reference|screenshot)\b",
        "matching colours to something other than an image given in images[]",
    ),
    (
        r"\b(?:first|second|third|fourth|fifth|last|middle|opening|final|intro|ending|closing|every|other|"
        r"\d+(?:st|nd|rd|th)?)\b.*\b(?:shots?|scenes?)\b|\b(?:shots?|scenes?)\s+(?:number\s+|#\s*)?\d",
        "editing inside one shot: whole shots can be kept or removed ('remove the first scene')",
    ),
    (
        r"\b(?:background|backdrop|bg|scenery|behind\s+(?:him|her|them|the\s+\w+))\b",
        "changing the background other than blurring, greying or darkening it",
    ),
)

_STYLE_WORDS = (
    r"anime|cartoon\w*|pixar|disney|dreamworks|ghibli|manga|comic(?:\s+book)?|claymation|lego|van\s+gogh|picasso|"
    r"monet|oil\s+painting|painting|painted|paint\s+it|watercolou?r|sketch\w*|drawing|drawn|pencil|crayon|3d|cgi|"
    r"minecraft|simpsons|cyberpunk|steampunk|low\s+poly|ukiyo|impressionis\w*|cubis\w*|pop\s+art|clay|"
    r"video\s+game|hand\s+drawn|studio|wes\s+anderson|tim\s+burton|marvel|lord\s+of\s+the\s+rings|"
    r"harry\s+potter|star\s+wars|colori[sz]\w*|ai\s+\w+|deep\s*fake|avatar"
)
_BODY_WORDS = (
    r"smil\w*|laugh\w*|grin\w*|wink\w*|frown\w*|cry|crying|cries|tears|blink\w*|talk\w*|speak\w*|sing|singing|"
    r"danc\w*|older|younger|aging|ageing|de\s*age|beard|mustache|moustache|hair\w*|makeup|make\s+up|dress\w*|"
    r"shirt|t\s+shirt|clothes|clothing|outfit|wear\w*|tattoo\w*|glasses|sunglasses|hat|expression|emotion|"
    r"lip\s*sync\w*|face\s*swap\w*|thinner|fatter|taller|muscular|skin|teeth|eyes|mouth|nose|body|pose"
)
_ADD_VERBS = (
    r"add|adding|added|insert\w*|put|putting|place|placing|include|including|draw|drawing|paint|painting|sprinkle|"
    r"spawn|throw\s+in|drop\s+in|stick|generat\w*|creat\w*|"
    r"bring\s+in|introduce|superimpose|give\s+" + _PERSON
)
_REMOVE_VERBS = (
    r"remove|removing|erase|erasing|delete|deleting|get\s+rid\s+of|take\s+out|take\s+away|eliminate|clean\s+up|"
    r"paint\s+out|"
    r"edit\s+out|wipe|hide|lose|ditch|scrub|cut\s+out"
)
# Known words that name something *in* the picture: removing them means painting over it.
_INPAINT = (
    r"logos?|watermarks?|text|titles?|captions?|subtitles?|words?|labels?|people|persons?|man|woman|"
    r"shadows?|objects?|things?|stuff|lines?|marks?|stamp|date|time\s*stamp|timestamp|reflections?"
)
# What "remove"/"add" may legitimately take as an object in a whole-frame engine.
_REMOVABLE = (
    r"audio|sound|sounds|soundtrack|music|volume|noise|grain|graininess|colou?rs?|saturation|blur|"
    r"seconds?|secs?|minutes?|first|last|beginning|start|end|ending|part|section|portion|bit|frames?|noisy|grainy|"
    r"«\d+»|\d|silence|quiet|pause|dead\s+air|fades?|speed|zoom|crop|bars|black\s+bars|letterbox\w*|tint"
)
_ADDABLE = (
    r"text|titles?|captions?|subtitles?|words?|labels?|headings?|headlines?|lowerthird|banner|«\d+»|logo|"
    r"watermark|image|picture|photo|overlay|vignette|grain|noise|blur|glow|bloom|fade|fades|filter|effect|"
    r"tint|warmth|contrast|saturation|brightness|sharpness|zoom|slowmo|timelapse|freeze|loop|colou?rs?|"
    r"look|style|grade|vibe|feel|tone|tones|mood|light|shadows|highlights|frame|bars|letterbox|music|"
    r"sound|audio|volume|border|transition|speed|motion|pop|punch|drama|depth"
)


def vision_reason(c: Clause) -> str | None:
    text = c.text
    for pattern, what in _VISION_CHECKS:
        if not re.search(pattern, text):
            continue
        if what.startswith("adding or changing camera movement") and about_sound(text):
            continue  # "keep the audio steady": a level, read by the audio rules
        if what.startswith("changing the background"):
            if re.search(r"\b(?:replace|swap|substitute|erase|remove|delete|add|insert|put)\b", text):
                continue  # new pixels: the generative check names it
            # "9:16 with a blurred background" is padding, not segmentation; "blur the background" is.
            if (re.search(_PAD_CONTEXT, text) or c.ctx.aspect_ratio) and not re.search(r"\bbehind\b", text):
                continue
            if not re.search(
                r"\b(?:blur\w*|focus|defocus\w*|bokeh|soft\w*|sharp\w*|brighte\w*|dark\w*|"
                r"depth|portrait\s+mode|replace|remove|change|swap|make|turn|delete|erase|colou?r|"
                r"black|white|gray|desaturat\w*|pixel\w*|green|keep)\b",
                text,
            ):
                continue
        if what.startswith("editing inside one shot") and re.search(r"\d\s*(?:s|sec|seconds?)\b", text):
            continue
        if what.startswith("following a subject") and re.search(
            r"\btrack\s+(?:\d|one|two)\b|\baudio\s+track\b", text
        ):
            continue
        return VISION.format(what=what)
    return None


def _in_picture(obj: str) -> bool:
    """Whether the object of a removal names something in the picture ("the watermark", "the
    tourists") rather than what a whole-frame edit can take away (the sound, the first 2 s, the grain)."""
    if re.search(rf"\b(?:{_REMOVABLE})\b|«\d+»|\d", obj):
        return False
    return bool(content_words(obj) or re.search(rf"\b(?:{_INPAINT})\b", obj))


# "sepia without the watermark": "without" + something the picture has asks for it to be removed
# (camera shake is taken away by stabilising, not painted out).
_SHAKE = r"\b(?:shak\w*|jitter\w*|wobbl\w*|judder\w*|flicker\w*|camera\s+(?:shake|movement|motion))\b"
_WITHOUT = re.compile(
    r"\b(?:without|minus)\s+(?=(?:any\s+of\s+)?(?:the|its|that|this|those|these|his|her|their)\s)"
)


def split_removals(text: str) -> tuple[str, list[str]]:
    """``text`` without its "without the <thing in the picture>" phrases, and those phrases.

    "make it sepia without the watermark" asks for a sepia look and for the watermark to be painted
    out: the second half is refused as "remove the watermark" is, while the rules read the first. What
    a whole-frame edit can take away ("without the sound", "without the black bars") is left in place.
    """
    removals: list[str] = []
    kept: list[str] = []
    pos = 0
    for m in _WITHOUT.finditer(text):
        if m.start() < pos:
            continue
        end = noun_phrase_end(text, m.end())
        obj = _object_after(r"without|minus", text[m.start() : end])
        if not obj or not _in_picture(obj[0]) or re.search(_SHAKE, obj[0]):
            continue
        kept.append(text[pos : m.start()])
        removals.append(text[m.start() : end].strip())
        pos = end
    kept.append(text[pos:])
    return " ".join(" ".join(kept).split()), removals


def _object_after(verb_pattern: str, text: str) -> list[str]:
    """The few words after each occurrence of a verb, up to a preposition or clause end."""
    objects = []
    for m in re.finditer(
        rf"\b(?:{verb_pattern})\b\s+(.*?)(?=\s+(?:to|on|onto|in|into|at|over|from|for|with|"
        rf"across|around|near|next|behind|beside|above|below|under|that|which|so)\b|$)",
        text,
    ):
        objects.append(m.group(1))
    return objects


# Speed changes always keep the pitch (atempo), so asking for that asks for nothing more.
KEEP_PITCH = (
    r"\b(?:(?:keep|keeping|keeps|preserv\w*|maintain\w*|retain\w*|with|without\s+(?:changing|affecting|"
    r"altering)|don'?t\s+(?:change|alter|affect)|no\s+change\s+(?:to|in))\s+(?:the\s+|its\s+|their\s+)?"
    r"(?:original\s+|natural\s+|same\s+|normal\s+)?(?:audio\s+|voice\s+|sound\s+)?pitch(?:\s+(?:the\s+same|"
    r"intact|unchanged|as\s+is|normal|correct(?:ed)?))?|pitch\s*(?:corrected|correction|preserv\w*|kept|locked))\b"
)
# "replace the audio with silence" removes the sound: it is not a generative replacement
_SILENCE = (
    r"\b(?:replace|swap|substitute)\s+(?:all\s+)?(?:the\s+|its\s+)?(?:original\s+)?(?:audio|sound|sounds|"
    r"soundtrack|music)(?:\s+track)?\s+(?:with|for|by)\s+(?:total\s+|complete\s+|pure\s+)?(?:silence|nothing|"
    r"no\s+sound)\b"
)


# "make the footage look older", "age the video": a look for the whole picture, not a person
_AGED_LOOK = (
    r"^(?:(?:please|just|can\s+you|could\s+you)\s+)*(?:(?:make|have)\s+(?:it|this|that|the\s+(?:whole\s+)?"
    r"(?:video|clip|footage|film|movie|picture|image|shot|colou?rs?))\s+(?:look|feel|seem)\s+(?:a\s+(?:bit|lot|"
    r"little)\s+|much\s+|way\s+|slightly\s+)?(?:older|aged)|(?:age|aging|ageing)\s+(?:it|the\s+(?:video|clip|"
    r"footage|film|movie|picture|image)))\b(?:\s+(?:a\s+bit|a\s+little|slightly|please))*$"
)


def generative_reason(c: Clause) -> str | None:
    text = re.sub(KEEP_PITCH, " ", c.text)
    if re.search(_SILENCE, text):
        return None
    if re.search(rf"\b(?:{_STYLE_WORDS})\b", text):
        return GENERATIVE.format(what="restyling the picture")
    if re.search(
        r"\b(?:ai|a\.i|artificial\s+intelligence|neural|machine\s+learning|deep\s*learning|super\s*resolution|"
        r"generative|gen\s*ai)\b|\b(?:recover|restore|reconstruct|invent|hallucinate|bring\s+back)\w*\s+(?:the\s+)?"
        r"(?:lost|missing|hidden|fine)?\s*(?:details?|resolution|pixels|information)\b",
        text,
    ):
        return GENERATIVE.format(what="inventing picture detail or content with an AI model")
    if re.search(rf"\b(?:{_BODY_WORDS})\b", text) and not re.search(
        r"\b(?:text|title|caption|subtitle)\b", text
    ) and not re.search(_AGED_LOOK, text):
        return GENERATIVE.format(what="changing a person's appearance or actions")
    if re.search(r"\b(?:replace|swap|substitute|exchange)\b", text):
        return GENERATIVE.format(what="replacing part of the picture")
    into = re.search(
        r"\b(?:turn|transform|convert|change|morph|make)\s+(?P<x>.+?)\s+(?:into|in\s+to|to\s+an?|to\s+look\s+like"
        r"|look\s+like|like)\s+(?P<y>.+)$",
        text,
    )
    if into and (content_words(into.group("x")) or content_words(into.group("y"))):
        return GENERATIVE.format(what="turning something into something else")
    like = re.search(
        r"\b(?:look|looks|looking|feel|seem)s?\s+(?:like|as\s+if|as\s+though)\s+(?P<y>.+)$|"
        r"\bin\s+the\s+style\s+of\s+(?P<z>.+)$|\b(?P<w>\w+)\s+style\b",
        text,
    )
    if like and content_words(like.group("y") or like.group("z") or like.group("w") or ""):
        return GENERATIVE.format(what="restyling the picture")
    if any(_in_picture(obj) for obj in _object_after(_REMOVE_VERBS, text)):
        return REMOVING
    for obj in _object_after(_ADD_VERBS, text):
        if re.search(r"«\d+»", obj):
            continue
        words = [w for w in re.findall(r"[a-z']+", obj) if w not in STOPWORDS]
        head = words[-1] if words else ""  # "add slow motion rain": what is added is the rain
        if (content_words(obj) and not re.search(rf"\b(?:{_ADDABLE})\b", obj)) or (
            content_words(head) and not re.search(rf"\b(?:{_ADDABLE})\b", head)
        ):
            return GENERATIVE.format(what="adding something that is not in the video")
    if re.search(
        r"\bmake\s+(?:the|his|her|their|its|an?)\s+(?:\w+\s+)?\w+\s+(?:drive|run|walk|move|fly|jump|go|swim|dance|"
        r"talk|spin|crash|explode|disappear|vanish|appear|stop|fall|float|race|ride|climb|wave|sing|bark|look\s+at)\b",
        text,
    ) and content_words(text):
        return GENERATIVE.format(what="changing what happens in the scene")
    with_obj = re.search(r"\bwith\s+(?:an?|some|lots\s+of|\d+)\s+(?P<o>(?:\w+\s+){0,2}\w+)", text)
    if (
        with_obj
        and content_words(with_obj.group("o"))
        and not re.search(rf"\b(?:{_ADDABLE})\b", with_obj.group("o"))
    ):
        return GENERATIVE.format(what="adding something that is not in the video")
    if re.search(rf"\bmake\s+{_PERSON}\b", text) or re.search(
        rf"\b(?:the|his|her|their)\s+{_PERSON}\b", text
    ):
        return GENERATIVE.format(what="editing a person in the video")
    # Time and sound edits act on the events of the clip ("slow down the skateboard trick"):
    # only picture edits aimed at "the <thing>" are local.
    local = None if re.search(_TIME_OR_SOUND, text) else _local_target(text)
    if local:
        return GENERATIVE.format(what=f"editing only {local}")
    return None


_WHOLE_VIDEO = frozenset(
    "video videos clip clips footage shot shots scene film movie recording vid reel vlog tiktok short story "
    "sequence edit timelapse montage frame image picture sound audio music soundtrack volume".split()
)
_TIME_OR_SOUND = (
    r"\b(?:speed\w*|sped|slow\w*\s+down|slower|faster|quicker|revers\w*|backwards?|rewind\w*|loop\w*|repeat\w*|trim\w*|"
    r"freez\w*|boomerang|mute|louder|quieter|volume|slowmo|timelapse|fastforward)\b"
)
_PHRASE_END = frozenset(
    "for to with at in on and by from of into onto over so while as than then but or".split()
)


def _local_target(text: str) -> str | None:
    """A scene object named with a determiner ("the sky", "his car"): an edit aimed at part of the frame.

    Reads up to three words after the determiner, stopping at a preposition, so "the video for
    grandma" is about the video while "the quick brown fox" names a fox.
    """
    for m in re.finditer(r"(?<!\bfor )\b(?P<d>the|his|her|their|its|those|these|each|every)\s+", text):
        words: list[str] = []
        for w in re.findall(r"[a-z'«»\d]+", text[m.end() :])[:4]:
            if w in _PHRASE_END or not re.fullmatch(r"[a-z']+", w):
                break
            words.append(w)
        if any(w in _WHOLE_VIDEO for w in words):
            continue  # "the beach video", "the blurry product shot": the video itself
        if content_words(" ".join(words)):
            return f"{m.group('d')} {' '.join(words)}"
    return None


ZOOM_OUT = "zooming out would need picture outside the frame; zoom in and aspect padding are supported"

# (pattern, reason): features an editor might expect that this engine does not offer.
_VOICES = r"voices?|vocals?|dialog\w*|speech|talking|narration"
# "mute the music but keep the voices" is read clause by clause ("keep the voices" alone asks for
# nothing): over the whole instruction, a level change with one sound kept is refused
SEPARATE_MIX = re.compile(
    r"\b(?:mute|silence|remove|cut|lower|reduce|quieter|turn\s+down|drop|kill|louder|boost|raise)\w*\s+"
    rf"(?:the\s+|all\s+the\s+)?(?:background\s+)?(?P<a>music|{_VOICES}|it|audio|sound)\b"
    r".{0,40}?\b(?:keep|leave|preserve|retain|not)\s+(?:in\s+)?(?:the\s+|all\s+the\s+)?"
    rf"(?P<b>music|{_VOICES})\b"
)
SEPARATE_MIX_REASON = (
    "changing one sound in the mix (music or voices) needs source separation: only the whole track "
    "can be muted, made louder or quieter"
)


LIMITS: tuple[tuple[str, str], ...] = (
    (
        r"\b(?:add|put|include|with|play|use)\b.{0,30}\b(?:music|song|soundtrack|voice\s*over|voiceover|narration|"
        r"sound\s+effects?|sfx|beat|track)\b",
        "adding new audio (music, voice-over, sound effects) is not supported: "
        "the engine edits the input's own sound",
    ),
    (
        r"\b(?:transitions?|cross\s*fade\w*|crossfade\w*|dissolve\w*|wipe|swipe|glitch\w*|split\s+screen|"
        r"green\s+screen|chroma\s*key\w*|pictureinpicture)\b",
        "transitions, split screens and keying need more than one clip; fades from/to black are supported",
    ),
    (
        # "wider" asks for more of the scene, never a zoom in
        r"\bzoom(?:ed|ing)?\s+out(?:\s+(?:by\s+)?\d+(?:\.\d+)?\s*(?:x|times|%|percent)?)?\b|\bpull\s+(?:back|out)\b|\bwid(?:er|en(?:ed|ing)?)\s+(?:the\s+)?"
        r"(?:shot|framing|frame|view|angle|field\s+of\s+view|picture|image|crop)\b|\bframe\s+it\s+wider\b|"
        r"\b(?:less|not\s+so|not\s+as)\s+(?:zoomed(?:\s+in)?|tight(?:ly)?(?:\s+framed)?|close\s+up)\b|"
        r"\bshow\s+more\s+of\s+the\s+(?:scene|frame|background|surroundings)\b",
        ZOOM_OUT,
    ),
    (
        r"\bfade\w*\s+(?:(?:in\s+|out\s+|up\s+)?(?:from|to|into)\s+)?white\b|\bwhite\s+(?:flash|fade)\b",
        "fades go from and to black only",
    ),
    (
        r"\b(?:echo|reverb|bass|treble|pitch|auto\s*tune|equali[sz]\w*|eq\b|voice\s+changer|chipmunk|robot\s+voice|"
        r"(?:background|audio|wind|hiss|hum)\s+noise|noise\s+from\s+the\s+audio|denoise\s+the\s+audio|"
        r"stereo|mono\s+audio|karaoke|vocals?|dialog\w*|speech|limiter|de-?ess\w*|"
        r"compress\w*\s+(?:the\s+)?(?:audio|sound|voice|music|dynamics)|"
        r"(?:audio|sound|dynamic\s+range|voice|music)\s+compress\w*|compression\s+(?:to|on)\s+(?:the\s+)?"
        r"(?:audio|sound|voice|music))\b",
        "audio effects other than mute, volume, loudness normalisation and audio fades are not supported",
    ),
    (
        r"\b(?:auto(?:matic)?\s*[- ]?(?:captions?|subtitles?)|transcri\w*|translat\w*|"
        r"generate\s+(?:captions?|"
        r"subtitles?)|add\s+(?:captions|subtitles)(?!\s*(?:saying\s+|that\s+says?\s+|reading\s+|with\s+|:\s*)?«))\b",
        "automatic captions need speech recognition; give the caption text in quotes instead",
    ),
    (
        r"\b(?:border|frame\s+around|outline|rounded\s+corners)\b",
        "borders and frames around the picture are not supported",
    ),
    (
        r"\bspeed\s+ramp\w*|\bramp\s+(?:the\s+)?speed\b",
        "speed ramps are not supported; one constant speed change is",
    ),
    (
        r"\b(?:green|purple|pink|magenta|red|violet|neon)(?:ish)?\s+(?:tint|tone|hue|cast|filter|wash|look|glow)\b",
        "colour tints other than warm, cool, sepia and the named looks are not supported",
    ),
    (
        r"\b(?:export|save|convert|render|output|encode|turn|make|deliver)\w*\s+(?:it\s+|this\s+|the\s+(?:video|clip)\s+)?"
        r"(?:as|to|in(?:to)?)\s+(?:an?\s+)?(?:animated\s+)?(?:gif|webm|mov|avi|mkv|wmv|flv|mp3|wav|m4a|aac|hevc|h\.?265|"
        r"prores|vp9|av1|mp4|h\.?264)\b(?:\s+(?:file|format|video))?|\bas\s+an?\s+(?:animated\s+)?gif\b",
        "the output is always an MP4 (H.264 video, AAC audio): say what to change in the picture or sound",
    ),
    (
        r"\b(?:crop\w*\s+(?:off\s+)?(?:the\s+)?\d+\s*(?:%|percent)|"
        r"(?:crop|cut|trim|shave|chop)\w*\s+(?:off\s+)?(?:the\s+)?\d+\s*(?:px|pixels?))"
        r"(?:\s+(?:off|from|on|at))?|\b(?:\d+\s*(?:px|pixels?))\s+(?:off|from)\s+(?:the\s+|each\s+|both\s+|all\s+)",
        'cropping by pixels or a margin is not supported: crop to an aspect ratio ("crop to 4:5") or zoom in',
    ),
    (
        # "mute the music but keep the voices", "lower the background music": one sound out of the mix
        r"\b(?:background\s+)?music\b.{0,40}\b(?:keep|leave|but\s+not|not\s+the|without\s+(?:losing|touching))\b"
        rf".{{0,20}}\b(?:{_VOICES}|people)\b|"
        rf"\b(?:{_VOICES})\b.{{0,40}}\b(?:keep|leave|but\s+not|not\s+the)\b"
        r".{0,20}\bmusic\b|"
        r"\b(?:lower|reduce|quieter|mute|remove|cut|turn\s+down|drop|duck)\w*\s+(?:the\s+)?background\s+"
        r"(?:music|noise|sound|audio)\b|\bbackground\s+music\b",
        SEPARATE_MIX_REASON,
    ),
    (
        # "fade to black and white", "then colour after 2 seconds": a look that changes over time
        r"\bfad\w*\s+(?:in)?to\s+(?:blackandwhite|grayscale|sepia|colou?r|monochrome)\b|"
        r"\bgradual\w*\s+(?:turn|go|become|fade|shift|change)\w*\s+(?:in)?(?:to\s+)?(?:blackandwhite|grayscale|sepia)\b|"
        r"\b(?:turn\w*|switch\w*|go(?:es|ing)?|chang\w*|return\w*)\s+(?:back\s+)?(?:to|into)\s+(?:full\s+)?colou?r\b|"
        r"\bthen\s+(?:in\s+)?(?:full\s+)?colou?r\b|\bcolou?r\s+(?:again|comes\s+back)\b|"
        r"^(?:in\s+|back\s+to\s+)?(?:full\s+)?colou?r\s+(?:after|from|at|starting|again)\b",
        'a look that changes over time is not supported: limit it to a span instead, e.g. "black and white '
        'for the first 3 seconds"',
    ),
    (
        r"\bback\s+to\s+(?:normal|(?:the\s+)?original|how\s+(?:it|they)\s+w(?:as|ere))\b|\bundo\b|\brevert\w*|"
        r"\brestore\s+(?:the\s+|it\s+to\s+(?:the\s+)?)?original\b",
        "undoing edits made before is not possible: the engine edits the video as it is sent",
    ),
    (
        # "add colour to the black and white footage": colourising invents colours
        r"\b(?:add|put|bring)\w*\s+(?:back\s+)?(?:the\s+|some\s+)?colou?rs?\s+(?:back\s+)?(?:to|into|in)\s+(?:the\s+|this\s+|my\s+)?"
        r"(?:old\s+)?(?:blackandwhite|gray|grayscale|monochrome|greyscale)|"
        r"\b(?:the|this|my|our)\s+(?:old\s+)?(?:blackandwhite|grayscale|monochrome)\s+(?:footage|video|clip|film|movie|"
        r"photo|shot|scene|image|picture|recording)s?\b.*\bcolou?r\w*",
        GENERATIVE.format(what="colourising black-and-white footage"),
    ),
    (
        r"\b(?:scratch(?:es|y)?|dust(?:\s+specks?)?|light\s+leaks?|film\s+burns?|burn\s+marks?|hair\s+in\s+the\s+gate|"
        r"flicker\w*|jitter\s+effect|sprocket\s+holes?)\b(?!\s+(?:free|removal))",
        GENERATIVE.format(what="adding film damage (scratches, dust, light leaks, burns, flicker)"),
    ),
    (
        # "remove the silence", "cut out the pauses": finding them needs the sound analysed
        r"\b(?:remov\w*|cut\w*(?:\s+out)?|trim\w*|delet\w*|drop\w*|skip\w*|get\s+rid\s+of|tighten)\s+(?:all\s+)?"
        r"(?:the\s+|any\s+)?(?:silen(?:ce|ces|t\s+(?:parts?|bits?|gaps?|moments?))|(?:awkward\s+)?pauses?|gaps?|"
        r"dead\s+(?:air|space|time)|ums?|filler\s+words?|breaths?|mistakes?|bloopers?)\b",
        "finding silences, pauses or mistakes needs the sound and picture analysed: cut them by time "
        '("cut from 0:04 to 0:06")',
    ),
    (
        r"\bhighlights?\s+(?:reel|video|clip|montage|compilation)\b|\bmontage\b|\brecap\b|"
        r"\b(?:best|most\s+(?:exciting|interesting|important))\s+(?:parts?|bits?|moments?|scenes?|shots?)\b|"
        r"\bsummari[sz]\w*|\btrailer\b",
        "choosing the best moments needs the content understood: name the seconds to keep "
        '("keep 0:02 to 0:05")',
    ),
    (
        # "add a sunset", "put some fog in": a thing in the scene, however close a look's name is
        r"\b(?:add|insert|put|place|include|with)\w*\s+(?:an?\s+|some\s+|the\s+)?(?:\w+\s+)?(?:sunset|sunrise|sun|moon|"
        r"stars|starry\s+sky|sky|clouds?|rain|snow(?:fall)?|fog|mist|smoke|fire|flames?|lightning|rainbow|aurora)\b"
        r"(?!\s+(?:look|tones?|colou?rs?|vibe|feel|grade|filter|style|glow|light|lighting|effect))",
        GENERATIVE.format(what="adding sky, weather or light that is not in the video"),
    ),
    (
        # a title that moves or changes on its own: drawtext draws it still (its time range and the
        # picture's fades are what change it)
        r"\b(?:scroll\w*|crawl\w*|ticker|marquee|animated|typewriter|typing|moving|sliding|bouncing|flying)\s+"
        r"(?:text|title|caption|credits|words|letters|subtitles?)\b|"
        r"(?:\b(?:text|title|caption|words|letters)\s+|(?<=» ))(?:that\s+|which\s+)?"
        r"(?:fades?|slides?|scrolls?|animates?|types?|pops?|flies|bounces?|zooms?)\s*(?:in|out|on|up|away|across)?\b|"
        r"\b(?:fade|slide|scroll|animate)\s+(?:the\s+)?(?:text|title|caption|words|«\d+»)\s+(?:in|out|on)\b",
        "animated titles (fading, scrolling, typing) are not supported: a title shows still during its "
        "time range",
    ),
    (
        r"\b(?:in|using|with)\s+(?:the\s+)?(?:font\s+)?(?:arial|helvetica|times(?:\s+new\s+roman)?|comic\s+sans|"
        r"courier|georgia|verdana|impact|roboto|futura|garamond|calibri|montserrat|open\s+sans|serif|sans\s+serif|"
        r"cursive|handwriting|script)(?:\s+font)?\b|\bfont\s+(?:size\s+)?\d+\b|\b\d+\s*(?:pt|px)\s+font\b|"
        r"\b(?:drop\s+)?shadow(?:ed)?\s+(?:text|title)|\b(?:with|and)\s+an?\s+(?:drop\s+)?shadow\b|"
        r"\b(?:outlined|stroke)\s+(?:text|title)",
        "fonts, font sizes in points and text shadows are not supported: titles use the bundled bold "
        "sans-serif, sized small / big / huge or as a share of the frame",
    ),
    (
        r"\binterpolat\w*|\boptical\s+flow\b|\bframe\s+blend\w*|\btwixtor\b|\bmotion\s+smoothing\b|"
        r"\bsmooth\s+(?:\d+\s*fps\s+)?slow\s*(?:mo\w*|motion)\b|\bsmoother\s+(?:motion|playback|frame\s*rate)\b",
        "motion interpolation (new in-between frames, smooth slow motion) is not supported: a speed or frame "
        "rate change repeats or drops frames",
    ),
    (
        # "black and white except for the red", "colour splash": keeping one colour needs a colour key
        r"\b(?:except|but|apart\s+from|other\s+than|keep(?:ing)?|leav(?:e|ing)|sav(?:e|ing)|only)\s+(?:for\s+)?"
        r"(?:the\s+)?(?:red|green|blue|yellow|orange|purple|pink|magenta|cyan|teal)s?\b|"
        r"\bcolou?r\s+(?:splash|isolation|key(?:ing)?)\b|\bselective\s+colou?r\w*\b",
        "keeping or changing one colour only (selective colour, colour splash) is not supported; "
        "the named looks act on every colour",
    ),
    (
        r"\b(?:stickers?|emojis?|gifs?|arrows?|shapes?|circles?|particles|confetti|fireworks|sparkles?|lens\s+flares?)\b",
        GENERATIVE.format(what="adding graphics that were not supplied"),
    ),
    (
        r"\b(?:colou?r\s+(?:match|reference)|lut\s+file|my\s+(?:own\s+)?lut|custom\s+lut|\.cube)\b",
        "custom LUT files are not supported; the named looks and LUT presets are",
    ),
)


def apply_limits(c: Clause) -> None:
    """Record (and consume) phrases naming features the engine does not have."""
    c.consume(c.search(KEEP_PITCH))
    for pattern, reason in LIMITS:
        m = c.search(pattern)
        if m:
            c.consume(m)
            c.refuse(reason)
