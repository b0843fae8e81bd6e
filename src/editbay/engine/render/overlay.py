"""Overlays: text through `drawtext` and images (logos, watermarks) through `overlay`.

User text never enters the filter graph: it is laid out (wrapped to the frame, control characters
removed) and written to a file passed as ``textfile=`` with ``expansion=none``, so ``%{…}``
sequences, quotes, colons and brackets are drawn literally. The font is an explicit ``fontfile=``
chosen for the text's script.
"""

from __future__ import annotations

import unicodedata

from editbay.engine.errors import RenderFailed
from editbay.engine.ops import Overlay, Text
from editbay.engine.render.context import Ctx, even
from editbay.engine.render.fonts import char_width
from editbay.engine.render.graph import filter

OVERLAY_OPS = (Text, Overlay)

COLOURS = {
    "white": "#FFFFFF",
    "black": "#000000",
    "red": "#E53935",
    "green": "#43A047",
    "blue": "#1E88E5",
    "yellow": "#FDD835",
    "orange": "#FB8C00",
    "pink": "#EC407A",
    "purple": "#8E24AA",
    "grey": "#9E9E9E",
    "gray": "#9E9E9E",
    "cyan": "#00BCD4",
    "magenta": "#D81B60",
    "gold": "#FFC107",
    "teal": "#00897B",
    "brown": "#6D4C41",
    "navy": "#1A237E",
    "lime": "#C0CA33",
    "silver": "#BDBDBD",
    "violet": "#7E57C2",
}

# (x, y) for drawtext (tw/th = text size) and overlay (w/h = image size); m = margin in pixels.
_PLACES = {
    "top": ("(W-{w})/2", "{m}"),
    "bottom": ("(W-{w})/2", "H-{h}-{m}"),
    "center": ("(W-{w})/2", "(H-{h})/2"),
    "top_left": ("{m}", "{m}"),
    "top_right": ("W-{w}-{m}", "{m}"),
    "bottom_left": ("{m}", "H-{h}-{m}"),
    "bottom_right": ("W-{w}-{m}", "H-{h}-{m}"),
    "left": ("{m}", "(H-{h})/2"),
    "right": ("W-{w}-{m}", "(H-{h})/2"),
}


def place(position: str, margin: int, w: str, h: str) -> tuple[str, str]:
    x, y = _PLACES[position]
    return x.format(w=w, h=h, m=margin), y.format(w=w, h=h, m=margin)


def clean_text(text: str) -> str:
    """Normalise newlines, turn tabs into spaces and drop other control/format characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    kept = [c for c in text if c == "\n" or unicodedata.category(c) not in ("Cc", "Cs", "Co", "Cn")]
    return "\n".join(line.strip() for line in "".join(kept).split("\n")).strip("\n") or " "


def wrap(text: str, max_ems: float) -> list[str]:
    """Greedy wrap by estimated advance; breaks at spaces, or anywhere in unspaced (CJK) runs."""
    lines: list[str] = []
    for para in text.split("\n"):
        line, width, last_space = "", 0.0, -1
        for ch in para:
            line += ch
            width += char_width(ch)
            if ch == " ":
                last_space = len(line) - 1
            if width > max_ems and len(line) > 1:
                if last_space > 0:
                    lines.append(line[:last_space].rstrip())
                    line = line[last_space + 1 :]
                else:
                    lines.append(line[:-1])
                    line = ch
                width = sum(char_width(c) for c in line)
                last_space = line.rfind(" ")
        lines.append(line.rstrip())
    return lines


def layout(text: str, width: int, height: int, size: float) -> tuple[list[str], int]:
    """Lines and font size so the text fits 90 % of the width and 60 % of the height."""
    fs = max(10, round(size * height))
    clean = clean_text(text)
    while True:
        lines = wrap(clean, 0.9 * width / fs)
        if len(lines) * fs * 1.25 <= 0.6 * height or fs <= 10:
            return lines, fs
        fs = max(10, int(fs * 0.85))


def apply_text(ctx: Ctx, op: Text, index: int) -> None:
    lines, fs = layout(op.text, ctx.width, ctx.height, op.size)
    body = "\n".join(lines)
    font = ctx.inputs.fonts.for_text(body)
    if font is None:
        raise RenderFailed(
            "no font file found for text overlays; install fonts-dejavu-core or set EDITBAY_FONT_DIR"
        )
    path = ctx.add_file(f"text{index}.txt", body)
    colour = COLOURS.get(op.color, op.color)
    margin = max(4, round(0.04 * min(ctx.width, ctx.height)))
    x, y = place(op.position, margin, "tw", "th")
    align = "L" if op.position.endswith("left") else "R" if op.position.endswith("right") else "C"
    ctx.vf(
        filter(
            "drawtext",
            fontfile=font,
            textfile=str(path),
            expansion="none",
            fontsize=fs,
            fontcolor=f"{colour}@{op.opacity:.2f}",
            line_spacing=round(fs * 0.2),
            text_align=align if len(lines) > 1 else None,
            borderw=None if op.box else max(2, round(fs / 14)),
            bordercolor=None if op.box else f"black@{op.opacity:.2f}",
            box=1 if op.box else None,
            boxcolor=f"black@{0.55 * op.opacity:.2f}" if op.box else None,
            boxborderw=round(fs * 0.3) if op.box else None,
            x=x,
            y=y,
            fix_bounds=1,
            enable=ctx.enable(op.start, op.end),
        )
    )


def apply_overlay(ctx: Ctx, op: Overlay) -> None:
    label = ctx.image_label(op.image_index)
    ow = even(ctx.width * op.scale)
    prep = [filter("scale", w=ow, h=-2), filter("format", pix_fmts="rgba")]
    if op.opacity < 1.0:
        prep.append(filter("colorchannelmixer", aa=round(op.opacity, 3)))
    (logo,) = ctx.graph.chain([label], prep, 1, "i")
    main = ctx.video.head()
    margin = max(4, round(0.04 * min(ctx.width, ctx.height)))
    x, y = place(op.position, margin, "w", "h")
    (out,) = ctx.graph.chain(
        [main, logo],
        [
            filter(
                "overlay",
                x=x,
                y=y,
                eof_action="repeat",
                enable=ctx.enable(op.start, op.end),
            )
        ],
        1,
        "v",
    )
    ctx.video.label = out
    ctx.video_touched = True
