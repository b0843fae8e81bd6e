"""Audio operations and fades: graphs (golden) and measured loudness / luma on real renders."""

from __future__ import annotations

from pathlib import Path

import pytest
from media_utils import Video, luma, rms_db

from conftest import MEDIA, argv_of, graph_of
from editbay.engine import segments
from editbay.engine.errors import UnsupportedEdit
from editbay.engine.media import probe
from editbay.engine.ops import (
    AudioFade,
    EditPlan,
    Fade,
    Grade,
    Loop,
    MediaInfo,
    Mute,
    Normalize,
    Portion,
    Speed,
    Trim,
    Volume,
)
from editbay.engine.plan import plan_edit


def test_volume_and_normalize_graphs() -> None:
    assert graph_of([Volume(gain_db=-6.5)]) == "[0:a:0]volume=volume=-6.5dB[aout]"
    assert graph_of([Normalize(target_lufs=-14)]) == (
        "[0:a:0]loudnorm=i=-14:tp=-1.5:lra=11,aresample=sample_rate=48000[aout]")


def test_mute_drops_audio_and_later_audio_ops() -> None:
    argv = argv_of([Mute(), Volume(gain_db=6), AudioFade(direction="in")])
    assert "-an" in argv and "volume" not in " ".join(argv)


def test_a_timed_mute_or_volume_is_a_volume_filter_with_a_time_range() -> None:
    assert graph_of([Mute(end=3.0)]) == "[0:a:0]volume=volume=0:enable=lte(t\\,3)[aout]"
    assert graph_of([Mute(start=2.0, end=4.5), Volume(gain_db=-6.5, start=-2.0)]) == (
        "[0:a:0]volume=volume=0:enable=between(t\\,2\\,4.5),volume=volume=-6.5dB:enable=gte(t\\,4)[aout]")


def test_a_timed_mute_keeps_the_audio_stream_and_user_words_stay_out_of_the_graph() -> None:
    argv = argv_of([Mute(start=1.0, end=2.0, source="mute ';[x] from 1 to 2")])
    assert "-an" not in argv and "[aout]" in argv and "aac" in argv
    assert "x]" not in " ".join(argv) and "mute" not in " ".join(argv)


def test_a_timed_mute_follows_the_output_clock() -> None:
    # after a 2x speed-up the 6 s input lasts 3 s: "to the end" is open, a span is as written
    assert graph_of([Speed(factor=2.0), Mute(start=1.0, end=2.0), Volume(gain_db=3.0, start=-1.0)]).endswith(
        "atempo=tempo=2,volume=volume=0:enable=between(t\\,1\\,2),volume=volume=3dB:enable=gte(t\\,2)[aout]")


def test_a_timed_mute_before_a_trim_keeps_the_trim_in_the_graph() -> None:
    assert "-ss" not in argv_of([Mute(start=1.0, end=2.0), Trim(start=2.0)])
    assert "-ss" in argv_of([Volume(gain_db=3.0), Trim(start=2.0)])


@pytest.mark.parametrize("op", [Mute(portion=Portion(end=0.5)), Trim(portion=Portion(start=0.5))])
def test_a_share_of_the_clip_must_be_planned_with_the_media_before_rendering(op: object) -> None:
    with pytest.raises(UnsupportedEdit, match="depends on the clip.s length"):
        graph_of([op])


def test_fades_are_placed_against_the_output_duration() -> None:
    # 6 s clip at double speed = 3 s: the fade-out starts at 2 s, after the speed change
    assert graph_of([Fade(direction="out", duration=1.0), Speed(factor=2.0)]) == (
        "[0:v:0]setpts=expr=(PTS-STARTPTS)/2,fps=fps=30,fade=t=out:st=2:d=1[vout];"
        "[0:a:0]asetpts=expr=PTS-STARTPTS,atempo=tempo=2,afade=t=out:st=2:d=1[aout]")


