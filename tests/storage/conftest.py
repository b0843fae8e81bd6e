"""Fixtures: the app served over real loopback HTTP with settings the test chooses."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from editbay.api.main import create_app
from procs import AppServer, free_port

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))


@pytest.fixture
def serve(make_settings: Callable[..., Any]) -> Iterator[Callable[..., AppServer]]:
    """``serve(database_url, **settings)`` → a running AppServer (stopped after the test)."""
    servers: list[AppServer] = []

    def start(database_url: str, **overrides: Any) -> AppServer:
        port = free_port()
        values = {
            "host": "127.0.0.1",
            "port": port,
            "public_base_url": f"http://127.0.0.1:{port}",
            **overrides,
        }
        app = create_app(make_settings(database_url, **values))
        server = AppServer(app, port).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)
