"""Where the API's blocking database work runs.

* Reads on SQLite run inline on the event loop: in WAL mode a reader never waits for a writer,
  and a primary-key read (~50 µs) is cheaper than a hop to a worker thread and the GIL
  hand-offs that come with it. On PostgreSQL reads go to worker threads (network round trips),
  at most `READ_THREADS` at a time.
* Writes go to worker threads through a limiter: one at a time on SQLite (it has one writer;
  queueing here, in the event loop, is cheaper than 40 threads fighting over the write lock and
  the GIL), `WRITE_THREADS` on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import anyio

T = TypeVar("T")
READ_THREADS = 16
WRITE_THREADS = 16


def install(state: Any, sqlite: bool) -> None:
    """Create the limiters (inside the running event loop: call from the lifespan)."""
    state.inline_reads = sqlite
    state.read_limiter = anyio.CapacityLimiter(READ_THREADS)
    state.write_limiter = anyio.CapacityLimiter(1 if sqlite else WRITE_THREADS)


async def read(state: Any, fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn(state, *args)``, a short read."""
    if getattr(state, "inline_reads", False):
        return fn(state, *args)
    return await anyio.to_thread.run_sync(partial(fn, state, *args), limiter=state.read_limiter)


async def write(state: Any, fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn(state, *args)``, a write transaction, in a worker thread."""
    return await anyio.to_thread.run_sync(partial(fn, state, *args), limiter=state.write_limiter)
