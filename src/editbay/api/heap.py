"""The garbage collector of a serving process: the start-up heap frozen, young collections rarer.

A started server holds ~170,000 long-lived objects (FastAPI, SQLAlchemy, Pydantic, the engine's
tables). Under load, the objects of the requests in flight are promoted to the old generation
at every young collection (every 700 net allocations, i.e. a few requests), so a full collection
came about once a second and walked the whole heap: 40–100 ms with the event loop stopped — the
p99 latency of every endpoint (docs/performance.md). So, once started:

* the heap is frozen (`gc.freeze`, no collection first: that would cost a start-up in the tests
  100 ms, and the little start-up garbage is released at shutdown): full collections skip it
  from then on (a few ms);
* the first generation's threshold goes from 700 to `YOUNG_THRESHOLD`: a request's objects are
  mostly freed by reference counting before a collection sees them, and collections become
  rarer (a tenth of the collector's CPU per request).

Cyclic garbage is still collected; only objects alive at start-up are exempt until `release`,
which undoes both at shutdown (tests start many apps in one process).
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 20_000

_saved: list[tuple[int, ...]] = []


def settle() -> None:
    """After start-up: freeze the heap, raise the young threshold."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], YOUNG_THRESHOLD), *threshold[1:])
    _saved.append(threshold)


def release() -> None:
    """At shutdown: the collector as it was (the frozen objects collectable again)."""
    if _saved:
        gc.set_threshold(*_saved.pop())
    if not _saved:
        gc.unfreeze()
