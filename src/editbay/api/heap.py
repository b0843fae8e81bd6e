"""The garbage collector of a serving process: the start-up heap frozen.

A started server holds ~170,000 long-lived objects (FastAPI, SQLAlchemy, Pydantic, the engine's
tables). Under load, the objects of the requests in flight are promoted to the old generation,
so a full collection came about once a second and walked the whole heap: 40–180 ms with the
event loop stopped — the p99 latency of every endpoint (docs/performance.md). So, once started,
the heap is frozen (`gc.freeze`, no collection first: that would cost a start-up in the tests
100 ms, and the little start-up garbage is released at shutdown): full collections skip it from
then on (a few ms).

The collection thresholds stay as they are: raising the young generation's (fewer collections,
less collector CPU per request) let cyclic garbage pile up between the rarer full collections —
+50 % RSS in a minute of mixed traffic (tests/chaos/test_load_soak.py), against flat with the
default thresholds. Cyclic garbage is still collected; only objects alive at start-up are exempt
until `release`, which undoes the freeze at shutdown (tests start many apps in one process).
"""

from __future__ import annotations

import gc

_frozen = 0


def settle() -> None:
    """After start-up: freeze the heap."""
    global _frozen
    gc.freeze()
    _frozen += 1


def release() -> None:
    """At shutdown: the frozen objects collectable again (once the last app has stopped)."""
    global _frozen
    _frozen = max(0, _frozen - 1)
    if not _frozen:
        gc.unfreeze()
