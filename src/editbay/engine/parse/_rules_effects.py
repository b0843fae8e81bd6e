"""Whole-frame effect rules: vignette, grain, denoise, pixelate, glow, blur, sharpen."""

from __future__ import annotations

import re

from editbay.engine.ops import Blur, Denoise, Glow, Grain, Pixelate, Sharpen, Vignette
from editbay.engine.parse._clause import Clause
from editbay.engine.parse._quantity import by_level

# "light" as the effect's own adjective ("a light grain", "very light film grain", "a light dusting
# of grain") means slight, whatever intensifier it carries; elsewhere in a clause it is about
# brightness, so it is not in the shared strength vocabulary.
_LIGHT_BEFORE = re.compile(r"\blight\s+(?:(?:dusting|sprinkl\w*|layer|touch|coat\w*)\s+of\s+(?:the\s+)?)?$")


# A strength said as a number: "blur 20%", "30% vignette", "vignette strength 0.8", "grain amount 50 %"
_AMOUNT = re.compile(
    r"(?<![\d.])(?P<p>\d{1,3}(?:\.\d+)?)\s*(?:%|percent)(?!\s*(?:speed|slower|faster|of\s+the\s+(?:width|height)))|"
    r"\b(?:strength|amount|intensity|level|opacity)\s*(?:of\s+|to\s+|at\s+|=\s*|:\s*)?(?P<f>0?\.\d+|1(?:\.0+)?)\b"
)


def _strength(c: Clause, m: re.Match[str] | None = None) -> float:
    """0.25 / 0.5 / 0.8 / 1.0 for slight / plain / strong / extreme words (the shared vocabulary), or
    the share said as a number; ``m`` is the effect's own match, for the adjective in front of it."""
    amount = c.search(_AMOUNT)
    if amount:
        value = float(amount.group("p")) / 100.0 if amount.group("p") else float(amount.group("f"))
        if 0.0 < value <= 1.0:
            c.consume(amount)
            return round(value, 3)
    if m is not None and _LIGHT_BEFORE.search(c.text[: m.start()]):
        return 0.25
    return by_level(c.text, 0.25, 0.5, 0.8, 1.0)


def vignette_rule(c: Clause) -> None:
    m = c.search(
        r"\b(?:vignett\w*|vinyette|vignete|(?:darken\w*|dim|burn(?:ed)?|shade)\s+(?:the\s+)?(?:edges|corners|"
        r"borders|sides)|dark(?:er)?\s+(?:edges|corners|borders)|(?:edges|corners)\s+(?:dark\w*|fall\s+off))\b"
        r"(?:\s+(?:effect|around\s+the\s+(?:edges|corners|frame)))?"
    )
    if m:
        c.emit(Vignette(strength=_strength(c, m), source=c.consume(m), confidence=c.confidence()))


def denoise_rule(c: Clause) -> None:
    m = c.search(
        r"\bdenoise\w*|\b(?:remov\w*|reduc\w*|clean(?:\s+up)?|less|lower|cut|fix|get\s+rid\s+of|suppress\w*|"
        r"eliminat\w*|minimi[sz]e|kill|without|no)\s+(?:the\s+|some\s+|any\s+|all\s+|of\s+the\s+)?(?:video\s+|"
        r"visual\s+|image\s+|digital\s+|picture\s+|film\s+|sensor\s+)?(?:noise|grain|graininess|noisiness|artifacts?|artefacts?|"
        r"compression\s+artifacts?|speckles?)\b|\bnoise\s+reduction\b|\b(?:less|not\s+so|not)\s+(?:grainy|noisy)"
        r"\b|\bclean(?:\s+up)?\s+(?:the\s+)?(?:noisy\s+|grainy\s+)?(?:image|picture|footage|video)\b|"
        r"\bsmoother\s+image\b|\bclean\s+it\s+up\b|\b(?:and|look|looking|make\s+it|more)\s+clean(?:er)?\s*$|"
        r"^\s*clean(?:er)?\s*$"
    )
    if m:
        c.emit(Denoise(strength=_strength(c, m), source=c.consume(m), confidence=c.confidence()))


def grain_rule(c: Clause) -> None:
    if "denoise" in c.kinds() and not c.search(r"\b(?:add|apply|give|put|then|and)\b"):
        return  # "denoise the grainy footage": "grainy" says what the input is
    m = c.search(
        r"\b(?:(?:analog(?:ue)?|old|vintage|retro)\s+)?(?:film\s+)?(?:grain\w*|noise|noisy|static|analog(?:ue)?\s+texture|film\s+texture|dust\s+and\s+"
        r"scratches|gritty\s+texture|speckled?)\b(?:\s+film)?(?:\s+(?:effect|texture|filter|overlay|look))?"
    )
    if m:
        strength = _strength(c, m)
        c.emit(
            Grain(strength=strength, source=c.consume(m, c.search(r"\btexture\b")), confidence=c.confidence())
        )


