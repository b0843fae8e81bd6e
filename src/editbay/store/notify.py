"""Wake-ups between the API and workers: PostgreSQL LISTEN/NOTIFY, or in-process events for SQLite.

A sender calls ``notify_*`` inside its transaction; the signal leaves only when that transaction
commits (``pg_notify`` is transactional; the in-process signal fires from ``after_commit``), so a
woken worker always sees the committed row. Waiters use a `Waker` — a generation counter under a
condition variable — fed by the in-process signal and, on PostgreSQL, by a `PgListener` thread.
Polling stays as the fallback, so a lost notification only costs one poll interval.

The channel name carries a hash of the database and schema, so test runs sharing one PostgreSQL
server (per-run schemas) never wake each other.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.orm import Session

from editbay.store.db import url_key

log = logging.getLogger(__name__)

TOPIC_JOBS = "jobs"
TOPIC_CANCEL = "cancel"
TOPIC_WEBHOOKS = "webhooks"
TOPIC_SEGMENTS = "segments"  # a segment task ended: wakes the parent job waiting for its children
TOPICS = (TOPIC_JOBS, TOPIC_CANCEL, TOPIC_WEBHOOKS, TOPIC_SEGMENTS)


class Waker:
    """A wake-up signal many threads can wait on without missing one that fired in between."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._generation = 0

    @property
    def generation(self) -> int:
        with self._cond:
            return self._generation

    def wake(self) -> None:
        with self._cond:
            self._generation += 1
            self._cond.notify_all()

    def wait(self, timeout: float, since: int | None = None) -> bool:
        """Wait until woken after generation ``since`` (default: now) or ``timeout`` seconds pass."""
        deadline = time.monotonic() + max(0.0, timeout)
        with self._cond:
            start = self._generation if since is None else since
            while self._generation == start:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True


_wakers: dict[tuple[str, str], Waker] = {}
_wakers_lock = threading.Lock()


def _db_key(bind: Engine | Connection) -> str:
    return url_key((bind.engine if isinstance(bind, Connection) else bind).url)


def local_waker(bind: Engine | Connection | str, topic: str = TOPIC_JOBS) -> Waker:
    """The in-process waker for one database and topic (shared by every engine on that URL)."""
    key = bind if isinstance(bind, str) else _db_key(bind)
    with _wakers_lock:
        return _wakers.setdefault((key, topic), Waker())


_channel_cache: dict[str, str] = {}


def channel_name(conn: Connection, topic: str = TOPIC_JOBS) -> str:
    """``editbay_<topic>_<hash(database, schema)>`` — unique per database and search_path schema."""
    key = _db_key(conn)
    base = _channel_cache.get(key)
    if base is None:
        db, schema = conn.execute(text("SELECT current_database(), current_schema()")).one()
        base = hashlib.sha1(f"{db}/{schema}".encode(), usedforsecurity=False).hexdigest()[:16]
        _channel_cache[key] = base
    return f"editbay_{topic}_{base}"


def _notify(session: Session, topic: str) -> None:
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_notify(:ch, '')"), {"ch": channel_name(conn, topic)})
    waker = local_waker(conn, topic)
    # Fire after the commit (never for a rolled-back transaction), once per transaction.
    flag = f"editbay_notify_{topic}"
    if not session.info.get(flag):
        session.info[flag] = True

        def _fire(sess: Session) -> None:
            sess.info.pop(flag, None)
            waker.wake()

        def _drop(sess: Session, *_: Any) -> None:
            sess.info.pop(flag, None)
            if event.contains(sess, "after_commit", _fire):
                event.remove(sess, "after_commit", _fire)

        event.listen(session, "after_commit", _fire, once=True)
        event.listen(session, "after_soft_rollback", _drop, once=True)


def notify_job_available(session: Session) -> None:
    """A job became runnable: wake the workers once the caller's transaction commits."""
    _notify(session, TOPIC_JOBS)


def job_wakeup(engine: Engine) -> tuple[str | None, Waker]:
    """`notify_job_available` for a caller that runs its own transaction on the raw connection
    (the grouped submit): the PostgreSQL channel to `pg_notify` inside that transaction (None
    on SQLite), and the in-process waker for the caller to wake once its COMMIT returned."""
    channel = None
    if engine.dialect.name == "postgresql":
        base = _channel_cache.get(_db_key(engine))
        if base is None:
            with engine.connect() as conn:
                channel = channel_name(conn, TOPIC_JOBS)
        else:
            channel = f"editbay_{TOPIC_JOBS}_{base}"
    return channel, local_waker(engine, TOPIC_JOBS)


def notify_cancel_requested(session: Session) -> None:
    """A running job was asked to stop: wake its worker's cancel watcher."""
    _notify(session, TOPIC_CANCEL)


def notify_upstream_changed(session: Session) -> None:
    """An upstream webhook was accepted for a running job: wake the job supervisors, which re-read
    their job's row between heartbeats (as for a cancel request) and wake the upstream wait."""
    _notify(session, TOPIC_CANCEL)


def notify_segment_ended(session: Session) -> None:
    """A segment task reached a final state: wake the worker running its parent job."""
    _notify(session, TOPIC_SEGMENTS)


def notify_webhook_due(session: Session) -> None:
    """An outbox event was written: wake the delivery loop."""
    _notify(session, TOPIC_WEBHOOKS)


class PgListener:
    """One LISTEN connection per process; forwards notifications to the local wakers.

    Reconnects after errors. Wakers are fed for every topic, so every thread in the process that
    waits on a topic is woken, however the notification arrived.
    """

    def __init__(self, engine: Engine, topics: Iterable[str] = TOPICS) -> None:
        self._engine = engine
        self._topics = list(topics)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="editbay-pg-listener", daemon=True)
        self.ready = threading.Event()

    def start(self) -> PgListener:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _dsn(self) -> str:
        url = self._engine.url.set(drivername="postgresql")
        return url.render_as_string(hide_password=False)

    def _run(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with self._engine.connect() as sa_conn:
                    channels = {channel_name(sa_conn, t): t for t in self._topics}
                with psycopg.connect(self._dsn(), autocommit=True) as conn:
                    for ch in channels:
                        conn.execute(f'LISTEN "{ch}"')
                    self.ready.set()
                    for topic in self._topics:  # something may have happened while we were away
                        local_waker(self._engine, topic).wake()
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=0.5):
                            woken = channels.get(note.channel)
                            if woken:
                                local_waker(self._engine, woken).wake()
            except Exception:
                if self._stop.is_set():
                    return
                log.exception("notification listener lost its connection; reconnecting")
                self._stop.wait(1.0)


def start_listener(engine: Engine) -> PgListener | None:
    """Start a `PgListener` on PostgreSQL; SQLite needs none (wake-ups are in-process)."""
    if engine.dialect.name != "postgresql":
        return None
    return PgListener(engine).start()
