"""Fixtures for the web playground's browser tests: one real `editbay serve` (embedded worker,
temp data dir, SQLite) per module, an API key, and headless Debian Chromium driven by Playwright.

Debian's Chromium at /usr/bin/chromium is required (browser downloads do not work here). Without
it, or without the `playwright` package, the tests skip locally — and FAIL under CI=true, where
`.ci/run` installs the `chromium` package with apt-get.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from procs import Proc, base_env, create_key, database, start_server

CHROMIUM = os.environ.get("EDITBAY_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
IN_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")
#: copy screenshots here too (e.g. docs/screenshots) when set
SCREENSHOT_DIR = os.environ.get("EDITBAY_TEST_SCREENSHOT_DIR")


def unavailable(reason: str) -> None:
    """Skip locally; in CI the browser tests must run, so a missing browser is a failure."""
    if IN_CI:
        pytest.fail(
            f"{reason} — CI=true: the browser tests must run (.ci/run installs chromium)", pytrace=False
        )
    pytest.skip(reason)


@dataclass
class WebServer:
    base: str
    key: str
    env: dict[str, str]
    tmp: Path
    proc: Proc
    extra_keys: dict[str, str] = field(default_factory=dict)

    def key_for(self, account: str) -> str:
        """A key of another account (its own jobs list), created once."""
        if account not in self.extra_keys:
            self.extra_keys[account] = create_key(self.env, account=account, balance=100_000_000)
        return self.extra_keys[account]


@pytest.fixture(scope="session")
def sync_playwright_api() -> Any:
    if not Path(CHROMIUM).exists():
        unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (pip install playwright)")
    return sync_playwright


@pytest.fixture(scope="session")
def browser(sync_playwright_api: Any) -> Iterator[Any]:
    from playwright.sync_api import expect

    expect.set_options(timeout=20_000)
    with sync_playwright_api() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def web_server(tmp_path_factory: pytest.TempPathFactory, sync_playwright_api: Any) -> Iterator[WebServer]:
    tmp = tmp_path_factory.mktemp("web")
    with database("sqlite", tmp) as url:
        env = base_env(tmp, url)
        key = create_key(env, account="web", balance=100_000_000)
        proc, base = start_server(env, tmp, workers=1)
        try:
            yield WebServer(base, key, env, tmp, proc)
        finally:
            proc.stop()


@pytest.fixture
def new_page(browser: Any, web_server: WebServer) -> Iterator[Callable[..., Any]]:
    """``new_page(**context_options)``: a fresh browser context (empty local storage) with the
    playground loaded. Uncaught script errors in any of the test's pages fail the test."""
    errors: list[str] = []
    contexts: list[Any] = []

    def factory(**context: Any) -> Any:
        context.setdefault("viewport", {"width": 1280, "height": 900})
        ctx = browser.new_context(**context)
        contexts.append(ctx)
        page = ctx.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(web_server.base + "/")
        page.wait_for_selector("body[data-ready='true']")
        return page

    yield factory
    for ctx in contexts:
        ctx.close()
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    return new_page()


@pytest.fixture
def screenshot() -> Callable[[Any, Path], Path]:
    """``screenshot(page, path)``: a full-page PNG (also copied to $EDITBAY_TEST_SCREENSHOT_DIR)."""

    def take(page: Any, path: Path) -> Path:
        page.screenshot(path=str(path), full_page=True)
        if SCREENSHOT_DIR:
            Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(SCREENSHOT_DIR) / path.name)
        return path

    return take
