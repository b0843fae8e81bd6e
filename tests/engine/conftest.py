"""Engine test fixtures: tiny generated clips (session-scoped) and golden-compile helpers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from media_utils import Video, load, make_clip, make_image

from editbay.engine.media import ProbedMedia
from editbay.engine.ops import EditPlan
from editbay.engine.render import CompiledRender, RenderInputs, RenderResult, build, render
from editbay.engine.render.fonts import Font, FontSet

# A probe result for golden tests: 640x360, 6 s, 30 fps, H.264 + AAC.
MEDIA = ProbedMedia(width=640, height=360, duration=6.0, fps=30.0, has_audio=True, video_codec="h264",
                    pix_fmt="yuv420p", audio_codec="aac", path="in.mp4", size_bytes=1000)
FONTS = FontSet((Font("/fonts/Latin-Bold.ttf", frozenset(range(32, 0x0530))),
                 Font("/fonts/CJK-Bold.ttc", frozenset(range(32, 127)) | frozenset(range(0x4E00, 0xA000)))))
INPUTS = RenderInputs(input=Path("in.mp4"), output=Path("out.mp4"), images=(Path("logo.png"),),
                      workdir=Path("/w"), ffmpeg="ffmpeg", fonts=FONTS)


def graph_of(ops: Sequence[object], media: ProbedMedia = MEDIA, **changes: object) -> str:
    """The -filter_complex value compiled for ``ops`` (golden tests)."""
    return build(EditPlan(operations=list(ops)), media, _inputs(**changes)).graph


def build_of(ops: Sequence[object], media: ProbedMedia = MEDIA, **changes: object) -> CompiledRender:
    return build(EditPlan(operations=list(ops)), media, _inputs(**changes))


def argv_of(ops: Sequence[object], media: ProbedMedia = MEDIA, **changes: object) -> list[str]:
    return list(build(EditPlan(operations=list(ops)), media, _inputs(**changes)).argv)


def _inputs(**changes: object) -> RenderInputs:
    from dataclasses import replace

    return replace(INPUTS, **changes)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("engine_media")


@pytest.fixture(scope="session")
def clip(media_dir: Path) -> Path:
    """320x180, 2 s, 30 fps testsrc2 (moving, sharp edges; colours softened so that saturation and
    tint can move both ways) + 440 Hz AAC."""
    return make_clip(media_dir / "clip.mp4", vf="eq=saturation=0.55:contrast=0.85")


@pytest.fixture(scope="session")
def clip_video(clip: Path) -> Video:
    return load(clip)


@pytest.fixture(scope="session")
def silent_clip(media_dir: Path) -> Path:
    return make_clip(media_dir / "silent.mp4", audio=False)


@pytest.fixture(scope="session")
def gray_clip(media_dir: Path) -> Path:
    """Flat mid-grey frames (noise and vignette are easy to measure on it)."""
    return make_clip(media_dir / "gray.mp4", source="color=c=0x808080", duration=1.0)


@pytest.fixture(scope="session")
def logo(media_dir: Path) -> Path:
    return make_image(media_dir / "logo.png")


@pytest.fixture
def render_ops(tmp_path: Path, clip: Path) -> Callable[..., tuple[RenderResult, Video]]:
    """Render ``ops`` on ``src`` (default: the testsrc2 clip) and load the output for measuring."""

    def run(ops: Sequence[object], src: Path | None = None, name: str = "out.mp4",
            **kwargs: object) -> tuple[RenderResult, Video]:
        result = render(EditPlan(operations=list(ops)), src or clip, tmp_path / name, **kwargs)  # type: ignore[arg-type]
        return result, load(result.output)

    return run
