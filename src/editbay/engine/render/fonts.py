"""Font discovery for drawtext: per text, the available font file that covers the most characters.

drawtext renders from exactly one font file (no per-glyph fallback), so the renderer reads each
candidate font's character map once and picks, for every text, the candidate covering most of its
characters (ties go to the earlier, preferred file). Debian packages giving good coverage, installed
by the CI script: ``fonts-dejavu-core`` (Latin, Greek, Cyrillic, Arabic, Hebrew), ``fonts-noto-core``
(Noto Sans per script) and ``fonts-noto-cjk`` (Chinese, Japanese, Korean). A DejaVu font bundled in
a Python package (matplotlib), then the DejaVu Sans Bold shipped in ``fonts_data/``, are the last
resort, so Latin, Greek, Cyrillic and Arabic text always renders; ``EDITBAY_FONT_DIR`` adds a directory.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path

FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")

# Preference order (bold reads better on video); coverage decides between them per text.
CANDIDATES = (
    "DejaVuSans-Bold.ttf", "NotoSans-Bold.ttf", "DejaVuSans.ttf", "NotoSans-Regular.ttf",
    "NotoSansCJK-Bold.ttc", "NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Bold.otf", "NotoSansCJKsc-Regular.otf",
    "NotoSansArabic-Bold.ttf", "NotoSansArabic-Regular.ttf", "NotoSansHebrew-Bold.ttf",
    "NotoSansDevanagari-Bold.ttf", "NotoSansBengali-Bold.ttf", "NotoSansThai-Bold.ttf",
    "NotoSansGeorgian-Bold.ttf", "NotoSansArmenian-Bold.ttf", "NotoSansEthiopic-Bold.ttf",
    "NotoSansTamil-Bold.ttf", "LiberationSans-Bold.ttf", "FreeSansBold.ttf", "wqy-zenhei.ttc",
    "DroidSansFallbackFull.ttf",
)


@dataclass(frozen=True)
class Font:
    path: str
    coverage: frozenset[int]


@dataclass(frozen=True)
class FontSet:
    """Candidate fonts in preference order, each with the code points it can draw."""

    fonts: tuple[Font, ...] = ()

    def for_text(self, text: str) -> str | None:
        """Path of the font covering most distinct characters of ``text`` (None if no fonts)."""
        chars = {ord(c) for c in text if not c.isspace() and unicodedata.category(c)[0] != "C"}
        best: Font | None = None
        best_count = -1
        for font in self.fonts:
            count = len(chars & font.coverage)
            if count > best_count:
                best, best_count = font, count
        return best.path if best else None


def char_width(ch: str) -> float:
    """Approximate advance of a character in ems (wide CJK = 1.0, others ≈ 0.62)."""
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if unicodedata.combining(ch):
        return 0.0
    return 0.62


# ---- character maps (the 'cmap' table of TrueType/OpenType fonts and collections) -----------

def _cmap_format4(data: bytes, off: int) -> set[int]:
    segs = struct.unpack_from(">H", data, off + 6)[0] // 2
    ends = struct.unpack_from(f">{segs}H", data, off + 14)
    starts = struct.unpack_from(f">{segs}H", data, off + 16 + 2 * segs)
    deltas = struct.unpack_from(f">{segs}h", data, off + 16 + 4 * segs)
    ro_pos = off + 16 + 6 * segs
    ranges = struct.unpack_from(f">{segs}H", data, ro_pos)
    out: set[int] = set()
    for i in range(segs):
        for cp in range(starts[i], ends[i] + 1):
            if cp == 0xFFFF:
                continue
            if ranges[i] == 0:
                glyph = (cp + deltas[i]) & 0xFFFF
            else:
                at = ro_pos + 2 * i + ranges[i] + 2 * (cp - starts[i])
                glyph = struct.unpack_from(">H", data, at)[0] if at + 2 <= len(data) else 0
                glyph = (glyph + deltas[i]) & 0xFFFF if glyph else 0
            if glyph:
                out.add(cp)
    return out


def _cmap_format12(data: bytes, off: int) -> set[int]:
    groups = struct.unpack_from(">I", data, off + 12)[0]
    out: set[int] = set()
    for g in range(groups):
        start, end, _ = struct.unpack_from(">III", data, off + 16 + 12 * g)
        out.update(range(start, min(end, 0x10FFFF) + 1))
    return out


@functools.lru_cache(maxsize=64)
def coverage(path: str) -> frozenset[int]:
    """Code points mapped by the font's best Unicode cmap (empty when it cannot be read)."""
    try:
        data = Path(path).read_bytes()
        base = struct.unpack_from(">I", data, 12)[0] if data[:4] == b"ttcf" else 0
        tables = struct.unpack_from(">H", data, base + 4)[0]
        cmap = next(struct.unpack_from(">I", data, base + 12 + 16 * i + 8)[0] for i in range(tables)
                    if data[base + 12 + 16 * i:base + 16 + 16 * i] == b"cmap")
        subtables = []
        for i in range(struct.unpack_from(">H", data, cmap + 2)[0]):
            plat, enc, off = struct.unpack_from(">HHI", data, cmap + 4 + 8 * i)
            fmt = struct.unpack_from(">H", data, cmap + off)[0]
            if (plat == 3 and enc in (1, 10)) or plat == 0:
                subtables.append((fmt == 12, fmt, cmap + off))
        for _, fmt, off in sorted(subtables, reverse=True):
            if fmt == 12:
                return frozenset(_cmap_format12(data, off))
            if fmt == 4:
                return frozenset(_cmap_format4(data, off))
    except (OSError, struct.error, StopIteration):
        pass
    return frozenset()


SHIPPED_DIR = Path(__file__).with_name("fonts_data")  # DejaVu Sans Bold (Bitstream Vera licence)


def _bundled_dirs() -> list[Path]:
    """Fonts inside Python packages, after the system ones: matplotlib's, then editbay's own."""
    spec = importlib.util.find_spec("matplotlib")
    locations = spec.submodule_search_locations if spec and spec.submodule_search_locations else []
    return [Path(loc) / "mpl-data" / "fonts" / "ttf" for loc in locations] + [SHIPPED_DIR]


def find_fonts(extra_dirs: tuple[str, ...] = ()) -> FontSet:
    """Candidate fonts found under ``extra_dirs``, ``EDITBAY_FONT_DIR``, the system and bundled dirs."""
    env = os.environ.get("EDITBAY_FONT_DIR")
    return _find_fonts((*extra_dirs, *((env,) if env else ()), *FONT_DIRS))


@functools.lru_cache(maxsize=8)
def _find_fonts(dir_names: tuple[str, ...]) -> FontSet:
    found: dict[str, str] = {}
    for d in [Path(os.path.expanduser(name)) for name in dir_names] + _bundled_dirs():
        if d.is_dir():
            for root, _, files in os.walk(d):
                for name in files:
                    found.setdefault(name, os.path.join(root, name))
    fonts = []
    for name in CANDIDATES:
        if name in found:
            cov = coverage(found[name])
            if cov:
                fonts.append(Font(found[name], cov))
    return FontSet(tuple(fonts))
