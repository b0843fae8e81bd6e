"""Time operations: graphs (golden), then durations, frame order and audio sync on real renders."""

from __future__ import annotations

import numpy as np
import pytest
from media_utils import Video, audio_duration, rms_db

from conftest import MEDIA, argv_of, graph_of
from editbay.engine.errors import InvalidMedia, UnsupportedEdit
from editbay.engine.media import probe
from editbay.engine.ops import Boomerang, Cut, Freeze, Grade, Loop, Reverse, Speed, Text, Trim
from editbay.engine.plan import plan_edit
from editbay.engine.render.timeline import atempo_chain, fps_value


@pytest.mark.parametrize(("factor", "steps"), [
    (2.0, [2.0]), (1.25, [1.25]), (0.5, [0.5]), (0.25, [0.5, 0.5]), (3.0, [2.0, 1.5]), (8.0, [2.0, 2.0, 2.0]),
    (0.3, [0.5, 0.6]), (1.0, [1.0]),
])
def test_atempo_steps_stay_in_the_clean_range(factor: float, steps: list[float]) -> None:
    chain = atempo_chain(factor)
    assert [f.options[0][1] for f in chain] == pytest.approx(steps)
    assert np.prod([f.options[0][1] for f in chain]) == pytest.approx(factor)


def test_fps_value_keeps_ntsc_rates_exact() -> None:
    assert fps_value(29.97) == "30000/1001"
    assert fps_value(25.0) == "25"


def test_speed_graph() -> None:
    assert graph_of([Speed(factor=0.25)]) == (
        "[0:v:0]setpts=expr=(PTS-STARTPTS)/0.25,fps=fps=30[vout];"
        "[0:a:0]asetpts=expr=PTS-STARTPTS,atempo=tempo=0.5,atempo=tempo=0.5[aout]")


def test_trim_after_another_time_op_stays_in_the_graph() -> None:
    assert graph_of([Speed(factor=2.0), Trim(start=1.0, end=2.0)]) == (
        "[0:v:0]setpts=expr=(PTS-STARTPTS)/2,fps=fps=30,trim=start=1:end=2,setpts=expr=PTS-STARTPTS[vout];"
        "[0:a:0]asetpts=expr=PTS-STARTPTS,atempo=tempo=2,atempo=start=1:end=2,asetpts=expr=PTS-STARTPTS[aout]"
        .replace("atempo=start", "atrim=start"))


def test_trim_after_a_timed_text_is_not_an_input_seek() -> None:
    argv = argv_of([Text(text="hi", start=0.0, end=1.0), Trim(start=2.0)])
    assert "-ss" not in argv


def test_cut_joins_two_trimmed_copies() -> None:
    assert graph_of([Cut(start=1.0, end=2.0)]) == (
        "[0:v:0]split=outputs=2[v1][v2];[0:a:0]asplit=outputs=2[a3][a4];"
        "[v1]trim=end=1,setpts=expr=PTS-STARTPTS[v5];[a3]atrim=end=1,asetpts=expr=PTS-STARTPTS[a6];"
        "[v2]trim=start=2,setpts=expr=PTS-STARTPTS[v7];[a4]atrim=start=2,asetpts=expr=PTS-STARTPTS[a8];"
        "[v5][a6][v7][a8]concat=n=2:v=1:a=1[vout][aout]")


def test_cut_at_an_end_is_a_trim() -> None:
    assert graph_of([Cut(start=4.0, end=None)]) == (
        "[0:v:0]trim=end=4,setpts=expr=PTS-STARTPTS[vout];[0:a:0]atrim=end=4,asetpts=expr=PTS-STARTPTS[aout]")


