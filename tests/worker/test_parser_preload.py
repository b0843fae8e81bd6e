"""A worker process loads the parser's optional embedding fallback when it starts, not on its first job."""

from __future__ import annotations

import sys

import pytest

from editbay.engine.parse import _embed
from editbay.store.db import make_engine
from editbay.worker.embedded import start_embedded
from editbay.worker.pool import WorkerPool
from editbay.worker.services import Services


def _services(make_settings, database_url: str, **overrides) -> Services:
    settings = make_settings(database_url, allow_private_urls=True, poll_interval_seconds=0.2, **overrides)
    return Services.from_settings(settings, make_engine(database_url))


@pytest.fixture
def fresh_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget any model loaded earlier in this process (restored afterwards)."""
    monkeypatch.setattr(_embed, "_state", {})


@pytest.mark.skipif(_embed.model_dir() is None, reason="the embeddings extra is not installed")
def test_a_started_worker_has_the_embedding_model_loaded(
    make_settings, database_url, fresh_parser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EDITBAY_PARSE_EMBEDDINGS", raising=False)
    services = _services(make_settings, database_url)
    pool = WorkerPool(services, 1, burst=True, deliver_webhooks=False).start()
    try:
        assert pool.parser_ready.wait(120)
        assert _embed._state.get("matcher") is not None
    finally:
        assert pool.join(60)
        services.close()


@pytest.mark.skipif(_embed.model_dir() is None, reason="the embeddings extra is not installed")
def test_the_embedded_pool_of_serve_loads_it_too(
    make_settings, database_url, fresh_parser, monkeypatch
) -> None:
    monkeypatch.delenv("EDITBAY_PARSE_EMBEDDINGS", raising=False)
    settings = make_settings(database_url, allow_private_urls=True, workers=1, poll_interval_seconds=0.2)
    handle = start_embedded(settings)
    try:
        assert handle.pool is not None and handle.pool.parser_ready.wait(120)
        assert _embed._state.get("matcher") is not None
    finally:
        handle.stop(0)


def test_a_worker_starts_without_the_extra(make_settings, database_url, fresh_parser, monkeypatch) -> None:
    monkeypatch.setattr(_embed, "model_dir", lambda: None)  # as if the extra were not installed
    services = _services(make_settings, database_url)
    pool = WorkerPool(services, 1, burst=True, deliver_webhooks=False).start()
    try:
        assert pool.parser_ready.wait(30)
        assert _embed._state == {"matcher": None}
    finally:
        assert pool.join(60)
        services.close()


def test_a_failing_model_load_does_not_stop_the_worker(
    make_settings, database_url, fresh_parser, monkeypatch
) -> None:
    def broken() -> bool:
        raise OSError("model file unreadable")

    monkeypatch.setattr(sys.modules["editbay.engine.parse"], "preload_embeddings", broken)
    services = _services(make_settings, database_url)
    pool = WorkerPool(services, 1, burst=True, deliver_webhooks=False).start()
    try:
        assert pool.parser_ready.wait(30)
    finally:
        assert pool.join(60)
        services.close()
