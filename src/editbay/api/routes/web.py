"""The web playground: ``GET /`` (the page) and ``GET /static/{path}`` (its CSS and JS modules).

Plain static files from the package's ``editbay/web`` folder (package data, no build step). The
page talks to the public API with the key the person enters; nothing here needs a key. Responses
carry a strict Content-Security-Policy: scripts and styles only from this origin (no inline
code), media and uploads may go to the storage's own origin (signed editbay links or S3).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from editbay.errors import EditbayError, ErrorCode

router = APIRouter(tags=["playground"], include_in_schema=False)

MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob: http: https:",
        "media-src 'self' blob: http: https:",
        "connect-src 'self' http: https:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def web_root() -> Path:
    """The folder holding ``index.html`` and ``static/`` (a real directory: editable or wheel)."""
    return Path(str(resources.files("editbay.web")))


def _file(relative: str) -> FileResponse:
    root = web_root().resolve()
    path = (root / relative).resolve()
    if root not in path.parents or path.suffix not in MEDIA_TYPES or not path.is_file():
        raise EditbayError(ErrorCode.NOT_FOUND, "no such file")
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], headers=HEADERS)


@router.get("/")
async def playground() -> FileResponse:
    return _file("index.html")


@router.get("/static/{path:path}")
async def static_file(path: str) -> FileResponse:
    return _file(f"static/{path}")
