"""Database engine and sessions: SQLite (WAL, foreign keys, busy timeout) or PostgreSQL."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Dialect, Engine, create_engine, event, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(url: str, *, pre_ping: bool = True, autocheckpoint: bool = True, **kwargs: Any) -> Engine:
    """Create an engine with the pragmas/pool settings each backend needs. ``pre_ping=False``
    skips PostgreSQL's liveness round trip at every checkout (for a connection kept busy by
    one thread, like the group-commit writer's); ``autocheckpoint=False`` leaves SQLite's WAL
    checkpoints to a `WalCheckpointer` instead of the committing connection."""
    if is_sqlite(url):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=20,
            max_overflow=20,
            **kwargs,
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy's "BEGIN" (emitted below) open transactions, not pysqlite's
            # implicit logic, so BEGIN IMMEDIATE can serialise writers without deadlocks.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            if not autocheckpoint:
                cur.execute("PRAGMA wal_autocheckpoint=0")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # Writers take the write lock at the start: no lock upgrades, no SQLITE_BUSY mid-way.
            readonly = conn.get_execution_options().get("editbay_readonly", False)
            conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

        return engine
    options: dict[str, Any] = {"pool_size": 20, "max_overflow": 20, **kwargs}
    return create_engine(url, pool_pre_ping=pre_ping, **options)


class WalCheckpointer:
    """Checkpoints a SQLite database's WAL from a thread of its own every ``interval`` seconds
    (PASSIVE: never blocks writers or readers). The group-commit writer's connections have
    `wal_autocheckpoint=0`, so its COMMITs — on the event loop — never pay for copying pages
    back into the database file and the two fsyncs that come with it."""

    def __init__(self, path: str, interval: float = 0.5) -> None:
        self._path = path
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="editbay-wal-checkpoint", daemon=True)

    def start(self) -> WalCheckpointer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        conn = sqlite3.connect(self._path, timeout=30, isolation_level=None, check_same_thread=False)
        try:
            while not self._stop.wait(self._interval):
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error:
                    log.warning("WAL checkpoint failed; retrying", exc_info=True)
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            conn.close()


_url_keys: dict[int, tuple[URL, str]] = {}


def url_key(url: URL) -> str:
    """A database's cache key: its URL rendered (password hidden), remembered per URL object —
    an engine keeps one — because hashing a URL renders it every time (~45 µs, more than a
    grouped submit's share of its whole transaction). The URL is kept, so its id stays its own."""
    found = _url_keys.get(id(url))
    if found is None or found[0] is not url:
        found = _url_keys[id(url)] = (url, url.render_as_string(hide_password=True))
    return found[1]


def sqlite_path(url: str) -> str | None:
    """The file of a file-backed SQLite URL, else None."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:") or parsed.query:
        return None
    return parsed.database


def dbapi_error(
    dialect: Dialect, exc: BaseException, statement: str | None = None, invalidated: bool = False
) -> DBAPIError:
    """A driver exception as SQLAlchemy's own (`OperationalError`, `IntegrityError`, …), by the
    translation SQLAlchemy applies: for the hot paths that run on the raw DBAPI connection
    (`store.reads`, the grouped submit), so that callers — and the API's 503 for an unreachable
    database — see the same exceptions whichever path ran."""
    return DBAPIError.instance(  # type: ignore[return-value]
        statement,
        None,
        exc,  # type: ignore[arg-type]
        dialect.loaded_dbapi.Error,
        connection_invalidated=invalidated,
        dialect=dialect,
    )


def make_sessionmaker(engine: Engine, *, readonly: bool = False) -> sessionmaker[Session]:
    """Sessions for writes (SQLite: BEGIN IMMEDIATE) or, with ``readonly``, for reads only
    (SQLite: deferred BEGIN, so readers never wait for the write lock)."""
    bind = engine.execution_options(editbay_readonly=True) if readonly else engine
    return sessionmaker(bind, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any exception."""
    with factory() as session, session.begin():
        yield session
