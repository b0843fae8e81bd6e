"""API fixtures: an app on each backend, a TestClient, and a funded tenant."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from editbay.api.main import create_app

KLING = "kling-plus/kling-o1-pro/video-edit-fast"
KLING_STD = "kling-plus/kling-o1-standard/video-edit"
LOCAL = "editbay/local/video-edit"


def make_submit_body(model: str = KLING, **input_overrides: Any) -> dict[str, Any]:
    body_input = {
        "prompt": "Add cinematic color grading with teal and orange tones",
        "video_url": "https://example.com/video.mp4",
        "aspect_ratio": "16:9",
    }
    body_input.update(input_overrides)
    return {"model": model, "input": body_input}


@pytest.fixture
def app(database_url: str, make_settings: Callable[..., Any]) -> FastAPI:
    return create_app(make_settings(database_url))


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def lite_app(sqlite_url: str, make_settings: Callable[..., Any]) -> FastAPI:
    return create_app(make_settings(sqlite_url))


@pytest.fixture
def lite_client(lite_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(lite_app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def tenant(client: TestClient, make_tenant: Callable[..., Any]) -> Any:
    return make_tenant(client.app.state.sessionmaker)


@pytest.fixture
def lite_tenant(lite_client: TestClient, make_tenant: Callable[..., Any]) -> Any:
    return make_tenant(lite_client.app.state.sessionmaker)


@pytest.fixture
def submit_body() -> Callable[..., dict[str, Any]]:
    """`submit_body(model=KLING, **input_overrides)`: the seed's example request."""
    return make_submit_body