def test_reverse_loop_boomerang_graphs() -> None:
    assert graph_of([Reverse()]) == "[0:v:0]reverse[vout];[0:a:0]areverse[aout]"
    assert graph_of([Loop(count=2)]) == (
        "[0:v:0]split=outputs=2[v1][v2];[0:a:0]asplit=outputs=2[a3][a4];"
        "[v1][a3][v2][a4]concat=n=2:v=1:a=1[vout][aout]")
    assert graph_of([Boomerang()]) == (
        "[0:v:0]split=outputs=2[v1][v2];[0:a:0]asplit=outputs=2[a3][a4];[v2]reverse[v5];[a4]areverse[a6];"
        "[v1][a3][v5][a6]concat=n=2:v=1:a=1[vout][aout]")


def test_freeze_repeats_one_frame_and_inserts_silence() -> None:
    assert graph_of([Freeze(at=2.0, duration=1.0)]) == (
        "[0:a:0]asplit=outputs=2[a1][a2];"
        "[a1]atrim=end=2.033333,asetpts=expr=PTS-STARTPTS,apad=pad_dur=1[a3];"
        "[a2]atrim=start=2.033333,asetpts=expr=PTS-STARTPTS[a4];[a3][a4]concat=n=2:v=0:a=1[aout];"
        "[0:v:0]loop=loop=30:size=1:start=61[vout]")
    assert graph_of([Freeze(at=-0.01, duration=0.5)]) == (
        "[0:v:0]loop=loop=15:size=1:start=180[vout];[0:a:0]apad=pad_dur=0.5[aout]")


def test_whole_clip_buffers_are_refused_beyond_the_budget() -> None:
    long = MEDIA.model_copy(update={"width": 1920, "height": 1080, "duration": 600.0})
    with pytest.raises(InvalidMedia, match="reverse holds the whole clip"):
        graph_of([Reverse()], long)
    graph_of([Trim(start=0, end=10), Reverse()], long)  # fine once trimmed


def test_trimming_everything_away_is_refused() -> None:
    with pytest.raises(UnsupportedEdit):
        graph_of([Grade(style="warm"), Speed(factor=2), Trim(start=5.0, end=6.0)])
    with pytest.raises(UnsupportedEdit):
        graph_of([Cut(start=0.0, end=6.0)])


# ---- measured ---------------------------------------------------------------------------------

def match(frame: np.ndarray, src: Video) -> int:
    """Index of the source frame closest to ``frame``."""
    small = frame[::4, ::4]
    return int(np.argmin([np.abs(small - f[::4, ::4]).mean() for f in src.frames]))


@pytest.mark.slow
@pytest.mark.parametrize(("factor", "expected"), [(2.0, 1.0), (0.5, 4.0), (3.0, 0.667)])
def test_speed_changes_video_and_audio_duration(render_ops, factor: float, expected: float) -> None:
    result, out = render_ops([Speed(factor=factor)])
    assert out.duration == pytest.approx(expected, abs=0.07)
    assert audio_duration(result.output) == pytest.approx(expected, abs=0.1)


@pytest.mark.slow
def test_trim_keeps_the_range(render_ops, clip_video: Video) -> None:
    result, out = render_ops([Trim(start=0.5, end=1.5)])
    assert out.duration == pytest.approx(1.0, abs=0.05)
    assert match(out.frames[0], clip_video) == pytest.approx(15, abs=1)
    assert audio_duration(result.output) == pytest.approx(1.0, abs=0.06)


@pytest.mark.slow
def test_cut_removes_the_range(render_ops, clip_video: Video) -> None:
    result, out = render_ops([Cut(start=0.5, end=1.0)])
    assert out.duration == pytest.approx(1.5, abs=0.05)
    assert match(out.frames[15], clip_video) == pytest.approx(30, abs=1)
    assert audio_duration(result.output) == pytest.approx(1.5, abs=0.06)


@pytest.mark.slow
def test_reverse_plays_backwards(render_ops, clip_video: Video) -> None:
    _, out = render_ops([Reverse()])
    n = len(clip_video.frames)
    assert match(out.frames[0], clip_video) == pytest.approx(n - 1, abs=1)
    assert match(out.frames[-1], clip_video) == pytest.approx(0, abs=1)


