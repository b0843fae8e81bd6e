"""Fixtures for the SDK and CLI tests: a scripted HTTP server on 127.0.0.1 and clean env vars."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .scripted_server import ScriptedServer


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as srv:
        yield srv


@pytest.fixture(autouse=True)
def _no_editbay_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests pass base URL and key explicitly unless they set the variables themselves."""
    monkeypatch.delenv("EDITBAY_BASE_URL", raising=False)
    monkeypatch.delenv("EDITBAY_API_KEY", raising=False)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
