"""Group commit: the writes of many concurrent requests in one transaction with one COMMIT.

A request awaits `GroupCommit.run(item)`. Items that arrive while a group is being written form
the next group, so under load one transaction (and, on PostgreSQL, one fsync and a handful of
round trips) serves many requests, while a lone request is a group of one and waits for nobody.
``write(items)`` runs one group and returns one result per item, in order — a value, or the
exception that item alone ends with (so a refused or failing request never fails the others).
Every request gets its result only after its group's COMMIT returned.

Groups run one at a time, in one of two places:

* ``inline=True`` — on the event loop thread, as a callback scheduled when the first item of a
  group arrives (SQLite: its single writer makes a second thread useless, a WAL commit is
  cheap, and a thread hand-off per group costs more GIL traffic than the write itself);
* ``inline=False`` — on one writer thread (PostgreSQL: a group waits on the network and on the
  server's fsync, during which the event loop keeps serving requests and fills the next group).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

Pending = tuple[Any, "asyncio.Future[Any]"]


class GroupCommit(Generic[T, R]):
    def __init__(
        self,
        write: Callable[[list[T]], Sequence[R | BaseException]],
        *,
        inline: bool,
        max_group: int = 64,
        name: str = "editbay-group-commit",
    ) -> None:
        self._write = write
        self._inline = inline
        self._max = max_group
        self._name = name
        self._pending: list[Pending] = []
        self._scheduled = False  # inline: a flush callback is queued on the loop
        self._cond = threading.Condition()  # thread mode: guards _pending, wakes the writer
        self._thread: threading.Thread | None = None
        self._stopping = False
        self.groups = 0  # statistics, for tests and the benchmark
        self.items = 0

    async def run(self, item: T) -> R:
        """Write ``item`` with the next group; return its result once that group committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        if self._inline:
            self._pending.append((item, future))
            if not self._scheduled:
                self._scheduled = True
                loop.call_soon(self._flush_inline)
        else:
            with self._cond:
                if self._stopping:
                    raise RuntimeError("the group writer has stopped")
                self._pending.append((item, future))
                self._start_thread()
                self._cond.notify()
        return await future

    # ---- running groups ----------------------------------------------------------------------

    def _take(self) -> list[Pending]:
        group = self._pending[: self._max]
        del self._pending[: self._max]
        return group

    def _write_group(self, group: list[Pending]) -> list[Any]:
        self.groups += 1
        self.items += len(group)
        try:
            results = list(self._write([item for item, _ in group]))
            if len(results) != len(group):
                raise RuntimeError(f"group writer returned {len(results)} results for {len(group)} items")
        except BaseException as exc:  # a bug in write(): fail this group, keep serving
            log.exception("group write failed")
            results = [exc] * len(group)
        return results

    @staticmethod
    def _deliver(group: list[Pending], results: list[Any]) -> None:
        for (_, future), result in zip(group, results, strict=True):
            if future.done():  # the request was cancelled (client gone); its write stands
                continue
            if isinstance(result, BaseException):
                future.set_exception(result)
            else:
                future.set_result(result)

    def _flush_inline(self) -> None:
        self._scheduled = False
        while self._pending:
            group = self._take()
            self._deliver(group, self._write_group(group))

    def _start_thread(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._writer, name=self._name, daemon=True)
            self._thread.start()

    def _writer(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._stopping:
                    self._cond.wait()
                if not self._pending:
                    return
                group = self._take()
            results = self._write_group(group)
            by_loop: dict[asyncio.AbstractEventLoop, tuple[list[Pending], list[Any]]] = {}
            for pending, result in zip(group, results, strict=True):
                entry = by_loop.setdefault(pending[1].get_loop(), ([], []))
                entry[0].append(pending)
                entry[1].append(result)
            for loop, (items, outcomes) in by_loop.items():
                try:
                    loop.call_soon_threadsafe(self._deliver, items, outcomes)
                except RuntimeError:  # that loop has closed: nobody is waiting any more
                    pass

    def stop(self, timeout: float = 30.0) -> None:
        """Let the writer thread finish the groups already queued, then end it."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