def test_fade_fades_sound_unless_an_audio_fade_says_otherwise() -> None:
    assert graph_of([Fade(direction="in", duration=2.0), AudioFade(direction="in", duration=0.5)]) == (
        "[0:v:0]fade=t=in:st=0:d=2[vout];[0:a:0]afade=t=in:st=0:d=0.5[aout]")
    assert graph_of([Fade(direction="out", duration=2.0), AudioFade(direction="in", duration=0.5)]) == (
        "[0:v:0]fade=t=out:st=4:d=2[vout];[0:a:0]afade=t=out:st=4:d=2,afade=t=in:st=0:d=0.5[aout]")


def test_fade_longer_than_the_clip_is_clamped() -> None:
    short = MEDIA.model_copy(update={"duration": 1.5})
    assert graph_of([Fade(direction="in", duration=5.0)], short).startswith("[0:v:0]fade=t=in:st=0:d=1.5")


def test_fade_on_a_silent_clip_only_touches_video() -> None:
    silent = MEDIA.model_copy(update={"has_audio": False})
    assert graph_of([Fade(direction="in")], silent) == "[0:v:0]fade=t=in:st=0:d=1[vout]"


# ---- measured ---------------------------------------------------------------------------------

@pytest.mark.slow
def test_mute_leaves_no_audio_stream(render_ops) -> None:
    result, out = render_ops([Mute()])
    assert not result.has_audio and not out.has_audio


@pytest.mark.slow
@pytest.mark.parametrize("gain", [6.0, -12.0])
def test_volume_changes_loudness_by_the_gain(render_ops, clip_video: Video, gain: float) -> None:
    _, out = render_ops([Volume(gain_db=gain)])
    assert rms_db(out.audio) - rms_db(clip_video.audio) == pytest.approx(gain, abs=1.0)


@pytest.mark.slow
def test_normalize_reaches_about_the_target(render_ops, clip_video: Video) -> None:
    _, out = render_ops([Normalize(target_lufs=-14.0)])
    # a 440 Hz sine at -14 LUFS has an RMS near -14 dBFS; the source sits near -21
    assert rms_db(out.audio) > rms_db(clip_video.audio) + 3


@pytest.mark.slow
def test_audio_fades_in_and_out(render_ops) -> None:
    _, out = render_ops([AudioFade(direction="in", duration=0.5), AudioFade(direction="out", duration=0.5)])
    a = out.audio
    edge_in, mid, edge_out = rms_db(a[:4800]), rms_db(a[40000:56000]), rms_db(a[-4800:])
    assert edge_in < mid - 10 and edge_out < mid - 10