@pytest.mark.slow
def test_loop_repeats_video_and_audio(render_ops, clip_video: Video) -> None:
    result, out = render_ops([Loop(count=3)])
    assert out.duration == pytest.approx(6.0, abs=0.1)
    assert audio_duration(result.output) == pytest.approx(6.0, abs=0.15)
    starts = [i for i, f in enumerate(out.frames) if match(f, clip_video) == 0]
    assert len(starts) == 3


@pytest.mark.slow
def test_boomerang_goes_there_and_back(render_ops, clip_video: Video) -> None:
    _, out = render_ops([Boomerang()])
    n = len(clip_video.frames)
    assert out.duration == pytest.approx(4.0, abs=0.1)
    assert match(out.frames[n - 1], clip_video) == pytest.approx(n - 1, abs=1)
    assert match(out.frames[-1], clip_video) == pytest.approx(0, abs=1)


@pytest.mark.slow
def test_freeze_holds_a_frame_with_silence(render_ops, clip_video: Video) -> None:
    result, out = render_ops([Freeze(at=1.0, duration=1.0)])
    assert out.duration == pytest.approx(3.0, abs=0.07)
    held = [match(f, clip_video) for f in out.frames[31:59]]
    assert set(held) == {30}
    audio = out.audio
    assert audio is not None and len(audio) / 48000 == pytest.approx(3.0, abs=0.1)
    assert rms_db(audio[int(1.2 * 48000):int(1.8 * 48000)]) < -60 < rms_db(audio[: int(0.8 * 48000)])


@pytest.mark.slow
@pytest.mark.parametrize("ops", [
    [Speed(factor=1.5), Reverse()],
    [Trim(start=0.2), Loop(count=2)],
    [Cut(start=0.5, end=0.8), Speed(factor=0.8)],
    [Boomerang(), Speed(factor=2.0)],
], ids=["speed+reverse", "trim+loop", "cut+slow", "boomerang+fast"])
def test_audio_stays_as_long_as_video(render_ops, ops) -> None:
    result, out = render_ops(ops)
    assert audio_duration(result.output) == pytest.approx(out.duration, abs=0.12)


@pytest.mark.slow
@pytest.mark.parametrize(("instruction", "kept", "first"), [
    ("keep only the first half", 0.5, 0.0),
    ("trim it to the middle 50%", 0.5, 0.25),
    ("remove the last third", 2 / 3, 0.0),
    ("the second half only", 0.5, 0.5),
])
def test_a_share_of_the_clip_is_kept_to_within_a_frame(
    render_ops, clip, clip_video: Video, instruction: str, kept: float, first: float
) -> None:
    media = probe(clip)
    result, out = render_ops(plan_edit(instruction, media=media).operations)
    assert out.duration == pytest.approx(kept * media.duration, abs=1 / 30 + 1e-3)
    assert match(out.frames[0], clip_video) == pytest.approx(round(first * media.duration * 30), abs=1)
    assert audio_duration(result.output) == pytest.approx(out.duration, abs=0.06)


@pytest.mark.slow
def test_the_middle_seconds_are_cut_around_the_midpoint(render_ops, clip, clip_video: Video) -> None:
    media = probe(clip)
    plan = plan_edit("cut the middle 0.5 seconds", media=media)
    (cut,) = plan.operations
    middle = media.duration / 2
    assert (cut.start, cut.end) == pytest.approx((middle - 0.25, middle + 0.25), abs=1e-3)  # type: ignore[union-attr]
    result, out = render_ops(plan.operations)
    assert out.duration == pytest.approx(media.duration - 0.5, abs=1 / 30 + 1e-3)
    # the frame just after the cut is the source frame 0.5 s later
    after = round((middle - 0.25) * 30) + 1
    assert match(out.frames[after], clip_video) == pytest.approx(after + 15, abs=1)
    assert audio_duration(result.output) == pytest.approx(out.duration, abs=0.06)