def pixelate_rule(c: Clause) -> None:
    m = c.search(
        r"\b(?:(?<!\d\s)(?<!\d)pixel\w*|mosaic\w*|8\s*bit|blocky|censor(?:ed)?\s+(?:the\s+)?(?:whole|entire)\s+"
        r"(?:frame|video|picture))\b(?:\s+(?:effect|filter|look))?"
    )
    if not m:
        return
    size = c.search(r"\b(?P<n>\d{1,3})\s*(?:px|pixels?)?\s*(?:blocks?|squares?|tiles?)\b")
    block = 16
    if size:
        block = max(2, min(256, int(size.group("n"))))
    elif c.search(r"\b(?:big|bigger|large|larger|chunky|chunkier|huge|coarse|heavy|heavily|massive|giant)\b"):
        block = 32
    elif c.search(r"\b(?:small|smaller|fine|finer|tiny|subtle|slight(?:ly)?|light(?:ly)?|little)\b"):
        block = 8
    else:
        block = int(by_level(c.text, 8, 16, 32, 48))
    style = c.search(
        r"\b(?:retro|old\s+school|arcade|low\s+res)(?=\s+(?:\w+\s+)?(?:pixel\w*|blocks?|look|style))|"
        r"(?<=pixel )\b(?:look|style)\b|\bpixels\b"
    )
    c.emit(Pixelate(block=block, source=c.consume(m, size, style), confidence=c.confidence()))


def glow_rule(c: Clause) -> None:
    m = c.search(
        r"(?<!warm )(?<!golden )(?<!sunny )(?<!amber )"
        r"\b(?:glow\w*|bloom\w*|softfocus|dream\w*|ethereal|halation|diffus\w*|orton|hazy|haze|angelic|"
        r"heavenly|soft\s+(?:light|glow|look|and\s+dreamy)|misty)\b(?:\s+(?:effect|look|filter))?"
    )
    if m:
        c.emit(Glow(strength=_strength(c, m), source=c.consume(m), confidence=c.confidence()))


def sharpen_rule(c: Clause) -> None:
    m = c.search(
        r"(?<!less )(?<!not so )(?<!not as )(?<!reduced )(?<!reduce )(?<!lower )(?<!lowered )(?<!decreased )"
        r"(?<!reduce the )(?<!lower the )(?<!less )(?<!softer )(?<!no )"
        r"\b(?:sharp\w*|crisp\w*|clarity|more\s+(?:detail\w*|defined|definition)|"
        r"(?:make\s+)?(?:the\s+)?details?\s+(?:pop|stand\s+out)|bring\s+out\s+(?:the\s+)?(?:fine\s+)?details?|enhance\s+(?:the\s+)?details?|"
        r"detail\s+enhance\w*|unblur\w*|deblur\w*|less\s+(?:blurry|blurred|soft|fuzzy)|(?:remove|reduce|fix)\s+"
        r"(?:the\s+)?blur\w*|unsharp|(?:more|better)\s+focus(?:ed)?|in\s+focus)\b"
    )
    if m:
        c.emit(Sharpen(strength=_strength(c, m), source=c.consume(m), confidence=c.confidence()))


def blur_rule(c: Clause) -> None:
    if "sharpen" in c.kinds():
        return  # "sharpen the blurry shot": "blurry" describes the input
    m = c.search(
        r"\b(?:(?:gaussian\s+|motion\s+|box\s+)?blur\w*|out\s+of\s+focus|defocus\w*|unfocus\w*|fuzzy|"
        r"soften\w*(?!\s+(?:the\s+)?(?:contrast|colou?rs?|light\w*|shadows|highlights|look|tones?|audio|sound))|"
        r"smear\w*|frosted(?:\s+glass)?|bokeh|(?:less|not\s+so|not\s+as)\s+sharp\w*|"
        r"(?:reduc\w*|lower\w*|decreas\w*)\s+(?:the\s+)?(?:sharpness|crispness|clarity))\b(?:\s+(?:effect|filter|look))?"
    )
    if m and "glow" in c.kinds() and m.group(0).startswith("soften"):
        c.consume(m)  # "soften it with a glow": the glow is the softening
        return
    if m:
        conf = 0.7 if "motion" in m.group(0) else 0.95 if "blur" in m.group(0) else 0.85
        c.emit(Blur(strength=_strength(c, m), source=c.consume(m), confidence=c.confidence(conf)))
