"""Filter-graph nodes, the one escaping function, and the argv skeleton `compile()` produces."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import INPUTS, MEDIA, argv_of
from editbay.engine.media import ffmpeg_exe
from editbay.engine.ops import EditPlan, Grade, Mute, Trim, Volume
from editbay.engine.render import Chain, Filter, Graph, compile, escape, filter
from editbay.engine.render.graph import GraphBuilder, Pipe, fmt_number

TAIL = ["-map_metadata", "-1", "-movflags", "+faststart", "-progress", "pipe:1", "-nostats", "-f", "mp4",
        "out.mp4"]
HEAD = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
X264 = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p"]


@pytest.mark.parametrize(("value", "expected"), [
    ("plain", "plain"),
    ("a:b", r"a\\:b"),
    ("it's", r"it\\\'s"),
    ("k=v", r"k\\=v"),
    ("back\\slash", r"back\\\\slash"),
    ("a,b;c[d]", r"a\,b\;c\[d\]"),
    (" padded ", r"\\ padded\\\ "),
    ("\t", "\\\\\\\t"),
    ("\r", "\\\\\\\r"),
    (2.0, "2"),
    (0.1, "0.1"),
    (-0.0000001, "0"),
    (True, "1"),
    (-2, "-2"),
])
def test_escape_applies_both_levels(value: object, expected: str) -> None:
    assert escape(value) == expected  # type: ignore[arg-type]


def test_escape_rejects_nul_and_non_finite() -> None:
    with pytest.raises(ValueError):
        escape("a\x00b")
    with pytest.raises(ValueError):
        fmt_number(float("inf"))


def test_filter_validates_names_and_drops_none_options() -> None:
    assert filter("scale", w=640, h=None).render() == "scale=w=640"
    assert filter("hflip").render() == "hflip"
    for bad in ("Scale", "scale;rm", "1x", ""):
        with pytest.raises(ValueError):
            Filter(bad)
    with pytest.raises(ValueError):
        filter("scale", **{"w;x": 1})
    with pytest.raises(TypeError):
        Filter("scale", (("w", [1]),))  # type: ignore[arg-type]


def test_chain_and_graph_render_with_labels() -> None:
    chain = Chain(("0:v:0",), (filter("hflip"), filter("scale", w=2, h=2)), ("out",))
    assert chain.render() == "[0:v:0]hflip,scale=w=2:h=2[out]"
    assert Graph((chain, Chain(("out",), (filter("null"),), ("x",)))).render() == (
        "[0:v:0]hflip,scale=w=2:h=2[out];[out]null[x]")
    with pytest.raises(ValueError):
        Chain(("in];[evil",), (filter("null"),), ("o",))
    with pytest.raises(ValueError):
        Chain(("a",), (), ("o",))


def test_pipe_finish_renames_the_head_instead_of_adding_a_null() -> None:
    g = GraphBuilder()
    pipe = Pipe(g, "0:v:0", "v")
    a, b = pipe.split(2)
    (joined,) = g.chain([a, b], [filter("hstack")], 1, "v")
    pipe.label = joined
    pipe.finish("vout")
    assert g.build().render() == "[0:v:0]split=outputs=2[v1][v2];[v1][v2]hstack[vout]"
    untouched = Pipe(GraphBuilder(), "0:a:0", "a")
    untouched.finish("aout")
    assert untouched.graph.build().render() == "[0:a:0]anull[aout]"


def test_video_only_edit_copies_aac_audio() -> None:
    argv = argv_of([Grade(style="black_white")])
    assert argv[:8] == [*HEAD, "-i", "in.mp4"]
    assert argv[argv.index("-map"):] == ["-map", "[vout]", "-map", "0:a:0", *X264, "-c:a", "copy", *TAIL]


def test_audio_only_edit_copies_h264_video() -> None:
    assert argv_of([Volume(gain_db=-3)]) == [
        *HEAD, "-i", "in.mp4", "-filter_complex", "[0:a:0]volume=volume=-3dB[aout]",
        "-map", "0:v:0", "-map", "[aout]", "-c:v", "copy", "-c:a", "aac", "-b:a", "128k", *TAIL]


def test_mute_only_copies_video_and_drops_audio() -> None:
    assert argv_of([Mute()]) == [*HEAD, "-i", "in.mp4", "-map", "0:v:0", "-an", "-c:v", "copy", *TAIL]


def test_video_is_reencoded_when_the_source_is_not_h264_or_rotated() -> None:
    hevc = MEDIA.model_copy(update={"video_codec": "hevc"})
    assert "libx264" in argv_of([Mute()], hevc)
    rotated = MEDIA.model_copy(update={"rotation": 90})
    assert "libx264" in argv_of([Volume(gain_db=1)], rotated)


def test_audio_is_reencoded_when_the_source_is_not_aac() -> None:
    opus = MEDIA.model_copy(update={"audio_codec": "opus"})
    argv = argv_of([Grade(style="warm")], opus)
    assert argv[argv.index("-c:a"):argv.index("-c:a") + 4] == ["-c:a", "aac", "-b:a", "128k"]
    assert "[0:a:0]anull[aout]" in argv[argv.index("-filter_complex") + 1]


def test_silent_source_has_no_audio_mapping() -> None:
    silent = MEDIA.model_copy(update={"has_audio": False, "audio_codec": None})
    argv = argv_of([Grade(style="warm"), Volume(gain_db=3)], silent)
    assert "-an" in argv and "[aout]" not in " ".join(argv)


def test_leading_trim_becomes_an_input_seek() -> None:
    argv = argv_of([Trim(start=1.5, end=4.0), Grade(style="black_white")])
    assert argv[6:12] == ["-ss", "1.5", "-t", "2.5", "-i", "in.mp4"]
    argv = argv_of([Trim(start=-2.0)])
    assert argv[6:10] == ["-ss", "4", "-i", "in.mp4"]


def test_threads_are_passed_to_encoder_and_filters() -> None:
    argv = argv_of([Grade(style="vivid")], threads=2)
    assert argv[argv.index("-filter_complex_threads") + 1] == "2"
    assert argv[argv.index("-threads") + 1] == "2"


def test_thumbnail_and_poster_come_from_the_same_run() -> None:
    argv = argv_of([Grade(style="black_white")], stills=(Path("t.jpg"), Path("p.jpg")))
    graph = argv[argv.index("-filter_complex") + 1]
    assert graph.endswith(
        "[v1]split=outputs=2[vout][v3];[v3]select=expr=eq(n\\,60),split=outputs=2[s4][s5];"
        "[s4]scale=w=min(iw\\,320):h=-2[thumb];[s5]scale=w=min(iw\\,1280):h=-2[poster]")
    assert argv[argv.index("out.mp4") + 1:] == [
        "-map", "[thumb]", "-frames:v", "1", "-update", "1", "-q:v", "3", "-f", "image2", "t.jpg",
        "-map", "[poster]", "-frames:v", "1", "-update", "1", "-q:v", "3", "-f", "image2", "p.jpg"]


def test_no_stills_branch_when_the_video_is_copied() -> None:
    assert argv_of([Mute()], stills=(Path("t.jpg"), Path("p.jpg")))[-1] == "out.mp4"


def test_compile_is_pure_and_deterministic() -> None:
    plan = EditPlan(operations=[Grade(style="teal_orange"), Trim(start=1, end=3)])
    assert compile(plan, MEDIA, INPUTS) == compile(plan, MEDIA, INPUTS)


HOSTILE = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                  min_size=1, max_size=40)


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(value=HOSTILE)
def test_escaped_values_reach_ffmpeg_verbatim(tmp_path_factory: pytest.TempPathFactory, value: str) -> None:
    """Round trip through the real parsers: metadata=add stores the value, metadata=print writes it."""
    out = tmp_path_factory.mktemp("esc") / "meta.txt"
    graph = Graph((Chain(("0:v",), (filter("metadata", mode="add", key="k", value=value),
                                    filter("metadata", mode="print", key="k", file=str(out))), ("o",)),))
    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "lavfi",
                           "-i", "color=s=16x16:d=0.04", "-filter_complex", graph.render(), "-map", "[o]",
                           "-f", "null", "-"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    printed = Path(out).read_bytes().decode("utf-8", "surrogateescape")
    assert printed.split("k=", 1)[1] == value + "\n"
