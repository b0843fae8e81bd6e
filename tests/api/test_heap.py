"""The serving process's collector settings (`api.heap`): set at start-up, undone at shutdown."""

from __future__ import annotations

import gc

from fastapi.testclient import TestClient

from editbay.api import heap
from editbay.api.main import create_app


def test_a_running_app_freezes_the_start_up_heap_and_shutdown_undoes_it(sqlite_url, make_settings) -> None:
    before = gc.get_threshold()
    with TestClient(create_app(make_settings(sqlite_url))):
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] >= heap.YOUNG_THRESHOLD
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
