"""Where the API's blocking database reads run (writes: `store.groupcommit`).

Reads on SQLite run inline on the event loop: in WAL mode a reader never waits for a writer,
and a primary-key read (~50 µs) is cheaper than a hop to a worker thread and the GIL hand-offs
that come with it. On PostgreSQL reads go to worker threads (network round trips), at most
`READ_THREADS` at a time. (`GET /v1/jobs/{id}` has its own driver-level reader: `store.reads`.)
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import anyio

T = TypeVar("T")
READ_THREADS = 16


def install(state: Any, sqlite: bool) -> None:
    """Create the limiter (inside the running event loop: call from the lifespan)."""
    state.inline_reads = sqlite
    state.read_limiter = anyio.CapacityLimiter(READ_THREADS)


async def read(state: Any, fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn(state, *args)``, a short read."""
    if getattr(state, "inline_reads", False):
        return fn(state, *args)
    return await anyio.to_thread.run_sync(partial(fn, state, *args), limiter=state.read_limiter)
