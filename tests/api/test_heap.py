"""The serving process's collector (`api.heap`): heap frozen at start-up, unfrozen at shutdown."""

from __future__ import annotations

import gc

from fastapi.testclient import TestClient

from editbay.api.main import create_app


def test_a_running_app_freezes_the_start_up_heap_and_shutdown_undoes_it(sqlite_url, make_settings) -> None:
    before = gc.get_threshold()
    with TestClient(create_app(make_settings(sqlite_url))):
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == before  # thresholds untouched (raising them grew the RSS)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
