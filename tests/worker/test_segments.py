"""Segment-parallel rendering: the planner's decision, the keyframe split, and the joined output
against a single-pass render of the same plan (frames, joins, duration, audio)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import av
import imageio_ffmpeg
import numpy as np
import pytest

from editbay.engine import segments as seg
from editbay.engine.ops import MediaInfo
from editbay.engine.plan import plan_edit
from editbay.errors import ErrorCode
from editbay.providers.base import JobFailed, JobSpec, RunContext
from editbay.providers.local import LocalEngineProvider
from editbay.providers.segment import HANDOVER, SegmentProvider
from editbay.settings import Settings
from editbay.storage import get_storage
from procs import make_clip

FPS = 25
FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()


def long_clip(path: Path, seconds: float = 8.0, size: str = "320x240") -> Path:
    """testsrc2 (every frame differs) + a 440 Hz sine in AAC, a keyframe every second."""
    return make_clip(path, seconds, size, gop=FPS)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return long_clip(tmp_path_factory.mktemp("seg") / "clip.mp4")


def media(duration: float) -> MediaInfo:
    return MediaInfo(width=320, height=240, duration=duration, fps=FPS, has_audio=True)


@pytest.mark.parametrize(
    ("prompt", "split", "why"),
    [
        ("make it black and white", True, "frame-local (grade)"),
        ("make it warmer and add a vignette", True, "frame-local"),
        ("make it black and white and fade in", False, "fades depend"),
        ("speed it up 2x", False, "speed change"),
        ("reverse the video", False, "reverse"),
        ("normalize the audio loudness and make it black and white", False, "loudness"),
        ("mute the audio", False, "only audio changes"),
    ],
)
def test_the_planner_decides_and_says_why(prompt, split, why):
    plan = plan_edit(prompt, media=media(120.0), check=False)
    decision = seg.segment_decision(plan, media(120.0), threshold_seconds=60, segment_seconds=10)
    assert decision.split is split and why in decision.reason, (plan.operations, decision)


def test_short_inputs_and_threshold_zero_render_in_one_pass():
    plan = plan_edit("make it black and white", media=media(30.0))
    assert "under the 60 s threshold" in seg.segment_decision(plan, media(30.0), 60, 10).reason
    assert not seg.segment_decision(plan, media(300.0), 0, 10).split


@pytest.mark.slow
def test_split_at_keyframes_keeps_every_frame_once(clip, tmp_path):
    pieces = seg.split(clip, tmp_path, 2.0, FFMPEG)
    assert len(pieces) == 4
    assert sum(seg.count_frames(p) for p in pieces) == seg.count_frames(clip) == 8 * FPS
    joined = [h for p in pieces for h in seg.frame_md5s(p, FFMPEG)]
    assert joined == seg.frame_md5s(clip, FFMPEG)  # no frame dropped, duplicated or altered


def _luma(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="gray").astype(np.float64) for f in c.decode(video=0)]


def _audio(path: Path) -> tuple[np.ndarray, int]:
    with av.open(str(path)) as c:
        rate = c.streams.audio[0].rate
        return np.concatenate([f.to_ndarray().reshape(-1) for f in c.decode(audio=0)]), rate


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a - b) ** 2))
    return 99.0 if mse == 0 else 10 * np.log10(255.0**2 / mse)


def _run(
    tmp: Path, clip: Path, prompt: str, fan_out: bool, fail_at: int | None = None, remote: bool = False
) -> tuple[Path, dict[str, Any], list[int]]:
    """Run the local provider; with ``fan_out`` the segment tasks run in this process, in order
    (segment ``fail_at`` fails, as a segment task that used up its attempts). ``remote``: the
    tasks trade their files through storage, as on another machine (else the parent hands them
    over in the process)."""
    settings = Settings(data_dir=tmp / "data", segment_threshold_seconds=4, segment_seconds=2)
    storage = get_storage(settings)
    frames: list[int] = []
    timings: list[dict[str, float]] = []

    def fetch(url: str, dest: Path, kind: str, what: str) -> Path:
        if kind == "image":  # a 64x32 PNG logo
            import subprocess

            subprocess.run([FFMPEG, "-y", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=red:s=64x32",
                            "-frames:v", "1", "-f", "image2", "-c:v", "png", str(dest)], check=True)
            return dest
        shutil.copyfile(clip, dest)
        return dest

    def segments(inputs: Any, count: int, on_progress: Any, cancel: Any, on_done: Any) -> None:
        for i, data in enumerate(inputs):
            if i == fail_at:
                raise JobFailed(ErrorCode.RENDER_FAILED, f"segment {i} failed")
            frames.append(data["segment"]["frames"])
            task = data["segment"]
            if remote:  # as if the task ran on another machine
                HANDOVER.forget([task["input"], task["output"], *(task.get("stills") or {}).values()])
            work = tmp / f"child-{i}"
            work.mkdir()
            ctx = RunContext(workdir=work, storage=storage, settings=settings)
            result = SegmentProvider().run(JobSpec(f"child{i}", "acc", "x", data), ctx)
            timings.append(result.output_meta["timings"])
            way = "storage" if remote else "local"
            assert result.output_meta["handover"] == {"input": way, "output": way}
            on_progress((i + 1) / count)
            on_done(i)

    work = tmp / "parent"
    work.mkdir()
    ctx = RunContext(workdir=work, storage=storage, settings=settings, fetch=fetch,
                     segments=segments if fan_out else None)
    data: dict[str, Any] = {"prompt": prompt, "video_url": "x"}
    if "logo" in prompt:
        data["images"] = ["http://example.invalid/logo.png"]
    spec = JobSpec("job-" + tmp.name, "acc", "editbay/local/video-edit", data)
    result = LocalEngineProvider().run(spec, ctx)
    files = tmp / "data" / "files"
    output = files / result.outputs[0]["video"]
    assert not (files / "work").exists()  # segment pieces, outputs and stills cleaned up
    if fan_out:  # each task recorded where its time went
        assert all({"download", "ffmpeg", "upload"} <= set(t) for t in timings), timings
    stills = {kind: files / result.outputs[0][kind] for kind in ("thumbnail", "poster")}
    return output, {**(result.plan or {}), "stills": stills}, frames


@pytest.mark.slow
@pytest.mark.parametrize(
    ("prompt", "remote"),
    [
        ("make it black and white", False),
        ("make it warmer and turn the volume up", False),
        ("add the logo in the top right corner and make it black and white", True),
    ],
)
def test_joined_output_matches_a_single_pass_render(clip, tmp_path, prompt, remote):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    joined, plan, frames = _run(tmp_path / "a", clip, prompt, fan_out=True, remote=remote)
    single, single_plan, _ = _run(tmp_path / "b", clip, prompt, fan_out=False)
    assert "segment-parallel" in " ".join(plan["notes"]) and len(frames) == 4
    a, b = _luma(joined), _luma(single)
    # same frames: count, duration within a frame, and each join aligned (no dup/drop)
    assert len(a) == len(b) == sum(frames) == 8 * FPS
    from editbay.engine.media import describe

    assert abs(describe(joined).duration - describe(single).duration) <= 1 / FPS + 1e-6
    joins = np.cumsum(frames)[:-1]
    for j in joins:
        for k in range(j - 2, j + 2):
            same = _psnr(a[k], b[k])
            assert same > 35, (k, same)
            assert same > max(_psnr(a[k], b[k - 1]), _psnr(a[k], b[k + 1])) + 5, k
    # audio: one piece, identical to the single pass, no click at the joins
    if "volume" in prompt:
        assert "volume" in [op["op"] for op in plan["operations"]]
    # thumbnail and poster: made by the segment holding the single pass's still frame, same frame
    at = round(8 * FPS / 3)
    assert frames[0] <= at < frames[0] + frames[1]  # made by segment 1, at its frame 17
    for kind in ("thumbnail", "poster"):
        assert plan["stills"][kind].is_file(), kind
    with av.open(str(plan["stills"]["poster"])) as c:
        poster = next(c.decode(video=0)).to_ndarray(format="gray").astype(np.float64)
    with av.open(str(single_plan["stills"]["poster"])) as c:
        single_poster = next(c.decode(video=0)).to_ndarray(format="gray").astype(np.float64)
    assert _psnr(poster, single_poster) > 35
    assert _psnr(poster, a[at]) > max(_psnr(poster, a[at - 1]), _psnr(poster, a[at + 1])) + 3
    (wave, rate), (ref, _) = _audio(joined), _audio(single)
    assert wave.shape == ref.shape and np.allclose(wave, ref, atol=1e-6)
    step = np.abs(np.diff(wave))
    limit = 1.5 * float(np.percentile(step, 99.9))
    for j in joins:
        at = int(j / FPS * rate)
        assert float(step[max(0, at - 2048) : at + 2048].max()) <= limit


@pytest.mark.slow
def test_a_failed_segment_fails_the_job_and_its_pieces_are_deleted(clip, tmp_path):
    with pytest.raises(JobFailed, match="segment 2 failed"):
        _run(tmp_path, clip, "make it black and white", fan_out=True, fail_at=2)
    assert not (tmp_path / "data" / "files" / "work").exists()
