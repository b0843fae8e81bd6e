"""Download job inputs safely: SSRF guard on every hop, size and time caps, content sniffing.

    fetch_to_file(url, dest, kind="video", ...) -> FetchResult

Redirects are followed by hand (at most 5), each target checked again. The body is streamed to
disk and cut off at ``max_bytes``; the whole download has one deadline. The first bytes must
look like the expected kind of media (a video container, or an image), so an HTML error page or
a JPEG given as a video fails early with INVALID_INPUT instead of deep inside the decoder.
Every failure is an `EditbayError` with code INVALID_INPUT.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from editbay.errors import EditbayError, ErrorCode
from editbay.net.guard import Resolver, guarded_send, make_client

MAX_REDIRECTS = 5
VIDEO_FORMATS = {"mp4", "webm", "avi", "mpegts", "mpeg"}
IMAGE_FORMATS = {"gif", "png", "jpeg", "webp"}


@dataclass(frozen=True)
class FetchResult:
    """A downloaded file: where it is, its size, the sniffed format and the final URL."""

    path: Path
    size: int
    format: str
    final_url: str


def sniff(head: bytes) -> str | None:
    """The container/image format the first bytes announce, ``html``/``text``, or None."""
    if len(head) >= 12 and head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip"):
        return "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if len(head) > 188 and head[0] == 0x47 and head[188] == 0x47:
        return "mpegts"
    if head.startswith(b"\x00\x00\x01\xba") or head.startswith(b"\x00\x00\x01\xb3"):
        return "mpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml", b"<svg")):
        return "html"
    if head and all(b in b"\t\n\r" or 32 <= b < 127 for b in head[:256]):
        return "text"
    return None


def require_kind(path: Path, kind: str, what: str = "input") -> str:
    """Check that the file at ``path`` is the expected kind of media; return its format."""
    with open(path, "rb") as fh:
        head = fh.read(512)
    if not head:
        raise EditbayError(ErrorCode.INVALID_INPUT, f"{what} is empty (0 bytes)")
    fmt = sniff(head)
    allowed = VIDEO_FORMATS if kind == "video" else IMAGE_FORMATS
    if fmt in allowed:
        return fmt
    if fmt in ("html", "text"):
        raise EditbayError(ErrorCode.INVALID_INPUT, f"{what} is a web page or text, not a {kind}")
    if kind == "video" and fmt in IMAGE_FORMATS:
        raise EditbayError(ErrorCode.INVALID_INPUT, f"{what} is an image ({fmt}), not a video")
    raise EditbayError(ErrorCode.INVALID_INPUT, f"{what} is not a recognised {kind} format")


def fetch_to_file(
    url: str,
    dest: Path,
    *,
    kind: str = "video",
    max_bytes: int,
    timeout: float,
    allow_private: bool = False,
    resolver: Resolver | None = None,
    what: str = "input.video_url",
) -> FetchResult:
    """Download ``url`` to ``dest`` under the SSRF policy and the caps; sniff the content."""
    deadline = time.monotonic() + timeout
    current = url
    try:
        with make_client(min(timeout, 30.0)) as client:
            for _hop in range(MAX_REDIRECTS + 1):
                response = guarded_send(
                    client,
                    "GET",
                    current,
                    allow_private=allow_private,
                    resolver=resolver,
                    what=what,
                    stream=True,
                )
                try:
                    if response.is_redirect:
                        location = response.headers.get("location", "")
                        if not location:
                            raise EditbayError(
                                ErrorCode.INVALID_INPUT, f"{what}: redirect without a location"
                            )
                        current = str(httpx.URL(current).join(location))
                        continue
                    if response.status_code != 200:
                        raise EditbayError(
                            ErrorCode.INVALID_INPUT,
                            f"{what}: the server answered HTTP {response.status_code}",
                        )
                    declared = response.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > max_bytes:
                        raise EditbayError(
                            ErrorCode.INVALID_INPUT, f"{what} is larger than {max_bytes} bytes"
                        )
                    size = _stream_to(response, dest, max_bytes, deadline, what)
                finally:
                    response.close()
                fmt = require_kind(dest, kind, what)
                return FetchResult(path=dest, size=size, format=fmt, final_url=current)
            raise EditbayError(ErrorCode.INVALID_INPUT, f"{what}: more than {MAX_REDIRECTS} redirects")
    except httpx.TimeoutException as exc:
        raise EditbayError(ErrorCode.INVALID_INPUT, f"{what}: download timed out") from exc
    except httpx.HTTPError as exc:
        raise EditbayError(
            ErrorCode.INVALID_INPUT, f"{what}: download failed ({type(exc).__name__})"
        ) from exc


def _stream_to(response: httpx.Response, dest: Path, max_bytes: int, deadline: float, what: str) -> int:
    size = 0
    with open(dest, "wb") as out:
        for chunk in response.iter_bytes(1024 * 256):
            size += len(chunk)
            if size > max_bytes:
                raise EditbayError(ErrorCode.INVALID_INPUT, f"{what} is larger than {max_bytes} bytes")
            if time.monotonic() > deadline:
                raise EditbayError(ErrorCode.INVALID_INPUT, f"{what}: download took too long")
            out.write(chunk)
    return size