@pytest.mark.slow
def test_fade_in_and_out_to_black_with_sound(render_ops, clip_video: Video) -> None:
    _, out = render_ops([Fade(direction="in", duration=0.5), Fade(direction="out", duration=0.5)])
    first, middle, last = (float(luma(out.frames[i]).mean()) for i in (0, len(out.frames) // 2, -1))
    src_middle = float(luma(clip_video.frames[len(out.frames) // 2]).mean())
    assert first < 0.08 and last < 0.08 and middle == pytest.approx(src_middle, abs=0.05)
    a = out.audio
    assert rms_db(a[:2400]) < rms_db(a[40000:56000]) - 10 and rms_db(a[-2400:]) < rms_db(a[40000:56000]) - 10


@pytest.mark.slow
def test_fade_out_lands_at_the_end_of_a_looped_output(render_ops) -> None:
    _, out = render_ops([Loop(count=2), Fade(direction="out", duration=0.5)])
    assert out.duration == pytest.approx(4.0, abs=0.1)
    assert float(luma(out.frames[-1]).mean()) < 0.08 < float(luma(out.frames[len(out.frames) // 2]).mean())


@pytest.mark.slow
def test_untouched_aac_audio_is_copied_bit_exact(render_ops, clip: Path) -> None:
    import av

    result, _ = render_ops([Grade(style="black_white")])

    def packets(path: Path) -> list[bytes]:
        with av.open(str(path)) as c:
            return [bytes(p) for p in c.demux(c.streams.audio[0]) if p.size]

    assert packets(result.output) == packets(clip)


@pytest.mark.slow
def test_a_timed_mute_silences_only_its_span(render_ops, clip_video: Video) -> None:
    result, out = render_ops([Mute(start=0.5, end=1.2)])
    a, src = out.audio, clip_video.audio
    assert result.has_audio and a is not None and src is not None
    # 0.55-1.15 s inside the span, up to 0.45 s before it, from 1.25 s after it (48 kHz)
    inside, before, after = slice(26400, 55200), slice(0, 21600), slice(60000, None)
    assert rms_db(a[inside]) < -60
    assert rms_db(a[before]) == pytest.approx(rms_db(src[before]), abs=1.0)
    assert rms_db(a[after]) == pytest.approx(rms_db(src[after]), abs=1.0)


@pytest.mark.slow
def test_a_timed_volume_changes_only_its_span(render_ops, clip_video: Video) -> None:
    _, out = render_ops([Volume(gain_db=-12.0, start=1.0)])
    a, src = out.audio, clip_video.audio
    assert a is not None and src is not None
    head, tail = slice(int(0.1 * 48000), int(0.9 * 48000)), slice(int(1.1 * 48000), int(1.9 * 48000))
    assert rms_db(a[head]) == pytest.approx(rms_db(src[head]), abs=1.0)
    assert rms_db(a[tail]) - rms_db(src[tail]) == pytest.approx(-12.0, abs=1.0)


@pytest.mark.slow
def test_a_timed_mute_after_a_trim_is_on_the_trimmed_clock(render_ops) -> None:
    _, out = render_ops([Trim(start=0.5), Mute(end=0.5)])  # the trim is an input seek
    a = out.audio
    assert out.duration == pytest.approx(1.5, abs=1 / 30 + 1e-3) and a is not None
    assert rms_db(a[: int(0.45 * 48000)]) < -60 and rms_db(a[int(0.55 * 48000):]) > -30


@pytest.mark.slow
def test_silencing_the_last_half_second_in_words(render_ops, clip: Path) -> None:
    plan = plan_edit("silence the last half second", media=probe(clip))
    _, out = render_ops(plan.operations)
    a = out.audio
    assert a is not None and plan.has_audio
    end = len(a) / 48000
    assert rms_db(a[int((end - 0.45) * 48000):]) < -60 and rms_db(a[: int((end - 0.55) * 48000)]) > -30


# ---- segment-parallel rendering -------------------------------------------------------------------

LONG = MediaInfo(width=320, height=240, duration=120.0, fps=25.0, has_audio=True)


@pytest.mark.parametrize(
    ("instruction", "split"),
    [
        ("make it black and white and mute it", True),
        ("make it black and white and turn the volume up", True),
        ("make it black and white and mute the first 3 seconds", False),
        ("make it black and white and make it quieter during the second half", False),
    ],
)
def test_a_timed_mute_or_volume_renders_in_one_pass(instruction: str, split: bool) -> None:
    plan = plan_edit(instruction, media=LONG)
    decision = segments.segment_decision(plan, LONG, threshold_seconds=60, segment_seconds=10)
    assert decision.split is split, decision
    if not split:
        assert "timed" in decision.reason


def _join_argv(ops: list[object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[list[str]] = []

    def record(argv: list[str], *args: object, **kwargs: object) -> None:
        seen.append(list(argv))
        Path(argv[-1]).write_bytes(b"")  # the partial output the join renames

    monkeypatch.setattr(segments, "run", record)
    out = tmp_path / "joined.mp4"
    segments.join([tmp_path / "seg-0000.mp4"], tmp_path / "in.mp4", EditPlan(operations=list(ops)), out,
                  "ffmpeg", source_has_audio=True, source_audio_codec="aac", duration=6.0)
    return seen[0]


def test_the_join_applies_a_timed_level_only_during_its_span(tmp_path: Path, monkeypatch) -> None:
    ops = [Grade(style="warm"), Mute(start=1.0, end=2.0), Volume(gain_db=3.0)]
    argv = _join_argv(ops, tmp_path, monkeypatch)
    assert "-an" not in argv and "1:a:0" in argv
    assert argv[argv.index("-af") + 1] == "volume=volume=0:enable=between(t\\,1\\,2),volume=volume=3dB"
    assert "-an" in _join_argv([Mute()], tmp_path, monkeypatch)
