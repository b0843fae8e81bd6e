"""`run()` and `render()`: progress, cancellation, failures, atomic output, temp files, public API."""

from __future__ import annotations

import importlib
import threading
import time
from pathlib import Path

import pytest

import editbay.engine as engine
from editbay.engine.errors import RenderCancelled, RenderFailed, UnsupportedEdit
from editbay.engine.media import ffmpeg_exe
from editbay.engine.ops import EditPlan, Grade, Text
from editbay.engine.render import RecordingRunner, render, run
from editbay.engine.render.runner import parse_progress


def test_engine_public_surface() -> None:
    assert set(engine.__all__) == {
        "EditPlan", "EngineError", "InvalidMedia", "Limits", "MediaInfo", "ProbedMedia", "RenderCancelled",
        "RenderFailed", "RenderResult", "UnsupportedEdit", "check_limits", "parse", "plan_edit", "probe",
        "render",
    }
    assert all(hasattr(engine, name) for name in engine.__all__)


def test_render_public_surface() -> None:
    # `editbay.engine.render` as an attribute is the function; the module is in sys.modules
    r = importlib.import_module("editbay.engine.render")

    assert set(r.__all__) == {
        "PRESET_LOOKS", "Chain", "CompiledRender", "Filter", "FontSet", "Graph", "RecordingRunner",
        "RenderInputs", "RenderResult", "Runner", "build", "compile", "default_threads", "escape", "filter",
        "find_fonts", "render", "run",
    }
    assert all(hasattr(r, name) for name in r.__all__)


@pytest.mark.parametrize(("line", "value"), [
    ("out_time_us=1500000", 0.5), ("out_time_ms=3000000", 1.0), ("out_time_us=-9223372036854775807", 0.0),
    ("progress=end", 1.0), ("progress=continue", None), ("frame=12", None), ("out_time_us=N/A", None),
])
def test_parse_progress(line: str, value: float | None) -> None:
    assert parse_progress(line, 3.0) == value


def _encode_argv(out: Path, seconds: float, size: str = "320x180") -> list[str]:
    return [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
            f"testsrc2=size={size}:rate=30:duration={seconds}", "-c:v", "libx264", "-preset", "ultrafast",
            "-progress", "pipe:1", "-nostats", "-f", "mp4", str(out)]


@pytest.mark.slow
def test_run_reports_monotonic_progress_ending_at_one(tmp_path: Path) -> None:
    seen: list[float] = []
    run(_encode_argv(tmp_path / "o.mp4", 3.0), 3.0, seen.append)
    assert seen[-1] == 1.0 and seen == sorted(seen) and all(0 <= v <= 1 for v in seen)


@pytest.mark.slow
def test_cancel_kills_ffmpeg_within_a_second(tmp_path: Path) -> None:
    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(RenderCancelled):
        run(_encode_argv(tmp_path / "o.mp4", 120.0, "1920x1080"), 120.0, None, cancel)
    assert time.monotonic() - started < 1.6


def test_cancel_before_start_never_starts(tmp_path: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(RenderCancelled):
        run(["/nonexistent/ffmpeg"], 1.0, None, cancel)


def test_failure_carries_argv_and_stderr_tail(tmp_path: Path) -> None:
    argv = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-f", "lavfi", "-i", "testsrc2=d=0.1",
            "-vf", "nosuchfilter", "-f", "null", "-"]
    with pytest.raises(RenderFailed) as info:
        run(argv, 0.1)
    assert info.value.argv == argv and "nosuchfilter" in info.value.stderr_tail
    assert "nosuchfilter" in str(info.value) or "No such filter" in info.value.stderr_tail


def test_missing_binary_is_a_render_failure() -> None:
    with pytest.raises(RenderFailed, match="could not start ffmpeg"):
        run(["/nonexistent/ffmpeg", "-version"], 1.0)


def test_empty_plan_is_refused_before_any_work(clip: Path, tmp_path: Path) -> None:
    runner = RecordingRunner()
    with pytest.raises(UnsupportedEdit):
        render(EditPlan(), clip, tmp_path / "o.mp4", runner=runner)
    assert runner.calls == []


def test_failed_render_leaves_no_output_and_no_temp_files(clip: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    seen: dict[str, object] = {}

    def failing(argv, duration, on_progress=None, cancel=None):  # noqa: ANN001, ANN202
        text_files = [Path(a.split("textfile=")[1].split(":")[0]) for a in argv if "textfile=" in a]
        seen["files"] = [(p, p.read_text()) for p in text_files]
        Path(argv[-1]).write_bytes(b"partial")
        raise RenderFailed("boom", argv, "tail")

    with pytest.raises(RenderFailed):
        render(EditPlan(operations=[Text(text="Hi: there")]), clip, tmp_path / "o.mp4", runner=failing,
               workdir=work)
    assert [content for _, content in seen["files"]] == ["Hi: there"]  # type: ignore[union-attr]
    assert not (tmp_path / "o.mp4").exists()
    assert list(work.iterdir()) == [] and [p.name for p in tmp_path.iterdir()] == ["work"]


def test_an_unreadable_output_is_a_failure_and_is_removed(clip: Path, tmp_path: Path) -> None:
    def garbage(argv, duration, on_progress=None, cancel=None):  # noqa: ANN001, ANN202
        Path(argv[argv.index("mp4") + 1]).write_bytes(b"not an mp4")

    with pytest.raises(RenderFailed, match="unreadable output"):
        render(EditPlan(operations=[Grade(style="warm")]), clip, tmp_path / "o.mp4", runner=garbage)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_render_returns_measured_result_with_stills(clip: Path, tmp_path: Path) -> None:
    progress: list[float] = []
    result = render(EditPlan(operations=[Grade(style="black_white")]), clip, tmp_path / "out" / "o.mp4",
                    on_progress=progress.append, threads=1)
    assert (result.width, result.height, result.has_audio) == (320, 180, True)
    assert result.duration == pytest.approx(2.0, abs=0.05)
    assert result.size_bytes == result.output.stat().st_size > 0
    for still in (result.thumbnail, result.poster):
        assert still.read_bytes()[:2] == b"\xff\xd8"
    assert progress[-1] == 1.0
    assert result.argv[0] == ffmpeg_exe() and "-threads" in result.argv
    assert sorted(p.name for p in result.output.parent.iterdir()) == ["o.mp4", "o.poster.jpg", "o.thumb.jpg"]


@pytest.mark.slow
def test_render_cancel_removes_the_partial_output(clip: Path, tmp_path: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(RenderCancelled):
        render(EditPlan(operations=[Grade(style="warm")]), clip, tmp_path / "o.mp4", cancel=cancel)
    assert list(tmp_path.iterdir()) == []
