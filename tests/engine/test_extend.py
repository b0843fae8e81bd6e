"""Black added around the edit: "add 2 seconds of black at the end", "start with a black screen"."""

from __future__ import annotations

import numpy as np
import pytest
from media_utils import Video, audio_duration, load, read_audio, rms_db

from conftest import MEDIA
from editbay.engine.media import probe
from editbay.engine.ops import EditPlan, Extend
from editbay.engine.parse import parse
from editbay.engine.plan import normalize_plan, plan_edit
from editbay.engine.render import render
from editbay.engine.segments import segment_decision


@pytest.mark.parametrize(
    ("instruction", "where", "seconds"),
    [
        ("add 2 seconds of black at the end", "end", 2.0),
        ("start with a black screen", "start", 1.0),
        ("pad the end with 3 s of black", "end", 3.0),
        ("add a black screen for 2 seconds at the start", "start", 2.0),
        ("add a second of black before the video", "start", 1.0),
        ("prepend 1.5 seconds of black", "start", 1.5),
        ("hold on black for 3 seconds at the end", "end", 3.0),
    ],
)
def test_black_around_the_video_is_read(instruction: str, where: str, seconds: float) -> None:
    plan = parse(instruction)
    assert [(op.op, op.where, op.duration) for op in plan.operations] == [  # type: ignore[union-attr]
        ("extend", where, seconds)
    ], plan


@pytest.mark.parametrize("instruction", ["end on black", "fade to black", "black at the end"])
def test_ending_on_black_is_still_a_fade(instruction: str) -> None:
    assert [op.op for op in parse(instruction).operations] == ["fade"]


def test_the_black_comes_after_every_other_edit_and_lengthens_the_output() -> None:
    plan = plan_edit("mute the last second, fade out and add 2 seconds of black at the end", media=MEDIA)
    assert [op.op for op in plan.operations][-1] == "extend"
    assert plan.output_duration == pytest.approx(8.0)
    mute = next(op for op in plan.operations if op.op == "mute")
    assert mute.start == pytest.approx(5.0)  # type: ignore[union-attr]  # the edited video's last second
    twice = [Extend(where="end", duration=1), Extend(where="end", duration=3)]
    both = normalize_plan(EditPlan(operations=twice))
    assert [op.duration for op in both.operations] == [3]  # type: ignore[union-attr]


def test_added_black_is_rendered_in_one_pass() -> None:
    media = MEDIA.model_copy(update={"duration": 600.0})
    plan = normalize_plan(EditPlan(operations=[Extend(duration=2)]), media)
    assert not segment_decision(plan, media, 60, 20).split


def _luma_by_time(video: Video) -> list[tuple[float, float]]:
    return [(t, float(f.mean())) for f, t in zip(video.frames, video.times, strict=True)]


def test_rendered_black_and_silence_after_the_faded_edit(clip, tmp_path, clip_video: Video) -> None:
    plan = plan_edit("fade out and add 1 second of black at the end", media=probe(clip))  # 2 s clip
    result = render(plan, clip, tmp_path / "black.mp4")
    out = load(result.output)
    assert out.duration == pytest.approx(3.0, abs=0.05)
    assert audio_duration(result.output) == pytest.approx(3.0, abs=0.06)
    frames = _luma_by_time(out)
    assert max(v for t, v in frames if t > 2.05) < 0.03  # the added second is black
    assert np.mean([v for t, v in frames if t < 0.8]) > 0.2  # the picture before the fade
    fading = np.mean([v for t, v in frames if 1.8 < t < 1.97])  # the fade ends the edited video
    assert fading < 0.5 * np.mean([v for t, v in frames if 0.2 < t < 0.8])
    audio = read_audio(result.output)
    assert rms_db(audio[int(2.1 * 48000) :]) < -60  # silence
    assert rms_db(audio[: int(0.8 * 48000)]) > -30


def test_rendered_black_before_the_video_delays_the_sound(clip, tmp_path) -> None:
    plan = plan_edit("start with 0.5 seconds of black", media=probe(clip))
    result = render(plan, clip, tmp_path / "lead.mp4")
    out = load(result.output)
    assert out.duration == pytest.approx(2.5, abs=0.05)
    frames = _luma_by_time(out)
    assert max(v for t, v in frames if t < 0.45) < 0.03
    assert min(v for t, v in frames if t > 0.6) > 0.1
    audio = read_audio(result.output)
    assert rms_db(audio[: int(0.45 * 48000)]) < -60 and rms_db(audio[int(0.6 * 48000) :]) > -30
