"""Hostile text can neither inject into the filter graph nor crash the render.

The user's text only ever reaches ffmpeg through a file (``textfile=``, ``expansion=none``): the
argument list never contains it, the file does. Many texts are checked at the argument level with
Hypothesis; a handful of the nastiest are rendered for real.
"""

from __future__ import annotations

import secrets

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from media_utils import Video, changed

from conftest import build_of
from editbay.engine.ops import Text

HOSTILE = [
    "it's a 'quoted' \"string\"",
    "a:b:c; d,e [0:v] [out]; nullsink",
    "%{pts} %{eif:n:d} %{localtime} %{e:1/0} %%",
    r"back\slash \\ \' \: \n literal",
    "line one\nline two\r\nline three",
    "drawtext=text=pwned:fontfile=/etc/passwd",
    "';movie=/etc/passwd[x];[x]",
    "你好，世界 — こんにちは 안녕하세요",
    "مرحبا بالعالم",
    "Привет, мир! Ελληνικά",
    "emoji 🎬🔥 and zero\u200bwidth",
    "W" * 500,
    "long caption " * 38,
]

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=200)


def _flat(text: str) -> str:
    return "".join(text.split())


@settings(max_examples=300, deadline=None)
@given(prefix=TEXT, suffix=TEXT, position=st.sampled_from(["top", "bottom", "center", "top_left", "right"]),
       box=st.booleans())
def test_text_never_reaches_the_argument_list(prefix: str, suffix: str, position: str, box: bool) -> None:
    marker = "Zq" + secrets.token_hex(6)
    text = (prefix + marker + suffix)[:500]
    job = build_of([Text(text=text, position=position, box=box, start=0.5, end=-0.5)])
    argv = " ".join(job.argv)
    assert marker not in argv
    assert "textfile=/w/text0.txt" in job.graph and "expansion=none" in job.graph
    assert ":text=" not in job.graph and "=text=" not in job.graph
    (path, content), = job.files
    assert str(path) == "/w/text0.txt"
    assert marker in _flat(content)


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_builds_a_safe_graph(text: str) -> None:
    job = build_of([Text(text=text)])
    (_, content), = job.files
    assert _flat(text) in _flat(content) or len(text) > 400
    for piece in ("pwned", "/etc/passwd", "%{pts}", "movie="):
        assert piece not in job.graph


@pytest.mark.slow
@pytest.mark.parametrize("text", [HOSTILE[i] for i in (1, 2, 3, 4, 6, 7, 8, 11)],
                         ids=["separators", "expansions", "backslashes", "newlines", "injection", "cjk",
                              "arabic", "long"])
def test_hostile_text_renders_and_is_drawn(render_ops, clip_video: Video, text: str) -> None:
    _, out = render_ops([Text(text=text, position="center", size=0.1, box=True)])
    assert (out.width, out.height) == (320, 180)
    assert changed(out.frames[10], clip_video.frames[10])[50:130].mean() > 0.05
