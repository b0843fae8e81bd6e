"""Chaos suites: real processes, PostgreSQL, kill -9. CI sizes by default; the `make chaos-*`
targets raise them with EDITBAY_CHAOS_* knobs (see harness.knob)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from procs import database, postgres_available


@pytest.fixture
def pg_url(tmp_path: Path) -> Iterator[str]:
    if not postgres_available():
        pytest.fail("PostgreSQL on 127.0.0.1:5432 is required by the chaos suites")
    with database("postgres", tmp_path) as url:
        yield url
