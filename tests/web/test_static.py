"""The playground's static files, without a browser: served at `/` and `/static/…` with the right
types and a strict CSP, shipped as package data, and free of patterns the CSP or the
"API text is never HTML" rule forbid (inline scripts/styles/handlers, innerHTML, eval)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from editbay.api.main import create_app
from editbay.api.routes.web import web_root

WEB = web_root()
FORBIDDEN_JS = ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function")


@pytest.fixture
def client(make_settings: Any, sqlite_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(sqlite_url)), raise_server_exceptions=False) as c:
        yield c


def static_files() -> list[Path]:
    return sorted(p for p in WEB.rglob("*") if p.is_file() and p.suffix != ".pyc")


def test_page_and_assets_are_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    csp = page.headers["content-security-policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'"):
        assert directive in csp
    assert "unsafe" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"

    referenced = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
    assert "/static/app.css" in referenced and "/static/js/main.js" in referenced
    for js in (WEB / "static" / "js").glob("*.js"):
        for name in re.findall(r'from "\./([\w.-]+\.js)"', js.read_text()):
            referenced.append(f"/static/js/{name}")
    types = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
    for url in set(referenced):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["content-type"] == types[Path(url).suffix], url


@pytest.mark.parametrize(
    "path",
    ["/static/%2e%2e/__init__.py", "/static/../index.html", "/static/nope.js", "/static/js", "/static/"],
)
def test_only_existing_assets_inside_the_folder_are_served(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


def test_playground_routes_are_not_in_the_api_spec(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/" not in paths and not any(p.startswith("/static") for p in paths)


def test_files_are_package_data() -> None:
    """pyproject ships `**/*.html`, `**/*.js`, `**/*.css` of the editbay package: nothing else here."""
    files = static_files()
    assert {p.relative_to(WEB).as_posix() for p in files} >= {
        "index.html",
        "static/app.css",
        "static/js/main.js",
    }
    assert {p.suffix for p in files} <= {".html", ".js", ".css", ".py"}
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    for pattern in ("**/*.html", "**/*.js", "**/*.css"):
        assert f'"{pattern}"' in pyproject


def test_no_inline_code_and_no_html_from_strings() -> None:
    html = (WEB / "index.html").read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.search(r"\sstyle=", html), "inline style attribute (CSP style-src 'self')"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    for js in (WEB / "static" / "js").glob("*.js"):
        text = js.read_text()
        for forbidden in FORBIDDEN_JS:
            assert forbidden not in text, f"{js.name} uses {forbidden}"
        assert 'setAttribute("style"' not in text
