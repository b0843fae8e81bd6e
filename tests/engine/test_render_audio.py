"""Audio operations and fades: graphs (golden) and measured loudness / luma on real renders."""

from __future__ import annotations

from pathlib import Path

import pytest
from media_utils import Video, luma, rms_db

from conftest import MEDIA, argv_of, graph_of
from editbay.engine.ops import AudioFade, Fade, Grade, Loop, Mute, Normalize, Speed, Volume


def test_volume_and_normalize_graphs() -> None:
    assert graph_of([Volume(gain_db=-6.5)]) == "[0:a:0]volume=volume=-6.5dB[aout]"
    assert graph_of([Normalize(target_lufs=-14)]) == (
        "[0:a:0]loudnorm=i=-14:tp=-1.5:lra=11,aresample=sample_rate=48000[aout]")


def test_mute_drops_audio_and_later_audio_ops() -> None:
    argv = argv_of([Mute(), Volume(gain_db=6), AudioFade(direction="in")])
    assert "-an" in argv and "volume" not in " ".join(argv)


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
