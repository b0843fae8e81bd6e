"""probe(): facts about good inputs and useful refusals of bad ones; limits; stills; ffmpeg lookup."""

from __future__ import annotations

from pathlib import Path

import pytest
from media_utils import ffmpeg, make_clip, make_image

from editbay.engine.errors import InvalidMedia, RenderFailed
from editbay.engine.media import (
    Limits,
    ProbedMedia,
    check_image,
    check_limits,
    describe,
    ffmpeg_exe,
    poster,
    probe,
    thumbnail,
)
from editbay.engine.ops import MediaInfo


def test_probe_reports_size_duration_rate_codecs(clip: Path) -> None:
    info = probe(clip)
    assert isinstance(info, MediaInfo) and isinstance(info, ProbedMedia)
    assert (info.width, info.height, info.fps, info.rotation) == (320, 180, 30.0, 0)
    assert info.duration == pytest.approx(2.0, abs=0.05)
    assert info.has_audio and info.audio_codec == "aac" and info.sample_rate == 48000
    assert (info.video_codec, info.pix_fmt) == ("h264", "yuv420p")
    assert info.size_bytes == clip.stat().st_size


def test_probe_silent_clip(silent_clip: Path) -> None:
    info = probe(silent_clip)
    assert not info.has_audio and info.audio_codec is None


def test_probe_applies_phone_rotation(media_dir: Path) -> None:
    info = probe(make_clip(media_dir / "rot270.mp4", rotate=90, duration=1.0))
    assert (info.width, info.height) == (180, 320) and info.rotation in (90, 270)


@pytest.mark.parametrize(("content", "message"), [
    (b"", "empty"),
    (b"<!DOCTYPE html><html><body>403 Forbidden</body></html>", "web page"),
    (b"   <html><head><title>Sign in</title>", "web page"),
    (b'{"error": "not found"}', "JSON"),
    (b"\x00\x01garbage" * 100, "not a readable video"),
])
def test_probe_explains_non_videos(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "upload.mp4"
    path.write_bytes(content)
    with pytest.raises(InvalidMedia, match=message):
        probe(path)


def test_probe_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidMedia, match="not found"):
        probe(tmp_path / "nope.mp4")


@pytest.mark.parametrize("suffix", ["png", "jpg"])
def test_probe_refuses_a_still_image(tmp_path: Path, suffix: str) -> None:
    image = make_image(tmp_path / f"photo.{suffix}")
    renamed = image.rename(tmp_path / "photo.mp4")
    with pytest.raises(InvalidMedia, match="still image"):
        probe(renamed)


def test_probe_refuses_audio_only(tmp_path: Path) -> None:
    path = tmp_path / "song.m4a"
    ffmpeg("-f", "lavfi", "-i", "sine=d=1", "-c:a", "aac", str(path))
    with pytest.raises(InvalidMedia, match="audio but no video"):
        probe(path)


def test_probe_refuses_a_file_cut_short(clip: Path, tmp_path: Path) -> None:
    data = clip.read_bytes()
    head = tmp_path / "head.mp4"  # moov atom at the end (ffmpeg's default): lost entirely
    head.write_bytes(data[: len(data) // 2])
    with pytest.raises(InvalidMedia):
        probe(head)


def test_probe_refuses_a_faststart_file_cut_short(tmp_path: Path) -> None:
    full = tmp_path / "full.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=4", "-c:v", "libx264", "-preset",
           "ultrafast", "-movflags", "+faststart", str(full))
    data = full.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 3])
    with pytest.raises(InvalidMedia, match="truncated|decoded"):
        probe(cut)


def test_probe_refuses_absurd_declared_dimensions(tmp_path: Path) -> None:
    small = tmp_path / "small.mkv"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=0.2", "-c:v", "rawvideo",
           "-pix_fmt", "yuv420p", str(small))
    data = small.read_bytes()  # Matroska PixelWidth element: 0xB0, size 2, value 320 -> 30000
    assert data.count(b"\xb0\x82\x01\x40") == 1
    bomb = tmp_path / "bomb.mkv"
    bomb.write_bytes(data.replace(b"\xb0\x82\x01\x40", b"\xb0\x82\x75\x30"))
    with pytest.raises(InvalidMedia, match="implausible size 30000x180"):
        probe(bomb)


@pytest.mark.parametrize(("info", "message"), [
    (MediaInfo(width=640, height=360, duration=601.0), "601.0 s long"),
    (MediaInfo(width=7680, height=4320, duration=5.0), "7680x4320"),
    (ProbedMedia(width=640, height=360, duration=5.0, size_bytes=3 * 1024**3), "MB"),
])
def test_limits_name_what_is_exceeded(info: MediaInfo, message: str) -> None:
    with pytest.raises(InvalidMedia, match=message):
        check_limits(info, Limits())


def test_limits_allow_portrait_4k_and_can_be_lifted() -> None:
    check_limits(MediaInfo(width=2160, height=3840, duration=60.0), Limits())
    check_limits(MediaInfo(width=7680, height=4320, duration=5000.0),
                 Limits(max_duration=None, max_width=None, max_height=None))


def test_describe_reads_an_output_without_decoding(clip: Path, tmp_path: Path) -> None:
    info = describe(clip)
    assert (info.width, info.height, info.has_audio) == (320, 180, True)
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"nope")
    with pytest.raises(InvalidMedia):
        describe(bad)


def test_check_image_accepts_images_and_explains_the_rest(logo: Path, tmp_path: Path, clip: Path) -> None:
    assert check_image(logo) == (64, 48)
    page = tmp_path / "logo.png"
    page.write_bytes(b"<?xml version='1.0'?><Error><Code>AccessDenied</Code></Error>")
    with pytest.raises(InvalidMedia, match="image 1 is a web page or XML document, not an image"):
        check_image(page, "image 1")
    with pytest.raises(InvalidMedia, match="missing"):
        check_image(tmp_path / "none.png")
    broken = tmp_path / "broken.png"
    broken.write_bytes(logo.read_bytes()[:40])
    with pytest.raises(InvalidMedia, match="not a readable image|unusable size"):
        check_image(broken)


def test_thumbnail_and_poster_are_jpegs(clip: Path, tmp_path: Path) -> None:
    import av

    thumb = thumbnail(clip, tmp_path / "t.jpg", at=0.5, width=160)
    post = poster(clip, tmp_path / "p.jpg", at=0.5)
    for path, width in ((thumb, 160), (post, 320)):
        assert path.read_bytes()[:2] == b"\xff\xd8"
        with av.open(str(path)) as c:
            assert c.streams.video[0].codec_context.width == width


def test_still_failure_is_a_render_failure(tmp_path: Path) -> None:
    with pytest.raises(RenderFailed):
        thumbnail(tmp_path / "missing.mp4", tmp_path / "t.jpg")


def test_ffmpeg_exe_prefers_the_bundled_binary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EDITBAY_FFMPEG", raising=False)
    assert "imageio_ffmpeg" in ffmpeg_exe()
    monkeypatch.setenv("EDITBAY_FFMPEG", "/nonexistent/ffmpeg")
    with pytest.raises(RenderFailed, match="EDITBAY_FFMPEG"):
        ffmpeg_exe()
