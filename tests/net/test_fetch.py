"""Downloads over real loopback HTTP: caps, status codes and content sniffing."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from editbay.errors import EditbayError, ErrorCode
from editbay.net.fetch import fetch_to_file, sniff
from procs import MediaServer, make_clip

MP4 = b"\x00\x00\x00\x18ftypisom" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = MediaServer()
    clip = make_clip(tmp_path_factory.mktemp("m") / "c.mp4", seconds=0.5, audio=False)
    srv.add("/clip.mp4", clip.read_bytes())
    srv.add("/page", b"<!DOCTYPE html><html></html>", "text/html")
    srv.add("/empty", b"")
    srv.add("/image.png", PNG, "image/png")
    srv.add("/missing", b"nope", status=404)
    srv.add("/text", b"just some words here\n", "text/plain")
    srv.redirect("/hop", "/clip.mp4")
    srv.redirect("/to-metadata", "http://169.254.169.254/latest/meta-data/")
    yield srv
    srv.close()


def get(server, path, tmp_path: Path, kind="video", max_bytes=10_000_000, timeout=10.0):
    return fetch_to_file(
        server.url(path), tmp_path / "dl", kind=kind, max_bytes=max_bytes, timeout=timeout, allow_private=True
    )


def test_downloads_a_video_following_a_redirect(server, tmp_path):
    result = get(server, "/hop", tmp_path)
    assert result.format == "mp4" and result.size == result.path.stat().st_size > 1000
    assert result.final_url.endswith("/clip.mp4")


@pytest.mark.parametrize(
    ("path", "kind", "message"),
    [
        ("/page", "video", "web page"),
        ("/empty", "video", "empty"),
        ("/image.png", "video", "image"),
        ("/missing", "video", "404"),
        ("/text", "video", "text"),
        ("/clip.mp4", "image", "not a recognised image"),
        ("/to-metadata", "video", "link-local"),
    ],
)
def test_bad_inputs_are_invalid_input(server, tmp_path, path, kind, message):
    with pytest.raises(EditbayError) as err:
        get(server, path, tmp_path, kind=kind)
    assert err.value.code == ErrorCode.INVALID_INPUT
    assert message in err.value.message


def test_image_kind_accepts_png(server, tmp_path):
    assert get(server, "/image.png", tmp_path, kind="image").format == "png"


def test_declared_size_over_the_cap_is_refused(server, tmp_path):
    with pytest.raises(EditbayError, match="larger than 100 bytes"):
        get(server, "/clip.mp4", tmp_path, max_bytes=100)


class _Endless(BaseHTTPRequestHandler):
    """No Content-Length: the cap must be enforced while streaming; /slow dribbles bytes."""

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.end_headers()
        self.wfile.write(MP4)
        for _ in range(2000):
            try:
                self.wfile.write(b"\x00" * 4096)
                self.wfile.flush()
            except OSError:
                return
            if self.path == "/slow":
                time.sleep(0.05)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def endless():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Endless)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_streamed_size_cap(endless, tmp_path):
    with pytest.raises(EditbayError, match="larger than"):
        fetch_to_file(f"{endless}/big", tmp_path / "dl", max_bytes=50_000, timeout=10, allow_private=True)


def test_time_cap(endless, tmp_path):
    started = time.monotonic()
    with pytest.raises(EditbayError, match="too long|timed out"):
        fetch_to_file(f"{endless}/slow", tmp_path / "dl", max_bytes=10**9, timeout=0.5, allow_private=True)
    assert time.monotonic() - started < 5


def test_loopback_is_refused_without_the_development_setting(server, tmp_path):
    with pytest.raises(EditbayError, match="loopback"):
        fetch_to_file(server.url("/clip.mp4"), tmp_path / "dl", max_bytes=10**7, timeout=5)


@pytest.mark.parametrize(
    ("head", "fmt"),
    [
        (MP4, "mp4"),
        (b"\x1a\x45\xdf\xa3" + b"\x00" * 20, "webm"),
        (b"RIFF\x00\x00\x00\x00AVI LIST", "avi"),
        (b"GIF89a" + b"\x00" * 10, "gif"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 10, "jpeg"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"),
        (b"<html><body>", "html"),
    ],
)
def test_sniff(head, fmt):
    assert sniff(head) == fmt
